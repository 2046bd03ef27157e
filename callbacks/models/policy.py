"""A team's promise rules: business hours, closure days, handling times, check moments."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from callbacks.domain.deadlines import DEFAULT_OBSERVED_HOLIDAYS
from callbacks.models.choices import CallType


class OpeningHours(models.Model):
    """A team's business hours on one weekday; a team without rows uses Monday-Friday 08:30-17:30."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "weekday"], name="opening_hours_once_per_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_hours_close_after_open"),
        ]


class ClosureDay(models.Model):
    """A day the team is closed besides the Dutch public holidays (a bridge day, a company outing)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    description = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "date"], name="closure_day_once")]


class HandlingPolicy(models.Model):
    """How soon a team promises to call back per type of call; empty minutes = end of next business day."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handling_policies")
    call_type = models.CharField(max_length=20, choices=CallType.choices)
    business_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "call_type"], name="handling_policy_once_per_type")]


DEFAULT_CHECK_MOMENTS = (time(9, 0), time(13, 0), time(16, 0))


class CheckMoment(models.Model):
    """A fixed moment on business days when everyone with open callbacks gets a digest."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="check_moments")
    at = models.TimeField()

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["team", "at"], name="check_moment_once")]


DEFAULT_ESCALATION_MINUTES = 120


def default_observed_holidays() -> list[str]:
    return sorted(DEFAULT_OBSERVED_HOLIDAYS)


class TeamSettings(models.Model):
    """Team-wide promise settings besides hours and handling times."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="callback_settings")
    escalation_business_minutes = models.PositiveIntegerField(
        _("escalate after (business minutes past the deadline)"), default=DEFAULT_ESCALATION_MINUTES
    )
    hold_email_outside_hours = models.BooleanField(_("hold emails until business hours"), default=True)
    # Names from callbacks.domain.deadlines.DUTCH_HOLIDAY_KEYS.
    observed_holidays = models.JSONField(_("public holidays the team observes"), default=default_observed_holidays)


class DayPart(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


# Where the morning ends for the phone-duty roster.
MIDDAY = time(12, 30)


class PhoneDuty(models.Model):
    """Protocol step 1, who answers first: the weekly roster, one person per weekday and day part."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[(i, str(i)) for i in range(7)])
    day_part = models.CharField(_("day part"), max_length=10, choices=DayPart.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_duties", verbose_name=_("on duty")
    )

    class Meta:
        ordering = ["weekday", "day_part"]
        constraints = [models.UniqueConstraint(fields=["weekday", "day_part"], name="phone_duty_once_per_slot")]
