import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Team
from callbacks.domain.deadlines import PreferredWindow
from callbacks.models.choices import CallType, Outcome, Priority, Status, Tone
from callbacks.models.generations import messages_changed
from callbacks.models.querysets import MessageQuerySet


class Message(models.Model):
    """One telephone message ("telefoonnotitie"): who called, for whom, why, and the promise made."""

    intake_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_taken", verbose_name=_("taken by")
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    # Whom the caller asked for; the owner differs when a stand-in takes over.
    intended_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked for"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages_owned",
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
    # Why the receptionist promised a moment outside the team's hours or the caller's wishes (callbacks.domain.promises).
    promise_exception_reason = models.CharField(_("reason for the exception"), max_length=200, blank=True)

    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    handled_note = models.CharField(_("note on handling"), max_length=500, blank=True)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    # "Did the solution work?": a reminder to check back with the caller on this day.
    follow_up_on = models.DateField(_("check back on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("checked back at"), null=True, blank=True)
    # The overdue engine: 1 = deadline passed and the owner told, 2 = escalated to the team's manager.
    overdue_level = models.PositiveSmallIntegerField(_("overdue level"), default=0)
    flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    # Fixed at intake from the team's escalation delay in business hours, so the sweep needs no calendar.
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Set when retention removed the caller's personal data; statistics keep working on the row.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Bumped by every change a person makes, so two people acting at once cannot overwrite each other.
    # The overdue sweep and the routing to a stand-in leave it alone (callbacks.services.work).
    version = models.PositiveIntegerField(default=1, editable=False)
    # When the row was written, by the clock of the process that wrote it (taken_at can be the call's own
    # moment): the open figures keep what was written before a moment and count only what came after
    # (selectors/open_figures.py).
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MessageQuerySet.as_manager()

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
            # The open figures (selectors/open_figures.py), counted per owner from the index alone: all of an
            # owner's open messages, or those written since a moment (what a kept settled part has not counted).
            models.Index(
                fields=["owner_user", "recorded_at"],
                include=["deadline"],
                condition=Q(status="open"),
                name="msg_open_owner_recorded",
            ),
            models.Index(fields=["owner_team", "deadline"], condition=Q(status="open"), name="msg_open_team_deadline"),
            # The manager's overview: open messages by deadline.
            models.Index(fields=["deadline"], condition=Q(status="open"), name="msg_open_deadline"),
            # The overdue sweep (callbacks.services.overdue): only messages not yet flagged, so each
            # run reads the newly overdue ones and never the whole open backlog.
            models.Index(fields=["deadline"], condition=Q(status="open", overdue_level=0), name="msg_to_flag"),
            # The escalation step of the same sweep: flagged messages by their escalation moment.
            models.Index(fields=["escalate_at"], condition=Q(status="open", overdue_level=1), name="msg_to_escalate"),
            # Caller history at intake: every message from one number, newest first.
            models.Index(fields=["caller_number", "-taken_at"], name="msg_caller_history"),
            # The manager's statistics and CSV exports (callbacks.selectors.statistics.messages_in): the messages
            # taken in a period, a few percent of the table, instead of every message ever taken.
            models.Index(fields=["taken_at"], name="msg_taken_at"),
            # Follow-up reminders due on a day.
            models.Index(
                fields=["follow_up_on"],
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
                name="msg_follow_up_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caller_name or _('Caller')} → {self.owner_display}"

    # Both move the messages generation on, as MessageQuerySet's bulk writes do (callbacks/models/generations.py);
    # a new open message only its owner's.
    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        messages_changed(new_rows_of=[self.owner_user_id] if adding and self.status == Status.OPEN else None)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        messages_changed()
        return deleted

    @property
    def wishes(self) -> PreferredWindow:
        """The caller's wishes as stored at intake, for the checks and sentences of callbacks.domain.promises."""
        between = not_between = None
        if self.window_between_start is not None and self.window_between_end is not None:
            between = (self.window_between_start, self.window_between_end)
        if self.window_not_between_start is not None and self.window_not_between_end is not None:
            not_between = (self.window_not_between_start, self.window_not_between_end)
        return PreferredWindow(between=between, not_between=not_between, not_before=self.window_not_before)

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
        indexes = [
            # Repeat callers in the manager's statistics (callbacks.selectors.statistics.repeat_callers): calls in a period.
            models.Index(fields=["called_at"], name="calllog_called_at"),
        ]


class Attempt(models.Model):
    """One try to call the caller back."""

    class Result(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    # Why "try again at" lies outside the team's hours or the caller's wishes (callbacks.domain.promises).
    exception_reason = models.CharField(_("reason for the exception"), max_length=200, blank=True)

    class Meta:
        ordering = ["made_at"]
        indexes = [
            # Time to first attempt in the manager's statistics (callbacks.selectors.statistics._durations): each
            # message's earliest attempt read from the index, without fetching and sorting its attempts.
            models.Index(fields=["message", "made_at"], name="attempt_first"),
        ]


class MessageEvent(models.Model):
    """The audit timeline: who changed what on a message, and when, with before and after values."""

    class Kind(models.TextChoices):
        TAKEN = "taken", _("Message taken")
        HELPED = "helped", _("Helped at reception")
        PUT_THROUGH = "put_through", _("Put through")
        CALL_ADDED = "call_added", _("Called again")
        CORRECTED = "corrected", _("Corrected")
        ATTEMPT = "attempt", _("Call-back attempt")
        REASSIGNED = "reassigned", _("Reassigned")
        HANDLED = "handled", _("Handled")
        FOLLOWED_UP = "followed_up", _("Checked back")
        ROUTED = "routed", _("Passed to stand-in")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # {"field": [before, after]} as display strings.
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
