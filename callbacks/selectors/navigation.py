"""The navigation's counts and the notification inbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q, QuerySet

from accounts.models import User
from callbacks.models import Message, Notification
from callbacks.models.generations import kept_while_true
from callbacks.models.querysets import MessageQuerySet


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

    The owed callbacks are kept in the cache while they are true (callbacks/models/generations.py: until
    a message or the configuration changes, or the next of them falls due). Counted, they are counted per
    half of owned_by, as the worklist counts them (MessageQuerySet.owned_by_halves), so that PostgreSQL
    answers each from its open-message index alone. The unread notices are counted each time: one look
    into their own small index, with the newest one's id in the same query.

    ``owed_totals`` ({"open": ..., "overdue": ...}) are the same figures when the page has just counted them
    itself (the unfiltered worklist, views/worklist.py): then they are not counted again.
    """
    if owed_totals is not None:
        owed, overdue = owed_totals["open"], owed_totals["overdue"]
    else:
        # owned_by counts the person's own messages and the teams' that no one person owns (owner None).
        owed, overdue = kept_while_true(
            f"owed:{user.pk}", lambda: _owed_counts(user, now), now=now, owners=(user.pk, None)
        )
    unread = _unread_of(user).aggregate(count=Count("pk"), newest=Max("pk"))
    return NavigationCounts(open=owed, overdue=overdue, unread=unread["count"], newest_unread=unread["newest"])


def _owed_counts(user: User, now: datetime) -> tuple[tuple[int, int], datetime | None]:
    """(owed, overdue), and the moment the next owed callback falls due: the overdue count changes then."""
    counts = {
        "open": Count("deadline"),
        "overdue": Count("deadline", filter=MessageQuerySet.deadline_passed(now)),
        "next_due": Min("deadline", filter=Q(deadline__gt=now)),
    }
    halves = [half.open().aggregate(**counts) for half in Message.objects.owned_by_halves(user)]
    next_due = [half["next_due"] for half in halves if half["next_due"] is not None]
    return (sum(half["open"] for half in halves), sum(half["overdue"] for half in halves)), min(next_due, default=None)


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
