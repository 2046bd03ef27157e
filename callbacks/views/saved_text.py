"""The sentence on the receptionist's save screen that says who was told, and how (selectors.notified)."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from callbacks.selectors.notified import Notified, Told

# More names than this and the rest are counted: a team of twelve is not read out in full.
NAMES_SHOWN = 3


def notified_sentence(notified: Notified, *, now: datetime) -> str:
    """ "Bram is op de hoogte gebracht (in Terugbel nu; per mail nu)", or "" when nobody was told."""
    told = notified.told
    if not told:
        return ""
    ways = [_("in Terugbel now")]
    for mail in dict.fromkeys(_mail_phrase(item, now) for item in told if item.mail_at is not None):
        ways.append(mail)
    sentence = ngettext(
        "%(names)s has been notified (%(ways)s).", "%(names)s have been notified (%(ways)s).", len(told)
    ) % {"names": _names(told), "ways": "; ".join(ways)}
    if notified.away is not None:
        sentence = (
            sentence.removesuffix(".")
            + "; "
            + _("%(away)s is away, %(names)s stands in.") % {"away": _name(notified.away), "names": _names(told)}
        )
    return sentence


def _mail_phrase(item: Told, now: datetime) -> str:
    if not item.mail_held:
        return _("by email now")
    moment = timezone.localtime(item.mail_at)
    if moment.date() == timezone.localtime(now).date():
        return _("by email at %(time)s at opening") % {"time": moment.strftime("%H:%M")}
    return _("by email on %(day)s at %(time)s at opening") % {
        "day": formats.date_format(moment, "l"),
        "time": moment.strftime("%H:%M"),
    }


def _names(told: list[Told]) -> str:
    names = [_name(item.recipient) for item in told[:NAMES_SHOWN]]
    rest = len(told) - NAMES_SHOWN
    if rest > 0:
        names.append(ngettext("%(count)s other", "%(count)s others", rest) % {"count": rest})
    return get_text_list(names, _("and"))


def _name(user: User) -> str:
    return user.get_full_name()
