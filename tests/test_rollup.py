"""The statistics' rollup: the same figures as counted from the messages, rebuilt idempotently, kept current by
the beat task and the command, across a DST change; and the weekly trend against a count by hand."""

import csv
import io
import random
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import Team
from callbacks.domain.figures import Period
from callbacks.models import Attempt, CallLog, CallType, DayFigures, DaySpread, Message, Status
from callbacks.selectors import statistics
from callbacks.selectors.message_figures import statistics_from_messages
from callbacks.services.rollups import days_to_refresh, rollup_range_rebuild
from callbacks.tasks import statistics_rollup_task
from tests.conftest import login_across_time
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
# Wednesday 4 November 2026, 10:00; the clocks went back on Sunday 25 October (03:00 became 02:00 again).
NOW = datetime(2026, 11, 4, 10, 0, tzinfo=AMS)
DST_DAY = date(2026, 10, 25)
OCTOBER = Period(start=date(2026, 10, 20), end=date(2026, 11, 4))

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _random_office(receptionist, colleague, other_colleague, *, seed: int, count: int = 160) -> None:
    """Messages of every kind over sixteen days, two colleagues and a team's own, with attempts and calls."""
    rng = random.Random(seed)
    service = Team.objects.get(name="Service")
    owners = [{"owner": colleague}, {"owner": other_colleague}, {"owner": None, "team": service}]
    for index in range(count):
        day = OCTOBER.start + timedelta(days=rng.randrange(OCTOBER.days))
        # Hours 0-23 in UTC: on the DST day this also lands twice on local 02:xx, and on other days near midnight.
        taken_at = datetime(day.year, day.month, day.day, tzinfo=AMS).astimezone(ZoneInfo("UTC")) + timedelta(
            hours=rng.randrange(25), minutes=rng.randrange(60), seconds=rng.randrange(60)
        )
        if taken_at > NOW:
            taken_at = NOW - timedelta(minutes=rng.randrange(1, 600))
        status = rng.choice(
            [
                Status.OPEN,
                Status.OPEN,
                Status.HANDLED,
                Status.HANDLED,
                Status.HANDLED,
                Status.HANDLED_AT_INTAKE,
                Status.PUT_THROUGH,
                Status.INFORMATIONAL,
            ]
        )
        wants_callback = status in (Status.OPEN, Status.HANDLED)
        deadline = taken_at + timedelta(hours=rng.choice([1, 4, 24, 72, 400])) if wants_callback else None
        handled_at = None
        if status == Status.HANDLED:
            handled_at = min(taken_at + timedelta(minutes=rng.randrange(5, 3000), seconds=rng.randrange(60)), NOW)
        elif status in (Status.HANDLED_AT_INTAKE, Status.PUT_THROUGH):
            handled_at = taken_at
        attempts = rng.randrange(0, 3) if wants_callback else 0
        message = MessageFactory(
            taken_by=receptionist,
            taken_at=taken_at,
            status=status,
            wants_callback=wants_callback,
            deadline=deadline,
            handled_at=handled_at,
            attempt_count=attempts,
            call_type=rng.choice(CallType.values),
            caller_number=f"+3161{rng.randrange(20):07d}",
            **owners[index % len(owners)],
        )
        for number in range(attempts):
            Attempt.objects.create(
                message=message,
                made_by=receptionist,
                result=Attempt.Result.NO_ANSWER,
                made_at=taken_at + timedelta(minutes=rng.randrange(1, 600), seconds=number),
            )
        for _call in range(rng.randrange(0, 3)):
            CallLog.objects.create(
                message=message,
                taken_by=receptionist,
                intake_token=uuid.uuid4(),
                called_at=taken_at + timedelta(minutes=rng.randrange(1, 300)),
            )


def _rows() -> list[tuple]:
    figures = sorted(
        DayFigures.objects.values_list(
            "day",
            "team_id",
            "user_id",
            "call_type",
            "hour",
            "taken",
            "helped_at_intake",
            "put_through",
            "called_back",
            "within_promise",
            "promise_due",
            "attempts",
            "open",
            "late",
        ),
        key=repr,
    )
    spreads = sorted(
        DaySpread.objects.values_list(
            "day", "team_id", "user_id", "first_attempt_seconds", "handled_seconds", "open_deadlines"
        ),
        key=repr,
    )
    return figures + spreads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_gives_every_figure_the_messages_give(receptionist, colleague, other_colleague, seed):
    _random_office(receptionist, colleague, other_colleague, seed=seed)
    rollup_range_rebuild(start=OCTOBER.start, end=OCTOBER.end, now=NOW)
    for period in (
        OCTOBER,
        Period(start=DST_DAY, end=DST_DAY),
        Period(start=date(2026, 10, 22), end=date(2026, 10, 26)),
    ):
        for team in (None, *Team.objects.all()):
            # Later than the rebuild: open promises that fell due since then count on both sides.
            for now in (NOW, NOW + timedelta(days=2)):
                from_rollup = statistics.statistics_for(period=period, team=team, now=now)
                assert from_rollup == statistics_from_messages(period=period, team=team, now=now)
    assert sum(statistics.statistics_for(period=OCTOBER, team=None, now=NOW).hours) == Message.objects.count()


