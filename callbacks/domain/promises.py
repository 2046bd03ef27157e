"""Whether a promised moment keeps the rules: the team's opening hours and the caller's wishes.

Pure functions over aware datetimes, a BusinessCalendar and a PreferredWindow. A promise is a "call back
before" moment, so the boundaries count as inside: a promise at closing time, or at the end of an "only
between", keeps the rules (the policy's own proposal often lands exactly there).
"""

from datetime import date, datetime, time

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from callbacks.domain.deadlines import BusinessCalendar, PreferredWindow


def _hhmm(moment: time | datetime) -> str:
    return moment.strftime("%H:%M")


def _day(day: date) -> str:
    return date_format(day, "l j F")


def rule_breaches(moment: datetime, calendar: BusinessCalendar, window: PreferredWindow | None) -> list[str]:
    """What the moment breaks, one sentence per rule ("Saturday 5 December: the team is closed."); [] if nothing."""
    local = moment.astimezone(calendar.tz)
    day, clock = local.date(), local.timetz().replace(tzinfo=None)
    breaches = []
    if day in calendar.holidays:
        breaches.append(_("%(day)s is a public holiday: the team is closed.") % {"day": _day(day)})
    elif day in calendar.closure_dates:
        breaches.append(_("%(day)s is a closure day: the team is closed.") % {"day": _day(day)})
    elif day.weekday() not in calendar.hours:
        breaches.append(_("%(day)s: the team is closed.") % {"day": _day(day)})
    else:
        opens, closes = calendar.hours[day.weekday()]
        if not opens <= clock <= closes:
            breaches.append(
                _("%(time)s is outside the team's opening hours (%(opens)s to %(closes)s).")
                % {"time": _hhmm(clock), "opens": _hhmm(opens), "closes": _hhmm(closes)}
            )
    breaches.extend(_window_breaches(day, clock, window))
    return breaches


def _window_breaches(day: date, clock: time, window: PreferredWindow | None) -> list[str]:
    if window is None:
        return []
    breaches = []
    if window.not_before is not None and day < window.not_before:
        breaches.append(
            _("%(day)s is before the caller's “not before %(not_before)s”.")
            % {"day": _day(day), "not_before": _day(window.not_before)}
        )
    if window.between is not None and not window.between[0] <= clock <= window.between[1]:
        start, end = window.between
        breaches.append(
            _("%(time)s is outside the caller's “only between %(start)s and %(end)s”.")
            % {"time": _hhmm(clock), "start": _hhmm(start), "end": _hhmm(end)}
        )
    if window.not_between is not None and window.not_between[0] < clock < window.not_between[1]:
        start, end = window.not_between
        breaches.append(
            _("%(time)s is inside the caller's “not between %(start)s and %(end)s”.")
            % {"time": _hhmm(clock), "start": _hhmm(start), "end": _hhmm(end)}
        )
    return breaches


def wish_phrases(window: PreferredWindow | None) -> list[str]:
    """The wishes in short, for the list, the digest and the detail page: "not between 17:30 and 19:00"."""
    if window is None:
        return []
    phrases = []
    if window.between is not None:
        phrases.append(
            _("only between %(start)s and %(end)s")
            % {"start": _hhmm(window.between[0]), "end": _hhmm(window.between[1])}
        )
    if window.not_between is not None:
        phrases.append(
            _("not between %(start)s and %(end)s")
            % {"start": _hhmm(window.not_between[0]), "end": _hhmm(window.not_between[1])}
        )
    if window.not_before is not None:
        phrases.append(_("not before %(day)s") % {"day": _day(window.not_before)})
    return phrases


def wish_sentences(window: PreferredWindow | None) -> list[str]:
    """The wishes as the receptionist reads them back: "You will not be called between 17:30 and 19:00."."""
    if window is None:
        return []
    sentences = []
    if window.between is not None:
        sentences.append(
            _("You will only be called between %(start)s and %(end)s.")
            % {"start": _hhmm(window.between[0]), "end": _hhmm(window.between[1])}
        )
    if window.not_between is not None:
        sentences.append(
            _("You will not be called between %(start)s and %(end)s.")
            % {"start": _hhmm(window.not_between[0]), "end": _hhmm(window.not_between[1])}
        )
    if window.not_before is not None:
        sentences.append(_("You will not be called before %(day)s.") % {"day": _day(window.not_before)})
    return sentences
