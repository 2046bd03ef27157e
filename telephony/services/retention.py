"""Retention of the call log: raw events and the numbers and names of calls go after callbacks' period.

The period is the one a manager set on the privacy page (else RETENTION_DAYS), the same as for messages.
Events are deleted (their payload is personal data through and through); calls stay for the statistics,
with their numbers, names and queue blanked and anonymised_at set. Both are set-based and conditional, so a
repeat or an overlapping run changes nothing more.
"""

from datetime import datetime, timedelta

from django.db import transaction

from callbacks.selectors.privacy import retention_days
from telephony.models import PhoneCall, PhoneCallEvent


def phone_events_expire(*, now: datetime) -> tuple[int, int]:
    """Delete events and anonymise calls older than the retention period: (events deleted, calls anonymised)."""
    cutoff = now - timedelta(days=retention_days())
    with transaction.atomic():
        events, _kinds = PhoneCallEvent.objects.filter(received_at__lt=cutoff).delete()
        calls = PhoneCall.objects.filter(started_at__lt=cutoff, anonymised_at__isnull=True).update(**call_wipe(now=now))
    return events, calls


def call_wipe(*, now: datetime) -> dict:
    """The fields an anonymised call is left with, for an UPDATE (also the erasure of one caller's calls,
    telephony.services.privacy): direction, result, times, team and the anonymous flag stay for the statistics."""
    return {
        "from_number": "",
        "to_number": "",
        "party_number": "",
        "queue": "",
        "user_names": [],
        "answering_number": "",
        "anonymised_at": now,
    }
