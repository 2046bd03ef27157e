"""The open messages of each owner, counted by when they are due: the manager's dashboard shows them per
colleague, and "My callbacks" and the navigation's badge take a colleague's own messages from them, so a
figure counted for one page serves the others; what a colleague owes (owed_totals) adds their teams'
messages without a colleague."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Min, Q, Value, When

from accounts.models import User
from callbacks.models import Message
from callbacks.models.generations import MAX_AGE_SECONDS
from callbacks.models.kept_per_owner import (
    keep_settled,
    kept_per_owner,
    kept_per_owner_keys,
    kept_settled,
    kept_settled_keys,
)
from callbacks.models.querysets import MessageQuerySet

# The groups of open messages on "My callbacks", by deadline.
OVERDUE, TODAY, LATER = "overdue", "today", "later"
# The dashboard's "due within the hour".
DUE_SOON = timedelta(hours=1)
KEPT_AS = "open-figures"
# An open figure's settled part counts the messages written longer ago than this. Longer than any write of a
# message takes to commit (well under a second), and as long as a settled part is kept at most.
SETTLED_AFTER = timedelta(seconds=MAX_AGE_SECONDS)
# The messages written since an owner's settled part are read one by one (when asked), with what each counts
# towards, up to this many; more (an import) are counted by the database instead.
MOST_RECENT_READ = 100
# In a settled part: how many of the owner's open messages were written since its moment when it was counted.
WRITTEN_SINCE = "written_since"


@dataclass
class News:
    """The messages written since their owners' settled parts, as an open figure's recount read them: for a
    page that needs those messages too (the worklist's first keys), so that it does not read them again.

    ``fields``: the message fields wanted besides the figure's own. ``rows``: per owner, the moment they are
    written since and a tuple of those fields, then the group (OVERDUE, TODAY, LATER), for each message."""

    fields: tuple[str, ...]
    rows: dict[int | None, tuple[datetime, list[tuple]]] = field(default_factory=dict)


def day_bounds(now: datetime) -> tuple[date, datetime]:
    """Today in the office's time zone, and the midnight that ends it."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    return today, datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)


def due_groups(now: datetime) -> dict[str, Q]:
    """The groups of open messages by deadline, in this order, as conditions on messages already narrowed to
    open() (MessageQuerySet.deadline_passed: so PostgreSQL counts them from the open-message indexes)."""
    return {due: due_stretch(due, due, now) for due in _due_bounds(now)}


def which_group(now: datetime, dues: list[str] | None = None) -> Case:
    """Each open message's group (among ``dues``; any by default), asked of the database with the groups' own
    conditions (due_groups)."""
    groups = due_groups(now)
    return Case(*(When(groups[due], then=Value(due)) for due in dues or groups))


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


def open_figures(*, owners: list[int | None], now: datetime, news: News | None = None) -> dict[int | None, dict | None]:
    """For each owner (an owner_user id, None for the teams' messages no one person owns): their open messages
    ("open"), how many are overdue, due within the hour ("soon"), due later today and after today; None for an
    owner without open messages.

    Kept in the cache per owner while true (callbacks/models/kept_per_owner.py): until a message of
    theirs or the configuration (a colleague's name, a new colleague) changes, any message changes, or the
    clock moves one of their messages into another group (a deadline passes or comes within the hour, the
    day ends). A new message for one colleague counts that colleague again, and of their messages only those
    written in the last SETTLED_AFTER: the rest is the settled part of the figure, kept on its own (_counted).
    Those few are read one by one; ``news`` receives them (News).
    """
    return kept_per_owner(KEPT_AS, owners, lambda stale: _counted(now, stale, news), now=now)


def open_figures_keys(owners: list[int | None]) -> list[str]:
    """The cache keys open_figures reads for these owners."""
    return [*kept_per_owner_keys(KEPT_AS, owners), *kept_settled_keys(KEPT_AS, owners)]


def _counted(
    now: datetime, owners: list[int | None], news: News | None = None
) -> dict[int | None, tuple[dict | None, datetime | None]]:
    """Each owner's figure and the moment it stops being true by the clock, as the sum of two parts: their
    messages written before a moment (the settled part, counted once and kept while it holds) and those
    written since, counted each time. Without a settled part that holds, both are counted in one statement,
    so that neither misses nor counts twice a message committed meanwhile."""
    stamp, settled = kept_settled(KEPT_AS, owners, now=now)
    parts: dict[int | None, list[dict]] = {owner: [] for owner in owners}
    whole = [owner for owner in owners if owner not in settled]
    if whole:
        written_before = now - SETTLED_AFTER
        newly_settled = dict.fromkeys(whole, ((None, written_before), None))
        written_since = dict.fromkeys(whole, 0)
        for row in _figure_rows(now, _of_owners(whole), settled_before=written_before):
            if row.pop("settled"):
                newly_settled[row["owner_user"]] = ((row, written_before), _changes(row, now))
            else:
                written_since[row["owner_user"]] = row[OVERDUE] + row[TODAY] + row[LATER]
            parts[row["owner_user"]].append(row)
        for owner, ((row, _), _) in newly_settled.items():
            if row is not None:  # more written since than are read one by one stay more: see below
                row[WRITTEN_SINCE] = written_since[owner]
        keep_settled(KEPT_AS, stamp, newly_settled)
    if settled:
        since = reduce(
            or_, [_of_owners([owner]) & Q(recorded_at__gte=moment) for owner, (_, moment) in settled.items()]
        )
        # Read one by one when asked, unless more were written since than that takes when the part was counted.
        many = any(row and row.get(WRITTEN_SINCE, 0) > MOST_RECENT_READ for row, _ in settled.values())
        recent = _recent(now, since, news.fields) if news is not None and not many else None
        for row in _figure_rows(now, since) if recent is None else _summed(recent):
            parts[row["owner_user"]].append(row)
        if recent is not None and news is not None:
            for owner, (_, moment) in settled.items():
                mine = [(*message[len(RECENT_FIELDS) :], message[GROUP]) for message in recent if message[0] == owner]
                news.rows[owner] = (moment, mine)
        for owner, (row, _) in settled.items():
            if row is not None:
                parts[owner].append(row)
    return {owner: _combined(rows, now) for owner, rows in parts.items()}


def _of_owners(owners: list[int | None]) -> Q:
    colleagues = [owner for owner in owners if owner is not None]
    conditions = [Q(owner_user__in=colleagues)] if colleagues else []
    if None in owners:
        conditions.append(Q(owner_user__isnull=True))
    return reduce(or_, conditions)


def _soon(now: datetime) -> Q:
    """Due within the hour (the dashboard's "soon")."""
    return MessageQuerySet.deadline_between(now, now + DUE_SOON)


def _moments(now: datetime) -> dict[str, Q]:
    """The moments an open figure names, as the conditions on the deadlines they are the first of: the next to
    pass (a message turns overdue) and the next to come within the hour."""
    return {"next_due": Q(deadline__gt=now), "next_soon": Q(deadline__gte=now + DUE_SOON)}


RECENT_FIELDS = ("owner_user", "deadline", "group", "soon", "next_due", "next_soon")
GROUP = RECENT_FIELDS.index("group")


def _recent(now: datetime, messages: Q, fields: tuple[str, ...]) -> list[tuple] | None:
    """The open messages of ``messages`` one by one (few: written since a settled part), as RECENT_FIELDS and
    then ``fields``: each one's group, whether it is due within the hour and whether it could be each of
    _moments', asked of the database with the conditions _figure_rows counts by. None for more than
    MOST_RECENT_READ."""
    conditions = {"soon": _soon(now), **_moments(now)}
    rows = (
        Message.objects.open()
        .filter(messages)
        .order_by()
        .annotate(
            group=which_group(now), **{name: ExpressionWrapper(c, BooleanField()) for name, c in conditions.items()}
        )
        .values_list(*RECENT_FIELDS, *fields)[: MOST_RECENT_READ + 1]
    )
    read = list(rows)
    return read if len(read) <= MOST_RECENT_READ else None


def _summed(recent: list[tuple]) -> list[dict]:
    """_figure_rows' counts per owner, from the messages _recent read."""
    rows: dict[int | None, dict] = {}
    for owner, deadline, due, soon, next_due, next_soon, *_ in recent:
        empty = {"owner_user": owner, "soon": 0, OVERDUE: 0, TODAY: 0, LATER: 0, "next_due": None, "next_soon": None}
        row = rows.setdefault(owner, empty)
        row[due] += 1
        row["soon"] += soon
        for moment, could_be in (("next_due", next_due), ("next_soon", next_soon)):
            if could_be and (row[moment] is None or deadline < row[moment]):
                row[moment] = deadline
    return list(rows.values())


def _figure_rows(now: datetime, of_owners: Q, *, settled_before: datetime | None = None) -> list[dict]:
    """The figures' counts per owner, and per part (settled: written before ``settled_before``) when asked.
    Grouped by owner and counting deadlines, so that PostgreSQL answers from the msg_open_owner_recorded index
    (owner, when written, and the deadline) without reading the table: every open message has a deadline (the
    message_open_has_deadline constraint)."""
    messages = Message.objects.open().filter(of_owners).order_by()
    grouping = ["owner_user"]
    if settled_before is not None:
        messages = messages.annotate(settled=ExpressionWrapper(Q(recorded_at__lt=settled_before), BooleanField()))
        grouping.append("settled")
    return list(
        messages.values(*grouping).annotate(
            soon=Count("deadline", filter=_soon(now)),
            **{due: Count("deadline", filter=condition) for due, condition in due_groups(now).items()},
            **{moment: Min("deadline", filter=condition) for moment, condition in _moments(now).items()},
        )
    )


def _combined(rows: list[dict], now: datetime) -> tuple[dict | None, datetime | None]:
    """One owner's figure from the counts of its parts, and the moment it stops being true by the clock."""
    if not rows:
        return None, None
    figure = {"owner_user": rows[0]["owner_user"]}
    for count in ("soon", OVERDUE, TODAY, LATER):
        figure[count] = sum(row[count] for row in rows)
    for moment in ("next_due", "next_soon"):
        figure[moment] = min((row[moment] for row in rows if row[moment] is not None), default=None)
    figure["open"] = figure[OVERDUE] + figure[TODAY] + figure[LATER]  # every open message is in one of them
    return figure, _changes(figure, now)


def _changes(row: dict, now: datetime) -> datetime:
    """The first moment the clock moves one of the counted messages into another group."""
    _, end_of_today = day_bounds(now)
    changes = [end_of_today]
    if row["next_due"] is not None:
        changes.append(row["next_due"])
    if row["next_soon"] is not None:
        # Due "within the hour" once less than an hour is left: just after this moment, not at it.
        changes.append(row["next_soon"] - DUE_SOON + timedelta(microseconds=1))
    return min(changes)


def part_totals(part: MessageQuerySet, now: datetime) -> tuple[dict[str, int], datetime]:
    """The open groups' totals of one part of a tab, and the moment they stop being true by the clock: the
    next deadline to pass (a callback turns overdue) or midnight (today's group ends, tomorrow's deadlines
    become today's)."""
    counts = {due: Count("deadline", filter=condition) for due, condition in due_groups(now).items()}
    totals = part.open().aggregate(**counts, next_due=Min("deadline", filter=Q(deadline__gt=now)))
    next_due = totals.pop("next_due")
    _, end_of_today = day_bounds(now)
    return totals, min(end_of_today, next_due) if next_due is not None else end_of_today


def owed_totals(*, user: User, now: datetime, news: News | None = None) -> dict[str, int]:
    """What a colleague owes, per open group of the worklist: the totals of the unfiltered worklist and the
    navigation's badge (selectors.navigation_counts), one figure for both.

    In owned_by's two halves, each kept in the cache while it is true (callbacks/models/generations.py): the
    colleague's own messages as open_figures counts every colleague's (the dashboard's figure), and
    their teams' messages without a colleague, until one of those or any message or the configuration (who
    is in which team) changes, or the clock passes the moment part_totals names. So the badge on the page
    after the list is not counted again, and a new message for the colleague recounts their own half alone.
    ``news``: see open_figures.
    """
    own = open_figures(owners=[user.pk], now=now, news=news)[user.pk]
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
