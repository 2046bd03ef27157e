"""Writes of the promise rules and the phone-duty roster. Each saves the whole state, so repeating is harmless.

Deadlines and escalation moments are fixed when a message is taken, so a change here applies to
messages taken afterwards and never moves a promise already made to a caller. Every write moves the
configuration version on (accounts/configuration_cache.py), so every process reads the new rules on
its next request, whichever statements the write used.
"""

import json
from datetime import date, time

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.configuration_cache import configuration_changed
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
        HandlingPolicy.objects.update_or_create(team=team, call_type=call_type, defaults={"business_minutes": minutes})
    TeamSettings.objects.update_or_create(
        team=team,
        defaults={
            "observed_holidays": sorted(observed_holidays),
            "escalation_business_minutes": escalation_minutes,
            "hold_email_outside_hours": hold_email_outside_hours,
        },
    )
    CheckMoment.objects.filter(team=team).exclude(at__in=check_moments).delete()
    for moment in check_moments:
        CheckMoment.objects.get_or_create(team=team, at=moment)
    configuration_changed()


def closure_day_add(*, team: Team, day: date, description: str) -> ClosureDay:
    closure, _created = ClosureDay.objects.update_or_create(team=team, date=day, defaults={"description": description})
    configuration_changed()
    return closure


def closure_day_remove(*, team: Team, closure_id: int) -> ClosureDay | None:
    """Remove the team's closure day; the removed row (unsaved), or None when there was none."""
    closure = ClosureDay.objects.filter(team=team, pk=closure_id).first()
    if closure is None:
        return None
    deleted, _per_model = ClosureDay.objects.filter(pk=closure.pk).delete()
    configuration_changed()
    return closure if deleted else None  # None: a second click removed it already


@transaction.atomic
def phone_duty_save(*, roster: dict[tuple[int, str], User | None]) -> None:
    for (weekday, part), user in roster.items():
        if user is None:
            PhoneDuty.objects.filter(weekday=weekday, day_part=part).delete()
        else:
            PhoneDuty.objects.update_or_create(weekday=weekday, day_part=part, defaults={"user": user})
    configuration_changed()


# The admin log shows these through Django's own change-message format, translated with our catalogue.
RULES, CLOSURE_DAY, ROSTER = (
    gettext_noop("promise rules"),
    gettext_noop("closure day"),
    gettext_noop("phone-duty roster"),
)


def team_rules_change_log(
    *, by: User, team: Team, added: ClosureDay | None = None, removed: ClosureDay | None = None
) -> None:
    """Record a change made on a team's promise-rule page in the admin log, next to the admin's own changes:
    the rules (no closure day given), or one closure day added or removed."""
    if added or removed:
        closure = added or removed
        described = f"{closure.date.isoformat()} {closure.description}".strip()
        message = {"added" if added else "deleted": {"name": CLOSURE_DAY, "object": described}}
    else:
        message = {"changed": {"fields": [RULES]}}
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[team], action_flag=CHANGE, change_message=[message])


def phone_duty_change_log(*, by: User) -> None:
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(PhoneDuty),
        object_repr=ROSTER,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": [ROSTER]}}]),
    )
