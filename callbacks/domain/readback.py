"""Reading a message back on the phone: names in the Dutch spelling alphabet, numbers in spoken groups."""

import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _

# The Dutch telephone spelling alphabet ("spelalfabet"), as used on the phone in the Netherlands.
DUTCH_ALPHABET = {
    "A": "Anton",
    "B": "Bernard",
    "C": "Cornelis",
    "D": "Dirk",
    "E": "Eduard",
    "F": "Ferdinand",
    "G": "Gerard",
    "H": "Hendrik",
    "I": "Izaak",
    "J": "Johan",
    "K": "Karel",
    "L": "Lodewijk",
    "M": "Maria",
    "N": "Nico",
    "O": "Otto",
    "P": "Pieter",
    "Q": "Quotiënt",
    "R": "Rudolf",
    "S": "Simon",
    "T": "Teunis",
    "U": "Utrecht",
    "V": "Victor",
    "W": "Willem",
    "X": "Xantippe",
    "Y": "Ypsilon",
    "Z": "Zaandam",
    "IJ": "IJmuiden",
}
ACCENTS = {
    "\N{COMBINING ACUTE ACCENT}": _("accent aigu"),
    "\N{COMBINING GRAVE ACCENT}": _("accent grave"),
    "\N{COMBINING CIRCUMFLEX ACCENT}": _("accent circonflexe"),
    "\N{COMBINING DIAERESIS}": _("diaeresis"),
    "\N{COMBINING TILDE}": _("tilde"),
    "\N{COMBINING CEDILLA}": _("cedilla"),
    "\N{COMBINING RING ABOVE}": _("ring"),
}
SIGNS = {" ": _("space"), "-": _("hyphen"), "'": _("apostrophe"), "’": _("apostrophe"), ".": _("full stop")}


@dataclass(frozen=True)
class SpelledLetter:
    letter: str  # as typed, e.g. "é" or "IJ"
    word: str  # the alphabet word, or the name of a sign; empty for a letter the alphabet lacks
    note: str = ""  # an accent to mention, e.g. "accent aigu"


def spell_name(name: str) -> list[SpelledLetter]:
    """Each letter of a name with its alphabet word; "ij" is one letter, as Dutch spells it."""
    spelled: list[SpelledLetter] = []
    text = " ".join(name.split())
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair.upper() == "IJ":
            spelled.append(SpelledLetter(pair, DUTCH_ALPHABET["IJ"]))
            index += 2
            continue
        spelled.append(_spell_character(text[index]))
        index += 1
    return spelled


def _spell_character(character: str) -> SpelledLetter:
    if not character.isalpha():
        return SpelledLetter(character, str(SIGNS.get(character, character)))
    base, *marks = unicodedata.normalize("NFD", character)
    note = ", ".join(str(ACCENTS.get(mark, _("accent"))) for mark in marks)
    # NFKC turns the ligature "Ĳ"/"ĳ" (one code point) into "IJ"/"ij", the letter the alphabet knows.
    return SpelledLetter(character, DUTCH_ALPHABET.get(unicodedata.normalize("NFKC", base).upper(), ""), note)


def spoken_phone(e164: str) -> str:
    """A number the way it is read aloud: "06 - 12 34 56 78", "020 - 123 45 67", "+32 2 555 12 12"."""
    try:
        number = phonenumbers.parse(str(e164), "NL")
    except phonenumbers.NumberParseException:
        return str(e164)
    if number.country_code != 31:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    prefix, _space, rest = national.partition(" ")
    if not rest:
        return national
    return f"{prefix} - {_digit_groups(rest.replace(' ', ''))}"


def _digit_groups(digits: str) -> str:
    """Pairs, with one group of three in front when the count is odd: 1234567 -> 123 45 67."""
    head = digits[:3] if len(digits) % 2 else ""
    tail = digits[len(head) :]
    groups = ([head] if head else []) + [tail[i : i + 2] for i in range(0, len(tail), 2)]
    return " ".join(groups)
