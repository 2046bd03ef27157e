"""The one clock of the test suite.

A test that depends on the time asks for the `clock` fixture. Time then stands still for the whole
test, from the first factory call to the last assertion, on an ordinary working Tuesday morning in
Amsterdam, whatever day the suite runs on. Factories (tests/factories.py) take "now" from the running
clock and refuse to run without one, so no test mixes a fixed date with the machine's clock. Tests
read the time through the clock (`clock.now()`), never through `timezone.now()` or `date.today()`;
tests/test_suite_rules.py checks that.

    @pytest.mark.clock(at=datetime(2026, 3, 29, 2, 30, tzinfo=AMS))   start somewhere else
    @pytest.mark.clock(tick=True)   time runs on from the start: a live server and a browser
    @pytest.mark.clock(wall=True)   the machine's own clock, only for tests whose other processes
                                    (a Celery worker, gunicorn) read it as well; such a test writes
                                    no fixed date, and CI runs it at a shifted date (README)
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

AMS = ZoneInfo("Europe/Amsterdam")
# Tuesday 1 December 2026, 10:00: a working day in a full week, no holiday or DST change near.
START = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)

_running: "Clock | None" = None


class Clock:
    def __init__(self, traveller: time_machine.Traveller | None) -> None:
        self._traveller = traveller

    @property
    def frozen(self) -> bool:
        return self._traveller is not None

    def now(self) -> datetime:
        return timezone.now()

    def local(self) -> datetime:
        return timezone.localtime(self.now(), AMS)

    def today(self) -> date:
        return self.local().date()

    def at(self, hour: int, minute: int = 0, *, day: date | None = None, days: int = 0) -> datetime:
        """A moment in Amsterdam: today (or `day`), `days` later, at hour:minute."""
        on = (day or self.today()) + timedelta(days=days)
        return datetime.combine(on, time(hour, minute), tzinfo=AMS)

    def move_to(self, moment: datetime) -> None:
        self._require_frozen().move_to(moment)

    def shift(self, delta: timedelta | None = None, **parts: float) -> None:
        self._require_frozen().shift(delta if delta is not None else timedelta(**parts))

    def _require_frozen(self) -> time_machine.Traveller:
        if self._traveller is None:
            raise RuntimeError("the wall clock cannot be moved; drop `wall=True` to travel in time")
        return self._traveller


def running_clock() -> Clock:
    """The clock of the test that is running; factories call this for their "now"."""
    if _running is None:
        raise RuntimeError('this test depends on the time: ask for the "clock" fixture (tests/clock.py)')
    return _running


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Iterator[Clock]:
    global _running
    marker = request.node.get_closest_marker("clock")
    options = {"at": START, "tick": False, "wall": False, **(marker.kwargs if marker else {})}
    traveller = None if options["wall"] else time_machine.travel(options["at"], tick=options["tick"])
    _running = Clock(traveller.start() if traveller else None)
    try:
        yield _running
    finally:
        _running = None
        if traveller is not None:
            traveller.stop()


@pytest.fixture(autouse=True)
def _clock_before_everything_else(request: pytest.FixtureRequest) -> None:
    """Autouse fixtures set up first: a test's users, sessions and messages are all made on its clock."""
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock")
