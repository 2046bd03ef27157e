"""The statistics' rollup: the messages' figures added up per local day, so the statistics read days, not messages.

Rebuilt from the messages by callbacks.services.rollups (the beat task keeps the days that can still change
current; ``manage.py rebuild_statistics`` rebuilds any range). Two tables, because the page reads them in
two ways:

- DayFigures: one row per local day x team x colleague x call type x local hour with counts, summed by the
  database for the page's tables and charts;
- DaySpread: one row per local day x team x colleague with the durations in seconds (the median and 90th
  percentile cannot be added up, so the numbers themselves are kept, without the hour and call type that
  would only split them into more rows) and the deadlines of the open promises that had not fallen due when
  the day was rebuilt (they fall due by the clock alone, so the page counts them against its own "now").
"""

from django.conf import settings
from django.db import models

from accounts.models import Team


class DayFigures(models.Model):
    day = models.DateField()  # local date (settings.TIME_ZONE) of taken_at
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    call_type = models.CharField(max_length=20)
    hour = models.PositiveSmallIntegerField()  # local hour of taken_at, 0-23
    taken = models.PositiveIntegerField(default=0)
    helped_at_intake = models.PositiveIntegerField(default=0)
    put_through = models.PositiveIntegerField(default=0)
    called_back = models.PositiveIntegerField(default=0)
    within_promise = models.PositiveIntegerField(default=0)
    # Promises that had fallen due when the day was rebuilt; DaySpread.open_deadlines holds the rest.
    promise_due = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)  # summed over called-back messages
    open = models.PositiveIntegerField(default=0)  # still open: the day can still change
    late = models.PositiveIntegerField(default=0)  # called back after the deadline

    class Meta:
        indexes = [models.Index(fields=["day"], name="dayfigures_day")]


class DaySpread(models.Model):
    day = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    # Sorted: the page sorts the days' lists together, and sorted runs merge fast.
    first_attempt_seconds = models.JSONField(default=list)
    handled_seconds = models.JSONField(default=list)
    # {call type: sorted deadlines} of the open promises not yet due at ``rebuilt_at``, in whole microseconds
    # since the epoch (exact, unlike a float): the page counts those before its now by bisection.
    open_deadlines = models.JSONField(default=dict)
    rebuilt_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="dayspread_day")]
