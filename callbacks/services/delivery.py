"""Delivering the outbox: one row by its task, and the sweep that sends what is left, a person's held emails
as one mail. Every row is checked at delivery (callbacks.services.outbox) against the message as it is then."""

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial


from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from accounts.password_reset import password_reset_mail
from callbacks.models import Heartbeat, Notification
from callbacks.selectors.policies import quiet_until
from callbacks.services.emails import notification_mail, notifications_mail
from callbacks.services.outbox import Verdict, delivery_check

# Rows younger than this are left to their own task; the sweep is the safety net.
SWEEP_GRACE = timedelta(minutes=1)
BACKOFF_START = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# The kinds whose emails to one person go out together as one mail (emails_deliver_together).
BATCHED_KINDS = frozenset(
    {
        Notification.Kind.NEW_MESSAGE,
        Notification.Kind.REASSIGNED,
        Notification.Kind.DIGEST,
        Notification.Kind.OVERDUE,
        Notification.Kind.ESCALATED,
        Notification.Kind.CALLED_AGAIN,
    }
)

logger = logging.getLogger(__name__)


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Deliver one notification; only the run that claims the pending row sends it.

    The row is checked against the message as it is now (callbacks.services.outbox.delivery_check): it may
    be dropped, or go to another person. An email outside the recipient's business hours waits for the next
    opening (quiet hours); a failed send goes back to pending with an exponential backoff for the sweep.
    """
    now = now or timezone.now()
    for _attempt in range(2):  # a second time only for a row just sent on to another person
        claimed = Notification.objects.filter(_due(now), pk=notification_id, state=Notification.State.PENDING).update(
            # The moment of the claim itself, not the sweep's start: a long sweep must not look like a dead worker.
            state=Notification.State.SENDING,
            claimed_at=timezone.now(),
        )
        if claimed != 1:
            return False
        notification = _with_relations(Notification.objects).get(pk=notification_id)
        verdict = delivery_check(notification=notification, now=now)
        if not _settle(notification, verdict, now):
            if verdict.to is None:
                return False
            continue
        if notification.channel == Notification.Channel.EMAIL:
            if _hold_for_quiet_hours([notification], now):
                return False
            try:
                _send_email(notification)
            except Exception as error:
                _back_off([notification], now, error=error)
                raise
        _mark_sent([notification.pk], outcome=verdict.outcome)
        return True
    return False


def _due(now: datetime) -> Q:
    return Q(not_before__isnull=True) | Q(not_before__lte=now)


def _with_relations(rows):
    return rows.select_related("recipient", "message__owner_user", "message__owner_team", "message__taken_by", "call")


def _settle(notification: Notification, verdict: Verdict, now: datetime) -> bool:
    """Write what the check decided for a claimed row; True when it is still to be delivered now."""
    if verdict.send:
        return True
    mine = Notification.objects.filter(pk=notification.pk, state=Notification.State.SENDING)
    if verdict.to is not None:
        mine.update(
            state=Notification.State.PENDING,
            recipient=verdict.to,
            outcome=verdict.outcome,
            claimed_at=None,
            claim_token=None,
            not_before=None,
        )
    elif verdict.hold_until is not None:
        mine.update(
            state=Notification.State.PENDING,
            outcome=verdict.outcome,
            claimed_at=None,
            claim_token=None,
            not_before=verdict.hold_until,
        )
    else:
        # An in-app notice stays in the person's list, read: it was true when it was written.
        mine.update(
            state=Notification.State.DROPPED,
            outcome=verdict.outcome,
            sent_at=now,
            read_at=now if notification.channel == Notification.Channel.IN_APP else None,
        )
    return False


def _hold_for_quiet_hours(rows: list[Notification], now: datetime) -> bool:
    """Held until the recipient's opening, unless a reset link or a caller's confirmation (someone waiting
    for the link is awake now; so is a caller who just hung up and expects the confirmation)."""
    urgent = rows[0].kind in (Notification.Kind.PASSWORD_RESET, Notification.Kind.CALLER_CONFIRMATION)
    hold_until = None if urgent else quiet_until(rows[0].recipient, now)
    if hold_until is None:
        return False
    for row in rows:
        _release(row.pk, not_before=hold_until, failures=row.failures)
    return True


def _back_off(rows: list[Notification], now: datetime, *, error: Exception) -> None:
    """Pending again, later each time; the admin's outbox shows the last error."""
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
        last_error=f"{type(error).__name__}: {error}"[:500]
    )
    for row in rows:
        failures = row.failures + 1
        _release(row.pk, not_before=now + min(BACKOFF_START * 2 ** (failures - 1), BACKOFF_MAX), failures=failures)


