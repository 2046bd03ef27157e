"""The open messages of each owner, counted by when they are due: the manager's dashboard shows them per
colleague, and "My callbacks" and the navigation's badge take a colleague's own messages from them, so a
figure counted for one page serves the others; what a colleague owes (owed_totals) adds their teams'
messages without a colleague."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Min, Q

from accounts.models import User
from callbacks.models import Message
from callbacks.models.generations import kept_per_owner, kept_per_owner_keys
from callbacks.models.querysets import MessageQuerySet

# The groups of open messages on "My callbacks", by deadline.
OVERDUE, TODAY, LATER = "overdue", "today", "later"
# The dashboard's "due within the hour".
DUE_SOON = timedelta(hours=1)
KEPT_AS = "open-figures"


def day_bounds(now: datetime) -> tuple[date, datetime]:
    """Today in the office's time zone, and the midnight that ends it."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    return today, datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)


def due_groups(now: datetime) -> dict[str, Q]:
    """The groups of open messages by deadline, in this order, as conditions on messages already narrowed to
    open() (MessageQuerySet.deadline_passed: so PostgreSQL counts them from the open-message indexes)."""
    return {due: due_stretch(due, due, now) for due in _due_bounds(now)}


def due_stretch(first: str, last: str, now: datetime) -> Q:
    """The open messages of the groups from ``first`` to ``last`` (in due_groups' order) as one range of
    deadlines, which PostgreSQL reads in order from the open-message indexes; an OR of the groups' conditions
    would make it start from the earliest deadline."""
    bounds = _due_bounds(now)
    return (bounds[first][0] or Q()) & (bounds[last][1] or Q())


def _due_bounds(now: datetime) -> dict[str, tuple[Q | None, Q | None]]:
    """Where each group's deadlines start and end (None: open-ended); each group starts where the one before
    ends."""
    _, end_of_today = day_bounds(now)
    return {
        OVERDUE: (None, MessageQuerySet.deadline_passed(now)),
        TODAY: (MessageQuerySet.deadline_between(now, None), MessageQuerySet.deadline_between(None, end_of_today)),
        LATER: (Q(deadline__gte=end_of_today), None),  # a deadline at midnight is tomorrow's
    }


def open_figures(*, owners: list[int | None], now: datetime) -> dict[int | None, dict | None]:
    """For each owner (an owner_user id, None for the teams' messages no one person owns): their open messages
    ("open"), how many are overdue, due within the hour ("soon"), due later today and after today; None for an
    owner without open messages.

    Kept in the cache per owner while true (callbacks/models/generations.py, kept_per_owner): until a message of
    theirs or the configuration (a colleague's name, a new colleague) changes, any message changes, or the
    clock moves one of their messages into another group (a deadline passes or comes within the hour, the
    day ends). So a new message for one colleague recounts that colleague alone.
    """
    return kept_per_owner(KEPT_AS, owners, lambda stale: _counted(now, stale), now=now)


def open_figures_keys(owners: list[int | None]) -> list[str]:
    """The cache keys open_figures reads for these owners."""
    return kept_per_owner_keys(KEPT_AS, owners)


def _counted(now: datetime, owners: list[int | None]) -> dict[int | None, tuple[dict | None, datetime | None]]:
    """Grouped by owner alone and counting deadlines, with conditions on the deadline alone, so that
    PostgreSQL answers from the msg_open_owner_deadline index without reading the table (every open message
    has a deadline: the message_open_has_deadline constraint).
    """
    soon_end = now + DUE_SOON
    _, end_of_today = day_bounds(now)
    colleagues = [owner for owner in owners if owner is not None]
    of_owners = Q(owner_user__in=colleagues)
    if None in owners:
        of_owners |= Q(owner_user__isnull=True)
    rows = (
        Message.objects.open()
        .filter(of_owners)
        .order_by()
        .values("owner_user")
        .annotate(
            soon=Count("deadline", filter=MessageQuerySet.deadline_between(now, soon_end)),
            **{due: Count("deadline", filter=condition) for due, condition in due_groups(now).items()},
            # The next deadline to pass (a message turns overdue) and the next to come within the hour.
            next_due=Min("deadline", filter=Q(deadline__gt=now)),
            next_soon=Min("deadline", filter=Q(deadline__gte=soon_end)),
        )
    )
    counted: dict[int | None, tuple[dict | None, datetime | None]] = dict.fromkeys(owners, (None, None))
    for row in rows:
        row["open"] = row[OVERDUE] + row[TODAY] + row[LATER]  # every open message is in one of them
        changes = [end_of_today]
        if row["next_due"] is not None:
            changes.append(row["next_due"])
        if row["next_soon"] is not None:
            # Due "within the hour" once less than an hour is left: just after this moment, not at it.
            changes.append(row["next_soon"] - DUE_SOON + timedelta(microseconds=1))
        counted[row["owner_user"]] = (row, min(changes))
    return counted


def part_totals(part: MessageQuerySet, now: datetime) -> tuple[dict[str, int], datetime]:
    """The open groups' totals of one part of a tab, and the moment they stop being true by the clock: the
    next deadline to pass (a callback turns overdue) or midnight (today's group ends, tomorrow's deadlines
    become today's)."""
    counts = {due: Count("deadline", filter=condition) for due, condition in due_groups(now).items()}
    totals = part.open().aggregate(**counts, next_due=Min("deadline", filter=Q(deadline__gt=now)))
    next_due = totals.pop("next_due")
    _, end_of_today = day_bounds(now)
    return totals, min(end_of_today, next_due) if next_due is not None else end_of_today


def owed_totals(*, user: User, now: datetime) -> dict[str, int]:
    """What a colleague owes, per open group of the worklist: the totals of the unfiltered worklist and the
    navigation's badge (selectors.navigation_counts), one figure for both.

    In owned_by's two halves, each kept in the cache while it is true (callbacks/models/generations.py): the
    colleague's own messages as open_figures counts every colleague's (the dashboard's figure), and
    their teams' messages without a colleague, until one of those or any message or the configuration (who
    is in which team) changes, or the clock passes the moment part_totals names. So the badge on the page
    after the list is not counted again, and a new message for the colleague recounts their own half alone.
    """
    own = open_figures(owners=[user.pk], now=now)[user.pk]
    teams_half = Message.objects.owned_by_halves(user)[1]
    teams = kept_per_owner(
        _teams_half_kept_as(user), [None], lambda stale: {None: part_totals(teams_half, now)}, now=now
    )[None]
    return {due: (own[due] if own else 0) + teams[due] for due in (OVERDUE, TODAY, LATER)}


def owed_totals_keys(user: User) -> list[str]:
    """The cache keys owed_totals reads. The navigation's badge needs them on every page, so they are read
    with the request's first read of the configuration (callbacks/middleware.py): one round trip for all."""
    return [*open_figures_keys([user.pk]), *kept_per_owner_keys(_teams_half_kept_as(user), [None])]


def _teams_half_kept_as(user: User) -> str:
    return f"owed-teams:{user.pk}"
