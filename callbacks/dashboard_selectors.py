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


def overdue_groups(*, now: datetime) -> list[OverdueGroup]:
    """Open messages past their deadline, by team and then colleague, the longest overdue first."""
    overdue = list(
        Message.objects.filter(status=Status.OPEN, deadline__lte=now)
        .select_related("owner_user", "owner_team")
        .order_by("owner_team__name", "owner_user__full_name", "deadline", "pk")
    )

    def key(message: Message) -> tuple[str, str]:
        return (str(message.owner_team or ""), str(message.owner_user or ""))

    return [OverdueGroup(team, owner, list(items)) for (team, owner), items in groupby(overdue, key=key)]


def due_soon(*, now: datetime) -> list[Message]:
    return list(
        Message.objects.filter(status=Status.OPEN, deadline__gt=now, deadline__lte=now + DUE_SOON)
        .select_related("owner_user", "owner_team")
        .order_by("deadline", "pk")
    )


def open_per_colleague(*, now: datetime) -> list[dict]:
    """Per colleague: open callbacks and how many of them are overdue, most overdue first."""
    return list(
        Message.objects.filter(status=Status.OPEN, owner_user__isnull=False)
        .values("owner_user", "owner_user__full_name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lte=now)))
        .order_by("-overdue", "-open", "owner_user__full_name")
    )


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
