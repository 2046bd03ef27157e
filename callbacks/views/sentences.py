"""What the receptionist says aloud: the line when a colleague is unavailable, the promise, the goodbye."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from callbacks.domain import closing
from callbacks.selectors import Availability


def unavailable_line(*, name: str, availability: Availability) -> str:
    """What to say when the colleague cannot take the call: why, kindly, and always the offer to help first
    (seed 001: "tell it clearly and kindly, and ask straight away whether you can help")."""
    return f"{_situation(name, availability)} {offer_line(name=name)}"


def offer_line(*, name: str) -> str:
    return _("May I help you myself, perhaps, or shall I take a message for %(name)s?") % {"name": name}


def _situation(name: str, availability: Availability) -> str:
    state, until = availability.state, availability.back_at
    if state == "away" and until is not None:
        return _("%(name)s is unfortunately away until %(back)s.") % {
            "name": name,
            "back": back_phrase(until, timezone.now()),
        }
    if state == "closed":
        return _("%(name)s cannot be reached right now.") % {"name": name}
    if state == "available":
        # Nothing known against it, and yet the receptionist is on the phone because no one picked up.
        return _("%(name)s is not answering the phone at the moment.") % {"name": name}
    if availability.has_status and until is not None and not _is_end_of_day(until):
        values = {"name": name, "until": back_phrase(until, timezone.now())}
        lines = {
            "on_call": _("%(name)s is on another call (until %(until)s)."),
            "in_meeting": _("%(name)s is in a meeting (until %(until)s)."),
            "do_not_disturb": _("%(name)s cannot take calls at the moment (until %(until)s)."),
        }
        return lines[state] % values
    lines = {
        "on_call": _("%(name)s is on another call."),
        "in_meeting": _("%(name)s is in a meeting."),
        # The caller need not hear "do not disturb": they hear that the colleague cannot take calls now.
        "do_not_disturb": _("%(name)s cannot take calls at the moment."),
    }
    return lines.get(state, _("%(name)s is not available at the moment.")) % {"name": name}


def _is_end_of_day(moment: datetime) -> bool:
    """A status set without an end runs to local midnight; "until 00:00" would say nothing useful."""
    return timezone.localtime(moment).time() == time.min


def promise_sentence(*, deadline: datetime, name: str, now: datetime) -> str:
    local = timezone.localtime(deadline)
    return _("You will be called back by %(name)s before %(time)s %(day)s at the latest.") % {
        "name": name,
        "time": date_format(local, "H:i"),
        "day": _day_phrase(local, now),
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
