"""Retention: remove the caller's personal data from messages handled long ago.

The row itself stays, with its type, tone, status, owner, timestamps, deadlines and counts, so the
statistics keep working. Each batch is one conditional UPDATE (`anonymised_at IS NULL`) plus a few
set-based wipes of the free text around it, in one transaction: a second or overlapping run finds
nothing left to do and changes nothing more. The number of queries grows with the number of
batches, never with the number of messages.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F

from callbacks.models import Attempt, CallLog, Heartbeat, Message, MessageEvent, Notification
from callbacks.selectors.privacy import messages_to_anonymise, retention_days

BATCH_SIZE = 1_000
# What is left of the reason (a required field) and of wiped audit values; a dash reads the same
# in every language.
MARKER = "—"
# Fields whose values, also as before/after strings in the audit trail, may name or describe the caller.
PERSONAL_FIELDS = (
    "caller_name",
    "caller_number",
    "caller_company",
    "caller_email",
    "reason",
    "handled_note",
    "later_reason",
    "promise_exception_reason",
)
# The nightly task works only in these local hours; it runs hourly, and a repeat changes nothing.
NIGHT_START, NIGHT_END = time(1, 0), time(5, 0)

_ANONYMOUS = {
    "caller_name": "",
    "caller_number": "",
    "caller_company": "",
    "caller_email": "",
    "reason": MARKER,
    "handled_note": "",
    "later_reason": "",
    "promise_exception_reason": "",
}


def is_retention_night(moment: datetime) -> bool:
    """Whether the local time (settings.TIME_ZONE) is in the night window [01:00, 05:00)."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).time()
    return NIGHT_START <= local < NIGHT_END


def retention_night_run(*, now: datetime) -> int:
    """The nightly task's work: anonymise with the period a manager set (or RETENTION_DAYS), and note the run
    for the privacy page. Outside the night window it does nothing."""
    if not is_retention_night(now):
        return 0
    anonymised = messages_anonymise(now=now, older_than_days=retention_days())
    Heartbeat.objects.update_or_create(
        name=Heartbeat.RETENTION, defaults={"last_run_at": now, "last_count": anonymised}
    )
    return anonymised


def messages_anonymise(
    *, now: datetime, older_than_days: int, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> int:
    """Anonymise what `messages_to_anonymise` finds; returns how many messages this run anonymised.

    With dry_run, returns how many would be anonymised and writes nothing.
    """
    due = messages_to_anonymise(now=now, older_than_days=older_than_days)
    if dry_run:
        return due.count()
    anonymised, after = 0, 0
    while True:
        ids = list(due.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return anonymised
        anonymised += message_batch_anonymise(ids=ids, now=now)
        after = ids[-1]


def message_batch_anonymise(*, ids: list[int], now: datetime) -> int:
    """One batch: claim the messages still holding personal data, then wipe the text around them.

    Only rows whose `anonymised_at` is still empty are claimed, so a message another run got to first
    is not claimed again; the wipes write only what is not blank yet, so on it they change nothing.
    """
    with transaction.atomic():
        claimed = Message.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            anonymised_at=now, version=F("version") + 1, **_ANONYMOUS
        )
        CallLog.objects.filter(message_id__in=ids).exclude(note="").update(note="")
        Attempt.objects.filter(message_id__in=ids).exclude(note="").update(note="")
        Attempt.objects.filter(message_id__in=ids).exclude(exception_reason="").update(exception_reason="")
        MessageEvent.objects.filter(message_id__in=ids).exclude(note="").update(note="")
        _event_changes_wipe(ids=ids)
        # The confirmation mails hold the caller's address: the rows go, there is nothing left to deliver.
        Notification.objects.filter(message_id__in=ids, kind=Notification.Kind.CALLER_CONFIRMATION).delete()
    return claimed


def _event_changes_wipe(*, ids: list[int]) -> None:
    """Blank the before/after strings of personal fields in the audit trail; other fields stay."""
    events = MessageEvent.objects.filter(message_id__in=ids, changes__has_any_keys=list(PERSONAL_FIELDS))
    changed = []
    for event in events.only("pk", "changes"):
        wiped = {
            name: [MARKER if value else "" for value in values] if name in PERSONAL_FIELDS else values
            for name, values in event.changes.items()
        }
        if wiped != event.changes:
            event.changes = wiped
            changed.append(event)
    MessageEvent.objects.bulk_update(changed, ["changes"])
