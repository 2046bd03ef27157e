"""How a deadline stands against now, as the pages say it: "25 minutes left", "2 hours, 5 minutes overdue"."""

import datetime

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

register = template.Library()


@register.filter
def time_left(deadline: datetime.datetime, now: datetime.datetime) -> str:
    return gettext("%(left)s left") % {"left": timeuntil(deadline, now)}


@register.filter
def time_overdue(deadline: datetime.datetime, now: datetime.datetime) -> str:
    return gettext("%(late)s overdue") % {"late": timesince(deadline, now)}
