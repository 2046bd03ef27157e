"""The caller page's form: another number of the same caller."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callbacks.forms.fields import DialledNumberField


class LinkNumberForm(forms.Form):
    other = DialledNumberField(
        label=_("Another number of this caller"),
        help_text=_("For example the mobile number of someone who called from the office."),
    )
