"""The navigation's counts and the notification inbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet

from accounts.models import User
from callbacks.models import Notification
from callbacks.selectors.open_figures import OVERDUE
from callbacks.selectors.open_figures import owed_totals as worklist_owed_totals


@dataclass(frozen=True)
class NavigationCounts:
    open: int
    overdue: int
    unread: int
    # The newest unread notice's id: the page polls the badge with it and is told of anything newer.
    newest_unread: int | None = None


def navigation_counts(*, user: User, now: datetime, owed_totals: dict[str, int] | None = None) -> NavigationCounts:
    """The navigation's numbers on every page: the callbacks a person owes (exactly what "My callbacks"
    lists), how many of them are overdue, and their unread notices.

    The owed callbacks are the worklist's own totals per group (selectors.open_figures.owed_totals), kept in the
    cache while they are true, so the page after the list does not count them again. The unread notices are
    counted each time: one look into their own small index, with the newest one's id in the same query.

    ``owed_totals`` are those totals when the page has just read them itself (the unfiltered worklist,
    views/worklist.py).
    """
    if owed_totals is None:
        owed_totals = worklist_owed_totals(user=user, now=now)
    unread = _unread_of(user).aggregate(count=Count("pk"), newest=Max("pk"))
    return NavigationCounts(
        open=sum(owed_totals.values()),
        overdue=owed_totals[OVERDUE],
        unread=unread["count"],
        newest_unread=unread["newest"],
    )


def unread_count(*, user: User) -> int:
    """The person's unread notices; alone for the navigation of someone who owes no callbacks (a
    receptionist on every intake step), whose badge is not shown."""
    return _unread_of(user).count()


def _unread_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)


def unread_notice(*, user: User, notice_id: int | None) -> Notification | None:
    """The person's unread notice with this id and its message, for the polled badge to name it."""
    if notice_id is None:
        return None
    return _unread_of(user).select_related("message").filter(pk=notice_id).first()


def inbox_of(user: User, *, limit: int = 50) -> list[Notification]:
    """The person's in-app notifications, newest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .select_related("message__owner_user", "message__owner_team", "call")
        .order_by("-created_at", "-pk")[:limit]
    )
