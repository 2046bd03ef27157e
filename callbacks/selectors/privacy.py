"""Reads for the manager's privacy page: the retention period and its next run, and everything stored about
one caller (by their numbers) for the right of access."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, DateTimeField, F, Prefetch, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from callbacks.domain import phone
from callbacks.models import Attempt, CallDraft, CallLog, Heartbeat, Message, MessageEvent, Notification, Status
from callbacks.models.privacy import PrivacyRecord, RetentionSetting
from callbacks.signals import caller_export_requested

if TYPE_CHECKING:
    from callbacks.selectors.privacy_export import Section

# The same window as callbacks.services.retention (NIGHT_START): the hourly task works from 01:00 local.
NIGHT_STARTS = time(1, 0)
RECORDS_SHOWN = 20
FINGERPRINT_SALT = "callbacks.privacy.number"


def number_fingerprint(number: str) -> str:
    """How the privacy log names a number (callbacks.services.privacy): a keyed hash, not the number."""
    return salted_hmac(FINGERPRINT_SALT, number, algorithm="sha256").hexdigest()


def retention_days() -> int:
    """The period a manager set on the privacy page, else the RETENTION_DAYS environment variable."""
    days = RetentionSetting.objects.filter(pk=RetentionSetting.SINGLETON).values_list("days", flat=True).first()
    return days or settings.RETENTION_DAYS


def next_retention_run(*, now: datetime) -> datetime:
    """When the nightly anonymisation next works: within the hour during the night window, else the next 01:00
    local time (built from the local date, so a DST change night still answers 01:00)."""
    local = timezone.localtime(now)
    if NIGHT_STARTS <= local.time() < time(5, 0):
        return now
    day = local.date() if local.time() < NIGHT_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(day, NIGHT_STARTS, tzinfo=local.tzinfo)


@dataclass(frozen=True)
class RetentionOverview:
    days: int
    set_by_manager: bool
    next_run: datetime
    next_run_count: int
    last_run: Heartbeat | None
    records: list[PrivacyRecord]


def retention_overview(*, now: datetime) -> RetentionOverview:
    setting = RetentionSetting.objects.filter(pk=RetentionSetting.SINGLETON).first()
    days = setting.days if setting else settings.RETENTION_DAYS
    next_run = next_retention_run(now=now)
    return RetentionOverview(
        days=days,
        set_by_manager=setting is not None,
        next_run=next_run,
        next_run_count=messages_to_anonymise(now=next_run, older_than_days=days).count(),
        last_run=Heartbeat.objects.filter(name=Heartbeat.RETENTION).first(),
        records=list(PrivacyRecord.objects.select_related("by")[:RECORDS_SHOWN]),
    )


def numbers_from(values: Iterable[object]) -> list[str]:
    """The E.164 numbers among what was asked for (any written form), each once, in the order given."""
    found = [phone.parse(value) for value in values]
    return list(dict.fromkeys(number for number in found if number))


def caller_messages(*, numbers: list[str]) -> QuerySet[Message]:
    """Every message from these numbers with everything hanging off it, newest first; a constant number of queries."""
    return (
        Message.objects.filter(caller_number__in=numbers)
        .select_related("taken_by", "intended_user", "owner_user", "owner_team", "handled_by")
        .prefetch_related(
            Prefetch("calls", CallLog.objects.select_related("taken_by")),
            Prefetch("attempts", Attempt.objects.select_related("made_by")),
            Prefetch("events", MessageEvent.objects.select_related("actor")),
            Prefetch("notifications", Notification.objects.select_related("recipient").order_by("created_at")),
        )
        .order_by("-taken_at", "-pk")
    )


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def drafts_holding(*, numbers: list[str]) -> list[CallDraft]:
    """Calls in progress at the intake that hold one of these numbers, typed in any form (or prefilled).

    Drafts live an hour or so (callbacks.services.drafts.drafts_expire), so there are few to read; their
    numbers are raw typed text, so they are compared after parsing rather than in SQL."""
    wanted = set(numbers)
    return [
        draft
        for draft in CallDraft.objects.select_related("taken_by").order_by("started_at", "pk")
        if wanted & set(numbers_from([draft.prefill_number, *_strings(draft.data)]))
    ]


@dataclass
class CallerData:
    numbers: list[str]
    messages: list[Message] = field(default_factory=list)
    drafts: list[CallDraft] = field(default_factory=list)
    # What other apps hold about these numbers (the phone system's calls), as export sections.
    elsewhere: list["Section"] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "messages": len(self.messages),
            "calls": sum(len(message.calls.all()) for message in self.messages),
            "attempts": sum(len(message.attempts.all()) for message in self.messages),
            "events": sum(len(message.events.all()) for message in self.messages),
            "notifications": sum(len(message.notifications.all()) for message in self.messages),
            "drafts": len(self.drafts),
        }

    @property
    def open_messages(self) -> list[Message]:
        return [message for message in self.messages if message.status == "open"]


def caller_data(*, numbers: list[str]) -> CallerData:
    return CallerData(
        numbers=numbers,
        messages=list(caller_messages(numbers=numbers)),
        drafts=drafts_holding(numbers=numbers),
        elsewhere=elsewhere_held(numbers=numbers),
    )


def elsewhere_held(*, numbers: list[str]) -> list["Section"]:
    """The sections other apps answer to callbacks.signals.caller_export_requested, in the order they answer."""
    responses = caller_export_requested.send(sender=CallerData, numbers=numbers)
    return [section for _receiver, sections in responses for section in sections]


def messages_to_anonymise(*, now: datetime, older_than_days: int) -> QuerySet[Message]:
    """Messages closed more than `older_than_days` ago and not yet anonymised, with `closed_at`.

    Closed means no longer open: handled (handled_at), or informational / helped at reception / put through
    (handled_at if set, else taken_at). Open messages are never anonymised, however old.
    """
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1.")
    closed_at = Case(
        When(status=Status.HANDLED, then=F("handled_at")),
        When(
            status__in=(Status.INFORMATIONAL, Status.HANDLED_AT_INTAKE, Status.PUT_THROUGH),
            then=Coalesce("handled_at", "taken_at"),
        ),
        default=None,
        output_field=DateTimeField(),
    )
    return Message.objects.annotate(closed_at=closed_at).filter(
        anonymised_at__isnull=True, closed_at__lt=now - timedelta(days=older_than_days)
    )
