"""How the pages say a deadline against now (callbacks/templatetags/deadlines.py), in both languages."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from callbacks.templatetags.deadlines import time_left, time_overdue

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))  # half an hour before summer time


@pytest.mark.parametrize(
    ("language", "delta", "left", "overdue"),
    [
        ("nl", timedelta(minutes=25), "nog 25\xa0minuten", "25\xa0minuten te laat"),
        ("nl", timedelta(hours=2, minutes=5), "nog 2\xa0uur, 5\xa0minuten", "2\xa0uur, 5\xa0minuten te laat"),
        ("en", timedelta(days=1, hours=3), "1\xa0day, 3\xa0hours left", "1\xa0day, 3\xa0hours overdue"),
        ("en", timedelta(seconds=59), "0\xa0minutes left", "0\xa0minutes overdue"),
    ],
)
def test_time_left_and_overdue_say_the_distance_in_the_language(language, delta, left, overdue):
    in_real_time = NOW.astimezone(UTC)  # adding to a local time adds to the wall clock, an hour off tonight
    with translation.override(language):
        assert time_left(in_real_time + delta, NOW) == left
        assert time_overdue(in_real_time - delta, NOW) == overdue


def test_the_distance_is_in_real_time_across_the_clock_change():
    """From 01:30 to 03:30 local time on the night summer time starts is one hour."""
    with translation.override("en"):
        assert time_left(NOW + timedelta(hours=1), NOW) == "1\xa0hour left"
        # 03:35 summer time, given in local time as a form would: 1 hour 5 minutes away, not the wall clock's 2.
        assert time_left(NOW + timedelta(hours=2, minutes=5), NOW) == "1\xa0hour, 5\xa0minutes left"


def test_a_message_without_a_deadline_is_said_nothing_of():
    assert time_left(None, NOW) == "" and time_overdue(None, NOW) == ""
