"""The staff emails of the outbox, rendered from the messages as they are when the mail goes out."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from callbacks.models import Message, MessageEvent, Notification
from callbacks.services.outbox import digest_still_owed


def notification_mail(notification: Notification) -> tuple[str, str]:
    """(subject, body) of one notification, in the recipient's language."""
    context = {
        "message": notification.message,
        "recipient": notification.recipient,
        "notification": notification,
        "listed": _listed_messages(notification),
        "passed_on": _pass_on_note(notification.message),
    }
    return _render(notification.recipient, notification.kind, context)


def notifications_mail(rows: list[Notification]) -> tuple[str, str]:
    """(subject, body) of one mail for several rows of one person: each message once, with what happened to it
    (new, overdue, passed on...), its caller, reason, promise and the caller's wishes."""
    recipient = rows[0].recipient
    items: dict[int, dict] = {}
    with translation.override(_language_of(recipient)):
        for row in rows:
            for message in _listed_messages(row) if row.message_id is None else [row.message]:
                item = items.setdefault(message.pk, {"message": message, "kinds": [], "notes": [], "passed_on": ""})
                label = str(Notification.Kind(row.kind).label)
                if label not in item["kinds"]:
                    item["kinds"].append(label)
                if row.kind == Notification.Kind.CALLED_AGAIN and row.call and row.call.note:
                    item["notes"].append(row.call.note)
                if row.kind == Notification.Kind.REASSIGNED:
                    item["passed_on"] = _pass_on_note(message)
    return _render(recipient, "together", {"recipient": recipient, "items": list(items.values())})


def _render(recipient: User, template: str, context: dict) -> tuple[str, str]:
    with translation.override(_language_of(recipient)):
        context = {**context, "site_url": settings.SITE_URL}
        # One line whatever a name holds: a line break in a header makes every send fail, for good.
        subject = " ".join(render_to_string(f"callbacks/email/{template}_subject.txt", context).split())
        body = render_to_string(f"callbacks/email/{template}.txt", context)
    return subject, body


def _language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _listed_messages(notification: Notification) -> list[Message]:
    """The messages a digest lists, in the order it was written, leaving out any handled or passed on meanwhile."""
    if not notification.message_ids:
        return []
    ids = digest_still_owed(notification)
    found = Message.objects.select_related("owner_user", "owner_team").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _pass_on_note(message: Message | None) -> str:
    """Why the message was last passed on, as the colleague who passed it wrote it."""
    if message is None:
        return ""
    return (
        MessageEvent.objects.filter(message=message, kind=MessageEvent.Kind.REASSIGNED)
        .order_by("-at", "-pk")
        .values_list("note", flat=True)
        .first()
        or ""
    )