def _mark_sent(ids: list[int], *, outcome: str = "") -> None:
    Notification.objects.filter(pk__in=ids, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now(), outcome=outcome, claim_token=None
    )


def _release(notification_id: int, *, not_before: datetime, failures: int) -> None:
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.PENDING, claimed_at=None, claim_token=None, not_before=not_before, failures=failures
    )


def outbox_deliver(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE, limit: int = 500) -> int:
    """The delivery sweep: send what is still pending after `grace` (a lost publish, a broker outage,
    a backoff or quiet hours that ended), and free rows whose worker died mid-send.

    The due emails of one person go out as one mail (emails_deliver_together); in-app notices stay one
    per event. A second pass delivers rows the first one sent on to another person (a stand-in).
    """
    now = now or timezone.now()
    # A row claimed this long ago by a worker that never finished is handed out again.
    stale_claim = timedelta(seconds=settings.NOTIFICATION_STALE_CLAIM_SECONDS)
    Notification.objects.filter(state=Notification.State.SENDING, claimed_at__lt=now - stale_claim).update(
        state=Notification.State.PENDING, claimed_at=None, claim_token=None
    )
    delivered = 0
    for _pass in range(2):
        rows = list(
            Notification.objects.filter(_due(now), state=Notification.State.PENDING, created_at__lte=now - grace)
            .order_by("created_at", "pk")
            .values_list("pk", "channel", "kind", "recipient_id")[:limit]
        )
        emails: dict[int, list[int]] = {}
        for pk, channel, kind, recipient_id in rows:
            # A reset link goes alone, at once; a row without a staff recipient (a caller's confirmation) too.
            if channel == Notification.Channel.EMAIL and kind in BATCHED_KINDS and recipient_id is not None:
                emails.setdefault(recipient_id, []).append(pk)
            else:
                delivered += _logged(partial(notification_deliver, notification_id=pk, now=now), [pk])
        for ids in emails.values():
            deliver = (
                partial(notification_deliver, notification_id=ids[0])
                if len(ids) == 1
                else partial(emails_deliver_together, ids=ids)
            )
            delivered += _logged(partial(deliver, now=now), ids)
    Heartbeat.objects.update_or_create(
        name=Heartbeat.OUTBOX_DELIVERY, defaults={"last_run_at": now, "last_count": delivered}
    )
    return delivered


def _logged(deliver, ids: list[int]) -> int:
    try:
        return int(deliver())
    except Exception:
        logger.warning("Delivery of notification(s) %s failed; they will be retried", ids, exc_info=True)
        return 0


def emails_deliver_together(*, ids: list[int], now: datetime | None = None) -> int:
    """One mail for the due email rows of one person (what quiet hours held overnight); returns the rows sent.

    One conditional UPDATE claims the rows still pending with a fresh token; only the rows carrying it are
    checked, listed and marked, so overlapping sweeps or a retried task never put a row in two mails.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = Notification.objects.filter(_due(now), pk__in=ids, state=Notification.State.PENDING).update(
        state=Notification.State.SENDING, claimed_at=timezone.now(), claim_token=token
    )
    if not claimed:
        return 0
    rows = list(
        _with_relations(Notification.objects.filter(claim_token=token, state=Notification.State.SENDING)).order_by(
            "created_at", "pk"
        )
    )
    kept = []
    for row in rows:
        verdict = delivery_check(notification=row, now=now)
        if _settle(row, verdict, now):
            kept.append((row, verdict.outcome))
    if not kept or _hold_for_quiet_hours([row for row, _outcome in kept], now):
        return 0
    try:
        if len(kept) == 1:
            _send_email(kept[0][0])
        else:
            _send_together([row for row, _outcome in kept])
    except Exception as error:
        _back_off([row for row, _outcome in kept], now, error=error)
        raise
    for outcome in {outcome for _row, outcome in kept}:
        _mark_sent([row.pk for row, row_outcome in kept if row_outcome == outcome], outcome=outcome)
    return len(kept)


def outbox_pending_count() -> int:
    return Notification.objects.filter(state=Notification.State.PENDING).count()


def _send_email(notification: Notification) -> None:
    if notification.kind == Notification.Kind.CALLER_CONFIRMATION:
        from callbacks.services.caller_mail import caller_confirmation_send  # it queues through this module

        caller_confirmation_send(notification=notification)
        return
    if notification.kind == Notification.Kind.PASSWORD_RESET:
        subject, body = password_reset_mail(user=notification.recipient)
    else:
        subject, body = notification_mail(notification)
    send_mail(subject, body, None, [notification.recipient.email])


def _send_together(rows: list[Notification]) -> None:
    subject, body = notifications_mail(rows)
    send_mail(subject, body, None, [rows[0].recipient.email])
