"""The navigation's counts and the notification inbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from accounts.models import User
from callbacks.models import Message, Notification


@dataclass(frozen=True)
class NavigationCounts:
    open: int
    overdue: int
    unread: int


def navigation_counts(*, user: User, now: datetime) -> NavigationCounts:
    """The navigation's numbers on every page: the callbacks a person owes (exactly what "My callbacks"
    lists), how many of them are overdue, and their unread notices. One query per model."""
    owed = Message.objects.owed_by(user)
    callbacks = owed.aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(pk__in=owed.overdue_at(now).values("pk")))
    )
    unread = Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)
    return NavigationCounts(open=callbacks["open"], overdue=callbacks["overdue"], unread=unread.count())


def inbox_of(user: User, *, limit: int = 50) -> list[Notification]:
    """The person's in-app notifications, newest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .select_related("message__owner_user", "message__owner_team")
        .order_by("-created_at", "-pk")[:limit]
    )
