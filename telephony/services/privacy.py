"""Erasing one caller from the call log (callbacks.signals.caller_erased, sent by the manager's privacy page).

The calls stay for the statistics (direction, result, times, team, whether the caller was anonymous), wiped as
retention wipes them (telephony.services.retention.call_wipe); their raw events are deleted, as retention
does, because their payloads are the numbers and names through and through.
"""

from datetime import datetime

from telephony.models import PhoneCall, PhoneCallEvent
from telephony.selectors.privacy import calls_of
from telephony.services.retention import call_wipe


def phone_calls_erase(*, numbers: list[str], now: datetime) -> int:
    """Wipe the calls of these numbers and delete their events; returns how many calls and events went.

    Safe to repeat: a wiped call no longer holds the numbers, so a second run finds nothing."""
    ids = [call.pk for call in calls_of(numbers=numbers)]
    if not ids:
        return 0
    events, _kinds = PhoneCallEvent.objects.filter(call_id__in=ids).delete()
    calls = PhoneCall.objects.filter(pk__in=ids).update(**call_wipe(now=now))
    return calls + events
