import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Team


class CallType(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    SALES = "sales", _("Quote / sales")
    APPOINTMENT = "appointment", _("Appointment")
    OTHER = "other", _("Other")


class Tone(models.TextChoices):
    CALM = "calm", _("Calm")
    ANNOYED = "annoyed", _("Annoyed")
    ANGRY = "angry", _("Angry")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")
    INFORMATIONAL = "informational", _("For information, no callback")
    HANDLED_AT_INTAKE = "handled_at_intake", _("Helped at reception")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Message(models.Model):
    """One telephone message ("telefoonnotitie"): who called, for whom, why, and the promise made."""

    intake_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_taken", verbose_name=_("taken by")
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    # Whom the caller asked for; the owner differs when a stand-in takes over.
    intended_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("asked for"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="messages_owned",
        verbose_name=_("for colleague"),
    )
    owner_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("for team")
    )

    caller_name = models.CharField(_("caller's name"), max_length=150, blank=True)
    caller_number = PhoneNumberField(_("phone number"), blank=True)
    caller_company = models.CharField(_("company"), max_length=150, blank=True)
    caller_email = models.EmailField(_("email"), blank=True)

    reason = models.CharField(_("reason"), max_length=500)
    call_type = models.CharField(_("type of call"), max_length=20, choices=CallType.choices, default=CallType.QUESTION)
    tone = models.CharField(_("tone of the caller"), max_length=10, choices=Tone.choices, default=Tone.CALM)
    wants_callback = models.BooleanField(_("wants to be called back"), default=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    call_count = models.PositiveIntegerField(_("times called"), default=1)

    deadline = models.DateTimeField(_("call back before"), null=True, blank=True)
    policy_deadline = models.DateTimeField(_("deadline by policy"), null=True, blank=True)
    later_reason = models.CharField(_("reason for a later deadline"), max_length=200, blank=True)
    window_between_start = models.TimeField(_("call between (from)"), null=True, blank=True)
    window_between_end = models.TimeField(_("call between (until)"), null=True, blank=True)
    window_not_between_start = models.TimeField(_("not between (from)"), null=True, blank=True)
    window_not_between_end = models.TimeField(_("not between (until)"), null=True, blank=True)
    window_not_before = models.DateField(_("not before"), null=True, blank=True)

    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-taken_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_team__isnull=False), name="message_has_an_owner"
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(deadline__isnull=False), name="message_open_has_deadline"
            ),
        ]
        indexes = [
            # "My callbacks": open messages of one owner by deadline.
            models.Index(fields=["owner_user", "deadline"], condition=Q(status="open"), name="msg_open_owner_deadline"),
            models.Index(fields=["owner_team", "deadline"], condition=Q(status="open"), name="msg_open_team_deadline"),
            # The overdue sweep: open messages by deadline.
            models.Index(fields=["deadline"], condition=Q(status="open"), name="msg_open_deadline"),
            # Caller history at intake: every message from one number, newest first.
            models.Index(fields=["caller_number", "-taken_at"], name="msg_caller_history"),
        ]

    def __str__(self) -> str:
        return f"{self.caller_name or _('Caller')} → {self.owner_display}"

    @property
    def owner_display(self) -> str:
        if self.owner_user_id:
            return str(self.owner_user)
        return str(self.owner_team)


class CallLog(models.Model):
    """Each call about a message: the first one and every repeat call added to it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="calls")
    called_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    # Makes "add this call" safe to repeat: one wizard run adds at most one line.
    intake_token = models.UUIDField(unique=True)

    class Meta:
        ordering = ["called_at"]


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


class Notification(models.Model):
    """The outbox: written in the same transaction as the change it reports, delivered afterwards."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        EMAIL = "email", _("Email")

    class Kind(models.TextChoices):
        NEW_MESSAGE = "new_message", _("New message")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The delivery sweep: pending rows, oldest first.
            models.Index(fields=["created_at"], condition=Q(state="pending"), name="notification_pending"),
        ]