def test_the_dst_day_has_its_25_hours_in_the_right_local_hours(receptionist, colleague):
    # 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time: two messages in local hour 2.
    for hour in (0, 1, 2):
        MessageFactory(
            taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 10, 25, hour, 30, tzinfo=ZoneInfo("UTC"))
        )
    MessageFactory(
        taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 10, 25, 22, 59, tzinfo=ZoneInfo("UTC"))
    )
    rollup_range_rebuild(start=DST_DAY, end=date(2026, 10, 26), now=NOW)
    day = statistics.statistics_for(period=Period(start=DST_DAY, end=DST_DAY), team=None, now=NOW)
    assert day.hours[2] == 2 and day.hours[3] == 1 and day.hours[23] == 1 and day.total.taken == 4
    assert set(DayFigures.objects.values_list("day", flat=True)) == {DST_DAY}


def test_rebuilding_twice_gives_the_same_rows(receptionist, colleague, other_colleague):
    _random_office(receptionist, colleague, other_colleague, seed=4, count=60)
    rollup_range_rebuild(start=OCTOBER.start, end=OCTOBER.end, now=NOW)
    first = _rows()
    rollup_range_rebuild(start=OCTOBER.start, end=OCTOBER.end, now=NOW)
    assert _rows() == first and first


def test_the_task_keeps_today_and_the_days_with_open_messages_current(clock, receptionist, colleague):
    old = MessageFactory(
        taken_by=receptionist, owner=colleague, taken_at=NOW - timedelta(days=40), deadline=NOW + timedelta(hours=1)
    )
    done = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        taken_at=NOW - timedelta(days=41),
        status=Status.HANDLED,
        deadline=NOW - timedelta(days=40),
        handled_at=NOW - timedelta(days=41),
    )
    call_command("rebuild_statistics")
    today = MessageFactory(taken_by=receptionist, owner=colleague, taken_at=NOW)
    assert statistics_rollup_task() == 3  # today, yesterday, and the day of the old open message
    assert days_to_refresh(now=NOW) == [(NOW - timedelta(days=40)).date(), date(2026, 11, 3), date(2026, 11, 4)]
    period = Period(start=date(2026, 9, 1), end=date(2026, 11, 4))
    seen = statistics.statistics_for(period=period, team=None, now=NOW)
    assert seen.total.taken == 3 and seen.total.promise_due == 1 and seen.total.within_promise == 1

    clock.shift(hours=2)  # the old message's deadline passes: due by the clock, before any rebuild
    later = clock.now()
    assert statistics.statistics_for(period=period, team=None, now=later).total.promise_due == 2
    Message.objects.filter(pk=old.pk).update(status=Status.HANDLED, handled_at=later)  # handled late
    Message.objects.filter(pk=today.pk).update(status=Status.HANDLED, handled_at=later)  # within
    statistics_rollup_task()
    seen = statistics.statistics_for(period=period, team=None, now=later)
    assert seen == statistics_from_messages(period=period, team=None, now=later)
    assert (seen.total.called_back, seen.total.promise_due, seen.total.within_promise) == (3, 3, 2)
    # Now no day has an open message: only today and yesterday are left to refresh.
    assert days_to_refresh(now=later) == [date(2026, 11, 3), date(2026, 11, 4)]
    assert done.pk and DayFigures.objects.filter(open__gt=0).count() == 0


def test_the_command_rebuilds_from_the_messages_and_drops_days_without_them(receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, taken_at=NOW - timedelta(days=3))
    DayFigures.objects.create(day=date(2026, 1, 1), call_type="question", hour=9, taken=5)  # a stale row
    call_command("rebuild_statistics", stdout=io.StringIO())
    assert list(DayFigures.objects.values_list("day", "taken")) == [(date(2026, 11, 1), 1)]
    call_command("rebuild_statistics", "--start", "2026-11-01", "--end", "2026-11-01", stdout=io.StringIO())
    assert list(DayFigures.objects.values_list("day", "taken")) == [(date(2026, 11, 1), 1)]


