"""Forms of the colleague's side: attempts, tick-off, reassignment, follow-up, corrections, filters."""

import hashlib

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from callbacks.domain.deadlines import BusinessCalendar, PreferredWindow
from callbacks.domain.promises import rule_breaches
from callbacks.forms.fields import DialledNumberField
from callbacks.forms.intake import RecipientLookup
from callbacks.forms.promise import rule_exception_field
from callbacks.models import Attempt, CallType, Outcome, Status, Tone
from callbacks.selectors import FOLLOW_UP, WORKLIST_CAPS


class Versioned(forms.Form):
    """Carries the version the person saw, so a change made meanwhile by someone else is noticed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def seen_version(self) -> int:
        """The version the person had on screen, read from the data even if the form is invalid.

        0 when it is missing, not a number or below 0; callers compare it with the message's version.
        """
        try:
            return max(int(str(self.data.get(self.add_prefix("version"), 0)).strip()), 0)
        except (TypeError, ValueError):
            return 0

    def resubmitted(self, version: int) -> "Versioned":
        """The same typed values carrying `version`, so that submitting them again after a conflict goes through."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        return self._rebuilt(data)

    def _rebuilt(self, data) -> "Versioned":
        return type(self)(data)

    def typed(self) -> list[tuple[str, str]]:
        """What the person typed, as (label, text), to show when the form itself no longer fits the message."""
        rows = []
        for name, field in self.fields.items():
            value = str(self.data.get(self.add_prefix(name), "")).strip()
            if name == "version" or not value:
                continue
            if isinstance(field, forms.ChoiceField):
                value = str(dict(field.choices).get(value, value))
            elif isinstance(field, forms.DateTimeField):
                value = value.replace("T", " ")  # as a datetime-local input sends it
            rows.append((str(field.label), value))
        return rows


class AttemptForm(Versioned):
    prefix = "attempt"

    result = forms.ChoiceField(
        label=_("Result"),
        widget=forms.RadioSelect,
        initial=Attempt.Result.NO_ANSWER,
        choices=[(value, label) for value, label in Attempt.Result.choices if value != Attempt.Result.REACHED],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    next_try_at = forms.DateTimeField(
        label=_("Try again at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Hidden until "try again at" breaks the team's hours or the caller's wishes (rule_exception_field).
    exception_reason = forms.CharField(
        label=_("Why try then anyway?"), max_length=200, required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args, calendar: BusinessCalendar | None = None, wishes: PreferredWindow | None = None, **kwargs
    ) -> None:
        """`calendar` and `wishes`: the message's team calendar and the caller's wishes; without a calendar
        (a form only drawn, never validated) the moment is checked against nothing but the clock."""
        super().__init__(*args, **kwargs)
        self.calendar, self.wishes = calendar, wishes

    def _rebuilt(self, data) -> "AttemptForm":
        return type(self)(data, calendar=self.calendar, wishes=self.wishes)

    def clean_next_try_at(self):
        moment = self.cleaned_data.get("next_try_at")
        if moment is not None and moment <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."), code="past")
        return moment

    def clean(self):
        cleaned = super().clean()
        moment = cleaned.get("next_try_at")
        breaches = rule_breaches(moment, self.calendar, self.wishes) if moment and self.calendar else []
        cleaned["exception_reason"] = rule_exception_field(self, breaches)
        return cleaned


class HandleForm(Versioned):
    prefix = "handle"

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect, initial=Outcome.SOLVED
    )
    note = forms.CharField(label=_("What was agreed?"), max_length=500, required=False)
    follow_up_on = forms.DateField(
        label=_("Check back on"),
        required=False,
        help_text=_("Optional: a reminder on this day to ask the caller whether the solution worked."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_follow_up_on(self):
        day = self.cleaned_data.get("follow_up_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."), code="past")
        return day


class ReassignForm(RecipientLookup, Versioned):
    prefix = "reassign"

    recipient = forms.CharField(
        label=_("Pass to"),
        max_length=160,
        widget=forms.TextInput(attrs={"list": "reassign-options", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Why?"), max_length=200)

    def __init__(self, *args, users: list[User], teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.users, self.teams = users, teams

    def _rebuilt(self, data) -> "ReassignForm":
        return type(self)(data, users=self.users, teams=self.teams)


class FollowUpForm(Versioned):
    prefix = "follow_up"

    note = forms.CharField(label=_("Did the solution work?"), max_length=500, required=False)


class CorrectForm(Versioned):
    caller_name = forms.CharField(label=_("Caller's name"), max_length=150)
    caller_number = DialledNumberField(label=_("Phone number"))
    caller_company = forms.CharField(label=_("Company"), max_length=150, required=False)
    caller_email = forms.EmailField(label=_("Email"), required=False)
    reason = forms.CharField(label=_("Short reason"), max_length=500)
    call_type = forms.ChoiceField(label=_("Type of call"), choices=CallType.choices)
    tone = forms.ChoiceField(label=_("The caller sounds"), choices=Tone.choices)

    def clean_caller_name(self) -> str:
        # As at the intake (CallerForm.clean_name): one line, so it stays one line in email subjects.
        return " ".join(self.cleaned_data["caller_name"].split())


PERIODS = [("", _("Any time")), ("1", _("Today")), ("7", _("Last 7 days")), ("30", _("Last 30 days"))]


class WorkFilterForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("mine", _("Mine")), ("teams", _("My teams"))], required=False, widget=forms.HiddenInput
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(Status.OPEN, _("Open")), *[c for c in Status.choices if c[0] != Status.OPEN], ("all", _("All"))],
    )
    call_type = forms.ChoiceField(
        label=_("Type of call"), required=False, choices=[("", _("All types")), *CallType.choices]
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"],  # as when it was one
        },
    )
    period = forms.ChoiceField(label=_("Taken"), required=False, choices=PERIODS)
    # One group of the worklist in full, paginated: set by its "Show all" link, kept by the filters.
    due = forms.ChoiceField(
        choices=[("", ""), *[(due, due) for due in WORKLIST_CAPS]], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices from the teams the view has read already, so the select costs no queries of its own.
        self.fields["team"].choices = [("", _("All teams")), *[(team.pk, team.name) for team in teams]]

    @property
    def drawn_key(self) -> str | None:
        """Everything the filter selects show besides the language, for keeping their markup: the choices made
        and the teams offered. None when they show errors, which are drawn each time."""
        if self.is_bound and self.errors:
            return None
        chosen = [str(self[field.name].value() or "") for field in self.visible_fields()]
        teams = [f"{pk}:{name}" for pk, name in self.fields["team"].choices]
        return hashlib.sha256("\n".join(chosen + teams).encode()).hexdigest()

    def clean(self) -> dict:
        data = super().clean()
        # A group belongs to one status: choosing another status leaves the group for that status's list.
        group_status = Status.HANDLED if data.get("due") == FOLLOW_UP else Status.OPEN
        if data.get("due") and (data.get("status") or Status.OPEN) != group_status:
            data["due"] = ""
        return data
