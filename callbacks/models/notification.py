from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models.message import CallLog, Message


class Notification(models.Model):
    """The outbox: written in the same transaction as the change it reports, delivered afterwards."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        EMAIL = "email", _("Email")

    class Kind(models.TextChoices):
        NEW_MESSAGE = "new_message", _("New message")
        REASSIGNED = "reassigned", _("Message passed to you")
        DIGEST = "digest", _("Open callbacks")
        OVERDUE = "overdue", _("Callback overdue")
        ESCALATED = "escalated", _("Callback escalated")
        CALLED_AGAIN = "called_again", _("Caller rang again")
        # Email only, no message: the link is written at delivery (accounts/password_reset.py).
        PASSWORD_RESET = "password_reset", _("Password reset")
        # Email only, to the caller (address, language): who calls back and by when (services/caller_mail.py).
        CALLER_CONFIRMATION = "caller_confirmation", _("Confirmation to the caller")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        # Checked at delivery and no longer true (the message handled, passed on, no longer overdue): not sent.
        DROPPED = "dropped", _("Dropped")

    # Empty only for a mail to the caller, who has no account: then `address` and `language` say where and how.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Database defaults too: the overdue sweep writes rows with a plain INSERT ... SELECT (services/overdue.py).
    address = models.EmailField(_("caller's address"), blank=True, default="", db_default="")
    language = models.CharField(_("language"), max_length=10, blank=True, default="", db_default="")
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("message"),
    )
    # The repeat call a "called again" notification reports: its note is what the caller said that time,
    # even when the mail waits for quiet hours and the caller rings once more meanwhile.
    call = models.ForeignKey(CallLog, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Held until then: quiet hours for email, or the backoff after a failed send.
    not_before = models.DateTimeField(_("next try"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    # Why the last send failed (the exception's text), for the outbox in the admin.
    last_error = models.TextField(_("last error"), blank=True, default="", db_default="")
    # Message ids a digest lists, in deadline order (ids only: no caller data leaves the database).
    message_ids = models.JSONField(default=list, blank=True)
    # What the check at delivery found, machine-readable: why a row was dropped ("handled", "passed_on",
    # "no_longer_overdue", "away"), or how it was rewritten ("corrected", "to_stand_in", "to_new_owner").
    outcome = models.CharField(max_length=40, blank=True)
    # The sweep claims all due emails of one person with one UPDATE and this token, then acts on exactly
    # the rows that carry it: two overlapping sweeps never put one row in two mails.
    claim_token = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The delivery sweep: pending rows, oldest first.
            models.Index(fields=["created_at"], condition=Q(state="pending"), name="notification_pending"),
            # The in-app list of one person.
            models.Index(fields=["recipient", "-created_at"], condition=Q(channel="in_app"), name="notification_inbox"),
            # The navigation's unread count and newest unread id on every page: from the index alone, however
            # many notices the person has read.
            models.Index(
                fields=["recipient", "id"],
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.recipient if self.recipient_id else self.address}"


class DigestSent(models.Model):
    """One row per person per check moment: the unique key makes a digest go out exactly once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    moment = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "moment"], name="digest_once_per_moment")]


class Heartbeat(models.Model):
    """When a periodic job last finished, for the dashboard's "is the engine running" warning."""

    # The jobs that report here (callbacks.services.overdue and .notifications write, the dashboard reads).
    OVERDUE_SWEEP = "overdue-sweep"
    OUTBOX_DELIVERY = "outbox-delivery"
    # The nightly retention run (callbacks.tasks.messages_anonymise_task); the privacy page reads it.
    RETENTION = "retention"

    name = models.CharField(_("job"), max_length=50, unique=True)
    last_run_at = models.DateTimeField(_("last run"))
    last_count = models.PositiveIntegerField(_("items in the last run"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
