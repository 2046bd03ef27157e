from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone_extension", "preferred_language"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class LocalizedPasswordResetForm(PasswordResetForm):
    """Sends the reset email in the account's own language, not the requesting browser's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        with translation.override(context["user"].preferred_language or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


class LoginForm(AuthenticationForm):
    """Django sets the username's max length only as an HTML attribute; enforce it before authenticating,
    so an overlong name never reaches the lockout log (a varchar(255) on PostgreSQL) as a 500."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if len(username) > User._meta.get_field("username").max_length:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                        params={"username": self.username_field.verbose_name})
        return username
