from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
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
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                        params={"username": self.username_field.verbose_name})
        return username
