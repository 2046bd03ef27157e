"""When what a page says of a deadline ("25 minutes left", "3 days, 4 hours overdue") can next change.

The pages say it with Django's timeuntil and timesince to two units (callbacks/templatetags/deadlines.py),
from the deadline in UTC. The words change only when the second unit shown turns over, and that unit is
minutes below a day, hours below a week, and days or coarser above (weeks, months and years count whole days
of 86,400 seconds in UTC). So a cached row may say it again until then, instead of each minute.
"""

import math
from datetime import UTC, datetime

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH_AT_THE_SHORTEST = 28 * DAY


def time_said_moment(deadline: datetime, now: datetime) -> tuple[int, ...]:
    """A value that stays equal while the words said of `deadline` at `now` stay equal, and changes (at the
    latest) when they do: the finest unit the words can show, and how many of it lie between the two
    (negative once overdue). Seconds count as Django counts them, whole and from the deadline.

    From four weeks on the words may count months, which Django counts from the earlier of the two moments:
    for the time left that is now, and a month from the 31st of January ends on the 28th of February, so the
    words can also change when now's date (in UTC) does; that date is part of the value then."""
    # In UTC: Python subtracts two datetimes that share a tzinfo by their wall clocks, wrong across a DST change.
    seconds = (deadline.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    distance = abs(seconds)
    step = MINUTE if distance < DAY else HOUR if distance < WEEK else DAY
    moment = (step, math.floor(seconds / step))
    return (*moment, now.astimezone(UTC).toordinal()) if distance >= MONTH_AT_THE_SHORTEST else moment
