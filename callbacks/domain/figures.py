"""The statistics' figures as values: the period, spreads of durations, rates, and one group's counts.

Pure: callbacks.selectors.statistics reads the numbers from the database and fills these in.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Dates outside this range are refused: they would overflow the datetime arithmetic.
EARLIEST_DAY = date(2000, 1, 1)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """Whole microseconds since the epoch: a moment as an exact number (a float timestamp rounds)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


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


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (like PostgreSQL's percentile_cont); ``values`` sorted."""
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


COUNTS = ("taken", "helped_at_intake", "put_through", "called_back", "within_promise", "promise_due", "attempts")


@dataclass
class Figures:
    """The same figures for the whole office, one team, one colleague or one call type."""

    label: str
    key: object = None
    taken: int = 0
    helped_at_intake: int = 0
    put_through: int = 0
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
        """Add one group's counts (a dict with the names in COUNTS; None counts as 0)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + (row[name] or 0))
