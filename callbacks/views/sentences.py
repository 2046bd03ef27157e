"""What the receptionist says aloud: the line when a colleague is unavailable, the promise, the goodbye."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from callbacks.domain import closing
from callbacks.selectors import Availability


def unavailable_line(*, name: str, availability: Availability) -> str:
    if availability.state == "away" and availability.back_at is not None:
        return _("%(name)s is unfortunately away until %(back)s. May I help you myself, perhaps?") % {
            "name": name, "back": back_phrase(availability.back_at, timezone.now()),
        }
    if availability.state == "closed":
        return _("%(name)s cannot be reached right now. May I help you myself, perhaps?") % {"name": name}
    return _("%(name)s is not available at the moment. May I help you myself, perhaps?") % {"name": name}


def promise_sentence(*, deadline: datetime, name: str, now: datetime) -> str:
    local = timezone.localtime(deadline)
    return _("You will be called back by %(name)s before %(time)s %(day)s at the latest.") % {
        "name": name, "time": date_format(local, "H:i"), "day": _day_phrase(local, now),
    }


def informational_sentence(*, name: str) -> str:
    return _("I will pass your message on to %(name)s.") % {"name": name}


def closing_line(*, path: str, call_type: str = "", tone: str = "", now: datetime) -> str:
    """The goodbye for how the call went (closing.MESSAGE_TAKEN, HELPED, REPEAT_CALL, PUT_THROUGH), at the
    local time: a complaint or an angry caller keeps the apology."""
    return closing.closing_line(path=path, call_type=call_type or "", tone=tone or "", local=timezone.localtime(now))


def _day_phrase(moment: datetime, now: datetime) -> str:
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        return _("today")
    return _("on %(date)s") % {"date": date_format(local, "l j F")}


def back_phrase(moment: datetime, now: datetime) -> str:
    """When someone is back: a time if it is today ("14:00"), else the day ("donderdag 3 december")."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return date_format(local, "H:i")
    return date_format(local, "l j F")
