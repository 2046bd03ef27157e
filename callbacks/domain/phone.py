"""Phone numbers as people write them, and as someone must read them to dial the right person.

A number is stored in E.164 ("+49301234567"). It is shown the way it is dialled from a Dutch desk:
Dutch numbers in the national format ("06 12345678", "020 123 4567"), every other number in the
international format ("+49 30 1234567"), because the national format of a Berlin number, "030 1234567",
is a number in Utrecht when dialled here.

"(0)" after a country code ("+31 (0)6 1234 5678") is the national trunk prefix written as a reminder;
phonenumbers drops it for countries that have one, and keeps the 0 for Italy, where it belongs to the
number itself.
"""

import re
from enum import StrEnum

import phonenumbers
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

HOME_REGION = "NL"
# Longer input than this is not a number someone read out; it also bounds the parser's work.
LONGEST_INPUT = 40
# Digits, the separators people write between groups (dashes of every width, NBSP and other spaces),
# brackets around an area code or "(0)", and a leading plus.
_WRITTEN_NUMBER = re.compile(r"[\d\s+\-\u2010-\u2015./()]*")
# 112, 1212, 14 020 (a town hall): dialled without an area code, they reach a service, not the caller.
_SHORT_DIGITS = 6

EXAMPLES = _("Examples: 06-12345678, 020-1234567, +31 (0)6 1234 5678, +32 2 555 12 12.")


class Refusal(StrEnum):
    EMPTY = "empty"
    LETTERS = "letters"
    SHORT_NUMBER = "short_number"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    UNKNOWN_COUNTRY = "unknown_country"
    INVALID = "invalid"


REASONS = {
    Refusal.EMPTY: _("Enter the caller's phone number."),
    Refusal.LETTERS: _("A phone number has only digits, spaces and the signs + - . / ( )."),
    Refusal.SHORT_NUMBER: _("Short numbers such as 112 or 14 020 cannot be called back; ask for the full number."),
    Refusal.TOO_SHORT: _("This number has too few digits."),
    Refusal.TOO_LONG: _("This number has too many digits."),
    Refusal.UNKNOWN_COUNTRY: _("This country code does not exist."),
    Refusal.INVALID: _("This is not a valid phone number."),
}


class NumberRefused(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal

    @property
    def message(self) -> str:
        """The reason and the formats that do work, for the receptionist."""
        return format_lazy("{} {}", REASONS[self.refusal], EXAMPLES)


def parse(raw: object) -> str | None:
    """The E.164 form of a number as written (Dutch when it has no country code), or None when refused."""
    try:
        return read(raw)
    except NumberRefused:
        return None


def read(raw: object) -> str:
    """The E.164 form of a number as written; NumberRefused says why a number cannot be dialled."""
    text = str(raw or "").strip()
    if not text:
        raise NumberRefused(Refusal.EMPTY)
    if not _WRITTEN_NUMBER.fullmatch(text):
        raise NumberRefused(Refusal.LETTERS)
    if len(text) > LONGEST_INPUT:
        raise NumberRefused(Refusal.TOO_LONG)
    digits = re.sub(r"\D", "", text)
    if not text.startswith(("+", "0")) and len(digits) <= _SHORT_DIGITS:
        raise NumberRefused(Refusal.SHORT_NUMBER)
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException as error:
        raise NumberRefused(_PARSE_ERRORS.get(error.error_type, Refusal.INVALID)) from None
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.UAN:
        raise NumberRefused(Refusal.SHORT_NUMBER)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise NumberRefused(_POSSIBILITY.get(possible, Refusal.INVALID))
    if not phonenumbers.is_valid_number(number):
        raise NumberRefused(_near_miss(number))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: Refusal.UNKNOWN_COUNTRY,
    phonenumbers.NumberParseException.TOO_SHORT_NSN: Refusal.TOO_SHORT,
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: Refusal.TOO_SHORT,
    phonenumbers.NumberParseException.TOO_LONG: Refusal.TOO_LONG,
}
_POSSIBILITY = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: Refusal.UNKNOWN_COUNTRY,
    phonenumbers.ValidationResult.TOO_SHORT: Refusal.TOO_SHORT,
    # A local number without its area code: possible to dial inside the area, not from here.
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: Refusal.TOO_SHORT,
    phonenumbers.ValidationResult.TOO_LONG: Refusal.TOO_LONG,
}


def _near_miss(number: phonenumbers.PhoneNumber) -> Refusal:
    """Too short when a few more digits would make a valid number (06-1234567), too long when a few less would.

    The lengths alone do not tell: a Dutch number may have 7 digits (0800 1234) or 10 (06 12345678)."""
    digits = phonenumbers.national_significant_number(number)
    prefix = f"+{number.country_code}"
    if any(_valid(prefix + digits + "0" * extra) for extra in range(1, 8)):
        return Refusal.TOO_SHORT
    if any(_valid(prefix + digits[:-fewer]) for fewer in range(1, min(4, len(digits)))):
        return Refusal.TOO_LONG
    return Refusal.INVALID


def _valid(e164: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False


def display(e164: object) -> str:
    """The number as it is dialled from a Dutch desk: "06 12345678", "020 123 4567", "+49 30 1234567".

    A stored value that no longer parses is shown as it is, so that nothing is hidden."""
    number = _stored(e164)
    if number is None:
        return str(e164 or "")
    if number.country_code == phonenumbers.country_code_for_region(HOME_REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_uri(e164: object) -> str:
    """A tel: link in E.164 ("tel:+49301234567"), which dials the same person from any phone; "" without a number."""
    number = _stored(e164)
    if number is None:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _stored(value: object) -> phonenumbers.PhoneNumber | None:
    # The model field hands over a PhoneNumber (a phonenumbers.PhoneNumber); selectors may hand over text.
    if isinstance(value, phonenumbers.PhoneNumber):
        return value if value.national_number else None
    if not value:
        return None
    try:
        return phonenumbers.parse(str(value), HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
