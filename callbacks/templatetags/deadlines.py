"""How a deadline stands against now, as the pages say it: "25 minutes left", "2 hours, 5 minutes overdue"."""

import datetime

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

register = template.Library()


# Like Django's own timeuntil and timesince filters, nothing is said of a message without a deadline, rather
# than failing the page.


@register.filter
def time_left(deadline: datetime.datetime | None, now: datetime.datetime) -> str:
    return gettext("%(left)s left") % {"left": timeuntil(deadline, now)} if deadline else ""


@register.filter
def time_overdue(deadline: datetime.datetime | None, now: datetime.datetime) -> str:
    return gettext("%(late)s overdue") % {"late": timesince(deadline, now)} if deadline else ""
