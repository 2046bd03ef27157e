"""The navigation's counts and the notification inbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Func, QuerySet, Subquery

from accounts.models import User
from callbacks.models import Message, Notification


@dataclass(frozen=True)
class NavigationCounts:
    open: int
    overdue: int
    unread: int


def navigation_counts(*, user: User, now: datetime) -> NavigationCounts:
    """The navigation's numbers on every page: the callbacks a person owes (exactly what "My callbacks"
    lists), how many of them are overdue, and their unread notices. All three in one query (the person's
    row with a count per number), because every page pays for it."""
    owed = Message.objects.owed_by(user)
    counts = User.objects.filter(pk=user.pk).values(
        open=_count(owed), overdue=_count(owed.overdue_at(now)), unread=_count(_unread_of(user))
    ).get()
    return NavigationCounts(**counts)


def unread_count(*, user: User) -> int:
    """The person's unread notices alone, for the navigation of someone who owes no callbacks (a
    receptionist on every intake step): building navigation_counts' owed-by subqueries costs the ORM
    several times what this count does, and such a person's badge is not shown."""
    return _unread_of(user).count()


def _unread_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of the rows as a scalar subquery. A Func rather than Count: an aggregate would make the
    subquery GROUP BY every column and return one row per message."""
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")))


def inbox_of(user: User, *, limit: int = 50) -> list[Notification]:
    """The person's in-app notifications, newest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .select_related("message__owner_user", "message__owner_team")
        .order_by("-created_at", "-pk")[:limit]
    )
