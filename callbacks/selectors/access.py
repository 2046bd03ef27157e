"""Who may see and act on which message."""


from django.db.models import QuerySet

from accounts.models import Team, User
from accounts.roles import HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS
from callbacks.models import Message, Status


def messages_visible_to(user: User) -> QuerySet[Message]:
    """Message.objects.visible_to, with what the pages that list them show."""
    return Message.objects.select_related("owner_user", "owner_team", "taken_by").visible_to(user)


def can_see(user: User, message: Message) -> bool:
    """messages_visible_to's rule for one message already read, for the detail page: reading the message by
    its id alone spares compiling the rule's OR and subquery on every view (about 0.7 ms). Keep the two in
    step; tests/test_detail.py checks them against each other for every role and kind of message."""
    if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}") or message.taken_by_id == user.pk:
        return True
    if not user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        return False
    return message.owner_user_id == user.pk or _in_owner_team(user, message)


def can_act_on(user: User, message: Message) -> bool:
    """Attempts, tick-off and reassignment: the owner, their team mates, and managers."""
    if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
        return True
    if not user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        return False
    return message.owner_user_id == user.pk or _in_owner_team(user, message)


def _in_owner_team(user: User, message: Message) -> bool:
    """Whether the person is in the message's team: asked once per message and person (can_see, can_act_on)."""
    if message.owner_team_id is None:
        return False
    asked = message.__dict__.setdefault("_in_owner_team", {})
    if user.pk not in asked:
        asked[user.pk] = Team.members.through.objects.filter(team_id=message.owner_team_id, user_id=user.pk).exists()
    return asked[user.pk]


def can_correct(user: User, message: Message) -> bool:
    """The receptionist who took a message may correct it until it is handled."""
    return (
        message.taken_by_id == user.pk
        and message.status in (Status.OPEN, Status.INFORMATIONAL)
        and message.anonymised_at is None
    )
