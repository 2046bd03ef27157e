"""Reads for the manager's live dashboard: what is overdue, what is due soon, who answers the phone.

The live part is read on every view and again every 30 seconds by every open dashboard, so it is read
in two statements (callbacks/raw_reads.py says why): the open counts with the engine's health, then, only
when something is overdue or due soon, the two bounded lists with their owners' names. As ORM queries
building whole messages the same reads cost about 12 ms on PostgreSQL with a million messages.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.db import connection

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from callbacks.models import MIDDAY, DayPart, Heartbeat, Message, Notification, PhoneDuty, Status
from callbacks.raw_reads import converter, parameter
from callbacks.selectors.policies import calendar_for
from callbacks.services.notifications import OUTBOX_HEARTBEAT
from callbacks.services.overdue import HEARTBEAT_NAME

SWEEP_SILENT_AFTER = timedelta(minutes=5)
# Pending rows older than this mean delivery is not keeping up (quiet-hours holds are not counted).
OUTBOX_LAG = timedelta(minutes=5)
DUE_SOON = timedelta(hours=1)
# The dashboard lists at most this many overdue and due-soon messages; the counts cover all of them.
SHOWN = 50


@dataclass(frozen=True)
class LiveMessage:
    """An open message as the dashboard lists it: what it shows, and its owners' names."""

    pk: int
    caller_name: str
    reason: str
    deadline: datetime
    overdue_level: int
    owner: str  # the colleague's name (str(User)), or "" when the whole team owns it
    team: str  # the team's name, or ""

    @property
    def owner_display(self) -> str:  # Message.owner_display
        return self.owner or self.team


@dataclass(frozen=True)
class OverdueGroup:
    team: str
    owner: str
    messages: list[LiveMessage]


@dataclass(frozen=True)
class EngineHealth:
    sweep_last_run: datetime | None
    delivery_last_run: datetime | None
    backlog: int
    sweep_silent: bool

    @property
    def backing_up(self) -> bool:
        return self.backlog > 0


@dataclass(frozen=True)
class OpenCounts:
    per_colleague: list[dict]  # owner_user, owner_user__full_name, open, overdue; most overdue first
    overdue: int  # every overdue open message, the team-only ones included
    due_soon: int


def _tables() -> dict[str, str]:
    return {model.__name__: model._meta.db_table for model in (Message, User, Team, Heartbeat, Notification)}


def _deadlines(now: datetime) -> tuple[object, object]:
    """Now and an hour ahead, as parameters compared with the deadline column."""
    field = Message._meta.get_field("deadline")
    return parameter(field, now), parameter(field, now + DUE_SOON)


