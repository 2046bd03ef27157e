import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from accounts.roles import HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS


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


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    FORWARDED = "forwarded", _("Forwarded")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")



class MessageQuerySet(models.QuerySet):
    """The questions the product asks of messages, each answered here once: every page, the badge, the
    digests, the dashboard and the statistics ask through these methods."""

    def open(self) -> "MessageQuerySet":
        return self.filter(status=Status.OPEN)

    def owned_by(self, user: User) -> "MessageQuerySet":
        """Messages a colleague answers for, in any state: their own, and their teams' messages that no one
        person owns yet."""
        own, teams = _owned_by_conditions(user)
        return self.filter(own | teams)

    def owned_by_halves(self, user: User) -> tuple["MessageQuerySet", "MessageQuerySet"]:
        """owned_by as its two disjoint halves, for counting one half at a time: PostgreSQL counts each half
        from its partial index alone, where the OR of the two makes it read every row's page."""
        own, teams = _owned_by_conditions(user)
        return self.filter(own), self.filter(teams)

    def owed_by(self, user: User) -> "MessageQuerySet":
        """The callbacks a colleague owes: open messages they answer for (the worklist and its badge)."""
        return self.open().owned_by(user)

    def of_teams(self, user: User) -> "MessageQuerySet":
        """Every message owned by one of the person's teams, whoever in it owns the message."""
        return self.filter(owner_team__in=_teams_of(user))

    def actionable_by(self, user: User) -> "MessageQuerySet":
        """Messages a person may act on (attempts, tick-off, reassignment): managers every one, colleagues their
        own and their teams' messages."""
        if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
            return self.all()
        if user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
            return self.filter(Q(owner_user=user) | Q(owner_team__in=_teams_of(user)))
        return self.none()

    def visible_to(self, user: User) -> "MessageQuerySet":
        """What a person may act on, and the messages they took themselves (a receptionist sees what she took)."""
        return self.actionable_by(user) | self.filter(taken_by=user)

    @staticmethod
    def overdue_condition(moment: datetime) -> Q:
        """overdue_at as a condition, for counting with ``Count(..., filter=...)`` beside other figures."""
        return Q(status=Status.OPEN) & MessageQuerySet.deadline_passed(moment)

    @staticmethod
    def deadline_passed(moment: datetime) -> Q:
        """overdue_condition without its status test, for counting among rows already narrowed to open(): a
        filter naming the status makes PostgreSQL read every open row from the table instead of answering
        from the open-message indexes alone."""
        return Q(deadline__lte=moment)

    def overdue_at(self, moment: datetime) -> "MessageQuerySet":
        """Open messages whose promised deadline has passed at that moment (flagged by the sweep or not)."""
        return self.filter(self.overdue_condition(moment))

    @staticmethod
    def due_between_condition(start: datetime | None, end: datetime | None) -> Q:
        """due_between as a condition, for counting beside other figures."""
        return Q(status=Status.OPEN) & MessageQuerySet.deadline_between(start, end)

    @staticmethod
    def deadline_between(start: datetime | None, end: datetime | None) -> Q:
        """due_between_condition without its status test, for rows already open() (see deadline_passed)."""
        due = Q()
        if start is not None:
            due &= Q(deadline__gt=start)
        if end is not None:
            due &= Q(deadline__lt=end)
        return due

    def due_between(self, start: datetime | None, end: datetime | None) -> "MessageQuerySet":
        """Open messages due after ``start`` and before ``end`` (either end may be left open)."""
        return self.filter(self.due_between_condition(start, end))

    def due_from(self, moment: datetime) -> "MessageQuerySet":
        """Open messages due at that moment or later (the worklist's "later": from midnight on)."""
        return self.open().filter(deadline__gte=moment)

    def follow_ups_due(self, day: date) -> "MessageQuerySet":
        """Handled messages whose "check back whether it worked" day has come and that nobody checked yet."""
        return self.filter(status=Status.HANDLED, follow_up_on__lte=day, follow_up_done_at__isnull=True)

    def open_for_number(self, number: str) -> "MessageQuerySet":
        """Open messages of one caller, by their (normalised) telephone number."""
        return self.open().filter(caller_number=number)


def _owned_by_conditions(user: User) -> tuple[Q, Q]:
    return Q(owner_user=user), Q(owner_user__isnull=True, owner_team__in=_teams_of(user))


def _teams_of(user: User) -> list[int]:
    """The ids of the person's teams, read once per request and kept on the user object (as Django keeps
    permissions): as literal values the owner-or-team condition can use the open-message indexes of each
    side, where a subquery makes PostgreSQL read every open message. Memberships are part of the office's
    configuration (accounts/configuration_cache.py): the navigation of every page needs them."""
    if not hasattr(user, "_team_ids"):
        user._team_ids = remembered(
            f"team_ids:{user.pk}", lambda: list(Team.objects.filter(members=user).values_list("pk", flat=True))
        )
    return user._team_ids


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
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
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
            models.Index(fields=["follow_up_on"], condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
                         name="msg_follow_up_due"),
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
        CALL_ADDED = "call_added", _("Called again")
        CORRECTED = "corrected", _("Corrected")
        ATTEMPT = "attempt", _("Call-back attempt")
        REASSIGNED = "reassigned", _("Reassigned")
        HANDLED = "handled", _("Handled")
        FOLLOWED_UP = "followed_up", _("Checked back")
        ROUTED = "routed", _("Passed to stand-in")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # {"field": [before, after]} as display strings.
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
