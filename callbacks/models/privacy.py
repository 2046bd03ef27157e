"""The office's privacy records: the retention period set in the manager's screens, and the log of exports,
erasures and retention changes (who, when, how many; never the caller's data)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionSetting(models.Model):
    """One row at most (pk 1): the retention period a manager set. Without it, settings.RETENTION_DAYS applies."""

    SINGLETON = 1

    days = models.PositiveIntegerField(_("retention period (days)"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="retention_setting_single_row"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="retention_setting_at_least_a_day"),
        ]


class PrivacyRecord(models.Model):
    """One privacy action. The numbers concerned are kept only as keyed hashes (callbacks.services.privacy
    number_fingerprint): enough to answer "was this number exported or erased, and when?" when the
    caller asks again, without the log itself holding the number it erased."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Data exported")
        ERASURE = "erasure", _("Caller erased")
        RETENTION = "retention", _("Retention period changed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    number_hashes = models.JSONField(default=list, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # Typed by the manager for an erasure ("request by email of 3 March"); the page asks not to name the caller.
    reason = models.CharField(max_length=200, blank=True)
    # For a retention change: the period before and after, in days.
    days_before = models.PositiveIntegerField(null=True, blank=True)
    days_after = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
