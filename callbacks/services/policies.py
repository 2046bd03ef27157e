"""Writes of the promise rules and the phone-duty roster. Each saves the whole state, so repeating is harmless.

Deadlines and escalation moments are fixed when a message is taken, so a change here applies to
messages taken afterwards and never moves a promise already made to a caller.
"""

from datetime import date, time

from django.db import transaction

from accounts.models import Team, User
from callbacks.models import CheckMoment, ClosureDay, HandlingPolicy, OpeningHours, PhoneDuty, TeamSettings


@transaction.atomic
def team_policy_save(
    *,
    team: Team,
    hours: dict[int, tuple[time, time]],
    observed_holidays: list[str],
    handling: dict[str, int | None],
    escalation_minutes: int,
    hold_email_outside_hours: bool,
    check_moments: list[time],
) -> None:
    OpeningHours.objects.filter(team=team).exclude(weekday__in=hours).delete()
    for weekday, (opens, closes) in hours.items():
        OpeningHours.objects.update_or_create(team=team, weekday=weekday, defaults={"opens": opens, "closes": closes})
    for call_type, minutes in handling.items():
        HandlingPolicy.objects.update_or_create(team=team, call_type=call_type,
                                                defaults={"business_minutes": minutes})
    TeamSettings.objects.update_or_create(team=team, defaults={
        "observed_holidays": sorted(observed_holidays), "escalation_business_minutes": escalation_minutes,
        "hold_email_outside_hours": hold_email_outside_hours,
    })
    CheckMoment.objects.filter(team=team).exclude(at__in=check_moments).delete()
    for moment in check_moments:
        CheckMoment.objects.get_or_create(team=team, at=moment)


def closure_day_add(*, team: Team, day: date, description: str) -> ClosureDay:
    closure, _created = ClosureDay.objects.update_or_create(team=team, date=day, defaults={"description": description})
    return closure


def closure_day_remove(*, team: Team, closure_id: int) -> None:
    ClosureDay.objects.filter(team=team, pk=closure_id).delete()


@transaction.atomic
def phone_duty_save(*, roster: dict[tuple[int, str], User | None]) -> None:
    for (weekday, part), user in roster.items():
        if user is None:
            PhoneDuty.objects.filter(weekday=weekday, day_part=part).delete()
        else:
            PhoneDuty.objects.update_or_create(weekday=weekday, day_part=part, defaults={"user": user})
