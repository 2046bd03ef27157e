"""Forms of the manager's privacy page: the retention period, finding a caller, confirming an erasure."""

from django import forms
from django.utils.translation import gettext_lazy as _

CONFIRM_WORD = "WISSEN"
LONGEST_RETENTION = 3650


class RetentionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Keep caller data for this many days after a message is closed"),
        min_value=1,
        max_value=LONGEST_RETENTION,
    )


class CallerNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Caller's phone number"),
        max_length=40,
        help_text=_("In any form: 06-12345678, +31 6 1234 5678, 020 123 4567."),
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (for the log)"),
        max_length=200,
        help_text=_("For example: request by email of 3 March. Do not write the caller's name or number here."),
    )
    confirm = forms.CharField(label=_("Type WISSEN to confirm"), max_length=20)

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed != CONFIRM_WORD:
            raise forms.ValidationError(_("Type WISSEN in capitals to confirm."))
        return typed
