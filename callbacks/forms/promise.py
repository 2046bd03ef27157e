"""The promise step: when the caller will be called back, inside the team's hours and the caller's wishes."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from callbacks.domain.deadlines import PreferredWindow
from callbacks.domain.promises import rule_breaches
from callbacks.forms.intake import KeyboardFirst
from callbacks.selectors.policies import calendar_for, proposed_deadline

# A typed deadline may lie at most this far ahead: the business calendar looks about a year ahead
# from it for the escalation moment, and a deadline in the year 9999 overflows that arithmetic.
LATEST_PROMISE = timedelta(days=366)


class PromiseForm(KeyboardFirst, forms.Form):
    # "Not between" first: it is the wish callers voice most ("not during dinner"), so it has the focus.
    not_between_start = forms.TimeField(
        label=_("Not between"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    not_between_end = forms.TimeField(
        label=_("and"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    between_start = forms.TimeField(
        label=_("Only between"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    between_end = forms.TimeField(
        label=_("and"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    not_before = forms.DateField(
        label=_("Not before"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deadline = forms.DateTimeField(
        label=_("Call back before"),
        required=False,
        help_text=_("Leave empty to promise the team's handling time. An earlier time is always fine."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    later_reason = forms.CharField(label=_("Why later than the team's promise?"), max_length=200, required=False)
    # Hidden until a typed deadline breaks the team's hours or the caller's wishes (rule_exception_field).
    exception_reason = forms.CharField(
        label=_("Why promise it anyway?"), max_length=200, required=False, widget=forms.HiddenInput
    )
    # Offered only when the caller gave an email address (views/intake_call.py leaves them out otherwise).
    confirm_to_caller = forms.BooleanField(
        label=_("The caller wants a confirmation by email"),
        required=False,
        help_text=_("One mail now: who calls back, from which number and by when. Nothing else is sent."),
    )
    confirmation_language = forms.ChoiceField(
        label=_("Language of the confirmation"),
        initial="nl",
        required=False,
        choices=[("nl", "Nederlands"), ("en", "English")],
    )

    def __init__(self, *args, team: Team | None, call_type: str, started_at: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.call_type, self.started_at = call_type, started_at
        self.breaches: list[str] = []
        # The moment the spoken promise names, once the typed values could be read (the live sentence shows it).
        self.promised: datetime | None = None
        self.wishes: PreferredWindow | None = None
        self._focus_first_field()

    def policy_without_window(self) -> datetime:
        return proposed_deadline(team=self.team, call_type=self.call_type, start=self.started_at, window=None)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        between = self._pair("between_start", "between_end")
        not_between = self._pair("not_between_start", "not_between_end")
        if self.errors:
            return cleaned
        window = PreferredWindow(between=between, not_between=not_between, not_before=cleaned.get("not_before"))
        try:
            policy = proposed_deadline(team=self.team, call_type=self.call_type, start=self.started_at, window=window)
        except ValueError:
            raise forms.ValidationError(
                _("These wishes leave no time within business hours to call back."), code="impossible_window"
            ) from None
        deadline = cleaned.get("deadline") or policy
        self.promised, self.wishes = deadline, window
        if deadline <= timezone.now():
            self.add_error("deadline", _("Choose a moment in the future."))
        elif cleaned.get("deadline") and deadline > timezone.now() + LATEST_PROMISE:
            self.add_error("deadline", _("Choose a moment within a year from now."))
        elif deadline > policy and not cleaned.get("later_reason", "").strip():
            self.add_error("later_reason", _("A deadline later than the team's promise needs a reason."))
        # The policy's own proposal keeps the rules (callback_deadline); only a typed moment is checked.
        if cleaned.get("deadline"):
            self.breaches = rule_breaches(deadline, calendar_for(self.team), window)
        exception = rule_exception_field(self, self.breaches)
        cleaned.update(
            window=window,
            policy_deadline=policy,
            final_deadline=deadline,
            between=between,
            not_between=not_between,
            exception_reason=exception,
        )
        return cleaned

    def _pair(self, start_field: str, end_field: str):
        start, end = self.cleaned_data.get(start_field), self.cleaned_data.get(end_field)
        if start is None and end is None:
            return None
        if start is None or end is None:
            self.add_error(end_field if start else start_field, _("Fill in both times, or neither."))
            return None
        if end <= start:
            self.add_error(end_field, _("The second time must be later than the first."))
            return None
        return (start, end)


def rule_exception_field(form: forms.Form, breaches: list[str]) -> str:
    """The reason for an exception to the rules, or "" when nothing is broken.

    With breaches the hidden field is shown, naming each broken rule, and the form is valid only with a reason.
    """
    if not breaches:
        return ""
    field = form.fields["exception_reason"]
    field.widget = forms.TextInput(attrs={"autocomplete": "off"})
    reason = form.cleaned_data.get("exception_reason", "").strip()
    if not reason:
        form.add_error("exception_reason", [*breaches, _("To keep this moment anyway, write down why.")])
    return reason
