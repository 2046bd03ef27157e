"""The notification outbox: rows written inside the caller's transaction, delivered after commit."""

import logging
from functools import partial

from celery import signature

from django.db import transaction

from accounts.models import User
from callbacks.models import CallLog, Message, Notification

logger = logging.getLogger(__name__)


def notification_queue(
    *,
    message: Message | None,
    recipients: list[User],
    kind: str,
    message_ids: list[int] | None = None,
    call: CallLog | None = None,
) -> list[Notification]:
    """Record one in-app and one email notification per recipient; publish ids once committed.

    `call` is the repeat call a "called again" notification reports (Notification.Kind.CALLED_AGAIN).
    """
    rows = []
    for recipient in recipients:
        channels = [Notification.Channel.IN_APP] + ([Notification.Channel.EMAIL] if recipient.email else [])
        rows.extend(
            Notification(
                recipient=recipient,
                message=message,
                kind=kind,
                channel=channel,
                message_ids=message_ids or [],
                call=call,
            )
            for channel in channels
        )
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    publish_on_commit(ids)
    return created


def password_reset_queue(*, user_id: int) -> Notification:
    """Record a password-reset mail for this account (settings.PASSWORD_RESET_MAIL_QUEUE); the row holds
    the account only, the link is made when it is delivered."""
    row = Notification.objects.create(
        recipient_id=user_id, kind=Notification.Kind.PASSWORD_RESET, channel=Notification.Channel.EMAIL
    )
    publish_on_commit([row.pk])
    return row


# The Celery task that delivers a save's rows (callbacks/tasks.py), named rather than imported: tasks call
# services, so a service importing the task module would make a cycle.
DELIVER_TASK = "callbacks.tasks.notifications_deliver_task"


def publish_on_commit(ids: list[int]) -> None:
    transaction.on_commit(partial(_publish, ids))


def _publish(ids: list[int]) -> None:
    """Hand the rows to a worker in one task; a broker that fails is logged and the rows wait for the
    delivery sweep.

    Not Celery's delay_on_commit: a publish error would be raised into the request after its commit.
    No publish retry: the broker's socket timeouts (settings.REDIS_BROKER_TRANSPORT_OPTIONS) bound the
    one attempt, so a save waits for a failing broker once however many rows it wrote.
    """
    if not ids:
        return
    try:
        signature(DELIVER_TASK, args=(ids,)).apply_async(retry=False)
    except Exception:
        logger.warning("Broker unreachable; %s notification(s) wait for the delivery sweep", len(ids), exc_info=True)