def open_counts_and_health(*, now: datetime) -> tuple[OpenCounts, EngineHealth]:
    """Open callbacks and how many are overdue or due soon, per colleague, with the totals the bounded lists
    leave out; and the engine's health: when the overdue sweep and the delivery last ran, and the backlog.

    One statement. The counts are one pass over the open messages that PostgreSQL answers from the
    msg_open_owner_deadline index alone (hence no id and no filter on the owner: every open message has a
    deadline); the few names are joined to the grouped rows. The health figures are one row of scalar
    subqueries (the backlog from the notification_pending index), joined to every count row so that they
    come back when nothing is open too.
    """
    sql = (
        "SELECT h.sweep, h.delivery, h.backlog, c.owner_user_id, u.full_name, c.open, c.overdue, c.soon FROM ("
        "SELECT (SELECT last_run_at FROM {Heartbeat} WHERE name = %s) AS sweep, "
        "(SELECT last_run_at FROM {Heartbeat} WHERE name = %s) AS delivery, "
        "(SELECT COUNT(*) FROM {Notification} WHERE state = %s AND created_at <= %s "
        "AND (not_before IS NULL OR not_before <= %s)) AS backlog) h "
        "LEFT JOIN (SELECT owner_user_id, COUNT(*) AS open, "
        "SUM(CASE WHEN deadline <= %s THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN deadline > %s AND deadline <= %s THEN 1 ELSE 0 END) AS soon "
        "FROM {Message} WHERE status = %s GROUP BY owner_user_id) c ON 1 = 1 "
        "LEFT JOIN {User} u ON u.id = c.owner_user_id"
    ).format(**_tables())  # nosec B608: table names from the models' metadata, every value a parameter
    lagging = parameter(Notification._meta.get_field("created_at"), now - OUTBOX_LAG)
    until_now, until_soon = _deadlines(now)
    params = [HEARTBEAT_NAME, OUTBOX_HEARTBEAT, Notification.State.PENDING, lagging, lagging,
              until_now, until_now, until_soon, Status.OPEN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moment = converter(Heartbeat._meta.get_field("last_run_at"))
    sweep, delivery, backlog = moment(rows[0][0]), moment(rows[0][1]), rows[0][2]
    counted = [
        {"owner_user": owner, "owner_user__full_name": name, "open": open_count, "overdue": overdue or 0,
         "soon": soon or 0}
        for _sweep, _delivery, _backlog, owner, name, open_count, overdue, soon in rows if open_count
    ]
    per_colleague = sorted(
        (row for row in counted if row["owner_user"] is not None),
        key=lambda row: (-row["overdue"], -row["open"], row["owner_user__full_name"]),
    )
    counts = OpenCounts(per_colleague, sum(row["overdue"] for row in counted), sum(row["soon"] for row in counted))
    health = EngineHealth(
        sweep_last_run=sweep, delivery_last_run=delivery, backlog=backlog,
        sweep_silent=sweep is None or sweep < now - SWEEP_SILENT_AFTER,
    )
    return counts, health


def overdue_and_due_soon(*, now: datetime, counts: OpenCounts, limit: int = SHOWN,
                         ) -> tuple[list[OverdueGroup], list[LiveMessage]]:
    """The ``limit`` longest overdue open messages, by team and then colleague, the longest first in each;
    and the first ``limit`` open messages due within the hour.

    Bounded, because an office that falls behind would otherwise get a page of every overdue message,
    re-rendered every 30 seconds; the msg_open_deadline index hands over the oldest deadlines first. One
    statement, none when ``counts`` say both lists are empty.
    """
    until_now, until_soon = _deadlines(now)
    parts, params = [], []
    for group, wanted, condition, values in (
        ("overdue", counts.overdue, "deadline <= %s", [until_now]),
        ("soon", counts.due_soon, "deadline > %s AND deadline <= %s", [until_now, until_soon]),
    ):
        if wanted:
            parts.append(  # a constant condition; the tables are filled in below
                f"SELECT * FROM (SELECT '{group}' AS grp, id, caller_name, reason, deadline, "  # nosec B608
                "overdue_level, owner_user_id, owner_team_id FROM {Message} "
                f"WHERE status = %s AND {condition} ORDER BY deadline, id LIMIT %s) {group}"
            )
            params += [Status.OPEN, *values, limit]
    if not parts:
        return [], []
    sql = (
        "SELECT x.grp, x.id, x.caller_name, x.reason, x.deadline, x.overdue_level, "  # nosec B608: as above
        f"u.full_name, u.username, t.name FROM ({' UNION ALL '.join(parts)}) x "
        "LEFT JOIN {User} u ON u.id = x.owner_user_id LEFT JOIN {Team} t ON t.id = x.owner_team_id"
    ).format(**_tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moment = converter(Message._meta.get_field("deadline"))
    lists: dict[str, list[LiveMessage]] = {"overdue": [], "soon": []}
    for group, pk, caller_name, reason, deadline, level, full_name, username, team in rows:
        lists[group].append(LiveMessage(
            pk=pk, caller_name=caller_name, reason=reason, deadline=moment(deadline), overdue_level=level,
            owner=(full_name or username) if username is not None else "", team=team or "",
        ))
    overdue = sorted(lists["overdue"], key=lambda m: (not m.team, m.team, not m.owner, m.owner, m.deadline, m.pk))
    groups = [OverdueGroup(team, owner, list(items)) for (team, owner), items in
              groupby(overdue, key=lambda m: (m.team, m.owner))]
    return groups, sorted(lists["soon"], key=lambda m: (m.deadline, m.pk))


def day_part_at(moment_local: datetime) -> str:
    return DayPart.MORNING if moment_local.time() < MIDDAY else DayPart.AFTERNOON


def on_phone_duty(*, now: datetime) -> User | None:
    """Who answers first right now, if the office is open and the roster names someone."""
    calendar = calendar_for(None)
    if not calendar.is_open_at(now):
        return None
    local = now.astimezone(calendar.tz)
    weekday, part = local.weekday(), day_part_at(local)
    # Shown in the navigation of every page: kept with the office's configuration (a roster change moves
    # its version on, accounts/configuration_cache.py).
    return remembered(f"on_duty:{weekday}:{part}", lambda: _rostered(weekday, part))


def _rostered(weekday: int, part: str) -> User | None:
    duty = PhoneDuty.objects.filter(weekday=weekday, day_part=part).select_related("user").first()
    return duty.user if duty else None


