"""The receptionist's last words: fitting how the call went and the time of day.

Pure: plain values in (the path, the call's type and tone as stored strings, the local time), text out.
"""

from datetime import datetime

from django.utils.translation import gettext as _

# How the call ended (the intake's outcomes).
MESSAGE_TAKEN, HELPED, REPEAT_CALL, PUT_THROUGH = "message", "helped", "repeat", "put_through"
# From this hour on a goodbye wishes a nice afternoon, and from the next a nice evening.
AFTERNOON, EVENING = 12, 18
FRIDAY = 4


def closing_line(*, path: str, call_type: str, tone: str, local: datetime) -> str:
    """What to say last: an apology for a complaint or an angry caller, what happens next, and a goodbye."""
    parts = []
    if call_type == "complaint" or tone == "angry":
        parts.append(_("Once again, our apologies for the inconvenience."))
    parts.append(_what_next(path))
    parts.append(_goodbye(local))
    return " ".join(parts)


def _what_next(path: str) -> str:
    if path == HELPED:
        return _("I am glad I could help you. Thank you for calling.")
    if path == REPEAT_CALL:
        return _("I will pass on that you called again. Thank you for calling.")
    if path == PUT_THROUGH:
        return _("I am putting you through now.")
    return _("I will pass on your message. Thank you for calling.")


def _goodbye(local: datetime) -> str:
    """A wish that fits the moment: no "nice day" at ten past eight in the evening, a weekend from Friday noon."""
    weekday, hour = local.weekday(), local.hour
    if weekday > FRIDAY or (weekday == FRIDAY and hour >= AFTERNOON):
        return _("Have a nice weekend, goodbye.")
    if hour >= EVENING:
        return _("Have a nice evening, goodbye.")
    if hour >= AFTERNOON:
        return _("Have a nice afternoon, goodbye.")
    return _("Have a nice day, goodbye.")
