"""The phone system and the calls it reports (Zammad's generic CTI push API: newCall, answer, hangup).

A PhoneSystem is one exchange (PBX) with its own secret webhook token, stored hashed. Every event it posts
is kept as it came (PhoneCallEvent, the raw payload) and folded into one PhoneCall per callId, whatever
order the events arrive in. What a call means for the office (a missed call becomes a callback message, an
answered one pops the intake, an outgoing one logs an attempt) is decided by telephony/services/.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Team


class PhoneSystem(models.Model):
    """One telephone exchange that posts its call events to /cti/<token>/."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # SHA-256 of the token (hex): the token itself is shown once, when it is made, and never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's last four characters, so a manager can tell which token a PBX was given.
    token_hint = models.CharField(_("token ends in"), max_length=4, editable=False)
    # One address or network (CIDR) per line; empty lets every address in (the token still has to match).
    allowed_addresses = models.TextField(_("allowed source addresses"), blank=True)
    # Where a missed call goes when neither its called number nor its queue is mapped: no missed call is dropped.
    default_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team for calls not mapped")
    )
    # The account messages filed from missed calls are "taken by" (Message.taken_by): inactive, no password,
    # no roles; it only names the phone system on pages and in mails.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="phone_system", editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PhoneRoute(models.Model):
    """A number or queue of a phone system and the team whose callbacks its missed calls become."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("Called number")
        QUEUE = "queue", _("Queue")

    phone_system = models.ForeignKey(PhoneSystem, on_delete=models.CASCADE, related_name="routes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # A number as E.164 (+31201234567), a queue by the name the PBX sends (compared case-insensitively).
    value = models.CharField(_("number or queue"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))

    class Meta:
        verbose_name = _("phone route")
        verbose_name_plural = _("phone routes")
        ordering = ["phone_system", "kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["phone_system", "kind", "value"], name="phoneroute_unique_value"),
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.team}"


class Direction(models.TextChoices):
    IN = "in", _("Incoming")
    OUT = "out", _("Outgoing")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


class CallResult(models.TextChoices):
    """What the call came to, once it ended (blank while it runs)."""

    MISSED = "missed", _("Missed")
    VOICEMAIL = "voicemail", _("Voicemail")
    TALKED = "talked", _("Answered")
    NOT_REACHED = "not_reached", _("Not reached")
    FORWARDED = "forwarded", _("Forwarded")
    # No hangup ever came: closed by the sweep for calls that never finish.
    UNFINISHED = "unfinished", _("No end reported")


class PhoneCall(models.Model):
    """One call (one callId of one phone system), folded from its events in whatever order they came."""

    phone_system = models.ForeignKey(PhoneSystem, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(max_length=250)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    # As the phone system sent them ("493055571600", "0201234567", "anonymous"); retention blanks them.
    from_number = models.CharField(_("from"), max_length=64, blank=True)
    to_number = models.CharField(_("to"), max_length=64, blank=True)
    # The outside party as E.164: the caller of an incoming call, the called number of an outgoing one.
    # Blank when anonymous or not a number.
    party_number = PhoneNumberField(_("number"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    queue = models.CharField(_("queue"), max_length=100, blank=True)
    # user[] of the events: the names of the people the PBX rang (in) or who dialled (out).
    user_names = models.JSONField(default=list, blank=True)
    answering_number = models.CharField(_("answered at"), max_length=150, blank=True)
    # Our side of the call: who answered an incoming call, or who made an outgoing one (when recognised).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_calls",
        verbose_name=_("colleague"),
    )
    # The team an incoming call belongs to (by its number or queue, else the phone system's default team).
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    state = models.CharField(_("state"), max_length=10, choices=CallState.choices, default=CallState.RINGING)
    cause = models.CharField(_("hangup cause"), max_length=20, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=CallResult.choices, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The callback message this call filed or added to (a missed call), or the open message an outgoing call
    # was about; SET_NULL so deleting messages never deletes the call log.
    message = models.ForeignKey("callbacks.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # An outgoing call about an open message: when its colleague answered "tick off or add a note".
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # The attempt an outgoing call logged by itself, so a note from "tick off or add a note" lands on it.
    attempt = models.ForeignKey("callbacks.Attempt", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # An answered incoming call popped up on its receptionist's page (offered) until taken or dismissed (closed).
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_closed_at = models.DateTimeField(_("offer closed at"), null=True, blank=True)
    # Set when retention removed the numbers and names of the call.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["phone_system", "call_id"], name="phonecall_unique_call_id"),
        ]
        indexes = [
            # The statistics: calls in a period.
            models.Index(fields=["started_at"], name="phonecall_started_at"),
            # The sweep for calls that never finish: only calls still running.
            models.Index(fields=["started_at"], condition=~Q(state="ended"), name="phonecall_running"),
            # A caller's calls on the caller page and at intake.
            models.Index(fields=["party_number", "-started_at"], name="phonecall_party"),
            # A colleague's outgoing calls waiting for "tick off or add a note", and the receptionist's pop-up.
            models.Index(fields=["agent", "state", "-started_at"], name="phonecall_agent"),
            # The receptionist's poll, every second: her open offers only.
            models.Index(
                fields=["agent"],
                condition=Q(offered_at__isnull=False, offer_closed_at__isnull=True),
                name="phonecall_open_offers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.call_id}"


class PhoneCallEvent(models.Model):
    """Every event as it was received, raw payload included (kept under the retention rules)."""

    class Kind(models.TextChoices):
        NEW_CALL = "newCall", _("New call")
        ANSWER = "answer", _("Answered")
        HANGUP = "hangup", _("Hung up")

    call = models.ForeignKey(PhoneCall, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    payload = models.JSONField(default=dict)
    # The same event of the same call came before (a PBX retrying): kept for the log, changes nothing.
    duplicate = models.BooleanField(_("duplicate"), default=False)

    class Meta:
        verbose_name = _("phone call event")
        verbose_name_plural = _("phone call events")
        ordering = ["received_at", "pk"]
        indexes = [
            # Retention deletes events by age.
            models.Index(fields=["received_at"], name="phonecallevent_received_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id}"
