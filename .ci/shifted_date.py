"""Print the moment at which CI runs the suite a second time, for libfaketime (`faketime -f "@<moment>"`).

A Sunday at 23:30 in Amsterdam, a year and a few weeks after today: a weekend night in another year, so a
test that only passes in the week it was written (a typed date "in the future", a factory reading the
machine's clock beside a fixed date) fails there. Printed in UTC, as faketime reads it with TZ=UTC.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

day = datetime.now(AMSTERDAM).date() + timedelta(days=400)
day += timedelta(days=(6 - day.weekday()) % 7)
moment = datetime.combine(day, time(23, 30), tzinfo=AMSTERDAM)
print(moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))
