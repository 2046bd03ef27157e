"""The notification outbox: rows written inside the caller's transaction, delivered after commit."""

import logging
from datetime import datetime, timedelta
from functools import partial

from celery import signature

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from accounts.password_reset import password_reset_mail
from callbacks.domain.deadlines import next_opening
from callbacks.models import CallLog, Heartbeat, Message, Notification

# Rows younger than this are left to their own task; the sweep is the safety net.
SWEEP_GRACE = timedelta(minutes=1)
BACKOFF_START = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)

logger = logging.getLogger(__name__)


def notification_queue(
    *, message: Message | None, recipients: list[User], kind: str, message_ids: list[int] | None = None,
    call: CallLog | None = None,
) -> list[Notification]:
    """Record one in-app and one email notification per recipient; publish ids once committed.

    `call` is the repeat call a "called again" notification reports (Notification.Kind.CALLED_AGAIN).
    """
    rows = []
    for recipient in recipients:
        channels = [Notification.Channel.IN_APP] + ([Notification.Channel.EMAIL] if recipient.email else [])
        rows.extend(
            Notification(recipient=recipient, message=message, kind=kind, channel=channel,
                         message_ids=message_ids or [], call=call)
            for channel in channels
        )
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    _publish_on_commit(ids)
    return created


def password_reset_queue(*, user_id: int) -> Notification:
    """Record a password-reset mail for this account (settings.PASSWORD_RESET_MAIL_QUEUE); the row holds
    the account only, the link is made when it is delivered."""
    row = Notification.objects.create(
        recipient_id=user_id, kind=Notification.Kind.PASSWORD_RESET, channel=Notification.Channel.EMAIL
    )
    _publish_on_commit([row.pk])
    return row


# The Celery task that delivers one row (callbacks/tasks.py), named rather than imported: tasks call
# services, so a service importing the task module would make a cycle.
DELIVER_TASK = "callbacks.tasks.notification_deliver_task"


def _publish_on_commit(ids: list[int]) -> None:
    transaction.on_commit(partial(_publish, ids))


def _publish(ids: list[int]) -> None:
    """Hand each row to a worker; a broker that fails is logged and the rows wait for the delivery sweep.

    Not Celery's delay_on_commit: a publish error would be raised into the request after its commit.
    No publish retry: the broker's socket timeouts (settings.REDIS_BROKER_TRANSPORT_OPTIONS) bound the
    one attempt, and stopping at the first failure makes that once per save however many rows it wrote.
    """
    for notification_id in ids:
        try:
            signature(DELIVER_TASK, args=(notification_id,)).apply_async(retry=False)
        except Exception:
            logger.warning("Broker unreachable; %s notification(s) wait for the delivery sweep", len(ids),
                           exc_info=True)
            return


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Deliver one notification; only the run that claims the pending row sends it.

    An email outside the recipient's business hours waits for the next opening (quiet hours); a
    failed send goes back to pending with an exponential backoff for the delivery sweep.
    """
    now = now or timezone.now()
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    claimed = Notification.objects.filter(due, pk=notification_id, state=Notification.State.PENDING).update(
        # The moment of the claim itself, not the sweep's start: a long sweep must not look like a dead worker.
        state=Notification.State.SENDING, claimed_at=timezone.now()
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient", "message__owner_user", "message__owner_team").get(
        pk=notification_id
    )
    if notification.channel == Notification.Channel.EMAIL:
        # Someone waiting for a reset link is awake now, whatever the office hours; so is a caller who
        # just hung up and expects the confirmation.
        urgent = notification.kind in (Notification.Kind.PASSWORD_RESET, Notification.Kind.CALLER_CONFIRMATION)
        hold_until = None if urgent else quiet_until(notification.recipient, now)
        if hold_until is not None:
            _release(notification_id, not_before=hold_until, failures=notification.failures)
            return False
        try:
            _send_email(notification)
        except Exception as error:
            Notification.objects.filter(pk=notification_id).update(last_error=f"{type(error).__name__}: {error}")
            failures = notification.failures + 1
            _release(notification_id, not_before=now + min(BACKOFF_START * 2 ** (failures - 1), BACKOFF_MAX),
                     failures=failures)
            raise
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now()
    )
    return True


def _release(notification_id: int, *, not_before: datetime, failures: int) -> None:
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.PENDING, claimed_at=None, not_before=not_before, failures=failures
    )


def quiet_until(user: User, now: datetime) -> datetime | None:
    """When an email to this person may go out, if not now: the next opening of their team."""
    from callbacks.selectors import team_of
    from callbacks.selectors.policies import calendar_for, team_settings

    team = team_of(user)
    if not team_settings(team).hold_email_outside_hours:
        return None
    calendar = calendar_for(team)
    if calendar.is_open_at(now):
        return None
    return next_opening(now, calendar)


def outbox_deliver(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE, limit: int = 500) -> int:
    """The delivery sweep: send what is still pending after `grace` (a lost publish, a broker outage,
    a backoff or quiet hours that ended), and free rows whose worker died mid-send."""
    now = now or timezone.now()
    # A row claimed this long ago by a worker that never finished is handed out again.
    stale_claim = timedelta(seconds=settings.NOTIFICATION_STALE_CLAIM_SECONDS)
    Notification.objects.filter(state=Notification.State.SENDING, claimed_at__lt=now - stale_claim).update(
        state=Notification.State.PENDING, claimed_at=None
    )
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    ids = list(
        Notification.objects.filter(due, state=Notification.State.PENDING, created_at__lte=now - grace)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = 0
    for notification_id in ids:
        try:
            delivered += notification_deliver(notification_id=notification_id, now=now)
        except Exception:
            logger.warning("Delivery of notification %s failed; it will be retried", notification_id, exc_info=True)
    Heartbeat.objects.update_or_create(name=Heartbeat.OUTBOX_DELIVERY, defaults={"last_run_at": now, "last_count": delivered})
    return delivered


def outbox_pending_count() -> int:
    return Notification.objects.filter(state=Notification.State.PENDING).count()


def _send_email(notification: Notification) -> None:
    if notification.kind == Notification.Kind.CALLER_CONFIRMATION:
        from callbacks.services.caller_mail import caller_confirmation_send  # it queues through this module

        caller_confirmation_send(notification=notification)
        return
    recipient = notification.recipient
    if notification.kind == Notification.Kind.PASSWORD_RESET:
        subject, body = password_reset_mail(user=recipient)
        send_mail(subject, body, None, [recipient.email])
        return
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "message": notification.message, "recipient": recipient, "notification": notification,
            "listed": _listed_messages(notification.message_ids), "site_url": settings.SITE_URL,
        }
        # One line whatever a name holds: a line break in a header makes every send fail, for good.
        subject = " ".join(render_to_string(f"callbacks/email/{notification.kind}_subject.txt", context).split())
        body = render_to_string(f"callbacks/email/{notification.kind}.txt", context)
    send_mail(subject, body, None, [recipient.email])


def _listed_messages(ids: list[int]) -> list[Message]:
    """The messages a digest lists, in the order it was written, skipping any handled meanwhile."""
    if not ids:
        return []
    found = Message.objects.select_related("owner_user", "owner_team").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
