"""The promised "call back before" moment: business hours, Dutch holidays, closure days, the caller's wishes.

Plain tests of the pure module callbacks.domain.deadlines (no database). The expected moments are written out by
hand in Europe/Amsterdam for the default hours Mon-Fri 08:30-17:30; the property tests check the documented
semantics against small reference computations that do not reuse the module's interval code.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from callbacks.domain.deadlines import (
    BusinessCalendar,
    PreferredWindow,
    add_business_time,
    allowed_time_between,
    business_time_between,
    callback_deadline,
    dutch_holidays,
    end_of_next_business_day,
)

AMS = ZoneInfo("Europe/Amsterdam")
OPEN, CLOSE = time(8, 30), time(17, 30)
HOURS = {weekday: (OPEN, CLOSE) for weekday in range(5)}
CALENDAR = BusinessCalendar(tz=AMS, hours=HOURS)
COMPLAINT = timedelta(hours=2)
MIN_SLOT = timedelta(minutes=15)

# The Dutch public holidays the module observes, written out by hand: Good Friday is deliberately absent,
# Koningsdag moves to the Saturday when 27 April is a Sunday (2025), Liberation Day counts in lustrum years only.
HOLIDAYS = {
    2025: {
        date(2025, 1, 1),
        date(2025, 4, 20),
        date(2025, 4, 21),
        date(2025, 4, 26),
        date(2025, 5, 5),
        date(2025, 5, 29),
        date(2025, 6, 8),
        date(2025, 6, 9),
        date(2025, 12, 25),
        date(2025, 12, 26),
    },
    2026: {
        date(2026, 1, 1),
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 14),
        date(2026, 5, 24),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    },
    2027: {
        date(2027, 1, 1),
        date(2027, 3, 28),
        date(2027, 3, 29),
        date(2027, 4, 27),
        date(2027, 5, 6),
        date(2027, 5, 16),
        date(2027, 5, 17),
        date(2027, 12, 25),
        date(2027, 12, 26),
    },
    2028: {
        date(2028, 1, 1),
        date(2028, 4, 16),
        date(2028, 4, 17),
        date(2028, 4, 27),
        date(2028, 5, 25),
        date(2028, 6, 4),
        date(2028, 6, 5),
        date(2028, 12, 25),
        date(2028, 12, 26),
    },
}
ALL_HOLIDAYS = frozenset().union(*HOLIDAYS.values())
DST_SUNDAYS = [
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2027, 3, 28),
    date(2027, 10, 31),
]


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def wall(moment: datetime) -> datetime:
    """The naive Amsterdam wall clock of a moment, to compare what a person reads off the clock."""
    return moment.astimezone(AMS).replace(tzinfo=None)


def assert_same_moment(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert wall(actual) == wall(expected)
    assert actual.utcoffset() == expected.utcoffset()


# ---------------------------------------------------------------------------------------------------------
# Dutch holidays
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_the_dutch_holidays_of_a_year_are_exactly_the_expected_days(year):
    observed = dutch_holidays()
    day, found = date(year, 1, 1), set()
    while day.year == year:
        if day in observed:
            found.add(day)
        day += timedelta(days=1)
    assert found == HOLIDAYS[year]


@pytest.mark.parametrize("good_friday", [date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26)])
def test_good_friday_is_not_a_holiday(good_friday):
    assert good_friday.weekday() == 4
    assert good_friday not in dutch_holidays()
    assert CALENDAR.is_open_day(good_friday)


def test_liberation_day_is_a_holiday_in_2025_but_not_in_2026():
    assert date(2025, 5, 5) in dutch_holidays()
    assert not CALENDAR.is_open_day(date(2025, 5, 5))
    assert date(2026, 5, 5) not in dutch_holidays()
    assert CALENDAR.is_open_day(date(2026, 5, 5))


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday():
    assert date(2025, 4, 26) in dutch_holidays()
    assert date(2025, 4, 27) not in dutch_holidays()
    assert date(2026, 4, 27) in dutch_holidays()


def test_dutch_holidays_contain_only_dates():
    assert "2026-04-27" not in dutch_holidays()
    assert None not in dutch_holidays()


# ---------------------------------------------------------------------------------------------------------
# A complaint: two business hours
# ---------------------------------------------------------------------------------------------------------

COMPLAINTS = [
    pytest.param(ams(2026, 1, 8, 16), ams(2026, 1, 9, 9), id="thursday afternoon: friday morning"),
    pytest.param(ams(2026, 1, 9, 16, 45), ams(2026, 1, 12, 9, 45), id="just before the weekend"),
    pytest.param(ams(2026, 1, 9, 17, 30), ams(2026, 1, 12, 10, 30), id="friday at closing time"),
    pytest.param(ams(2026, 1, 9, 19), ams(2026, 1, 12, 10, 30), id="friday evening"),
    pytest.param(ams(2026, 1, 10, 11), ams(2026, 1, 12, 10, 30), id="saturday"),
    pytest.param(ams(2026, 1, 12, 7), ams(2026, 1, 12, 10, 30), id="before opening"),
    pytest.param(ams(2026, 1, 12, 15, 30), ams(2026, 1, 12, 17, 30), id="ends at closing, not next opening"),
    pytest.param(ams(2026, 4, 24, 16), ams(2026, 4, 28, 9), id="koningsdag monday 2026"),
    pytest.param(ams(2025, 4, 25, 16), ams(2025, 4, 28, 9), id="koningsdag on saturday 2025"),
    pytest.param(ams(2026, 4, 2, 16), ams(2026, 4, 3, 9), id="good friday is a working day"),
    pytest.param(ams(2026, 4, 3, 16), ams(2026, 4, 7, 9), id="easter monday"),
    pytest.param(ams(2026, 5, 13, 16), ams(2026, 5, 15, 9), id="ascension day"),
    pytest.param(ams(2025, 5, 2, 16), ams(2025, 5, 6, 9), id="liberation day 2025"),
    pytest.param(ams(2026, 5, 4, 16), ams(2026, 5, 5, 9), id="5 may 2026 is a working day"),
    pytest.param(ams(2025, 12, 24, 16), ams(2025, 12, 29, 9), id="christmas on thursday and friday"),
    pytest.param(ams(2026, 12, 24, 16), ams(2026, 12, 28, 9), id="christmas on friday and saturday"),
    pytest.param(ams(2025, 12, 31, 16), ams(2026, 1, 2, 9), id="new year"),
    pytest.param(ams(2026, 3, 27, 16), ams(2026, 3, 30, 9), id="into summer time"),
    pytest.param(ams(2026, 10, 23, 16), ams(2026, 10, 26, 9), id="into winter time"),
]


@pytest.mark.parametrize(("start", "expected"), COMPLAINTS)
def test_a_complaint_is_due_two_business_hours_later(start, expected):
    deadline = callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR)
    assert_same_moment(deadline, expected)
    assert deadline.tzinfo is AMS


@pytest.mark.parametrize(("start", "expected"), COMPLAINTS[:3])
def test_a_start_in_utc_gives_the_same_deadline(start, expected):
    deadline = callback_deadline(start=start.astimezone(UTC), handling=COMPLAINT, calendar=CALENDAR)
    assert_same_moment(deadline, expected)
    assert deadline.tzinfo is AMS


def test_across_the_change_to_summer_time_the_utc_difference_is_one_hour_shorter():
    start = ams(2026, 3, 27, 16)
    deadline = callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR)
    assert wall(deadline) == datetime(2026, 3, 30, 9)
    assert deadline.utcoffset() == timedelta(hours=2)
    assert start.utcoffset() == timedelta(hours=1)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    # 65 hours on the wall clock, but only 64 real hours pass.
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=64)
    assert business_time_between(start, deadline, CALENDAR) == COMPLAINT


def test_across_the_change_to_winter_time_the_utc_difference_is_one_hour_longer():
    start = ams(2026, 10, 23, 16)
    deadline = callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR)
    assert wall(deadline) == datetime(2026, 10, 26, 9)
    assert deadline.utcoffset() == timedelta(hours=1)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=66)
    assert business_time_between(start, deadline, CALENDAR) == COMPLAINT


def test_a_closure_day_is_skipped():
    calendar = BusinessCalendar(tz=AMS, hours=HOURS, closure_dates=frozenset({date(2026, 1, 12)}))
    start = ams(2026, 1, 9, 16)
    assert_same_moment(callback_deadline(start=start, handling=COMPLAINT, calendar=calendar), ams(2026, 1, 13, 9))
    assert_same_moment(callback_deadline(start=start, handling=None, calendar=calendar), ams(2026, 1, 13, 17, 30))
    assert not calendar.is_open_day(date(2026, 1, 12))
    assert CALENDAR.is_open_day(date(2026, 1, 12))


def test_a_team_closed_on_good_friday_adds_it_as_a_closure_day():
    calendar = BusinessCalendar(tz=AMS, hours=HOURS, closure_dates=frozenset({date(2026, 4, 3)}))
    deadline = callback_deadline(start=ams(2026, 4, 2, 16), handling=COMPLAINT, calendar=calendar)
    assert_same_moment(deadline, ams(2026, 4, 7, 9))


def test_observed_holidays_replace_the_dutch_ones():
    calendar = BusinessCalendar(tz=AMS, hours=HOURS, observed_holidays=frozenset({date(2026, 1, 12)}))
    # Easter Monday is an ordinary day for this calendar, 12 January is its only holiday.
    assert_same_moment(
        callback_deadline(start=ams(2026, 4, 3, 16), handling=COMPLAINT, calendar=calendar), ams(2026, 4, 6, 9)
    )
    assert_same_moment(
        callback_deadline(start=ams(2026, 1, 9, 16), handling=COMPLAINT, calendar=calendar), ams(2026, 1, 13, 9)
    )


def test_other_opening_hours_per_weekday():
    hours = {0: (time(9), time(12)), 2: (time(13), time(15, 30))}
    calendar = BusinessCalendar(tz=AMS, hours=hours)
    # Monday 11:00 leaves an hour, the next open day is Wednesday afternoon.
    assert_same_moment(add_business_time(ams(2026, 1, 12, 11), COMPLAINT, calendar), ams(2026, 1, 14, 14))
    assert_same_moment(end_of_next_business_day(ams(2026, 1, 12, 11), calendar), ams(2026, 1, 14, 15, 30))


def test_business_time_between_counts_only_open_time():
    assert business_time_between(ams(2026, 1, 9, 16), ams(2026, 1, 12, 9), CALENDAR) == COMPLAINT
    assert business_time_between(ams(2026, 1, 10, 8), ams(2026, 1, 11, 20), CALENDAR) == timedelta()
    assert business_time_between(ams(2026, 1, 12, 0), ams(2026, 1, 17, 0), CALENDAR) == timedelta(hours=45)
    assert business_time_between(ams(2026, 4, 24, 0), ams(2026, 4, 29, 0), CALENDAR) == timedelta(hours=18)
    assert business_time_between(ams(2026, 1, 12, 12), ams(2026, 1, 12, 11), CALENDAR) == timedelta()


# ---------------------------------------------------------------------------------------------------------
# Any other call: by the end of the next business day
# ---------------------------------------------------------------------------------------------------------

NEXT_BUSINESS_DAY = [
    pytest.param(ams(2026, 1, 10, 10), ams(2026, 1, 12, 17, 30), id="saturday"),
    pytest.param(ams(2026, 1, 11, 23, 59), ams(2026, 1, 12, 17, 30), id="sunday night"),
    pytest.param(ams(2026, 1, 9, 19), ams(2026, 1, 12, 17, 30), id="friday evening"),
    pytest.param(ams(2026, 1, 12, 7), ams(2026, 1, 13, 17, 30), id="before opening: the next day, not today"),
    pytest.param(ams(2026, 1, 12, 12), ams(2026, 1, 13, 17, 30), id="monday noon"),
    pytest.param(ams(2026, 4, 24, 12), ams(2026, 4, 28, 17, 30), id="koningsdag"),
    pytest.param(ams(2026, 4, 2, 12), ams(2026, 4, 3, 17, 30), id="good friday is a working day"),
    pytest.param(ams(2026, 4, 3, 12), ams(2026, 4, 7, 17, 30), id="easter monday"),
    pytest.param(ams(2025, 5, 2, 12), ams(2025, 5, 6, 17, 30), id="liberation day 2025"),
    pytest.param(ams(2026, 5, 4, 12), ams(2026, 5, 5, 17, 30), id="5 may 2026"),
    pytest.param(ams(2025, 12, 24, 12), ams(2025, 12, 29, 17, 30), id="christmas 2025"),
    pytest.param(ams(2026, 12, 24, 12), ams(2026, 12, 28, 17, 30), id="christmas 2026"),
    pytest.param(ams(2026, 3, 27, 12), ams(2026, 3, 30, 17, 30), id="into summer time"),
    pytest.param(ams(2026, 10, 24, 12), ams(2026, 10, 26, 17, 30), id="into winter time"),
]


@pytest.mark.parametrize(("start", "expected"), NEXT_BUSINESS_DAY)
def test_other_calls_are_due_at_the_end_of_the_next_business_day(start, expected):
    assert_same_moment(end_of_next_business_day(start, CALENDAR), expected)
    deadline = callback_deadline(start=start, handling=None, calendar=CALENDAR)
    assert_same_moment(deadline, expected)
    assert deadline.tzinfo is AMS


def test_the_next_business_day_follows_the_local_date_not_the_utc_date():
    # Thursday 23:30 in Amsterdam is still Thursday: Friday's close.
    assert_same_moment(
        end_of_next_business_day(datetime(2026, 1, 8, 22, 30, tzinfo=UTC), CALENDAR), ams(2026, 1, 9, 17, 30)
    )
    # Thursday 23:30 UTC is already Friday in Amsterdam: Monday's close.
    assert_same_moment(
        end_of_next_business_day(datetime(2026, 1, 8, 23, 30, tzinfo=UTC), CALENDAR), ams(2026, 1, 12, 17, 30)
    )


def test_summer_and_winter_time_closing_hours_in_utc():
    assert end_of_next_business_day(ams(2026, 3, 27, 12), CALENDAR).astimezone(UTC) == datetime(
        2026, 3, 30, 15, 30, tzinfo=UTC
    )
    assert end_of_next_business_day(ams(2026, 10, 24, 12), CALENDAR).astimezone(UTC) == datetime(
        2026, 10, 26, 16, 30, tzinfo=UTC
    )


# ---------------------------------------------------------------------------------------------------------
# The caller's wishes
# ---------------------------------------------------------------------------------------------------------

TEN_TO_TWELVE = PreferredWindow(between=(time(10), time(12)))


def test_an_empty_window_changes_nothing():
    start = ams(2026, 1, 9, 16, 45)
    assert_same_moment(
        callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR, window=PreferredWindow()),
        ams(2026, 1, 12, 9, 45),
    )


@pytest.mark.parametrize(
    ("start", "handling", "expected"),
    [
        pytest.param(ams(2026, 1, 12, 13), None, ams(2026, 1, 13, 12), id="other call monday afternoon"),
        pytest.param(ams(2026, 1, 12, 13), COMPLAINT, ams(2026, 1, 13, 12), id="complaint after the window"),
        pytest.param(ams(2026, 1, 12, 9), COMPLAINT, ams(2026, 1, 12, 11), id="policy inside the window"),
        pytest.param(ams(2026, 1, 12, 8, 30), timedelta(hours=4), ams(2026, 1, 12, 12), id="window ends first"),
        pytest.param(ams(2026, 1, 9, 16), COMPLAINT, ams(2026, 1, 12, 12), id="over the weekend"),
        pytest.param(ams(2026, 4, 24, 12), None, ams(2026, 4, 28, 12), id="over koningsdag"),
        pytest.param(ams(2026, 3, 27, 13), None, ams(2026, 3, 30, 12), id="into summer time"),
    ],
)
def test_between_ten_and_twelve_is_due_at_noon_or_at_the_policy(start, handling, expected):
    deadline = callback_deadline(start=start, handling=handling, calendar=CALENDAR, window=TEN_TO_TWELVE)
    assert_same_moment(deadline, expected)
    assert deadline.tzinfo is AMS


def test_a_window_can_make_the_promise_earlier_than_the_policy():
    # The docstring: "the last allowed moment before the policy deadline". A window that ends before the
    # policy deadline therefore brings the promise forward; "a window never makes it earlier" does not hold.
    start = ams(2026, 1, 12, 8, 30)
    policy = callback_deadline(start=start, handling=timedelta(hours=6), calendar=CALENDAR)
    deadline = callback_deadline(start=start, handling=timedelta(hours=6), calendar=CALENDAR, window=TEN_TO_TWELVE)
    assert_same_moment(policy, ams(2026, 1, 12, 14, 30))
    assert_same_moment(deadline, ams(2026, 1, 12, 12))


def test_the_rest_of_a_stretch_that_spans_the_policy_deadline_is_used():
    # Friday 17:05: the complaint is due Monday 10:05, only five allowed minutes before it. The window
    # 10:00-12:00 on Monday is the first allowed stretch of at least a quarter of an hour that ends after
    # the policy deadline, so the promise is Monday 12:00, not Tuesday.
    start = ams(2026, 1, 9, 17, 5)
    assert_same_moment(callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR), ams(2026, 1, 12, 10, 5))
    deadline = callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR, window=TEN_TO_TWELVE)
    assert_same_moment(deadline, ams(2026, 1, 12, 12))


@pytest.mark.parametrize(
    ("start", "min_slot", "expected"),
    [
        pytest.param(ams(2026, 1, 12, 11, 50), MIN_SLOT, ams(2026, 1, 13, 12), id="ten minutes left: next day"),
        pytest.param(ams(2026, 1, 12, 11, 45), MIN_SLOT, ams(2026, 1, 12, 12), id="exactly fifteen minutes: today"),
        pytest.param(ams(2026, 1, 12, 11, 30), timedelta(minutes=30), ams(2026, 1, 12, 12), id="slot of 30 fits"),
        pytest.param(ams(2026, 1, 12, 11, 30), timedelta(minutes=45), ams(2026, 1, 13, 12), id="slot of 45 does not"),
        pytest.param(ams(2026, 1, 16, 11, 50), MIN_SLOT, ams(2026, 1, 19, 12), id="friday: monday"),
    ],
)
def test_too_little_allowed_time_before_the_policy_moves_to_the_next_stretch(start, min_slot, expected):
    deadline = callback_deadline(
        start=start, handling=COMPLAINT, calendar=CALENDAR, window=TEN_TO_TWELVE, min_slot=min_slot
    )
    assert_same_moment(deadline, expected)


def test_small_pieces_before_the_policy_add_up():
    # Only 09:00-09:10 each day: two pieces of ten minutes before Tuesday's close make twenty minutes.
    window = PreferredWindow(between=(time(9), time(9, 10)))
    deadline = callback_deadline(start=ams(2026, 1, 12, 8), handling=None, calendar=CALENDAR, window=window)
    assert_same_moment(deadline, ams(2026, 1, 13, 9, 10))
    assert allowed_time_between(ams(2026, 1, 12, 8), deadline, CALENDAR, window) == timedelta(minutes=20)


def test_pieces_too_small_and_too_few_before_the_policy_are_impossible():
    window = PreferredWindow(between=(time(9), time(9, 10)))
    with pytest.raises(ValueError):
        callback_deadline(start=ams(2026, 1, 12, 8), handling=COMPLAINT, calendar=CALENDAR, window=window)


def test_not_between_half_past_five_and_seven_changes_nothing_for_an_office_that_closes_at_half_past_five():
    window = PreferredWindow(not_between=(time(17, 30), time(19)))
    start = ams(2026, 1, 12, 16)
    assert_same_moment(
        callback_deadline(start=start, handling=COMPLAINT, calendar=CALENDAR, window=window), ams(2026, 1, 13, 9)
    )
    assert_same_moment(
        callback_deadline(start=start, handling=None, calendar=CALENDAR, window=window), ams(2026, 1, 13, 17, 30)
    )


@pytest.mark.parametrize(
    ("start", "handling", "expected"),
    [
        pytest.param(ams(2026, 1, 12, 16, 30), COMPLAINT, ams(2026, 1, 12, 17, 30), id="last moment before"),
        pytest.param(ams(2026, 1, 12, 17, 25), timedelta(hours=1), ams(2026, 1, 12, 20), id="after the break"),
        pytest.param(ams(2026, 1, 12, 17, 45), timedelta(minutes=30), ams(2026, 1, 12, 20), id="inside the break"),
        pytest.param(ams(2026, 1, 12, 18), COMPLAINT, ams(2026, 1, 12, 20), id="policy after the break"),
    ],
)
def test_not_between_half_past_five_and_seven_for_an_office_open_until_eight(start, handling, expected):
    calendar = BusinessCalendar(tz=AMS, hours={weekday: (OPEN, time(20)) for weekday in range(5)})
    window = PreferredWindow(not_between=(time(17, 30), time(19)))
    deadline = callback_deadline(start=start, handling=handling, calendar=calendar, window=window)
    assert_same_moment(deadline, expected)


@pytest.mark.parametrize(
    ("start", "handling"),
    [
        pytest.param(ams(2026, 1, 12, 10), None, id="other call"),
        pytest.param(ams(2026, 1, 12, 10), COMPLAINT, id="complaint"),
        pytest.param(ams(2026, 1, 10, 10), None, id="saturday"),
    ],
)
def test_not_before_thursday(start, handling):
    window = PreferredWindow(not_before=date(2026, 1, 15))
    deadline = callback_deadline(start=start, handling=handling, calendar=CALENDAR, window=window)
    assert_same_moment(deadline, ams(2026, 1, 15, 17, 30))


def test_not_before_a_day_already_past_changes_nothing():
    window = PreferredWindow(not_before=date(2026, 1, 1))
    deadline = callback_deadline(start=ams(2026, 1, 12, 10), handling=COMPLAINT, calendar=CALENDAR, window=window)
    assert_same_moment(deadline, ams(2026, 1, 12, 12))


def test_not_before_a_holiday_waits_for_the_next_open_day():
    window = PreferredWindow(not_before=date(2026, 4, 27), between=(time(14), time(16)))
    deadline = callback_deadline(start=ams(2026, 4, 22, 10), handling=None, calendar=CALENDAR, window=window)
    assert_same_moment(deadline, ams(2026, 4, 28, 16))


def test_the_wishes_combine():
    window = PreferredWindow(
        between=(time(10), time(12)), not_between=(time(11), time(11, 50)), not_before=date(2026, 1, 14)
    )
    start = ams(2026, 1, 12, 9)
    deadline = callback_deadline(start=start, handling=None, calendar=CALENDAR, window=window)
    # Tuesday's close is the policy; nothing is allowed before Wednesday: Wednesday 10:00-11:00 is the first
    # stretch of at least a quarter of an hour.
    assert_same_moment(deadline, ams(2026, 1, 14, 11))
    assert allowed_time_between(start, ams(2026, 1, 15, 0), CALENDAR, window) == timedelta(minutes=70)


@pytest.mark.parametrize(
    "window",
    [
        pytest.param(PreferredWindow(between=(time(18), time(20))), id="between 18 and 20"),
        pytest.param(PreferredWindow(between=(time(6), time(8, 30))), id="before opening"),
        pytest.param(PreferredWindow(not_between=(time(8), time(18))), id="not during the day"),
        pytest.param(PreferredWindow(between=(time(10), time(12)), not_between=(time(9), time(13))), id="excluded"),
    ],
)
@pytest.mark.parametrize("handling", [None, COMPLAINT])
def test_a_window_that_is_never_possible_raises(window, handling):
    with pytest.raises(ValueError):
        callback_deadline(start=ams(2026, 1, 12, 10), handling=handling, calendar=CALENDAR, window=window)


def test_allowed_time_between_counts_only_allowed_open_time():
    assert allowed_time_between(ams(2026, 1, 12, 0), ams(2026, 1, 17, 0), CALENDAR, TEN_TO_TWELVE) == timedelta(
        hours=10
    )
    assert allowed_time_between(ams(2026, 1, 12, 11), ams(2026, 1, 12, 13), CALENDAR, TEN_TO_TWELVE) == timedelta(
        hours=1
    )
    window = PreferredWindow(not_between=(time(12), time(13)), not_before=date(2026, 1, 13))
    assert allowed_time_between(ams(2026, 1, 12, 0), ams(2026, 1, 14, 0), CALENDAR, window) == timedelta(hours=8)
    assert allowed_time_between(ams(2026, 1, 12, 0), ams(2026, 1, 14, 0), CALENDAR, None) == timedelta(hours=18)


# ---------------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=300, deadline=None, database=None)
GRID = [time(hour, minute) for hour in range(24) for minute in (0, 15, 30, 45)]
DAYTIME_GRID = [moment for moment in GRID if time(7) <= moment <= time(19)]
FIRST_MOMENT = datetime(2025, 1, 1, tzinfo=AMS)
ANCHORS = sorted(
    DST_SUNDAYS
    + [day for day in ALL_HOLIDAYS if day.year <= 2027]
    + [date(2025, 1, 10), date(2026, 7, 17), date(2027, 11, 19)]
)


def is_open_day(day: date, closures: frozenset[date]) -> bool:
    assert 2025 <= day.year <= 2028, "the holiday table covers 2025-2028 only"
    return day.weekday() < 5 and day not in ALL_HOLIDAYS and day not in closures


def first_open_day_after(day: date, closures: frozenset[date]) -> date:
    day += timedelta(days=1)
    while not is_open_day(day, closures):
        day += timedelta(days=1)
    return day


def reference_business_time(start: datetime, end: datetime, closures: frozenset[date]) -> timedelta:
    """Open time between two moments, day by day in local time."""
    total, day = timedelta(), start.astimezone(AMS).date()
    while day <= end.astimezone(AMS).date():
        if is_open_day(day, closures):
            opens = max(datetime.combine(day, OPEN, tzinfo=AMS), start)
            closes = min(datetime.combine(day, CLOSE, tzinfo=AMS), end)
            if closes > opens:
                total += closes.astimezone(UTC) - opens.astimezone(UTC)
        day += timedelta(days=1)
    return total


def allowed_at(moment: datetime, window: PreferredWindow, closures: frozenset[date]) -> bool:
    """Whether a moment is open and fits the wishes, read off the local wall clock."""
    local = moment.astimezone(AMS)
    clock = local.time().replace(tzinfo=None)
    if not is_open_day(local.date(), closures) or not OPEN <= clock < CLOSE:
        return False
    if window.between is not None and not window.between[0] <= clock < window.between[1]:
        return False
    if window.not_between is not None and window.not_between[0] <= clock < window.not_between[1]:
        return False
    return window.not_before is None or local.date() >= window.not_before


def longest_allowed_stretch_of_an_open_day(window: PreferredWindow) -> timedelta:
    """Minute by minute over a whole open day: the longest run of allowed minutes."""
    longest = run = 0
    for minute in range(24 * 60):
        clock = time(minute // 60, minute % 60)
        allowed = OPEN <= clock < CLOSE
        if window.between is not None:
            allowed = allowed and window.between[0] <= clock < window.between[1]
        if window.not_between is not None:
            allowed = allowed and not window.not_between[0] <= clock < window.not_between[1]
        run = run + 1 if allowed else 0
        longest = max(longest, run)
    return timedelta(minutes=longest)


@st.composite
def starts(draw) -> datetime:
    """Any moment in 2025-2027, or one within four days of a DST change or a holiday; in UTC or Amsterdam."""
    if draw(st.booleans()):
        moment = draw(
            st.datetimes(
                min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59), timezones=st.just(UTC)
            )
        )
    else:
        anchor = draw(st.sampled_from(ANCHORS))
        minutes = draw(
            st.one_of(
                st.integers(-4 * 24 * 60, 4 * 24 * 60),
                st.integers(-4 * 24 * 4, 4 * 24 * 4).map(lambda quarters: quarters * 15),
            )
        )
        seconds = draw(st.sampled_from([0, 0, 0, 1, 59]))
        moment = datetime.combine(anchor, time(0), tzinfo=AMS).astimezone(UTC) + timedelta(
            minutes=minutes, seconds=seconds
        )
    moment = max(moment, FIRST_MOMENT)
    return moment.astimezone(draw(st.sampled_from([AMS, UTC])))


handlings = st.one_of(st.none(), st.integers(1, 960).map(lambda minutes: timedelta(minutes=minutes)))


@st.composite
def time_pairs(draw) -> tuple[time, time]:
    grid = draw(st.sampled_from([DAYTIME_GRID, GRID]))
    low = draw(st.integers(0, len(grid) - 2))
    high = draw(st.integers(low + 1, len(grid) - 1))
    return grid[low], grid[high]


@st.composite
def cases(draw, with_window: bool):
    start = draw(starts())
    first = start.astimezone(AMS).date()
    closures = frozenset(draw(st.lists(st.integers(0, 21).map(lambda days: first + timedelta(days=days)), max_size=4)))
    calendar = BusinessCalendar(tz=AMS, hours=HOURS, closure_dates=closures)
    handling = draw(handlings)
    if not with_window:
        return start, handling, calendar, None
    window = PreferredWindow(
        between=draw(st.none() | time_pairs()),
        not_between=draw(st.none() | time_pairs()),
        not_before=draw(st.none() | st.integers(-2, 14).map(lambda days: first + timedelta(days=days))),
    )
    return start, handling, calendar, window


def assert_on_an_open_day_in_calendar_time(deadline: datetime, start: datetime, calendar: BusinessCalendar) -> None:
    assert isinstance(deadline, datetime)
    assert deadline.tzinfo is calendar.tz
    assert deadline.utcoffset() is not None
    assert deadline > start
    day = deadline.astimezone(AMS).date()
    assert day.weekday() < 5
    assert day not in ALL_HOLIDAYS
    assert day not in calendar.closure_dates


@PROPERTY
@given(cases(with_window=False))
def test_property_without_wishes_the_deadline_is_the_policy(case):
    start, handling, calendar, _window = case
    deadline = callback_deadline(start=start, handling=handling, calendar=calendar)
    assert_on_an_open_day_in_calendar_time(deadline, start, calendar)
    local = deadline.astimezone(AMS)
    assert OPEN < local.time().replace(tzinfo=None) <= CLOSE
    if handling is None:
        day = first_open_day_after(start.astimezone(AMS).date(), calendar.closure_dates)
        assert_same_moment(deadline, datetime.combine(day, CLOSE, tzinfo=AMS))
    else:
        assert business_time_between(start, deadline, calendar) == handling
        assert reference_business_time(start, deadline, calendar.closure_dates) == handling


@PROPERTY
@given(cases(with_window=True))
def test_property_the_deadline_respects_the_wishes(case):
    start, handling, calendar, window = case
    policy = callback_deadline(start=start, handling=handling, calendar=calendar)
    before_policy = allowed_time_between(start, policy, calendar, window)
    longest = longest_allowed_stretch_of_an_open_day(window)
    try:
        deadline = callback_deadline(start=start, handling=handling, calendar=calendar, window=window)
    except ValueError:
        event("impossible wishes")
        # Only when no allowed stretch of min_slot exists on any day and too little lies before the policy.
        assert longest < MIN_SLOT
        assert before_policy < MIN_SLOT
        return
    assert_on_an_open_day_in_calendar_time(deadline, start, calendar)
    if window.is_empty:
        # No wishes at all: the policy deadline itself, without a minimum slot.
        event("empty window")
        assert_same_moment(deadline, policy)
        return
    assert allowed_time_between(start, deadline, calendar, window) >= MIN_SLOT
    # The deadline ends an allowed stretch: the moment just before it is allowed.
    assert allowed_at(deadline - timedelta(microseconds=1), window, calendar.closure_dates)
    if before_policy >= MIN_SLOT:
        event("enough allowed time before the policy deadline")
        # The last allowed moment before the policy deadline: nothing allowed lies between the two.
        assert deadline <= policy
        assert allowed_time_between(start, deadline, calendar, window) == before_policy
        return
    # Otherwise the end of the first allowed stretch of at least min_slot that ends after the policy deadline.
    spans = allowed_time_between(policy, deadline, calendar, window) == deadline - policy
    event("a later stretch" + (" that spans the policy deadline" if spans else ""))
    assert deadline > policy
    assert longest >= MIN_SLOT
    assert deadline - MIN_SLOT >= start
    assert allowed_time_between(deadline - MIN_SLOT, deadline, calendar, window) == MIN_SLOT
    assert allowed_time_between(deadline, deadline + timedelta(minutes=1), calendar, window) == timedelta()
    ends = [
        clock
        for clock in (CLOSE, window.between and window.between[1], window.not_between and window.not_between[0])
        if clock
    ]
    day = policy.astimezone(AMS).date()
    while day <= deadline.astimezone(AMS).date():
        for clock in ends:
            end = datetime.combine(day, clock, tzinfo=AMS)
            if not policy < end < deadline or end - MIN_SLOT < start:
                continue
            earlier_stretch = allowed_time_between(end - MIN_SLOT, end, calendar, window) == MIN_SLOT
            same_stretch = allowed_time_between(end, deadline, calendar, window) == deadline - end
            assert not earlier_stretch or same_stretch, f"a stretch of {MIN_SLOT} already ends at {end}"
        day += timedelta(days=1)


@PROPERTY
@given(
    cases(with_window=True),
    st.lists(st.sampled_from([5, 10, 15, 30, 45, 60, 90]), min_size=2, max_size=2, unique=True).map(sorted),
)
def test_property_a_longer_min_slot_never_makes_the_deadline_earlier(case, slots):
    # From the docstring: a longer slot keeps the last allowed moment before the policy deadline as long as
    # enough allowed time lies before it, and otherwise looks for a longer stretch, which ends no earlier.
    start, handling, calendar, window = case

    def deadline_for(minutes: int) -> datetime | None:
        try:
            return callback_deadline(
                start=start, handling=handling, calendar=calendar, window=window, min_slot=timedelta(minutes=minutes)
            )
        except ValueError:
            return None

    shorter, longer = deadline_for(slots[0]), deadline_for(slots[1])
    if shorter is None:
        assert longer is None
    elif longer is not None:
        assert shorter <= longer


def test_every_holiday_key_is_one_the_holidays_package_still_uses():
    import holidays

    from callbacks.domain.deadlines import DUTCH_HOLIDAY_KEYS, LIBERATION_DAY_EVERY_YEAR

    names = set()
    for year in range(2025, 2031):
        names |= set(holidays.country_holidays("NL", years=year, language="en_US").values())
    assert set(DUTCH_HOLIDAY_KEYS) - {LIBERATION_DAY_EVERY_YEAR} == names


def test_a_team_may_observe_good_friday_and_liberation_day_every_year():
    from callbacks.domain.deadlines import DEFAULT_OBSERVED_HOLIDAYS, GOOD_FRIDAY, LIBERATION_DAY_EVERY_YEAR

    default = dutch_holidays()
    everything = dutch_holidays(DEFAULT_OBSERVED_HOLIDAYS | {GOOD_FRIDAY, LIBERATION_DAY_EVERY_YEAR})
    assert date(2026, 4, 3) not in default and date(2026, 4, 3) in everything
    assert date(2026, 5, 5) not in default and date(2026, 5, 5) in everything
    assert date(2026, 5, 25) in default  # Whit Monday
    with pytest.raises(ValueError):
        dutch_holidays(frozenset({"Whit Monday"}))
