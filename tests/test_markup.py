"""callbacks.markup's shortcuts give exactly what the template filters they replace give."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from django.utils.timesince import timesince
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks.markup import Durations

moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
differences = st.one_of(
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=40)),
    st.sampled_from([timedelta(0), timedelta(seconds=59), timedelta(days=28) - timedelta(seconds=1),
                     timedelta(days=28), timedelta(days=29), timedelta(days=31)]),
)


@pytest.mark.parametrize("language", ["nl", "en"])
@settings(max_examples=300, deadline=None)
@given(start=moments, difference=differences)
def test_durations_read_as_timesince(language, start, difference):
    with translation.override(language):
        durations = Durations()
        for _ in range(2):  # written, then remembered
            assert durations.between(start, start + difference) == timesince(start, start + difference)


def test_one_difference_is_written_once_a_list():
    durations, start = Durations(), datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    first = durations.between(start, start + timedelta(hours=2, minutes=5, seconds=10))
    assert durations.between(start + timedelta(days=3), start + timedelta(days=3, hours=2, minutes=5)) is first
    assert list(durations.written) == [125]
