"""The manager's statistics: what was promised to callers over a period, and how well it was kept.

Read-side only. Every figure is computed with a fixed number of queries, whatever the number of
messages: counts are aggregated per team, per colleague and per call type in SQL; the durations,
whose median and 90th percentile SQLite cannot compute, are fetched as bare columns with
``values_list`` and summarised in Python.

Definitions (also shown to managers on the page):

- Period: the local dates ``start`` to ``end`` inclusive in ``settings.TIME_ZONE``; a message
  belongs to it by its ``taken_at``. The default is the last 30 days, today included.
- Messages taken: every message taken in the period, whatever its status.
- Helped directly: status "helped at reception" (no callback was needed).
- Called back: status handled on a message that wanted a callback.
- Within promise: called back with ``handled_at <= deadline``; handled exactly at the deadline
  counts as within.
- Promise percentage: within promise / promises that fell due. A promise fell due when the message
  wanted a callback, has a deadline, and is either handled (early or late) or still open with a
  deadline before *now*; open messages whose deadline is still ahead (or exactly now) are left out,
  because they can still be kept. "Now" is the moment of computing, also for a past period: a
  message from last month that is still open today counts as a broken promise.
- Time to first attempt: the earliest ``Attempt.made_at`` minus ``taken_at``, over messages with
  at least one attempt (ticking off logs an attempt, so a callback that reached the caller at once
  counts too). Time to handled: ``handled_at`` minus ``taken_at`` over called-back messages.
  Median and 90th percentile interpolate linearly between the nearest ranks (like PostgreSQL's
  ``percentile_cont``), so the median of an even count is the mean of the middle two.
- Attempts per callback: the mean ``attempt_count`` of called-back messages.
- Repeat callers: phone numbers with three or more calls (``CallLog`` rows) in the period. Numbers
  removed by anonymisation are empty and left out.
- Hour of day: messages taken per local hour, 0 to 23.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractHour
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import to_python as phone_number

from accounts.models import Team
from callbacks.models import Attempt, CallLog, CallType, Message, Status

DEFAULT_DAYS = 30
MAX_DAYS = 366
REPEAT_CALLS = 3
# Dates outside this range are refused: they would overflow the datetime arithmetic.
EARLIEST_DAY = date(2000, 1, 1)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def default(cls, today: date) -> "Period":
        return cls(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=local_zone())

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period: local midnight after ``end``."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=local_zone())


# --- Small numeric helpers --------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks; ``values`` must be sorted."""
    if not values:
        return None
    rank = (len(values) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return values[low] + (values[high] - values[low]) * (rank - low)


class Duration(float):
    """Seconds, printed for people: minutes below an hour, hours with one decimal above."""

    @property
    def minutes(self) -> int:
        return round(self / 60)

    def __str__(self) -> str:
        if self < 3600:
            return _("%(minutes)s min") % {"minutes": self.minutes}
        return _("%(hours)s h") % {"hours": number_format(round(self / 3600, 1), 1)}


@dataclass(frozen=True)
class Spread:
    median: Duration | None = None
    p90: Duration | None = None
    count: int = 0

    @classmethod
    def of(cls, seconds: Iterable[float]) -> "Spread":
        ordered = sorted(seconds)
        if not ordered:
            return cls()
        return cls(Duration(percentile(ordered, 0.5)), Duration(percentile(ordered, 0.9)), len(ordered))


def rate(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


# --- The figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The same figures for the whole office, one team, one colleague or one call type."""

    label: str
    key: object = None
    taken: int = 0
    helped_at_intake: int = 0
    called_back: int = 0
    within_promise: int = 0
    promise_due: int = 0
    attempts: int = 0  # summed over called-back messages
    first_attempt: Spread = field(default_factory=Spread)
    handled: Spread = field(default_factory=Spread)

    @property
    def promise_rate(self) -> float | None:
        return rate(self.within_promise, self.promise_due)

    @property
    def attempts_per_callback(self) -> float | None:
        return self.attempts / self.called_back if self.called_back else None

    def add(self, row: dict) -> None:
        for name in ("taken", "helped_at_intake", "called_back", "within_promise", "promise_due", "attempts"):
            setattr(self, name, getattr(self, name) + (row[name] or 0))


@dataclass(frozen=True)
class RepeatCaller:
    number: object  # a PhoneNumber, or the raw text if it no longer parses
    calls: int


@dataclass
class Statistics:
    period: Period
    team: Team | None
    now: datetime
    total: Figures
    teams: list[Figures]
    colleagues: list[Figures]
    call_types: list[Figures]
    hours: list[int]  # messages taken per local hour, index 0 to 23
    repeat_callers: list[RepeatCaller]


def promise_kept(*, wants_callback: bool, deadline: datetime | None, status: str, handled_at: datetime | None,
                 now: datetime) -> bool | None:
    """One message's part in the promise percentage: kept, broken, or None when it does not count (yet)."""
    if not wants_callback or deadline is None:
        return None
    if status == Status.HANDLED and handled_at is not None:
        return handled_at <= deadline
    if status == Status.OPEN and deadline < now:
        return False
    return None


def _callback() -> Q:
    return Q(status=Status.HANDLED, wants_callback=True)


def _counts(now: datetime) -> dict:
    promised = Q(wants_callback=True, deadline__isnull=False)
    fell_due = promised & (Q(status=Status.HANDLED) | Q(status=Status.OPEN, deadline__lt=now))
    return {
        "taken": Count("pk"),
        "helped_at_intake": Count("pk", filter=Q(status=Status.HANDLED_AT_INTAKE)),
        "called_back": Count("pk", filter=_callback()),
        "within_promise": Count("pk", filter=promised & _callback() & Q(handled_at__lte=F("deadline"))),
        "promise_due": Count("pk", filter=fell_due),
        "attempts": Sum("attempt_count", filter=_callback()),
    }


def messages_in(period: Period, team: Team | None = None) -> QuerySet[Message]:
    found = Message.objects.filter(taken_at__gte=period.starts_at, taken_at__lt=period.ends_at)
    return found.filter(owner_team=team) if team is not None else found


def _team_rows(found: QuerySet[Message], counts: dict, team: Team | None) -> dict[object, Figures]:
    teams = [team] if team is not None else list(Team.objects.order_by("name"))
    rows = {t.pk: Figures(label=t.name, key=t.pk) for t in teams}
    for row in found.order_by().values("owner_team_id").annotate(**counts):
        key = row["owner_team_id"]
        if key not in rows:
            rows[key] = Figures(label=_("No team"), key=key)
        rows[key].add(row)
    return rows


def _colleague_rows(found: QuerySet[Message], counts: dict) -> dict[object, Figures]:
    rows: dict[object, Figures] = {}
    grouped = found.order_by().values("owner_user_id", "owner_user__full_name", "owner_user__username")
    for row in grouped.annotate(**counts):
        key = row["owner_user_id"]
        label = row["owner_user__full_name"] or row["owner_user__username"] or _("Team only, no colleague")
        rows[key] = Figures(label=label, key=key)
        rows[key].add(row)
    return dict(sorted(rows.items(), key=lambda item: (item[0] is None, item[1].label.casefold())))


def _call_type_rows(found: QuerySet[Message], counts: dict) -> list[Figures]:
    rows = {value: Figures(label=str(label), key=value) for value, label in CallType.choices}
    for row in found.order_by().values("call_type").annotate(**counts):
        rows.setdefault(row["call_type"], Figures(label=row["call_type"], key=row["call_type"])).add(row)
    return list(rows.values())


def _hours(found: QuerySet[Message]) -> list[int]:
    hours = [0] * 24
    per_hour = found.order_by().annotate(hour=ExtractHour("taken_at", tzinfo=local_zone())).values("hour")
    for row in per_hour.annotate(taken=Count("pk")):
        hours[row["hour"]] = row["taken"]
    return hours


def _durations(found: QuerySet[Message]) -> list[tuple]:
    """(team id, user id, seconds to first attempt or None, seconds to handled or None) per message."""
    first_attempt = Attempt.objects.filter(message=OuterRef("pk")).order_by("made_at").values("made_at")[:1]
    rows = (
        found.order_by()
        .annotate(first_attempt_at=Subquery(first_attempt))
        .filter(Q(first_attempt_at__isnull=False) | _callback() & Q(handled_at__isnull=False))
        .values_list("owner_team_id", "owner_user_id", "taken_at", "first_attempt_at", "handled_at", "status",
                     "wants_callback")
    )
    result = []
    for team_id, user_id, taken_at, first_at, handled_at, status, wants_callback in rows:
        to_first = (first_at - taken_at).total_seconds() if first_at else None
        called_back = status == Status.HANDLED and wants_callback and handled_at is not None
        to_handled = (handled_at - taken_at).total_seconds() if called_back else None
        result.append((team_id, user_id, to_first, to_handled))
    return result


def _spread_into(durations: list[tuple], total: Figures, teams: dict, colleagues: dict) -> None:
    first: dict[tuple, list[float]] = defaultdict(list)
    handled: dict[tuple, list[float]] = defaultdict(list)
    for team_id, user_id, to_first, to_handled in durations:
        for key in (("all",), ("team", team_id), ("user", user_id)):
            if to_first is not None:
                first[key].append(to_first)
            if to_handled is not None:
                handled[key].append(to_handled)
    targets = [(("all",), total)]
    targets += [(("team", key), figures) for key, figures in teams.items()]
    targets += [(("user", key), figures) for key, figures in colleagues.items()]
    for key, figures in targets:
        figures.first_attempt = Spread.of(first.get(key, ()))
        figures.handled = Spread.of(handled.get(key, ()))


def repeat_callers(period: Period, team: Team | None = None) -> list[RepeatCaller]:
    calls = CallLog.objects.filter(called_at__gte=period.starts_at, called_at__lt=period.ends_at)
    if team is not None:
        calls = calls.filter(message__owner_team=team)
    grouped = (
        calls.exclude(message__caller_number="").exclude(message__caller_number__isnull=True)
        .order_by().values(number=F("message__caller_number")).annotate(calls=Count("pk"))
        .filter(calls__gte=REPEAT_CALLS).order_by("-calls", "number")
    )
    return [RepeatCaller(number=phone_number(row["number"]) or row["number"], calls=row["calls"]) for row in grouped]


def statistics_for(*, period: Period, team: Team | None, now: datetime) -> Statistics:
    """All figures of the page; seven queries, whatever the number of messages."""
    found = messages_in(period, team)
    counts = _counts(now)
    teams = _team_rows(found, counts, team)
    colleagues = _colleague_rows(found, counts)
    total = Figures(label=_("Everyone"))
    for figures in teams.values():
        total.add(vars(figures))
    _spread_into(_durations(found), total, teams, colleagues)
    return Statistics(
        period=period, team=team, now=now, total=total, teams=list(teams.values()),
        colleagues=list(colleagues.values()), call_types=_call_type_rows(found, counts), hours=_hours(found),
        repeat_callers=repeat_callers(period, team),
    )


# --- Charts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    title: str
    # SVG coordinates as text, so a Dutch locale never turns 12.5 into "12,5".
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: str
    label_y: str


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _tick_step(top: int) -> int:
    """A round step giving at most five grid lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if top / step <= 5:
            return step
    return math.ceil(top / 5)


def bar_chart(*, title: str, description: str, items: Sequence[tuple[str, int, str]], width: int = 640,
              height: int = 240) -> BarChart:
    """Vertical bars for ``(label, value, tooltip)`` items, laid out in a ``width`` × ``height`` viewBox."""
    left, right, top, bottom = 40, 8, 12, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    highest = max((value for _label, value, _title in items), default=0)
    step = _tick_step(highest) if highest else 1
    scale_top = max(step, math.ceil(highest / step) * step)
    slot = plot_width / max(len(items), 1)
    bar_width = slot * 0.7
    baseline = top + plot_height
    bars = []
    for index, (label, value, tooltip) in enumerate(items):
        bar_height = plot_height * value / scale_top
        x = left + index * slot + (slot - bar_width) / 2
        bars.append(Bar(
            label=label, value=value, title=tooltip, x=_coordinate(x), y=_coordinate(baseline - bar_height),
            width=_coordinate(bar_width), height=_coordinate(bar_height), label_x=_coordinate(x + bar_width / 2),
            value_y=_coordinate(baseline - bar_height - 3),
        ))
    ticks = [Tick(y=_coordinate(baseline - plot_height * value / scale_top), label=str(value))
             for value in range(0, scale_top + 1, step)]
    return BarChart(
        title=title, description=description, bars=bars, ticks=ticks, width=width, height=height, plot_left=left,
        plot_right=width - right, baseline=_coordinate(baseline), label_y=_coordinate(baseline + 16),
    )


def hour_chart(hours: list[int]) -> BarChart:
    items = [
        (str(hour), count, ngettext("%(from)s:00–%(to)s:00: %(count)s message",
                                    "%(from)s:00–%(to)s:00: %(count)s messages", count)
         % {"from": f"{hour:02d}", "to": f"{(hour + 1) % 24:02d}", "count": count})
        for hour, count in enumerate(hours)
    ]
    return bar_chart(
        title=_("Messages taken per hour of the day"),
        description=_("Bar chart; the table next to it lists the same numbers."), items=items,
    )


def call_type_chart(rows: list[Figures]) -> BarChart:
    items = [
        (row.label, row.taken, ngettext("%(type)s: %(count)s message", "%(type)s: %(count)s messages", row.taken)
         % {"type": row.label, "count": row.taken})
        for row in rows
    ]
    return bar_chart(
        title=_("Messages taken per type of call"),
        description=_("Bar chart; the table next to it lists the same numbers."), items=items,
    )
