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


def notification_queue(
    *, message: Message | None, recipients: list[User], kind: str, message_ids: list[int] | None = None
) -> list[Notification]:
    """Record one in-app and one email notification per recipient; publish ids once committed."""
    rows = []
    for recipient in recipients:
        channels = [Notification.Channel.IN_APP] + ([Notification.Channel.EMAIL] if recipient.email else [])
        rows.extend(
            Notification(recipient=recipient, message=message, kind=kind, channel=channel,
                         message_ids=message_ids or [])
            for channel in channels
        )
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
        context = {
            "message": notification.message, "recipient": recipient, "notification": notification,
            "listed": _listed_messages(notification.message_ids), "site_url": settings.SITE_URL,
        }
        subject = render_to_string(f"callbacks/email/{notification.kind}_subject.txt", context).strip()
        body = render_to_string(f"callbacks/email/{notification.kind}.txt", context)
    send_mail(subject, body, None, [recipient.email])


def _listed_messages(ids: list[int]) -> list[Message]:
    """The messages a digest lists, in the order it was written, skipping any handled meanwhile."""
    if not ids:
        return []
    found = Message.objects.select_related("owner_user", "owner_team").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
