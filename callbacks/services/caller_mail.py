"""The caller's confirmation: one plain-text mail saying who calls back, from which number and by when.

Written to the outbox in the transaction that saves the message, delivered like every notification
(services/notifications.py hands these rows here). Nothing else is ever sent to a caller: no mail when
the message is handled, no links, no images, no tracking.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from callbacks.domain import phone
from callbacks.models import Message, Notification, Status
from callbacks.services.notifications import publish_on_commit

LANGUAGES = ("nl", "en")


def caller_confirmation_queue(*, message: Message, language: str) -> Notification | None:
    """Record the confirmation for a message promised to a caller who gave an address and agreed."""
    if not message.caller_email or message.deadline is None:
        return None
    row = Notification.objects.create(
        recipient=None,
        address=message.caller_email,
        language=language if language in LANGUAGES else "nl",
        message=message,
        kind=Notification.Kind.CALLER_CONFIRMATION,
        channel=Notification.Channel.EMAIL,
    )
    publish_on_commit([row.pk])
    return row


def caller_confirmation_send(*, notification: Notification) -> bool:
    """Send the confirmation as the message stands now (passed on meanwhile: the new owner is named).

    A message no longer open (handled, or anonymised) gets nothing: the caller has been called already.
    """
    message = notification.message
    if message is None or message.status != Status.OPEN or message.deadline is None or not notification.address:
        return False
    language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "owner": message.owner_display,
            "office": settings.OFFICE_NAME,
            "office_number": phone.display(settings.OFFICE_PHONE_NUMBER) if settings.OFFICE_PHONE_NUMBER else "",
            "deadline": timezone.localtime(message.deadline),
        }
        # One line whatever the office's name holds: a line break in a header fails every send.
        subject = " ".join(render_to_string("callbacks/email/caller_confirmation_subject.txt", context).split())
        body = render_to_string("callbacks/email/caller_confirmation.txt", context)
    mail = EmailMessage(
        subject, body, settings.CALLER_MAIL_FROM, [notification.address], headers={"Content-Language": language}
    )
    mail.send()
    return True
