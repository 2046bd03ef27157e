"""The repeat call's step: a call added to an open message keeps the protocol (note, read-back, goodbye)."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.domain.deadlines import BusinessCalendar, PreferredWindow
from callbacks.domain.promises import rule_breaches
from callbacks.forms.intake import KeyboardFirst
from callbacks.forms.promise import rule_exception_field


class RepeatCallForm(KeyboardFirst, forms.Form):
    """A call added to an open message: what the caller says now, and the promise already made, read back or
    brought forward when the call is urgent (earlier only, and not in the past)."""

    note = forms.CharField(label=_("What does the caller say now?"), max_length=500)
    earlier_deadline = forms.DateTimeField(
        label=_("Urgent: call back earlier, before"),
        required=False,
        help_text=_("Leave empty to keep the promise already made."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    # Hidden until the earlier moment breaks the team's hours or the caller's wishes (rule_exception_field).
    exception_reason = forms.CharField(
        label=_("Why promise it anyway?"), max_length=200, required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args,
        deadline: datetime,
        calendar: BusinessCalendar | None = None,
        wishes: PreferredWindow | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline  # the promise already made
        self.calendar, self.wishes = calendar, wishes
        self._focus_first_field()

    def clean_note(self) -> str:
        note = " ".join(self.cleaned_data["note"].split())
        if not note:
            raise forms.ValidationError(_("Write down in a few words what the caller says now."), code="required")
        return note

    def clean_earlier_deadline(self) -> datetime | None:
        earlier = self.cleaned_data.get("earlier_deadline")
        if earlier is None:
            return None
        if earlier <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."), code="past")
        if self.deadline is not None and earlier >= self.deadline:
            raise forms.ValidationError(
                _("Choose a moment before the promise already made (%(deadline)s).")
                % {"deadline": timezone.localtime(self.deadline).strftime("%d-%m %H:%M")},
                code="not_earlier",
            )
        return earlier

    def clean(self):
        cleaned = super().clean()
        earlier = cleaned.get("earlier_deadline")
        breaches = rule_breaches(earlier, self.calendar, self.wishes) if earlier and self.calendar else []
        cleaned["exception_reason"] = rule_exception_field(self, breaches)
        return cleaned
