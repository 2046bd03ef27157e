"""Missed calls in the manager's statistics: which calls count, when a promise was kept, the shares and spreads.

Pure: telephony.selectors.statistics reads the counts and the missed calls from the database and hands them
here. The definitions (also shown to managers on the page):

- A missed call is an incoming call whose result is "missed" or "voicemail" (a forwarded call was answered
  elsewhere and is not missed). It belongs to the period, the local day and the local hour by the moment it
  started ringing, in Europe/Amsterdam. Anonymous missed calls are counted apart: they cannot be called back.
- Answered calls: incoming calls with result "answered", for comparison.
- Called back: the first attempt on the call's message made at or after the call ended; a message ticked off
  without such an attempt counts its ``handled_at``. Earlier attempts on a merged message were about earlier
  calls, not this one.
- Within the promise: called back at or before the message's deadline. A call whose message is still open
  after its deadline counts as not kept; one still open before its deadline is left out (it can still be
  kept), and so are anonymous calls and calls without a message.
- Time to callback: from the end of the missed call to the callback; median and 90th percentile.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from callbacks.domain.charts import BarChart, bar_chart
from callbacks.domain.figures import Spread, rate

# Charts of more days than this label only every so many days, so that the labels do not overlap.
DAY_LABELS = 16


@dataclass(frozen=True)
class MissedCall:
    """One missed call that could be called back, as the promise share needs it."""

    ended_at: datetime
    deadline: datetime | None  # the message's
    called_back_at: datetime | None
    still_open: bool  # the message is open


@dataclass
class Bucket:
    """The calls of one local hour or day."""

    key: object  # the hour (0 to 23) or the date
    missed: int = 0
    anonymous: int = 0
    answered: int = 0

    def add(self, row: dict) -> None:
        self.missed += row["missed"] or 0
        self.anonymous += row["anonymous"] or 0
        self.answered += row["answered"] or 0


@dataclass
class CallFigures:
    hours: list[Bucket]
    days: list[Bucket]
    within_promise: int = 0
    promise_due: int = 0
    waited: Spread = field(default_factory=Spread)

    @property
    def missed(self) -> int:
        return sum(bucket.missed for bucket in self.hours)

    @property
    def anonymous(self) -> int:
        return sum(bucket.anonymous for bucket in self.hours)

    @property
    def answered(self) -> int:
        return sum(bucket.answered for bucket in self.hours)

    @property
    def promise_rate(self) -> float | None:
        return rate(self.within_promise, self.promise_due)

    @property
    def empty(self) -> bool:
        return not (self.missed or self.anonymous or self.answered)


def called_back_at(
    *, ended_at: datetime, first_attempt_at: datetime | None, handled_at: datetime | None
) -> datetime | None:
    """The callback of one missed call: its first attempt after the call, else the tick-off after it."""
    if first_attempt_at is not None:
        return first_attempt_at
    if handled_at is not None and handled_at >= ended_at:
        return handled_at
    return None


def promise_kept(call: MissedCall, now: datetime) -> bool | None:
    """Kept, broken, or None when the call does not count (yet)."""
    if call.deadline is None:
        return None
    if call.called_back_at is not None:
        return call.called_back_at <= call.deadline
    if call.still_open and call.deadline < now:
        return False
    return None


def call_figures(
    *, counts: Iterable[dict], days: Sequence[date], calls: Iterable[MissedCall], now: datetime
) -> CallFigures:
    """The figures from the counts per (local day, local hour) and the missed calls that can be called back.

    ``counts``: dicts with ``day``, ``hour``, ``missed``, ``anonymous`` and ``answered``; ``days``: every day
    of the period, so that a day without calls still gets its (empty) bar."""
    hours = [Bucket(key=hour) for hour in range(24)]
    per_day = {day: Bucket(key=day) for day in days}
    for row in counts:
        hours[row["hour"]].add(row)
        if row["day"] in per_day:
            per_day[row["day"]].add(row)
    figures = CallFigures(hours=hours, days=list(per_day.values()))
    waits = []
    for call in calls:
        kept = promise_kept(call, now)
        if kept is not None:
            figures.promise_due += 1
            figures.within_promise += kept
        if call.called_back_at is not None:
            waits.append((call.called_back_at - call.ended_at).total_seconds())
    figures.waited = Spread.of(waits)
    return figures


def days_of(start: date, end: date) -> list[date]:
    return [start + timedelta(days=index) for index in range((end - start).days + 1)]


# --- Charts (drawn by templates/callbacks/dashboard/_bar_chart.html) ----------------------------------------


def _tooltip(when: str, bucket: Bucket) -> str:
    return ngettext("%(when)s: %(count)s missed call", "%(when)s: %(count)s missed calls", bucket.missed) % {
        "when": when,
        "count": bucket.missed,
    }


def missed_hour_chart(hours: Sequence[Bucket]) -> BarChart:
    items = [
        (str(bucket.key), bucket.missed, _tooltip(f"{bucket.key:02d}:00–{(bucket.key + 1) % 24:02d}:00", bucket))
        for bucket in hours
    ]
    return bar_chart(
        title=_("Missed calls per hour of the day"),
        description=_("Bar chart of the missed calls that can be called back; the table lists the same numbers."),
        items=items,
    )


def missed_day_chart(days: Sequence[Bucket]) -> BarChart:
    every = max(1, math.ceil(len(days) / DAY_LABELS))
    items = [
        (
            f"{bucket.key.day}-{bucket.key.month}" if index % every == 0 else "",
            bucket.missed,
            _tooltip(bucket.key.isoformat(), bucket),
        )
        for index, bucket in enumerate(days)
    ]
    return bar_chart(
        title=_("Missed calls per day"),
        description=_("Bar chart of the missed calls that can be called back; the table lists the same numbers."),
        items=items,
    )
