"""When a callback is due: business hours, Dutch public holidays, closure days and the caller's wishes.

Pure functions over aware datetimes. All arithmetic happens in UTC, because Python subtracts two
datetimes that share a tzinfo by their wall clocks, which is wrong across a DST change.
"""

from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# How far ahead a search for an open moment may look before the wishes are called impossible.
SEARCH_DAYS = 400
# The days the holidays package lists for the Netherlands (by their English names), plus Liberation
# Day in the years between lustrums, which the package leaves out. A team picks which it observes.
GOOD_FRIDAY = "Good Friday"
LIBERATION_DAY = "Liberation Day"
LIBERATION_DAY_EVERY_YEAR = "Liberation Day (every year)"
DUTCH_HOLIDAY_KEYS = (
    "New Year's Day",
    GOOD_FRIDAY,
    "Easter Sunday",
    "Easter Monday",
    "King's Day",
    LIBERATION_DAY,
    LIBERATION_DAY_EVERY_YEAR,
    "Ascension Day",
    "Pentecost",
    "Pentecost Monday",
    "Christmas Day",
    "Second Day of Christmas",
)
# By default Good Friday and the yearly Liberation Day are working days: the Algemene termijnenwet
# does not count them and most Dutch businesses are open.
DEFAULT_OBSERVED_HOLIDAYS = frozenset(DUTCH_HOLIDAY_KEYS) - {GOOD_FRIDAY, LIBERATION_DAY_EVERY_YEAR}


class _DutchHolidays(Container[date]):
    """The observed Dutch public holidays of any year, looked up lazily per year."""

    def __init__(self, observed: frozenset[str]) -> None:
        self.observed = observed

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _dutch_holidays_of(day.year, self.observed)


@lru_cache(maxsize=256)
def _dutch_holidays_of(year: int, observed: frozenset[str]) -> frozenset[date]:
    calendar = holidays.country_holidays("NL", years=year, language="en_US")
    days = {day for day, name in calendar.items() if name in observed}
    if LIBERATION_DAY_EVERY_YEAR in observed:
        days.add(date(year, 5, 5))
    return frozenset(days)


def dutch_holidays(observed: frozenset[str] = DEFAULT_OBSERVED_HOLIDAYS) -> Container[date]:
    unknown = set(observed) - set(DUTCH_HOLIDAY_KEYS)
    if unknown:
        # A renamed holiday in a new holidays release must fail loudly, not silently become a workday.
        raise ValueError(f"Unknown Dutch holidays: {sorted(unknown)}")
    return _DutchHolidays(frozenset(observed))


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (0 = Monday) in a time zone, minus public holidays and closure days."""

    tz: ZoneInfo
    hours: dict[int, tuple[time, time]]
    closure_dates: frozenset[date] = frozenset()
    observed_holidays: Container[date] | None = None

    def __hash__(self) -> int:
        return id(self)

    @property
    def holidays(self) -> Container[date]:
        return self.observed_holidays if self.observed_holidays is not None else _DUTCH

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.closure_dates and day not in self.holidays

    def opening_of(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's open interval in UTC, or None when closed all day."""
        if not self.is_open_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return _utc(day, opens, self.tz), _utc(day, closes, self.tz)

    def is_open_at(self, moment: datetime) -> bool:
        interval = self.opening_of(moment.astimezone(self.tz).date())
        return interval is not None and interval[0] <= moment < interval[1]

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


_DUTCH = _DutchHolidays(DEFAULT_OBSERVED_HOLIDAYS)


@dataclass(frozen=True)
class PreferredWindow:
    """The caller's wishes: only between two times, not between two times, not before a day."""

    between: tuple[time, time] | None = None
    not_between: tuple[time, time] | None = None
    not_before: date | None = None

    @property
    def is_empty(self) -> bool:
        return self.between is None and self.not_between is None and self.not_before is None


