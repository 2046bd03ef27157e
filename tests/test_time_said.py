"""The worklist's cached tables are drawn again when a row's time left or overdue can change
(callbacks/domain/time_said.py), not each minute: checked against the words the pages say, and on the page."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.domain.time_said import DAY, HOUR, MINUTE, WEEK, time_said_moment
from callbacks.templatetags.deadlines import time_left, time_overdue
from tests.conftest import fragments_asked, login_across_time
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

# Deadlines with odd seconds, at the end of a long month, on a leap day and in a night the clocks change; in
# UTC as the database gives them, and in Amsterdam time as a form would.
DEADLINES = [
    datetime(2026, 12, 1, 9, 0, 17, tzinfo=UTC),
    datetime(2027, 1, 31, 23, 30, tzinfo=UTC),
    datetime(2028, 2, 29, 12, 0, 41, 500_000, tzinfo=UTC),
    datetime(2027, 3, 28, 1, 30, tzinfo=AMS),
    datetime(2027, 10, 31, 2, 30, tzinfo=AMS),
]


def _said(deadline: datetime, now: datetime) -> str:
    """What the worklist's "Call back" cell says (templates/callbacks/partials/message_table.html)."""
    return time_overdue(deadline, now) if deadline <= now else time_left(deadline, now)


def test_the_words_stay_the_same_while_the_moment_does():
    """Two moments close together: if their keys are equal, so are their words. Sampled over two years each
    side of each deadline, closer together than the finest unit the words then show."""
    chance = random.Random(20261201)
    checked = 0
    for deadline in DEADLINES:
        for _ in range(4000):
            distance = chance.choice([MINUTE * 50, DAY, WEEK, 60 * DAY, 800 * DAY]) * chance.random()
            now = deadline + timedelta(seconds=chance.choice([-1, 1]) * distance)
            later = now + timedelta(seconds=chance.random() * chance.choice([MINUTE, HOUR, DAY]))
            if time_said_moment(deadline, now) == time_said_moment(deadline, later):
                assert _said(deadline, now) == _said(deadline, later), (deadline, now, later)
                checked += 1
    assert checked > 8000


def test_the_moment_moves_with_the_finest_unit_the_words_show():
    deadline = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert time_said_moment(deadline, deadline - timedelta(minutes=30)) == (MINUTE, 30)
    assert time_said_moment(deadline, deadline - timedelta(minutes=30, seconds=1)) == (MINUTE, 30)
    assert time_said_moment(deadline, deadline + timedelta(seconds=1)) == (MINUTE, -1)  # just overdue
    assert time_said_moment(deadline, deadline - timedelta(days=3, minutes=10)) == (HOUR, 72)
    assert time_said_moment(deadline, deadline - timedelta(days=3, minutes=70)) == (HOUR, 73)
    assert time_said_moment(deadline, deadline + timedelta(days=20, hours=5)) == (DAY, -21)
    # From four weeks on, now's date in UTC too (months are counted from it).
    assert time_said_moment(deadline, deadline + timedelta(days=40, hours=5)) == (
        DAY,
        -41,
        datetime(2027, 1, 10).toordinal(),
    )


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_a_turning_minute_draws_again_only_the_stretches_whose_words_change(
    client, receptionist, colleague, clock, monkeypatch
):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=30))
    for hours in range(30):  # later this week, on the half hour: the words change each hour, at half past
        MessageFactory(
            taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(days=2, hours=hours, minutes=30)
        )
    login_across_time(client, colleague)
    client.get("/callbacks/")
    clock.shift(minutes=1)
    asked = fragments_asked(monkeypatch, "worklist_rows")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/callbacks/").text
    assert "nog 29\xa0minuten" in page  # the message due soon says its new minute
    # Its stretch is drawn again (from the rows' cached cells: no message read). The thirty due later come in
    # their table whole, which the words they say still key: not one of its three stretches is asked for.
    assert list(asked.values()) == [False]
    assert not [q for q in queries.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]

    clock.shift(hours=1)  # now every row's words have changed
    asked.clear()
    page = client.get("/callbacks/").text
    assert asked and not any(asked.values())
    assert "nog 1\xa0dag, 23\xa0uur" in page  # the first due later: 2 days and 29 minutes less 1 hour and 1 minute
