import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CallDraft(models.Model):
    """One call in progress at the intake: what the receptionist typed so far, step by step.

    A row per call (not per browser session), so several calls in tabs or a caller-ID pop-up never
    share or wipe each other's input. The token is the call's URL and the idempotency token the save
    services record; the row is deleted once the call is saved, discarded or expired.
    """

    class Step(models.TextChoices):
        RECIPIENT = "recipient", _("For whom")
        CALLER = "caller", _("Caller")
        REASON = "reason", _("Reason")
        PROMISE = "promise", _("Promise")
        READBACK = "readback", _("Read back")
        REPEAT = "repeat", _("Repeat call")
        CLOSE = "close", _("Close")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_drafts")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.RECIPIENT)
    # Per step the raw submitted fields, without the form prefix: {"caller": {"name": "...", ...}}.
    data = models.JSONField(default=dict, blank=True)
    prefill_number = models.CharField(max_length=40, blank=True)
    prefill_for = models.CharField(max_length=160, blank=True)
    # What the caller was told once and must stay as told for the rest of the call: the colleague's
    # availability ("availability") and the caller's open messages offered ("open_messages").
    kept = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [
            # The receptionist's home lists their own calls in progress.
            models.Index(fields=["taken_by", "started_at"], name="calldraft_desk"),
            # The expiry sweep (callbacks.services.drafts.drafts_expire) deletes untouched drafts.
            models.Index(fields=["updated_at"], name="calldraft_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.token} ({self.step})"
