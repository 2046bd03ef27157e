"""The colleague's worklist: open callbacks by group (overdue, due today, later) and follow-ups.

Every group is a question on Message.objects (owed_by, of_teams, open, follow_ups_due, and for the open
groups MessageQuerySet's deadline conditions), asked the same way by the overview (worklist) and by its
"Show all" pages (work_messages).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Q, Value, When

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from callbacks.models import Message, Status
from callbacks.models.generations import kept_while_true, kept_while_true_keys
from callbacks.models.querysets import MessageQuerySet
from callbacks.selectors.open_figures import (
    LATER,
    OVERDUE,
    TODAY,
    day_bounds,
    due_groups,
    due_stretch,
    owed_totals,
    part_totals,
)
from callbacks.selectors.work_groups import KEYS, MissedRows, WorkGroup, WorkRow, Worklist


# The groups of the worklist ("due" values of WorkFilter) and how many rows of each the overview shows.
# Overdue and today are what to do now, so they show more; a capped group links to all of it, paginated.
FOLLOW_UP = "follow_up"
WORKLIST_CAPS = {OVERDUE: 50, TODAY: 50, LATER: 20, FOLLOW_UP: 20}


@dataclass(frozen=True)
class WorkFilter:
    scope: str = "mine"  # "mine" or "teams"
    status: str = Status.OPEN  # a Status value or "all"
    call_type: str = ""
    team_id: int | None = None
    period_days: int | None = None
    due: str = ""  # one group of the worklist (a key of WORKLIST_CAPS), or "" for any


def member_teams_key(user: User) -> str:
    return f"member_teams:{user.pk}"


def member_teams(user: User) -> list[Team]:
    """The teams a colleague belongs to, by name: the "My teams" tab and the team filter.

    Teams and memberships are the office's configuration, kept in Django's cache under its version, which
    every change to them moves on (accounts/configuration_cache.py).
    """
    return remembered(member_teams_key(user), lambda: list(Team.objects.filter(members=user).order_by("name")))


def _in_scope(user: User, work_filter: WorkFilter) -> MessageQuerySet:
    """The tab: what the colleague answers for ("mine"), or everything of their teams ("teams"), whose rows also
    name each message's owner (the list's show_owner)."""
    if work_filter.scope == "teams":
        return Message.objects.of_teams(user).select_related("owner_user", "owner_team")
    return Message.objects.owned_by(user)


def _narrowing(work_filter: WorkFilter, now: datetime) -> Q:
    """The filters other than the tab, the status and the group, as one condition."""
    narrowing = Q()
    if work_filter.call_type:
        narrowing &= Q(call_type=work_filter.call_type)
    if work_filter.team_id:
        narrowing &= Q(owner_team_id=work_filter.team_id)
    if work_filter.period_days:
        narrowing &= Q(taken_at__gte=now - timedelta(days=work_filter.period_days))
    return narrowing


def _follow_ups_kept(user: User, scope: str, in_scope: MessageQuerySet, now: datetime) -> tuple[list[tuple], int]:
    """The follow-ups' first rows (keys and "Call back" fields) and their total, kept in the cache while true.

    Follow-ups are handled messages, which a new message never is (a write that adds anything but open messages
    moves the common generation on: callbacks/models/generations.py), so no owner's generation is carried: only
    a changed message, the configuration (the teams of the tab) or the end of the day ends them.
    """

    def read() -> tuple[tuple[list[tuple], int], datetime]:
        group = _follow_ups(in_scope, now)
        keys = list(group.values_list(*KEYS)[: WORKLIST_CAPS[FOLLOW_UP]])
        # Follow-ups rarely fill their cap: then the keys read are all of them, and no count is needed.
        total = len(keys) if len(keys) < WORKLIST_CAPS[FOLLOW_UP] else group.count()
        return (keys, total), day_bounds(now)[1]

    return kept_while_true(_follow_ups_kept_as(user, scope), read, now=now, owners=())


def follow_ups_keys(user: User) -> list[str]:
    """The cache keys of the "Mine" tab's follow-ups, for the list page's first round trip (callbacks/middleware.py)."""
    return kept_while_true_keys(_follow_ups_kept_as(user, "mine"), owners=())


def _follow_ups_kept_as(user: User, scope: str) -> str:
    return f"follow-ups:{user.pk}:{scope}"


def _follow_ups(messages: MessageQuerySet, now: datetime) -> MessageQuerySet:
    today, _ = day_bounds(now)
    return messages.follow_ups_due(today).order_by("follow_up_on", "pk")


def _open_totals(user: User, work_filter: WorkFilter, now: datetime) -> dict[str, int]:
    """How many open messages of the tab each group holds, counted in one aggregate per part of the tab.

    "Mine" is counted in owned_by's two halves (MessageQuerySet.owned_by_halves): PostgreSQL counts each half
    from its open-message index alone, where the OR of the two makes it read every open row the colleague
    owes. Deadlines are counted rather than rows (every open message has one) so that the index suffices.
    """
    parts = [Message.objects.of_teams(user)] if work_filter.scope == "teams" else Message.objects.owned_by_halves(user)
    per_part = [part_totals(part.filter(_narrowing(work_filter, now)), now)[0] for part in parts]
    return {due: sum(totals[due] for totals in per_part) for due in (OVERDUE, TODAY, LATER)}


def work_messages(*, user: User, now: datetime, work_filter: WorkFilter) -> MessageQuerySet:
    """The filtered messages, newest first, or one group of the worklist in the worklist's order."""
    messages = _in_scope(user, work_filter).filter(_narrowing(work_filter, now))
    if work_filter.status != "all":
        messages = messages.filter(status=work_filter.status)
    if work_filter.due == FOLLOW_UP:
        return _follow_ups(messages, now)
    if work_filter.due:
        return messages.open().filter(due_groups(now)[work_filter.due]).order_by("deadline", "pk")
    return messages.order_by("-taken_at", "-pk")


