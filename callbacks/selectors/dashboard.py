"""Reads for the manager's live dashboard: what is overdue, what is due soon, who answers the phone.

The live part is read on every view and again every 30 seconds by every open dashboard. Every question
about messages is asked through Message.objects (overdue_at, due_between, open), in a fixed number of
queries: the counts per colleague in one grouped statement, then, only when something is overdue or due
soon, each bounded list with its owners.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.configuration_cache import remembered
from accounts.models import User
from callbacks.models import MIDDAY, DayPart, Heartbeat, Message, Notification, PhoneDuty
from callbacks.selectors.open_figures import DUE_SOON, open_figures
from callbacks.selectors.policies import calendar_for

SWEEP_SILENT_AFTER = timedelta(minutes=5)
# Pending rows older than this mean delivery is not keeping up (quiet-hours holds are not counted).
OUTBOX_LAG = timedelta(minutes=5)
# The dashboard lists at most this many overdue and due-soon messages; the counts cover all of them.
SHOWN = 50
# The cached lists hold callers' names and reasons: kept for minutes only (overdue_fragment_key says what
# moves their keys on).
FRAGMENT_SECONDS = 120


@dataclass(frozen=True)
class Listed:
    """What the two lists show of a message (templates/callbacks/dashboard/index.html)."""

    pk: int
    caller_name: str
    caller_number: str  # E.164, or "" (anonymised): the link to the caller page
    reason: str
    deadline: datetime
    overdue_level: int
    version: int
    owner: str  # the colleague's name, or "" when the whole team owns the message
    team: str  # the team's name, or ""

    @property
    def owner_display(self) -> str:
        # As Message.owner_display: the colleague, else the team.
        return self.owner or self.team


@dataclass(frozen=True)
class OverdueGroup:
    team: str  # the team's name, or ""
    owner: str  # the colleague's name, or "" when the whole team owns the messages
    messages: list[Listed]


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


def _due_soon(now: datetime):
    return Message.objects.due_between(now, now + DUE_SOON)


def open_counts(*, now: datetime) -> OpenCounts:
    """Open callbacks per colleague, how many of them are overdue, and the totals the bounded lists leave
    out; the team-only messages are a group of their own, counted in the totals.

    Per owner as selectors.open_figures counts and keeps them: a new message for one colleague recounts that
    colleague alone, and a colleague's figure counted for their own list serves here too.
    """
    # Every user may own messages; a new user or a new name moves the configuration version on (callbacks/apps.py).
    names = remembered("user_names", lambda: dict(User.objects.order_by("pk").values_list("pk", "full_name")))
    rows = [row for row in open_figures(owners=[None, *names], now=now).values() if row is not None]
    per_colleague = sorted(
        (
            {
                "owner_user": row["owner_user"],
                "owner_user__full_name": names[row["owner_user"]],
                "open": row["open"],
                "overdue": row["overdue"],
            }
            for row in rows
            if row["owner_user"] is not None
        ),
        key=lambda row: (-row["overdue"], -row["open"], row["owner_user__full_name"]),
    )
    return OpenCounts(per_colleague, sum(row["overdue"] for row in rows), sum(row["soon"] for row in rows))


def engine_health(*, now: datetime) -> EngineHealth:
    """When the overdue sweep and the delivery last ran, and how many notifications wait too long."""
    last_runs = dict(
        Heartbeat.objects.filter(name__in=[Heartbeat.OVERDUE_SWEEP, Heartbeat.OUTBOX_DELIVERY]).values_list(
            "name", "last_run_at"
        )
    )
    lagging = now - OUTBOX_LAG
    backlog = Notification.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=lagging),
        state=Notification.State.PENDING,
        created_at__lte=lagging,
    ).count()
    sweep = last_runs.get(Heartbeat.OVERDUE_SWEEP)
    return EngineHealth(
        sweep_last_run=sweep,
        delivery_last_run=last_runs.get(Heartbeat.OUTBOX_DELIVERY),
        backlog=backlog,
        sweep_silent=sweep is None or sweep < now - SWEEP_SILENT_AFTER,
    )


def _first(messages, limit: int) -> list[Listed]:
    """The ``limit`` oldest deadlines (msg_open_deadline index), read as plain rows.

    Up to 100 rows every 30 seconds per open dashboard: reading them as values skips building a message
    and its owners for each, and the rows are what the fragment keys are made of.
    """
    rows = messages.order_by("deadline", "pk").values_list(
        "pk",
        "caller_name",
        # The number as stored (E.164, what str() of the parsed number gives): parsing up to a hundred numbers
        # on every refresh only to print them again was most of the dashboard's own time.
        Cast("caller_number", output_field=CharField()),
        "reason",
        "deadline",
        "overdue_level",
        "version",
        "owner_user__full_name",
        "owner_user__username",
        "owner_team__name",
    )[:limit]
    # A colleague's name as str(User): the full name, else the username.
    return [
        Listed(pk, caller, number or "", reason, deadline, level, version, full_name or username or "", team or "")
        for pk, caller, number, reason, deadline, level, version, full_name, username, team in rows
    ]


def overdue_and_due_soon(
    *,
    now: datetime,
    counts: OpenCounts,
    limit: int = SHOWN,
) -> tuple[list[OverdueGroup], list[Listed]]:
    """The ``limit`` longest overdue open messages, by team and then colleague, the longest first in each;
    and the first ``limit`` open messages due within the hour.

    Bounded, because an office that falls behind would otherwise get a page of every overdue message,
    re-rendered every 30 seconds. A list the counts say is empty is not read.
    """
    overdue = _first(Message.objects.overdue_at(now), limit) if counts.overdue else []
    due_soon = _first(_due_soon(now), limit) if counts.due_soon else []
    overdue.sort(key=lambda m: (not m.team, m.team, not m.owner, m.owner, m.deadline, m.pk))
    groups = [
        OverdueGroup(team_name, owner_name, list(items))
        for (team_name, owner_name), items in groupby(overdue, key=lambda m: (m.team, m.owner))
    ]
    return groups, due_soon


# The two lists are cached as rendered fragments (templates/callbacks/dashboard/index.html), keyed by the
# language and by these digests of everything they show. A message's version moves on with every person's
# change, a repeat call and anonymisation (caller, reason); the overdue level, the owners and their names
# change without it (the sweep, routing to a stand-in, a renamed colleague or team), so they are in the key
# themselves. How late a message is shows to the minute, so the overdue list's key moves on every minute.
def overdue_fragment_key(groups: list[OverdueGroup], *, now: datetime) -> str:
    return _digest(
        [
            (
                group.team,
                group.owner,
                [
                    (
                        m.pk,
                        m.version,
                        m.overdue_level,
                        m.deadline.isoformat(),
                        (now - m.deadline) // timedelta(minutes=1),
                    )
                    for m in group.messages
                ],
            )
            for group in groups
        ]
    )


def due_soon_fragment_key(messages: list[Listed]) -> str:
    # The deadline shows as local time.
    return _digest(
        [
            timezone.get_current_timezone_name(),
            [(m.pk, m.version, m.owner_display, m.deadline.isoformat()) for m in messages],
        ]
    )


def _digest(shown: list) -> str:
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def day_part_at(moment_local: datetime) -> str:
    return DayPart.MORNING if moment_local.time() < MIDDAY else DayPart.AFTERNOON


def on_phone_duty(*, now: datetime) -> User | None:
    """Who answers first right now, if the office is open and the roster names someone."""
    calendar = calendar_for(None)
    if not calendar.is_open_at(now):
        return None
    local = now.astimezone(calendar.tz)
    # Shown in the navigation of every page: kept with the office's configuration (a roster change moves
    # its version on, accounts/configuration_cache.py).
    return remembered(on_duty_key(local), lambda: _rostered(local.weekday(), day_part_at(local)))


def on_duty_key(moment_local: datetime) -> str:
    return f"on_duty:{moment_local.weekday()}:{day_part_at(moment_local)}"


def _rostered(weekday: int, part: str) -> User | None:
    duty = PhoneDuty.objects.filter(weekday=weekday, day_part=part).select_related("user").first()
    return duty.user if duty else None
