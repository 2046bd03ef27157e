"""A caller's phone calls for the privacy page (callbacks.signals.caller_export_requested): the calls of their
numbers with every field and the events as the phone system sent them, for the right of access and erasure."""

import phonenumbers
from django.db.models import Q
from django.utils.translation import gettext as _

from callbacks.domain.phone import parse
from callbacks.selectors.privacy_export import Section, record_of
from telephony.models import PhoneCall


def calls_of(*, numbers: list[str]) -> list[PhoneCall]:
    """Every call whose outside party, caller or called number is one of these E.164 numbers, oldest first, with
    its events.

    party_number is the E.164 form already; from and to are kept as the phone system wrote them ("0612345678",
    "0031612345678"), so they are narrowed in SQL by their last digits and then checked by parsing."""
    wanted = set(numbers)
    written = Q(party_number__in=numbers)
    for number in numbers:
        digits = _national_digits(number)
        if digits:
            written |= Q(from_number__endswith=digits) | Q(to_number__endswith=digits)
    candidates = (
        PhoneCall.objects.filter(written)
        .select_related("phone_system", "agent", "team", "message", "attempt")
        .prefetch_related("events")
        .order_by("started_at", "pk")
    )
    return [
        call
        for call in candidates
        if str(call.party_number) in wanted or wanted & {parse(call.from_number), parse(call.to_number)}
    ]


def _national_digits(number: str) -> str:
    """The digits after the country code (+31612345678: 612345678), which every written form ends with."""
    try:
        return str(phonenumbers.parse(number).national_number)
    except phonenumbers.NumberParseException:
        return ""


def phone_calls_export(*, numbers: list[str]) -> list[Section]:
    """Two sections: the calls, and the raw events of those calls."""
    calls = calls_of(numbers=numbers)
    events = [
        record_of(event, f"{_('Phone system event')} {event.pk} ({_('phone call')} {call.pk})")
        for call in calls
        for event in call.events.all()
    ]
    return [
        Section(_("Phone calls"), [record_of(call, f"{_('Phone call')} {call.pk}") for call in calls]),
        Section(_("Events from the phone system"), events),
    ]
