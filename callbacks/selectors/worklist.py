"""The colleague's worklist: open callbacks by group (overdue, due today, later) and follow-ups."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from callbacks.models import Message, Status
from callbacks.raw_reads import converter as _converter
from callbacks.worklist_rows import RowsShared, WorkRow, work_row


class WorkGroup(list):
    """The first rows of one group of the worklist, and how many messages the whole group holds."""

    def __init__(self, rows: list[WorkRow], total: int) -> None:
        super().__init__(rows)
        self.total = total

    @property
    def capped(self) -> bool:
        return self.total > len(self)


@dataclass(frozen=True)
class Worklist:
    overdue: WorkGroup
    today: WorkGroup
    later: WorkGroup
    follow_ups: WorkGroup

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.later or self.follow_ups)


# The groups of the worklist ("due" values of WorkFilter) and how many rows of each the overview shows.
# Overdue and today are what to do now, so they show more; a capped group links to all of it, paginated.
OVERDUE, TODAY, LATER, FOLLOW_UP = "overdue", "today", "later", "follow_up"
WORKLIST_CAPS = {OVERDUE: 50, TODAY: 50, LATER: 20, FOLLOW_UP: 20}


@dataclass(frozen=True)
class WorkFilter:
    scope: str = "mine"  # "mine" or "teams"
    status: str = Status.OPEN  # a Status value or "all"
    call_type: str = ""
    team_id: int | None = None
    period_days: int | None = None
    due: str = ""  # one group of the worklist (a key of WORKLIST_CAPS), or "" for any


def member_teams(user: User) -> list[Team]:
    """The teams a colleague belongs to, by name: the "My teams" tab, the team filter and the scope.

    Kept in the cache with the rest of the office's configuration (accounts/configuration_cache.py, a
    new version on every change of a team's members), like team_of.
    """
    return remembered(f"member_teams:{user.pk}", lambda: list(Team.objects.filter(members=user).order_by("name")))


def _day_bounds(now: datetime) -> tuple[date, datetime]:
    """Today in the office's time zone, and the midnight that ends it."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    return today, datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)


def _due(due: str, now: datetime) -> Q:
    """The condition of one worklist group (stated once more in SQL by _worklist_sql)."""
    today, end_of_today = _day_bounds(now)
    return {
        OVERDUE: Q(status=Status.OPEN, deadline__lte=now),
        TODAY: Q(status=Status.OPEN, deadline__gt=now, deadline__lt=end_of_today),
        LATER: Q(status=Status.OPEN, deadline__gte=end_of_today),
        FOLLOW_UP: Q(status=Status.HANDLED, follow_up_on__lte=today, follow_up_done_at__isnull=True),
    }[due]


def work_messages(*, user: User, teams: list[Team], now: datetime, work_filter: WorkFilter) -> QuerySet[Message]:
    """The filtered messages, newest first, or one group of the worklist in the worklist's order.

    ``teams`` are the user's teams (member_teams), read once by the caller.
    """
    if work_filter.scope == "teams":
        owned = Q(owner_team__in=teams)
    else:
        owned = Q(owner_user=user) | Q(owner_user__isnull=True, owner_team__in=teams)
    messages = Message.objects.select_related("owner_user", "owner_team").filter(owned)
    if work_filter.status != "all":
        messages = messages.filter(status=work_filter.status)
    if work_filter.call_type:
        messages = messages.filter(call_type=work_filter.call_type)
    if work_filter.team_id:
        messages = messages.filter(owner_team_id=work_filter.team_id)
    if work_filter.period_days:
        messages = messages.filter(taken_at__gte=now - timedelta(days=work_filter.period_days))
    if work_filter.due == FOLLOW_UP:
        return messages.filter(_due(FOLLOW_UP, now)).order_by("follow_up_on", "pk")
    if work_filter.due:
        return messages.filter(_due(work_filter.due, now)).order_by("deadline", "pk")
    return messages.order_by("-taken_at", "-pk")


def worklist(*, user: User, teams: list[Team], now: datetime, work_filter: WorkFilter) -> Worklist:
    """Open callbacks grouped overdue / due today / later, plus follow-up reminders due today.

    Each group holds its first WORKLIST_CAPS rows and its total, from one statement whatever the
    number of messages (see _worklist_sql). Raw SQL, because this is the colleague's most visited page:
    as five ORM queries building model instances it cost ~7 ms more on PostgreSQL. work_messages() is
    its ORM twin behind the "Show all" pages; tests/test_worklist_groups.py checks that the two agree.
    Follow-ups ignore the filters other than the tab, as they always have.
    """
    sql, params = _worklist_sql(user=user, teams=teams, now=now, work_filter=work_filter)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    groups: dict[str, list[WorkRow]] = {due: [] for due in WORKLIST_CAPS}
    totals = dict.fromkeys(WORKLIST_CAPS, 0)
    deadline, follow_up_on = (_converter(Message._meta.get_field(name)) for name in ("deadline", "follow_up_on"))
    shared = RowsShared()
    for due, total, *values in fetched:
        totals[due] = total
        row = WorkRow(zip(_ROW_FIELDS, values))
        row.setdefault("owner", "")  # the owner's name comes with the teams tab only
        row["deadline"], row["follow_up_on"] = deadline(row["deadline"]), follow_up_on(row["follow_up_on"])
        groups[due].append(work_row(row, now=now, shared=shared))
    for due, rows in groups.items():  # a UNION ALL promises no order
        rows.sort(key=itemgetter("follow_up_on", "pk") if due == FOLLOW_UP else itemgetter("deadline", "pk"))
    return Worklist(*(WorkGroup(groups[due], totals[due]) for due in (OVERDUE, TODAY, LATER, FOLLOW_UP)))