def _promise(receptionist, owner, taken_at, *, kept: bool | None):
    """kept: True within the promise, False handled late, None still open past its deadline."""
    deadline = taken_at + timedelta(hours=4)
    if kept is None:
        return MessageFactory(taken_by=receptionist, owner=owner, taken_at=taken_at, deadline=deadline)
    return MessageFactory(
        taken_by=receptionist,
        owner=owner,
        taken_at=taken_at,
        deadline=deadline,
        status=Status.HANDLED,
        handled_at=deadline + timedelta(hours=-1 if kept else 1),
    )


@pytest.fixture
def weeks(receptionist, colleague, other_colleague):
    """Verkoop: week of 26 Oct 2 kept of 3; this week (2 Nov) 1 of 2 (one still open past its deadline).
    Service: week of 12 Oct 1 kept of 1; a message of 10 weeks ago is too old to count (before 17 Aug)."""
    monday = date(2026, 11, 2)
    at = lambda day, hour=9: datetime(day.year, day.month, day.day, hour, tzinfo=AMS)  # noqa: E731
    _promise(receptionist, colleague, at(date(2026, 10, 26)), kept=True)
    _promise(receptionist, colleague, at(date(2026, 11, 1), 23), kept=True)  # Sunday night: still that week
    _promise(receptionist, colleague, at(date(2026, 10, 28)), kept=False)
    _promise(receptionist, colleague, at(monday), kept=True)
    _promise(receptionist, colleague, at(monday), kept=None)
    _promise(receptionist, other_colleague, at(date(2026, 10, 12)), kept=True)
    _promise(receptionist, other_colleague, at(date(2026, 8, 16)), kept=False)  # the Sunday before the 12 weeks
    MessageFactory(
        taken_by=receptionist,
        owner=other_colleague,
        taken_at=at(date(2026, 10, 13)),
        status=Status.PUT_THROUGH,
        wants_callback=False,
        deadline=None,
        handled_at=at(date(2026, 10, 13)),
    )
    call_command("rebuild_statistics", stdout=io.StringIO())


def test_the_trend_per_week_equals_a_count_by_hand(weeks):
    trends = {trend.label: trend for trend in statistics.trends_for(today=NOW.date(), team=None, now=NOW)}
    assert list(trends) == ["Service", "Verkoop"]
    verkoop = {week.start: (week.within_promise, week.promise_due) for week in trends["Verkoop"].weeks}
    service = {week.start: (week.within_promise, week.promise_due) for week in trends["Service"].weeks}
    assert len(verkoop) == 12 and min(verkoop) == date(2026, 8, 17) and max(verkoop) == date(2026, 11, 2)
    assert {start: value for start, value in verkoop.items() if value != (0, 0)} == {
        date(2026, 10, 26): (2, 3),
        date(2026, 11, 2): (1, 2),
    }
    assert {start: value for start, value in service.items() if value != (0, 0)} == {date(2026, 10, 12): (1, 1)}
    assert trends["Verkoop"].weeks[-1].promise_rate == 50


def test_the_page_and_the_csv_show_the_trend(client, manager, weeks):
    login_across_time(client, manager)
    page = client.get("/dashboard/statistics/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-test="trend"') == 2 and 'data-test="trend-chart-1"' in body
    assert "Week 44: 2 van 3 beloftes nagekomen (67%)" in body and "Week 43: geen belofte afgelopen" in body
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/statistics.csv").content.decode("utf-8-sig")), delimiter=";")
    )
    trend = [row for row in rows if row[0] == "Trend"]
    assert len(trend) == 24
    assert ["Trend", "Verkoop", "2026-10-26", "3", "2", "66,7"] in trend
    assert ["Trend", "Service", "2026-10-12", "1", "1", "100,0"] in trend


def test_the_first_task_run_builds_the_whole_history_when_there_is_no_rollup(clock, receptionist, colleague):
    """A new installation or an upgrade: the beat's first run fills the rollup, the statistics never show an
    office with messages as empty."""
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        taken_at=NOW - timedelta(days=60),
        status=Status.HANDLED,
        deadline=NOW - timedelta(days=59),
        handled_at=NOW - timedelta(days=59),
    )
    MessageFactory(taken_by=receptionist, owner=colleague, taken_at=NOW - timedelta(days=3))
    assert not DayFigures.objects.exists()
    assert statistics_rollup_task() == 61  # every day from the first message's to today
    period = Period(start=(NOW - timedelta(days=70)).date(), end=NOW.date())
    assert statistics.statistics_for(period=period, team=None, now=NOW) == statistics_from_messages(
        period=period, team=None, now=NOW
    )
    assert statistics_rollup_task() == 3  # from then on: today, yesterday and the open message's day