def _first_keys(open_messages: MessageQuerySet, totals: dict[str, int], now: datetime) -> dict[str, list[tuple]]:
    """The cache keys and "Call back" fields of each open group's first WORKLIST_CAPS rows.

    The groups are consecutive stretches of one order (by deadline), so a group within its cap is read whole
    with the group after it: with few open messages one read serves all three. The totals only size the
    reads (one behind by a message just saved shortens a read's last group for that request); each row's
    group is asked of the database."""
    groups = due_groups(now)
    ordered = open_messages.order_by("deadline", "pk")
    keys: dict[str, list[tuple]] = {due: [] for due in groups}
    waiting = list(groups)
    while waiting:
        stretch = [waiting.pop(0)]
        while waiting and totals[stretch[-1]] <= WORKLIST_CAPS[stretch[-1]]:
            stretch.append(waiting.pop(0))
        rows = ordered.filter(due_stretch(stretch[0], stretch[-1], now))
        limit = sum(totals[due] for due in stretch[:-1]) + WORKLIST_CAPS[stretch[-1]]
        if len(stretch) == 1:
            keys[stretch[0]] = list(rows.values_list(*KEYS)[:limit])
            continue
        which = Case(*(When(groups[due], then=Value(due)) for due in stretch))
        for *values, due in rows.annotate(due=which).values_list(*KEYS, "due")[:limit]:
            keys[due].append(tuple(values))
    return {due: group_keys[: WORKLIST_CAPS[due]] for due, group_keys in keys.items()}


def worklist(*, user: User, now: datetime, work_filter: WorkFilter) -> Worklist:
    """Open callbacks grouped overdue / due today / later, plus follow-up reminders due today.

    Each group holds its first WORKLIST_CAPS messages and its total. Few queries, so that neither their
    number nor the time spent building them grows with the backlog: the totals of the open groups in one
    count per part of the tab (_open_totals) and the follow-ups' in another (only when they fill their cap);
    the cache keys and "Call back" fields of each group's first rows in one LIMITed read per group, or fewer
    (_first_keys); and only when rows miss the page's cache, at most four reads of them by pk (MissedRows).
    """
    in_scope = _in_scope(user, work_filter)
    totals = owed_totals(user=user, now=now) if work_filter == WorkFilter() else _open_totals(user, work_filter, now)
    keys = _first_keys(in_scope.open().filter(_narrowing(work_filter, now)), totals, now)
    # Follow-ups ignore the filters other than the tab, as they always have.
    keys[FOLLOW_UP], totals[FOLLOW_UP] = _follow_ups_kept(user, work_filter.scope, in_scope, now)
    # Read for the rows that miss. A row changed in between shows as it is now, under its old key, which the
    # next request no longer asks for (the change gave it a new version or owner).
    missed = MissedRows(in_scope, [key[0] for group_keys in keys.values() for key in group_keys])
    return Worklist(
        *(
            WorkGroup([WorkRow(values, missed.get) for values in keys[due]], totals[due])
            for due in (OVERDUE, TODAY, LATER, FOLLOW_UP)
        )
    )
