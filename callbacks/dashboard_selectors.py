"""Reads for the manager's live dashboard: what is overdue, what is due soon, who answers the phone."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.db.models import Count, Q

from accounts.models import User
from callbacks.models import MIDDAY, DayPart, Heartbeat, Message, Notification, PhoneDuty, Status
from callbacks.notifications import OUTBOX_HEARTBEAT
from callbacks.policies import calendar_for
from callbacks.services.overdue import HEARTBEAT_NAME

SWEEP_SILENT_AFTER = timedelta(minutes=5)
# Pending rows older than this mean delivery is not keeping up (quiet-hours holds are not counted).
OUTBOX_LAG = timedelta(minutes=5)
DUE_SOON = timedelta(hours=1)
# The dashboard lists at most this many overdue and due-soon messages; the counts cover all of them.
SHOWN = 50


@dataclass(frozen=True)
class OverdueGroup:
    team: str
    owner: str
    messages: list[Message]


@dataclass(frozen=True)
class EngineHealth:
    sweep_last_run: datetime | None
    delivery_last_run: datetime | None
    backlog: int
    sweep_silent: bool

    @property
    def backing_up(self) -> bool:
        return self.backlog > 0


def overdue_groups(*, now: datetime, limit: int = SHOWN) -> list[OverdueGroup]:
    """The ``limit`` longest overdue open messages, by team and then colleague, the longest first in each.

    Bounded, because an office that falls behind would otherwise get a page of every overdue message,
    re-rendered every 30 seconds; the msg_open_deadline index hands over the oldest deadlines first.
    """
    overdue = sorted(
        Message.objects.filter(status=Status.OPEN, deadline__lte=now)
        .select_related("owner_user", "owner_team")
        .order_by("deadline", "pk")[:limit],
        key=lambda m: (m.owner_team is None, str(m.owner_team or ""), m.owner_user is None, str(m.owner_user or ""),
                       m.deadline, m.pk),
    )

    def key(message: Message) -> tuple[str, str]:
        return (str(message.owner_team or ""), str(message.owner_user or ""))

    return [OverdueGroup(team, owner, list(items)) for (team, owner), items in groupby(overdue, key=key)]


def due_soon(*, now: datetime, limit: int = SHOWN) -> list[Message]:
    """The first ``limit`` open messages due within the hour."""
    return list(
        Message.objects.filter(status=Status.OPEN, deadline__gt=now, deadline__lte=now + DUE_SOON)
        .select_related("owner_user", "owner_team")
        .order_by("deadline", "pk")[:limit]
    )


@dataclass(frozen=True)
class OpenCounts:
    per_colleague: list[dict]  # owner_user, owner_user__full_name, open, overdue; most overdue first
    overdue: int  # every overdue open message, the team-only ones included
    due_soon: int


def open_counts(*, now: datetime) -> OpenCounts:
    """Open callbacks and how many are overdue, per colleague, plus the totals the bounded lists leave out.

    One pass over the open messages that PostgreSQL answers from the msg_open_owner_deadline index alone
    (hence no id, no join and no filter on the owner: every open message has a deadline); the few names
    come in a query of their own.
    """
    soon = Q(deadline__gt=now, deadline__lte=now + DUE_SOON)
    rows = list(
        Message.objects.filter(status=Status.OPEN).order_by().values("owner_user")
        .annotate(open=Count("*"), overdue=Count("deadline", filter=Q(deadline__lte=now)),
                  soon=Count("deadline", filter=soon))
    )
    names = dict(User.objects.filter(pk__in=[row["owner_user"] for row in rows if row["owner_user"]])
                 .values_list("pk", "full_name"))
    per_colleague = sorted(
        ({**row, "owner_user__full_name": names[row["owner_user"]]} for row in rows if row["owner_user"] is not None),
        key=lambda row: (-row["overdue"], -row["open"], row["owner_user__full_name"]),
    )
    return OpenCounts(per_colleague, sum(row["overdue"] for row in rows), sum(row["soon"] for row in rows))


def day_part_at(moment_local: datetime) -> str:
    return DayPart.MORNING if moment_local.time() < MIDDAY else DayPart.AFTERNOON


def on_phone_duty(*, now: datetime) -> User | None:
    """Who answers first right now, if the office is open and the roster names someone."""
    calendar = calendar_for(None)
    if not calendar.is_open_at(now):
        return None
    local = now.astimezone(calendar.tz)
    duty = PhoneDuty.objects.filter(weekday=local.weekday(), day_part=day_part_at(local)).select_related("user").first()
    return duty.user if duty else None


def engine_health(*, now: datetime) -> EngineHealth:
    beats = {beat.name: beat.last_run_at for beat in Heartbeat.objects.filter(name__in=[HEARTBEAT_NAME, OUTBOX_HEARTBEAT])}
    sweep = beats.get(HEARTBEAT_NAME)
    backlog = Notification.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now - OUTBOX_LAG),
        state=Notification.State.PENDING, created_at__lte=now - OUTBOX_LAG,
    ).count()
    return EngineHealth(
        sweep_last_run=sweep, delivery_last_run=beats.get(OUTBOX_HEARTBEAT), backlog=backlog,
        sweep_silent=sweep is None or sweep < now - SWEEP_SILENT_AFTER,
    )
