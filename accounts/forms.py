from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Presence, User
from accounts.password_reset import password_reset_request


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone_extension", "preferred_language"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class LocalizedPasswordResetForm(PasswordResetForm):
    """Queues the reset mail in the outbox instead of sending it inside the request.

    The page answers the same whether the address has an account, and whether that account has
    reached its limit; the mail is written in the account's own language when it is delivered.
    """

    def save(self, **_django_options) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_request(user=user)


class LoginForm(AuthenticationForm):
    """Django sets the username's max length only as an HTML attribute; enforce it before authenticating,
    so an overlong name never reaches the lockout log (a varchar(255) on PostgreSQL) as a 500."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if len(username) > User._meta.get_field("username").max_length:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username


AVAILABLE = "available"


class PresenceForm(forms.Form):
    """The navigation's quick status: a state and, optionally, when it ends (minutes from now or a time today).

    `cleaned_data["until"]` is the end as a moment, or None for "until the end of the day".
    """

    state = forms.ChoiceField(label=_("My status"), choices=[(AVAILABLE, _("Available")), *Presence.State.choices])
    minutes = forms.TypedChoiceField(
        label=_("For"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("the rest of the day")), ("15", _("15 minutes")), ("30", _("30 minutes")), ("60", _("1 hour"))],
    )
    until_time = forms.TimeField(label=_("or until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    next = forms.CharField(required=False)

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self):
        cleaned = super().clean()
        cleaned["until"] = None
        if cleaned.get("until_time") is not None:
            today = timezone.localdate(self.now)
            until = timezone.make_aware(datetime.combine(today, cleaned["until_time"]))
            if until <= self.now:
                self.add_error("until_time", _("That time has passed; choose a later one."))
            cleaned["until"] = until
        elif cleaned.get("minutes"):
            cleaned["until"] = self.now + timedelta(minutes=cleaned["minutes"])
        return cleaned
