from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts import roles


class User(AbstractUser):
    # One name field: Dutch names ("Jan van der Berg") do not split cleanly into first and last.
    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=150)
    phone_extension = models.CharField(
        _("phone extension"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{1,10}$", _("Use digits only, for example 214."))],
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]
        permissions = [
            (roles.TAKE_MESSAGES, _("Can take callback messages")),
            (roles.HANDLE_CALLBACKS, _("Can handle callbacks")),
            (roles.VIEW_ALL_CALLBACKS, _("Can see every callback")),
            (roles.VIEW_DASHBOARD, _("Can see the manager dashboard")),
            (roles.MANAGE_OFFICE, _("Can manage users, teams and absences")),
            (roles.EDIT_ALL_TEAM_RULES, _("Can edit the promise rules of every team")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.username])[0]


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True, verbose_name=_("members"))
    managers = models.ManyToManyField(User, related_name="managed_teams", verbose_name=_("managers"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Absence(models.Model):
    """A period in which a user is away; messages for them go to the stand-in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences", verbose_name=_("user"))
    starts_at = models.DateTimeField(_("away from"))
    ends_at = models.DateTimeField(_("back at"))
    stand_in = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stand_in_for",
        verbose_name=_("stand-in"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_ends_after_start"),
            models.CheckConstraint(condition=~Q(stand_in=F("user")), name="absence_stand_in_is_someone_else"),
        ]
        indexes = [
            # "Who is away now" on the home page and, later, the intake status of a colleague.
            models.Index(fields=["user", "ends_at"], name="absence_user_ends_at"),
        ]

    def __str__(self) -> str:
        return _("%(user)s away") % {"user": self.user}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The return must be after the start of the absence.")
        if self.user_id and self.stand_in_id == self.user_id:
            errors["stand_in"] = _("Choose a colleague other than the person who is away.")
        if not errors and self.user_id and self.starts_at and self.ends_at:
            overlapping = Absence.objects.filter(
                user_id=self.user_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            ).exclude(pk=self.pk)
            if overlapping.exists():
                errors["starts_at"] = _("This person already has an absence in this period.")
        if errors:
            raise ValidationError(errors)


class LoginFailure(models.Model):
    """One refused password or sign-in code; accounts/lockout.py turns these into delays and locks.

    Rows of a username go at its next successful login or when a manager unlocks it; the sweep in
    accounts.lockout.login_failures_forget removes the ones too old to count.
    """

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True)
    failed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The delay per username and the lock per address (accounts/lockout.py).
            models.Index(fields=["username", "failed_at"], name="loginfailure_username"),
            models.Index(fields=["ip_address", "failed_at"], name="loginfailure_address"),
        ]


class Presence(models.Model):
    """A colleague's own quick status ("on a call until 10:30"), said by the receptionist at intake.

    One row per colleague at most; a row whose `until` has passed means nothing, so reading it with `now`
    clears it without a task (accounts.selectors.presence_of). "Available" is the absence of a row.
    """

    class State(models.TextChoices):
        ON_CALL = "on_call", _("On a call")
        IN_MEETING = "in_meeting", _("In a meeting")
        DO_NOT_DISTURB = "do_not_disturb", _("Do not disturb")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="presence", verbose_name=_("user"))
    state = models.CharField(_("status"), max_length=20, choices=State.choices)
    until = models.DateTimeField(_("until"))
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_state_display()}"
