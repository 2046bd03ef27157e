"""Reads a team's promise rules (business hours, closure days, handling times) into the pure calendar,
and what the managers' rule and phone-duty pages show."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from accounts.roles import TAKE_MESSAGES
from callbacks.domain.deadlines import (
    BusinessCalendar,
    PreferredWindow,
    add_business_time,
    callback_deadline,
    dutch_holidays,
    next_opening,
)
from callbacks.models import (
    DEFAULT_CHECK_MOMENTS,
    CallType,
    CheckMoment,
    ClosureDay,
    HandlingPolicy,
    OpeningHours,
    PhoneDuty,
    TeamSettings,
)

DEFAULT_HOURS = {weekday: (time(8, 30), time(17, 30)) for weekday in range(5)}
# Complaints within two business hours; every other type by the end of the next business day (None).
DEFAULT_HANDLING_MINUTES: dict[str, int | None] = {CallType.COMPLAINT: 120}


@dataclass(frozen=True)
class PromiseRules:
    """A team's rules for a promise: its calendar, its handling times per call type (business minutes, where the
    team set one) and how long after a missed deadline a message goes to the manager."""

    calendar: BusinessCalendar
    handling_minutes: dict[str, int | None]
    escalation_minutes: int


def promise_rules(team: Team | None) -> PromiseRules:
    """Read together and kept with the configuration (accounts/configuration_cache.py): a promise, its
    escalation and the save that follows need all three, so one round trip to the cache brings them."""
    return remembered(f"promise_rules:{team.pk if team else None}", lambda: _read_promise_rules(team))


def _read_promise_rules(team: Team | None) -> PromiseRules:
    settings_row = team_settings(team)
    if team is None:
        return PromiseRules(_office_calendar(), {}, settings_row.escalation_business_minutes)
    handling = dict(HandlingPolicy.objects.filter(team=team).values_list("call_type", "business_minutes"))
    return PromiseRules(_read_calendar(team, settings_row), handling, settings_row.escalation_business_minutes)


def calendar_for(team: Team | None) -> BusinessCalendar:
    if team is None:  # asked on every page (who is on phone duty): nothing to read
        return _office_calendar()
    return promise_rules(team).calendar


def _office_calendar() -> BusinessCalendar:
    return BusinessCalendar(tz=ZoneInfo(settings.TIME_ZONE), hours=DEFAULT_HOURS)


def _read_calendar(team: Team, settings_row: TeamSettings) -> BusinessCalendar:
    tz = ZoneInfo(settings.TIME_ZONE)
    hours = {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.filter(team=team)}
    closures = frozenset(ClosureDay.objects.filter(team=team).values_list("date", flat=True))
    observed = frozenset(settings_row.observed_holidays)
    return BusinessCalendar(
        tz=tz, hours=hours or DEFAULT_HOURS, closure_dates=closures, observed_holidays=dutch_holidays(observed)
    )


def handling_for(team: Team | None, call_type: str) -> timedelta | None:
    minutes = promise_rules(team).handling_minutes.get(call_type, DEFAULT_HANDLING_MINUTES.get(call_type))
    return None if minutes is None else timedelta(minutes=minutes)


def proposed_deadline(
    *, team: Team | None, call_type: str, start: datetime, window: PreferredWindow | None
) -> datetime:
    return callback_deadline(
        start=start, handling=handling_for(team, call_type), calendar=calendar_for(team), window=window
    )


def team_settings(team: Team | None) -> TeamSettings:
    """The team's settings row, or the defaults (unsaved) for a team without one."""
    found = TeamSettings.objects.filter(team=team).first() if team is not None else None
    return found or TeamSettings(team=team)


def escalation_moment(*, team: Team | None, deadline: datetime) -> datetime:
    """When a still-open message goes to the manager: the escalation delay in business time after the deadline."""
    rules = promise_rules(team)
    return add_business_time(deadline, timedelta(minutes=rules.escalation_minutes), rules.calendar)


# --- The managers' pages (callbacks.views.policies) ----------------------------------------------------


def team_policy_initial(*, team: Team) -> dict[str, object]:
    """The team's rules as the initial data of TeamPolicyForm; the defaults where the team set none.

    Read from the database, not from the configuration cache, so the page shows what is saved.
    """
    hours = {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.filter(team=team)} or DEFAULT_HOURS
    handling = {
        **DEFAULT_HANDLING_MINUTES,
        **dict(HandlingPolicy.objects.filter(team=team).values_list("call_type", "business_minutes")),
    }
    settings_row = team_settings(team)
    moments = list(CheckMoment.objects.filter(team=team).values_list("at", flat=True)) or DEFAULT_CHECK_MOMENTS
    initial: dict[str, object] = {
        "observed_holidays": settings_row.observed_holidays,
        "escalation_minutes": settings_row.escalation_business_minutes,
        "hold_email_outside_hours": settings_row.hold_email_outside_hours,
        "check_moments": ", ".join(moment.strftime("%H:%M") for moment in moments),
    }
    for weekday in range(7):
        if weekday in hours:
            opens, closes = hours[weekday]
            initial.update({f"open_{weekday}": True, f"opens_{weekday}": opens, f"closes_{weekday}": closes})
    for value, _label in CallType.choices:
        initial[f"handling_{value}"] = handling.get(value)
    return initial


def closure_days(*, team: Team) -> list[ClosureDay]:
    """The team's closure days, earliest first."""
    return list(ClosureDay.objects.filter(team=team).order_by("date"))


def phone_duty_candidates() -> list[User]:
    """Active people who may take messages (through a group or directly), by name: who can have phone duty."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename=TAKE_MESSAGES) | Q(user_permissions__codename=TAKE_MESSAGES))
        .distinct()
        .order_by("full_name")
    )


def phone_duty_roster() -> dict[tuple[int, str], int]:
    """Who has phone duty: the user id for each (weekday, day part) in the roster."""
    return {
        (weekday, part): user_id
        for weekday, part, user_id in PhoneDuty.objects.values_list("weekday", "day_part", "user_id")
    }


def quiet_until(user: User, now: datetime) -> datetime | None:
    """When an email to this person may go out, if not now: the next opening of their team."""
    # Asked per recipient on every save's read-back and every delivery: one cache read for the person's
    # team, its rule and its calendar together, kept with the configuration (a change to any moves it on).
    calendar = remembered(f"mail_calendar:{user.pk}", lambda: _mail_calendar(user))
    if calendar is None or calendar.is_open_at(now):
        return None
    return next_opening(now, calendar)


def _mail_calendar(user: User) -> BusinessCalendar | None:
    """The calendar outside whose hours this person's mail waits, or None: their team's mail goes at any hour."""
    from callbacks.selectors.intake import team_of  # intake's selectors read this module's calendars

    team = team_of(user)
    if not team_settings(team).hold_email_outside_hours:
        return None
    return calendar_for(team)
