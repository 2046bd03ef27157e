"""Rules the test suite keeps about itself, so that it passes on any date (tests/clock.py)."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.clock import AMS, START
from tests.factories import MessageFactory
from tests.waiting import wait_until

TESTS = Path(__file__).parent
# Ways to read the machine's clock, or to stop it, other than through the test's clock.
WALL_CLOCK = re.compile(
    r"timezone\.now\(\)|timezone\.localtime\(\)|datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(\)"
    r"|import time_machine|time_machine\.travel\("
)


def _lines_reading_the_wall_clock() -> list[str]:
    return [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(TESTS.glob("*.py"))
        if path.name not in ("clock.py", "test_suite_rules.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if WALL_CLOCK.search(line)
    ]


def test_tests_read_the_time_only_through_their_clock():
    assert _lines_reading_the_wall_clock() == []


def test_the_rule_finds_a_wall_clock_read(tmp_path, monkeypatch):
    (tmp_path / "test_sloppy.py").write_text("deadline = timezone.now() + timedelta(hours=3)\n")
    monkeypatch.setattr(f"{__name__}.TESTS", tmp_path)
    assert _lines_reading_the_wall_clock() == ["test_sloppy.py:1: deadline = timezone.now() + timedelta(hours=3)"]


@pytest.mark.django_db
def test_a_factory_refuses_to_run_without_the_clock(receptionist):
    with pytest.raises(RuntimeError, match='ask for the "clock" fixture'):
        MessageFactory(taken_by=receptionist)


@pytest.mark.django_db
def test_a_factory_takes_now_from_the_clock(clock, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague)
    assert message.taken_at == START and message.deadline == START + timedelta(days=1)
    assert message.calls.get().called_at == START


def test_the_clock_stands_on_a_tuesday_morning_in_amsterdam_until_moved(clock):
    assert clock.now() == START and clock.local().isoformat() == "2026-12-01T10:00:00+01:00"
    assert clock.now() == START  # no time passes
    clock.shift(minutes=90)
    assert clock.local() == clock.at(11, 30) == datetime(2026, 12, 1, 11, 30, tzinfo=AMS)
    clock.move_to(clock.at(9, 0, days=1))
    assert clock.today() == date(2026, 12, 2)


@pytest.mark.clock(at=datetime(2028, 2, 29, 23, 59, tzinfo=AMS))
def test_a_test_chooses_where_its_clock_starts(clock):
    assert clock.today() == date(2028, 2, 29)


@pytest.mark.clock(tick=True)
def test_a_ticking_clock_runs_on_from_its_start(clock):
    first = clock.now()
    wait_until(lambda: clock.now() > first, 2, "the clock to move")
    assert first - START < timedelta(seconds=5)


@pytest.mark.clock(wall=True)
def test_the_wall_clock_cannot_be_moved(clock):
    with pytest.raises(RuntimeError, match="cannot be moved"):
        clock.shift(hours=1)
