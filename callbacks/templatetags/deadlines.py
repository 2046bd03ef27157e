"""How a deadline stands against now, as the pages say it: "25 minutes left", "2 hours, 5 minutes overdue"."""

import datetime
from datetime import UTC

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

register = template.Library()


# Like Django's own timeuntil and timesince filters, nothing is said of a message without a deadline, rather
# than failing the page. Said from the deadline in UTC, where every day has 24 hours: the words then change
# only when callbacks/domain/time_said.py's moment does, which the worklist's cached rows rely on.


@register.filter
def time_left(deadline: datetime.datetime | None, now: datetime.datetime) -> str:
    return gettext("%(left)s left") % {"left": timeuntil(deadline.astimezone(UTC), now)} if deadline else ""


@register.filter
def time_overdue(deadline: datetime.datetime | None, now: datetime.datetime) -> str:
    return gettext("%(late)s overdue") % {"late": timesince(deadline.astimezone(UTC), now)} if deadline else ""


@register.filter
def times_said(rows, now: datetime.datetime) -> str:
    """A cache key part for rows (a worklist group or stretch, callbacks/selectors/work_groups.py) that changes
    whenever the time left or overdue said of one of them can change, and only then."""
    return rows.times_said_key(now)
