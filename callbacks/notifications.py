"""The notification outbox: rows written inside the caller's transaction, delivered after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from callbacks.models import Message, Notification

logger = logging.getLogger(__name__)


def notification_queue(*, message: Message, recipients: list[User], kind: str) -> list[Notification]:
    """Record one in-app and one email notification per recipient; publish ids once committed."""
    rows = []
    for recipient in recipients:
        rows.append(Notification(recipient=recipient, message=message, kind=kind, channel=Notification.Channel.IN_APP))
        if recipient.email:
            rows.append(Notification(recipient=recipient, message=message, kind=kind, channel=Notification.Channel.EMAIL))
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: _publish(ids))
    return created


def _publish(ids: list[int]) -> None:
    from callbacks.tasks import notification_deliver

    for notification_id in ids:
        try:
            notification_deliver.delay(notification_id)
        except Exception:  # A broker outage must not fail the save; the row waits for the delivery sweep.
            logger.warning("Could not publish notification %s; it stays pending", notification_id, exc_info=True)


def notification_deliver(*, notification_id: int) -> bool:
    """Deliver one notification; only the run that claims the pending row sends it."""
    claimed = Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.SENDING, claimed_at=timezone.now()
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient", "message__owner_user", "message__owner_team").get(
        pk=notification_id
    )
    if notification.channel == Notification.Channel.EMAIL:
        try:
            _send_email(notification)
        except Exception:
            # Hand the row back so the task's retry (or the delivery sweep) can claim it again.
            Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
                state=Notification.State.PENDING, claimed_at=None
            )
            raise
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now()
    )
    return True


def _send_email(notification: Notification) -> None:
    recipient = notification.recipient
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        context = {"message": notification.message, "recipient": recipient}
        subject = render_to_string("callbacks/email/new_message_subject.txt", context).strip()
        body = render_to_string("callbacks/email/new_message.txt", context)
    send_mail(subject, body, None, [recipient.email])
