from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Absence, Team, User
from accounts.roles import HANDLE_CALLBACKS
from callbacks.models import Message, Status
from callbacks.policies import calendar_for


@dataclass(frozen=True)
class Recipient:
    """Whom a message is for: a colleague, or a whole team."""

    user: User | None
    team: Team | None

    @property
    def label(self) -> str:
        return str(self.user) if self.user else str(self.team)


@dataclass(frozen=True)
class Availability:
    state: str  # "available", "away" or "closed"
    back_at: datetime | None = None
    stand_in: User | None = None


def recipients_all() -> tuple[list[User], list[Team]]:
    """Everyone a receptionist can take a message for: colleagues who handle callbacks, and teams."""
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename=HANDLE_CALLBACKS) | Q(user_permissions__codename=HANDLE_CALLBACKS))
        .distinct()
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("full_name")
    )
    teams = list(Team.objects.order_by("name"))
    return users, teams


def team_of(user: User) -> Team | None:
    """The team whose promise rules apply to a colleague: their first team by name."""
    return user.teams.order_by("name").first()


def availability_of(*, user: User, team: Team | None, now: datetime) -> Availability:
    absence = (
        Absence.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now)
        .select_related("stand_in")
        .order_by("-ends_at")
        .first()
    )
    if absence is not None:
        return Availability("away", absence.ends_at, absence.stand_in)
    if not calendar_for(team).is_open_at(now):
        return Availability("closed")
    return Availability("available")


def caller_history(*, number: str, now: datetime, limit: int = 10) -> tuple[list[Message], int]:
    """Earlier messages from this number (newest first) and how many calls came in over 30 days."""
    if not number:
        return [], 0
    messages = list(
        Message.objects.filter(caller_number=number)
        .select_related("owner_user", "owner_team")
        .order_by("-taken_at")[:limit]
    )
    recent = Message.objects.filter(caller_number=number, calls__called_at__gte=now - timedelta(days=30)).aggregate(
        calls=Count("calls")
    )["calls"]
    return messages, recent


def open_messages_for(*, number: str, recipient: Recipient) -> QuerySet[Message]:
    """Open messages from this caller for the same colleague or team: candidates to add a call to."""
    owned = Q(owner_user=recipient.user) | Q(intended_user=recipient.user) if recipient.user else Q(
        owner_team=recipient.team, owner_user__isnull=True
    )
    return (
        Message.objects.filter(owned, caller_number=number, status=Status.OPEN)
        .select_related("owner_user", "owner_team")
        .order_by("deadline")
    )