def _utc(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def _open_intervals(start: datetime, calendar: BusinessCalendar) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals in UTC from start on (the first one clipped to start), day by day."""
    start = start.astimezone(UTC)
    first_day = calendar.local_date(start)
    for offset in range(SEARCH_DAYS):
        interval = calendar.opening_of(first_day + timedelta(days=offset))
        if interval is None or interval[1] <= start:
            continue
        yield max(interval[0], start), interval[1]


def _allowed_intervals(
    start: datetime, calendar: BusinessCalendar, window: PreferredWindow | None
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals that also fit the caller's wishes."""
    for opens, closes in _open_intervals(start, calendar):
        day = calendar.local_date(opens)
        if window is None or window.is_empty:
            yield opens, closes
            continue
        if window.not_before is not None and day < window.not_before:
            continue
        pieces = [(opens, closes)]
        if window.between is not None:
            low, high = _utc(day, window.between[0], calendar.tz), _utc(day, window.between[1], calendar.tz)
            pieces = [(max(a, low), min(b, high)) for a, b in pieces]
        if window.not_between is not None:
            low, high = _utc(day, window.not_between[0], calendar.tz), _utc(day, window.not_between[1], calendar.tz)
            pieces = [piece for a, b in pieces for piece in ((a, min(b, low)), (max(a, high), b))]
        yield from ((a, b) for a, b in pieces if a < b)


def add_business_time(start: datetime, amount: timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment `amount` of open time after start; ends at a closing time rather than the next opening."""
    remaining = amount
    for opens, closes in _open_intervals(start, calendar):
        if closes - opens >= remaining:
            return (opens + remaining).astimezone(calendar.tz)
        remaining -= closes - opens
    raise ValueError("The calendar has no open time in the coming year.")


def next_opening(moment: datetime, calendar: BusinessCalendar) -> datetime:
    """The moment itself if the office is open then, else when it opens next."""
    return add_business_time(moment, timedelta(0), calendar)


def end_of_next_business_day(start: datetime, calendar: BusinessCalendar) -> datetime:
    """Closing time of the first open day after the day of start (a Saturday call: Monday's close)."""
    day = calendar.local_date(start)
    for offset in range(1, SEARCH_DAYS):
        interval = calendar.opening_of(day + timedelta(days=offset))
        if interval is not None:
            return interval[1].astimezone(calendar.tz)
    raise ValueError("The calendar has no open day in the coming year.")


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    total = timedelta()
    end = end.astimezone(UTC)
    for opens, closes in _open_intervals(start, calendar):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def allowed_time_between(
    start: datetime, end: datetime, calendar: BusinessCalendar, window: PreferredWindow | None
) -> timedelta:
    """Open time between two moments that also fits the caller's wishes."""
    total = timedelta()
    end = end.astimezone(UTC)
    for opens, closes in _allowed_intervals(start, calendar, window):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def callback_deadline(
    *,
    start: datetime,
    handling: timedelta | None,
    calendar: BusinessCalendar,
    window: PreferredWindow | None = None,
    min_slot: timedelta = timedelta(minutes=15),
) -> datetime:
    """The promised "call back before" moment.

    Without wishes: `handling` of business time after start, or (handling None) the end of the next
    business day. With wishes the promise stays as early as the policy allows: the last allowed
    moment before the policy deadline, provided at least `min_slot` of allowed time lies between;
    otherwise the end of the first allowed stretch of at least `min_slot` after that.
    Raises ValueError when the wishes never leave time to call within business hours.
    """
    if handling is None:
        policy = end_of_next_business_day(start, calendar)
    else:
        policy = add_business_time(start, handling, calendar)
    if window is None or window.is_empty:
        return policy
    policy_utc = policy.astimezone(UTC)
    available, last_end = timedelta(), None
    for opens, closes in _allowed_intervals(start, calendar, window):
        if opens < policy_utc:
            last_end = min(closes, policy_utc)
            available += last_end - opens
            if closes <= policy_utc:
                continue
            # This stretch runs on past the policy deadline: it is also the first candidate after it.
        if available >= min_slot:
            break
        if closes - opens >= min_slot:
            return closes.astimezone(calendar.tz)
    if available >= min_slot and last_end is not None:
        return last_end.astimezone(calendar.tz)
    raise ValueError("The caller's wishes leave no time to call back within business hours.")
