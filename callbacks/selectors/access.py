"""Who may see and act on which message: the rule lives on Message.objects (visible_to, actionable_by)."""

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from callbacks.models import Message, Status


def messages_visible_to(user: User) -> QuerySet[Message]:
    """Message.objects.visible_to, with what the pages that list them show."""
    return Message.objects.select_related("owner_user", "owner_team", "taken_by").visible_to(user)


def with_may_act(messages: QuerySet[Message], user: User) -> QuerySet[Message]:
    """The messages annotated ``may_act``: can_act_on asked in the same statement that reads them."""
    return messages.annotate(may_act=Exists(Message.objects.actionable_by(user).filter(pk=OuterRef("pk"))))


def can_see(user: User, message: Message) -> bool:
    """Whether the person may open this message: Message.objects.visible_to asked of this one row."""
    return Message.objects.visible_to(user).filter(pk=message.pk).exists()


def can_act_on(user: User, message: Message) -> bool:
    """Attempts, tick-off and reassignment: Message.objects.actionable_by asked of this one row."""
    return Message.objects.actionable_by(user).filter(pk=message.pk).exists()


def can_correct(user: User, message: Message) -> bool:
    """The receptionist who took a message may correct it until it is handled."""
    return (
        message.taken_by_id == user.pk
        and message.status in (Status.OPEN, Status.INFORMATIONAL)
        and message.anonymised_at is None
    )
