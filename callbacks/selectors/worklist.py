"""The colleague's worklist: open callbacks by group (overdue, due today, later) and follow-ups.

Every group is a question on Message.objects (owed_by, of_teams, open, follow_ups_due, and for the open
groups MessageQuerySet's deadline conditions), asked the same way by the overview (worklist) and by its
"Show all" pages (work_messages).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from callbacks.models import Message, Status
from callbacks.models.generations import catching_up, kept_while_true, kept_while_true_keys
from callbacks.models.querysets import MessageQuerySet
from callbacks.selectors.open_figures import (
    LATER,
    OVERDUE,
    SETTLED_AFTER,
    TODAY,
    News,
    day_bounds,
    due_groups,
    due_stretch,
    owed_totals,
    part_totals,
    which_group,
)
from callbacks.selectors.work_groups import KEYS, MissedRows, WorkGroup, WorkRow, Worklist


# The groups of the worklist ("due" values of WorkFilter) and how many rows of each the overview shows.
# Overdue and today are what to do now, so they show more; a capped group links to all of it, paginated.
FOLLOW_UP = "follow_up"
WORKLIST_CAPS = {OVERDUE: 50, TODAY: 50, LATER: 20, FOLLOW_UP: 20}
# At most this many new messages are merged into the list's kept first keys (_entering); more are read anew.
MOST_ENTERING = 100
DEADLINE = KEYS.index("deadline")


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
    with the group after it: with few open messages one read serves all three, and groups without messages
    are not read. The totals only size the reads (one behind by a message just saved shortens a read's last
    group, or leaves an empty group unread, for that request); each row's group is asked of the database."""
    groups = due_groups(now)
    ordered = open_messages.order_by("deadline", "pk")
    keys: dict[str, list[tuple]] = {due: [] for due in groups}
    waiting = list(groups)
    while waiting:
        stretch = [waiting.pop(0)]
        while waiting and totals[stretch[-1]] <= WORKLIST_CAPS[stretch[-1]]:
            stretch.append(waiting.pop(0))
        if not any(totals[due] for due in stretch):
            continue
        rows = ordered.filter(due_stretch(stretch[0], stretch[-1], now))
        limit = sum(totals[due] for due in stretch[:-1]) + WORKLIST_CAPS[stretch[-1]]
        if len(stretch) == 1:
            keys[stretch[0]] = list(rows.values_list(*KEYS)[:limit])
            continue
        for *values, due in rows.annotate(due=which_group(now, stretch)).values_list(*KEYS, "due")[:limit]:
            keys[due].append(tuple(values))
    return {due: group_keys[: WORKLIST_CAPS[due]] for due, group_keys in keys.items()}


def _owed_first_keys(
    user: User, open_messages: MessageQuerySet, totals: dict[str, int], now: datetime, news: News | None
) -> dict[str, list[tuple]]:
    """The unfiltered list's first keys (_first_keys), kept in the cache while true.

    Kept under the generations of the colleague's messages and of the teams' messages no one person owns
    (callbacks/models/generations.py). After new messages of the colleague's own, the keys kept are brought up
    to date with them rather than read again: merging is exact, since the kept keys are each group's first, a
    message added can only come between them, and the clock has moved no message into another group while the
    keys are served (_groups_change). The new messages are those the recount of his figure read one by one
    (``news``: written since its settled part, open_figures), or else read here: only those that can enter a
    group's first rows (_entering).
    """

    def caught_up(keys: dict[str, list[tuple]], moved: set, counted_at: datetime) -> tuple[dict, datetime] | None:
        if moved != {user.pk}:  # a team's message without a colleague came too
            return None
        # Written since the keys were counted, less SETTLED_AFTER: a message takes well under that to commit.
        written_since = counted_at - SETTLED_AFTER
        since, added = news.rows.get(user.pk, (None, None)) if news is not None else (None, None)
        if since is None or since > written_since:
            added = _entering(keys, open_messages.filter(recorded_at__gte=written_since), now)
        if added is None:
            return None
        merged = {due: list(group_keys) for due, group_keys in keys.items()}
        listed = {key[0] for group_keys in keys.values() for key in group_keys}
        for *values, due in added:
            if values[0] not in listed:
                merged[due].append(tuple(values))
        merged = {due: sorted(group, key=_in_list_order)[: WORKLIST_CAPS[due]] for due, group in merged.items()}
        return merged, _groups_change(merged, now)

    def read() -> tuple[dict[str, list[tuple]], datetime]:
        keys = _first_keys(open_messages, totals, now)
        return keys, _groups_change(keys, now)

    return kept_while_true(_owed_keys_kept_as(user), read, now=now, owners=[user.pk, None], catch_up=caught_up)


def _entering(keys: dict[str, list[tuple]], messages: MessageQuerySet, now: datetime) -> list[tuple] | None:
    """Those of ``messages`` that can enter the groups' first rows, as their keys and group: any in a group
    shown whole, in a capped one those due no later than its last row shown. None for more than a page's worth
    (MOST_ENTERING): then the groups are read again."""
    groups = due_groups(now)
    can_enter = [
        groups[due] & (Q(deadline__lte=shown[-1][DEADLINE]) if len(shown) >= WORKLIST_CAPS[due] else Q())
        for due, shown in keys.items()
    ]
    rows = messages.filter(reduce(or_, can_enter)).order_by().annotate(due=which_group(now, list(keys)))
    entering = list(rows.values_list(*KEYS, "due")[: MOST_ENTERING + 1])
    return entering if len(entering) <= MOST_ENTERING else None


def owed_first_keys_keys(user: User) -> list[str]:
    """The cache keys _owed_first_keys reads, for the list page's first round trip (callbacks/middleware.py)."""
    return kept_while_true_keys(_owed_keys_kept_as(user), owners=[user.pk, None])


def _owed_keys_kept_as(user: User) -> str:
    return f"owed-keys:{user.pk}"


def _in_list_order(key: tuple) -> tuple:
    """A row's place in its group: by deadline, then pk, as _first_keys reads them."""
    return key[DEADLINE], key[0]


def _groups_change(keys: dict[str, list[tuple]], now: datetime) -> datetime:
    """The first moment the clock moves one of the open messages behind these first keys into another group:
    the first of today's passes its deadline (today's are read in deadline order), or the day ends. Overdue
    messages stay overdue."""
    _, end_of_today = day_bounds(now)
    today = keys[TODAY]
    return min(today[0][DEADLINE], end_of_today) if today else end_of_today


def worklist(*, user: User, now: datetime, work_filter: WorkFilter) -> Worklist:
    """Open callbacks grouped overdue / due today / later, plus follow-up reminders due today.

    Each group holds its first WORKLIST_CAPS messages and its total. Few queries, so that neither their
    number nor the time spent building them grows with the backlog: the totals of the open groups in one
    count per part of the tab (_open_totals) and the follow-ups' in another (only when they fill their cap);
    the cache keys and "Call back" fields of each group's first rows in one LIMITed read per group, or fewer
    (_first_keys); and only when rows miss the page's cache, at most four reads of them by pk (MissedRows).
    """
    in_scope = _in_scope(user, work_filter)
    if work_filter == WorkFilter():
        # The recount of his figure reads new messages one by one only for kept keys that can take them.
        news = News(fields=KEYS) if catching_up(_owed_keys_kept_as(user), now=now, owners=[user.pk, None]) else None
        totals = owed_totals(user=user, now=now, news=news)
        keys = dict(_owed_first_keys(user, in_scope.open(), totals, now, news))  # the follow-ups join below
    else:
        totals = _open_totals(user, work_filter, now)
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
