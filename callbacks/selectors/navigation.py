"""The navigation's counts and the notification inbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from accounts.models import User
from callbacks.models import Message, Notification
from callbacks.models.querysets import MessageQuerySet


@dataclass(frozen=True)
class NavigationCounts:
    open: int
    overdue: int
    unread: int


def navigation_counts(*, user: User, now: datetime) -> NavigationCounts:
    """The navigation's numbers on every page: the callbacks a person owes (exactly what "My callbacks"
    lists), how many of them are overdue, and their unread notices.

    The owed callbacks are counted per half of owned_by, as the worklist counts them
    (MessageQuerySet.owned_by_halves), so that PostgreSQL answers each from its open-message index alone.
    """
    counts = {"open": Count("deadline"), "overdue": Count("deadline", filter=MessageQuerySet.deadline_passed(now))}
    halves = [half.open().aggregate(**counts) for half in Message.objects.owned_by_halves(user)]
    return NavigationCounts(
        open=sum(half["open"] for half in halves),
        overdue=sum(half["overdue"] for half in halves),
        unread=unread_count(user=user),
    )


def unread_count(*, user: User) -> int:
    """The person's unread notices; alone for the navigation of someone who owes no callbacks (a
    receptionist on every intake step), whose badge is not shown."""
    return _unread_of(user).count()


def _unread_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)


def inbox_of(user: User, *, limit: int = 50) -> list[Notification]:
    """The person's in-app notifications, newest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .select_related("message__owner_user", "message__owner_team", "call")
        .order_by("-created_at", "-pk")[:limit]
    )
