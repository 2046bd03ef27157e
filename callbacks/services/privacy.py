"""The privacy rights a manager carries out: log an export, erase one caller, set the retention period.

The log (PrivacyRecord) never holds the caller's data. Numbers are kept only as keyed hashes
(number_fingerprint, keyed with SECRET_KEY): the office can later check "was +316… erased, and when?"
by hashing the number again, but nobody reading the log learns a number from it. A new SECRET_KEY makes
old fingerprints unmatchable, which errs on the side of forgetting.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from accounts.models import User
from callbacks.models import CallDraft, Caller, CallerLinkEvent, CallerNumber, Message
from callbacks.models.privacy import PrivacyRecord, RetentionSetting
from callbacks.selectors.privacy import drafts_holding, number_fingerprint, retention_days
from callbacks.services.retention import BATCH_SIZE, message_batch_anonymise
from callbacks.signals import caller_erased


def caller_export_log(*, by: User, numbers: list[str], message_count: int, now: datetime) -> PrivacyRecord:
    """Who exported whose data (as fingerprints) and how many messages, not the data itself."""
    return PrivacyRecord.objects.create(
        kind=PrivacyRecord.Kind.EXPORT,
        by=by,
        at=now,
        message_count=message_count,
        number_hashes=sorted(number_fingerprint(number) for number in numbers),
    )


@dataclass(frozen=True)
class Erasure:
    messages: int
    # Records other apps erased (callbacks.signals.caller_erased): the phone system's calls and events.
    elsewhere: int


def caller_erase(*, by: User, numbers: list[str], reason: str, now: datetime) -> int:
    """caller_erasure, answering how many messages were erased."""
    return caller_erasure(by=by, numbers=numbers, reason=reason, now=now).messages


def caller_erasure(*, by: User, numbers: list[str], reason: str, now: datetime) -> Erasure:
    """Anonymise every message from these numbers at once (open ones too) with the retention's own wipe, and
    delete calls in progress holding them. Other apps erase what they hold about the numbers (the phone
    system's calls) through callbacks.signals.caller_erased, in the same transaction.

    The rows, their status, times and counts stay, so the statistics do not change. Safe to repeat: a second
    run finds no message with these numbers, changes nothing and logs nothing."""
    with transaction.atomic():
        ids = list(Message.objects.filter(caller_number__in=numbers).order_by("pk").values_list("pk", flat=True))
        erased = sum(
            message_batch_anonymise(ids=ids[start : start + BATCH_SIZE], now=now)
            for start in range(0, len(ids), BATCH_SIZE)
        )
        drafts = [draft.pk for draft in drafts_holding(numbers=numbers)]
        CallDraft.objects.filter(pk__in=drafts).delete()
        linked = _caller_links_delete(numbers=numbers)
        elsewhere = sum(
            count for _receiver, count in caller_erased.send(sender=PrivacyRecord, numbers=numbers, now=now)
        )
        if erased or drafts or linked or elsewhere:
            PrivacyRecord.objects.create(
                kind=PrivacyRecord.Kind.ERASURE,
                by=by,
                at=now,
                message_count=erased,
                reason=reason,
                number_hashes=sorted(number_fingerprint(number) for number in numbers),
            )
    return Erasure(messages=erased, elsewhere=elsewhere)


def _caller_links_delete(*, numbers: list[str]) -> int:
    """The caller page's links of these numbers, their log (it names the numbers) and a caller left without
    numbers (its name is caller data); returns how many rows went."""
    callers = list(CallerNumber.objects.filter(number__in=numbers).values_list("caller_id", flat=True))
    removed, _kinds = CallerNumber.objects.filter(number__in=numbers).delete()
    logged, _kinds = CallerLinkEvent.objects.filter(number__in=numbers).delete()
    emptied, _kinds = Caller.objects.filter(pk__in=callers, numbers__isnull=True).delete()
    return removed + logged + emptied


def retention_period_set(*, by: User, days: int, now: datetime) -> bool:
    """Set the retention period the nightly run uses; logged with the old and new period. False if unchanged."""
    if days < 1:
        raise ValueError("days must be at least 1.")
    with transaction.atomic():
        before = retention_days()
        RetentionSetting.objects.update_or_create(
            pk=RetentionSetting.SINGLETON, defaults={"days": days, "changed_by": by, "changed_at": now}
        )
        if before == days:
            return False
        PrivacyRecord.objects.create(
            kind=PrivacyRecord.Kind.RETENTION, by=by, at=now, days_before=before, days_after=days
        )
    return True
