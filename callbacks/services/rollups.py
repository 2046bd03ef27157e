"""Rebuilding the statistics' rollup (callbacks/models/rollup.py) from the messages.

A day is rebuilt whole: its rows are deleted and written again in one transaction, so a rebuild is
idempotent (twice gives the same rows) and a reader sees the old day or the new one, never half.

Which days can change after they were rebuilt? A message's figures change only while it is open (handled,
tried, rerouted to a stand-in, its deadline moved); helped-directly, put-through and informational messages
are final at intake, and anonymisation or erasure leave the figures alone. A new message is taken now, so
it lands on today (or yesterday, just after midnight). So ``statistics_rollup_refresh`` rebuilds today,
yesterday and every day whose rollup still counts an open message; once the last open message of a day is
handled, one more rebuild records that and the day is closed for good. This is exact, unlike "the last N
days": a message may stay open for months. Open promises whose deadline passes between two rebuilds fall
due by the clock alone; the rollup keeps their deadlines and the page counts them against its own now.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from callbacks.domain.figures import Period, local_zone, microseconds
from callbacks.models import DayFigures, DaySpread, Message, Status
from callbacks.selectors.message_figures import message_rows

COUNTS = (
    "taken",
    "helped_at_intake",
    "put_through",
    "called_back",
    "within_promise",
    "promise_due",
    "attempts",
    "open",
    "late",
)


def _day_rows(day: date, now: datetime) -> tuple[list[DayFigures], list[DaySpread]]:
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    spreads: dict[tuple, tuple[list, list, dict]] = defaultdict(lambda: ([], [], defaultdict(list)))
    for (
        team_id,
        user_id,
        call_type,
        hour,
        status,
        wants_callback,
        deadline,
        handled_at,
        attempt_count,
        to_first,
        to_handled,
    ) in message_rows(Period(start=day, end=day)).iterator(chunk_size=5000):
        row = counts[team_id, user_id, call_type, hour]
        promised = wants_callback and deadline is not None
        callback = status == Status.HANDLED and wants_callback
        row["taken"] += 1
        row["helped_at_intake"] += status == Status.HANDLED_AT_INTAKE
        row["put_through"] += status == Status.PUT_THROUGH
        row["open"] += status == Status.OPEN
        first, handled, open_deadlines = spreads[team_id, user_id]
        if callback:
            row["called_back"] += 1
            row["attempts"] += attempt_count or 0
        if promised and callback and handled_at is not None:
            row["within_promise"] += handled_at <= deadline
            row["late"] += handled_at > deadline
        if promised and status == Status.HANDLED:
            row["promise_due"] += 1
        elif promised and status == Status.OPEN:
            if deadline < now:
                row["promise_due"] += 1
            else:  # falls due by the clock later: counted by the page against its own now
                open_deadlines[call_type].append(microseconds(deadline))
        if to_first is not None:
            first.append(to_first)
        if to_handled is not None:
            handled.append(to_handled)
    figures = [
        DayFigures(day=day, team_id=team_id, user_id=user_id, call_type=call_type, hour=hour, **values)
        for (team_id, user_id, call_type, hour), values in counts.items()
    ]
    spread_rows = [
        DaySpread(
            day=day,
            team_id=team_id,
            user_id=user_id,
            first_attempt_seconds=sorted(first),
            handled_seconds=sorted(handled),
            rebuilt_at=now,
            open_deadlines={call_type: sorted(moments) for call_type, moments in open_deadlines.items()},
        )
        for (team_id, user_id), (first, handled, open_deadlines) in spreads.items()
    ]
    return figures, spread_rows


def rollup_day_rebuild(*, day: date, now: datetime | None = None) -> int:
    """Rebuild one local day from its messages; returns the number of messages counted."""
    now = now or timezone.now()
    with transaction.atomic():
        # Read inside the transaction, after the delete has locked nothing that writers need: the
        # messages are only read. On PostgreSQL two rebuilds of one day serialise on the delete.
        DayFigures.objects.filter(day=day).delete()
        DaySpread.objects.filter(day=day).delete()
        figures, spreads = _day_rows(day, now)
        DayFigures.objects.bulk_create(figures, batch_size=1000)
        DaySpread.objects.bulk_create(spreads, batch_size=500)
    return sum(row.taken for row in figures)


def rollup_range_rebuild(*, start: date, end: date, now: datetime | None = None) -> int:
    """Rebuild every local day from ``start`` to ``end`` inclusive, one transaction per day."""
    now = now or timezone.now()
    counted, day = 0, start
    while day <= end:
        counted += rollup_day_rebuild(day=day, now=now)
        day += timedelta(days=1)
    return counted


def days_to_refresh(*, now: datetime) -> list[date]:
    """Today, yesterday and every day whose rollup still counts an open message (see the module's docstring)."""
    today = timezone.localtime(now, local_zone()).date()
    still_open = DayFigures.objects.filter(open__gt=0).order_by().values_list("day", flat=True).distinct()
    return sorted({today, today - timedelta(days=1), *still_open})


def rollup_history_rebuild(
    *, now: datetime | None = None, start: date | None = None, end: date | None = None
) -> tuple[date, date, int]:
    """Rebuild from the first message's day (or `start`) to today (or `end`), and drop rollup rows of days
    before it (messages deleted since); returns the range and the messages counted."""
    now = now or timezone.now()
    end = end or timezone.localdate(now, timezone=local_zone())
    if start is None:
        first_taken = Message.objects.aggregate(first=Min("taken_at"))["first"]
        days = [timezone.localdate(first_taken, timezone=local_zone())] if first_taken else []
        days += [day for day in [DayFigures.objects.aggregate(first=Min("day"))["first"]] if day]
        start = min(days, default=end)
    return start, end, rollup_range_rebuild(start=start, end=end, now=now)


def statistics_rollup_refresh(*, now: datetime | None = None) -> int:
    """What the beat runs every few minutes: rebuild the days that can still change; returns the days rebuilt.

    With no rollup at all but messages (a new installation, an upgrade, the demo office) it builds the whole
    history once, so the statistics never show an empty office that has messages."""
    now = now or timezone.now()
    if not DayFigures.objects.exists() and Message.objects.exists():
        start, end, _counted = rollup_history_rebuild(now=now)
        return (end - start).days + 1
    days = days_to_refresh(now=now)
    for day in days:
        rollup_day_rebuild(day=day, now=now)
    return len(days)