_ROW_FIELDS = ("pk", "caller_name", "caller_company", "caller_number", "reason", "tone", "call_count", "priority",
               "status", "deadline", "follow_up_on", "owner_user_id", "owner_team_id", "owner")


_ROW_COLUMNS = ("m.id AS pk, m.caller_name, m.caller_company, m.caller_number, m.reason, m.tone, m.call_count, "
                "m.priority, m.status, m.deadline, m.follow_up_on, m.owner_user_id, m.owner_team_id")


_Sql = tuple[str, list]


def _and_sql(*parts: _Sql) -> _Sql:
    return " AND ".join(f"({sql})" for sql, _ in parts), [value for _, values in parts for value in values]


def _worklist_sql(*, user: User, teams: list[Team], now: datetime, work_filter: WorkFilter) -> _Sql:
    """The statement of worklist(): the conditions of work_messages() and _due(), in SQL.

    The open messages are read once, numbered within their group by deadline and counted per group
    (window functions), and each group's first WORKLIST_CAPS rows kept; the follow-ups likewise, with a
    LIMIT. One statement, so the totals cost no round trip of their own and PostgreSQL plans two reads
    (~0.2 ms) instead of one a group. The team ids are values, not a subquery: behind the OR, a subquery
    left PostgreSQL a scan of the owner's whole history (166,000 rows for one colleague of the
    1M-message benchmark); now both reads come from partial indexes (msg_open_deadline or
    msg_open_owner_deadline, and msg_follow_up_due).
    Table names come from model metadata; every value is a parameter.
    """
    adapt = connection.ops.adapt_datetimefield_value
    today, end_of_today = _day_bounds(now)
    team_ids = [team.pk for team in teams]
    in_teams = f"m.owner_team_id IN ({', '.join(['%s'] * len(team_ids))})" if team_ids else "1 = 0"
    if work_filter.scope == "teams":
        owned: _Sql = (in_teams, team_ids)
    else:
        owned = (f"m.owner_user_id = %s OR (m.owner_user_id IS NULL AND {in_teams})", [user.pk, *team_ids])
    open_parts: list[_Sql] = [owned, ("m.status = %s AND m.deadline IS NOT NULL", [Status.OPEN])]
    if work_filter.call_type:
        open_parts.append(("m.call_type = %s", [work_filter.call_type]))
    if work_filter.team_id:
        open_parts.append(("m.owner_team_id = %s", [work_filter.team_id]))
    if work_filter.period_days:
        open_parts.append(("m.taken_at >= %s", [adapt(now - timedelta(days=work_filter.period_days))]))
    open_where, open_params = _and_sql(*open_parts)
    follow_up_where, follow_up_params = _and_sql(owned, (
        "m.status = %s AND m.follow_up_on <= %s AND m.follow_up_done_at IS NULL",
        [Status.HANDLED, connection.ops.adapt_datefield_value(today)],
    ))
    message, caps = Message._meta.db_table, WORKLIST_CAPS
    # Numbered and counted on (id, deadline) alone, then the kept rows read by their id: sorting every open
    # message with all its columns cost a third more.
    sql = (
        f"SELECT k.grp, k.total, {_ROW_COLUMNS} FROM ("  # nosec B608
        f"SELECT pk, grp, COUNT(*) OVER (PARTITION BY grp) AS total, "
        f"ROW_NUMBER() OVER (PARTITION BY grp ORDER BY deadline, pk) AS n FROM ("
        f"SELECT m.id AS pk, m.deadline, CASE WHEN m.deadline <= %s THEN '{OVERDUE}' WHEN m.deadline < %s "
        f"THEN '{TODAY}' ELSE '{LATER}' END AS grp FROM {message} m WHERE {open_where}) AS open_messages) AS k "
        f"JOIN {message} m ON m.id = k.pk "
        f"WHERE k.n <= CASE k.grp WHEN '{OVERDUE}' THEN {caps[OVERDUE]:d} WHEN '{TODAY}' THEN {caps[TODAY]:d} "
        f"ELSE {caps[LATER]:d} END "
        f"UNION ALL SELECT * FROM (SELECT '{FOLLOW_UP}' AS grp, COUNT(*) OVER () AS total, {_ROW_COLUMNS} "
        f"FROM {message} m WHERE {follow_up_where} ORDER BY m.follow_up_on, m.id LIMIT {caps[FOLLOW_UP]:d}) "
        f"AS follow_ups"
    )
    params = [adapt(now), adapt(end_of_today), *open_params, *follow_up_params]
    if work_filter.scope == "teams":  # only this tab shows whom each message is for: Message.owner_display
        sql = (
            f"SELECT g.*, CASE WHEN g.owner_user_id IS NULL THEN t.name "  # nosec B608
            f"ELSE COALESCE(NULLIF(u.full_name, ''), u.username) END FROM ({sql}) AS g "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = g.owner_user_id "
            f"LEFT JOIN {Team._meta.db_table} t ON t.id = g.owner_team_id"
        )
    return sql, params
