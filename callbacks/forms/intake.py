"""The intake steps. Forms only validate; the wizard view hands cleaned data to services."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django import forms
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from callbacks.domain import phone
from callbacks.domain.deadlines import PreferredWindow
from callbacks.domain.promises import rule_breaches
from callbacks.forms.fields import DialledNumberField, OneFocusRadioSelect
from callbacks.models import CallType, Message, Tone
from callbacks.selectors import Recipient
from callbacks.selectors.policies import calendar_for, proposed_deadline

TAKE_MESSAGE, HELPED, PUT_THROUGH = "message", "helped", "put_through"
NEW_MESSAGE = "new"
# A typed deadline may lie at most this far ahead: the business calendar looks about a year ahead
# from it for the escalation moment, and a deadline in the year 9999 overflows that arithmetic.
LATEST_PROMISE = timedelta(days=366)


def normalise_number(raw: object) -> str:
    """The E.164 form of a number as typed (Dutch by default), or "" when it is not a number to dial."""
    return phone.parse(raw) or ""


class KeyboardFirst:
    """The first field of every step has the focus, so the receptionist can type straight away;
    after a validation error the first field with an error has it instead."""

    def _focus_first_field(self) -> None:
        first = next(iter(self.fields.values()), None)
        if first is not None:
            first.widget.attrs["autofocus"] = True

    def full_clean(self) -> None:
        super().full_clean()
        wrong = next((name for name in self.fields if name in self.errors), None)
        if wrong is not None:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[wrong].widget.attrs["autofocus"] = True


def team_label(team: Team) -> str:
    return str(_("Team %(name)s") % {"name": team.name})


class RecipientLookup:
    """A colleague or team typed by name (or username), checked against the known list."""

    users: list[User]
    teams: list[Team]

    def options(self) -> list[str]:
        return [str(user) for user in self.users] + [team_label(team) for team in self.teams]

    def clean_recipient(self) -> Recipient:
        typed = " ".join(self.cleaned_data["recipient"].split()).casefold()
        for user in self.users:
            if typed in {str(user).casefold(), user.username.casefold()}:
                return Recipient(user=user, team=None)
        for team in self.teams:
            if typed in {team_label(team).casefold(), team.name.casefold()}:
                return Recipient(user=None, team=team)
        raise forms.ValidationError(_("Choose a colleague or team from the list."), code="unknown_recipient")


class RecipientForm(RecipientLookup, KeyboardFirst, forms.Form):
    recipient = forms.CharField(
        label=_("For whom?"),
        max_length=160,
        help_text=_("Type a colleague's or team's name and pick it from the list."),
        widget=forms.TextInput(
            attrs={
                "list": "recipient-options",
                "autocomplete": "off",
                # htmx shows the colleague's status as soon as a name is picked; without JS the list beside it does.
                "data-hx-get": reverse_lazy("callbacks:intake_status"),
                "data-hx-trigger": "change, input changed delay:400ms",
                "data-hx-target": "#recipient-status",
            }
        ),
    )
    decision = forms.ChoiceField(
        label=_("Can you help the caller yourself?"),
        choices=[
            (TAKE_MESSAGE, _("No: take a message")),
            (HELPED, _("Yes: helped directly")),
            (PUT_THROUGH, _("Put through to the colleague")),
        ],
        initial=TAKE_MESSAGE,
        widget=OneFocusRadioSelect,
    )
    note = forms.CharField(label=_("How did you help? (short note)"), max_length=500, required=False)
    to_stand_in = forms.BooleanField(
        label=_("If the colleague is away, give the message to their stand-in"), required=False, initial=True
    )

    def __init__(self, *args, users: list[User], teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.users, self.teams = users, teams
        self._focus_first_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == HELPED and not cleaned.get("note", "").strip():
            self.add_error("note", _("Write down in a few words how you helped the caller."))
        return cleaned


class CallerForm(KeyboardFirst, forms.Form):
    # The number first: leaving it shows who calls (their name to fill with Alt+K, their open messages to
    # add this call to), so a known caller's name is not typed again.
    number = DialledNumberField(label=_("Phone number"))
    name = forms.CharField(label=_("Caller's name"), max_length=150)
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    add_to = forms.ChoiceField(
        label=_("This caller already has an open message"), required=False, widget=OneFocusRadioSelect
    )

    def __init__(self, *args, find_open: Callable[[str], list[Message]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        number = self.data.get(self.add_prefix("number")) if self.is_bound else self.initial.get("number")
        self.e164 = normalise_number(number)
        self.open_messages = find_open(self.e164) if self.e164 else []
        self._focus_first_field()
        # As soon as a number is typed the caller's details, history and open messages are shown
        # (callbacks/views/callers.py); the step itself works without it.
        self.fields["number"].widget.attrs.update(
            {
                "data-hx-get": reverse("callbacks:caller_known"),
                "data-hx-trigger": "change, blur",
                "data-hx-target": "#caller-known",
                "data-hx-sync": "this:replace",
            }
        )
        if self.open_messages:
            # Any colleague's open message from this number: the caller may ask for someone else this time.
            self.fields["add_to"].choices = [
                (
                    str(message.pk),
                    _("Add this call to the message for %(owner)s of %(date)s: %(reason)s")
                    % {
                        "owner": message.owner_label,
                        "date": timezone.localtime(message.taken_at).strftime("%d-%m %H:%M"),
                        "reason": message.reason[:80],
                    },
                )
                for message in self.open_messages
            ] + [(NEW_MESSAGE, _("Take a new message"))]
        else:
            del self.fields["add_to"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Write down the caller's name."), code="required")
        return name

    def clean(self):
        cleaned = super().clean()
        if self.open_messages and not cleaned.get("add_to"):
            self.add_error("add_to", _("Choose whether to add this call to the open message or take a new one."))
        return cleaned


class ReasonForm(KeyboardFirst, forms.Form):
    # One line, so Enter moves on; 500 characters is plenty for "why call back".
    reason = forms.CharField(label=_("Short reason"), max_length=500)
    call_type = forms.ChoiceField(
        label=_("Type of call"), choices=CallType.choices, initial=CallType.QUESTION, widget=OneFocusRadioSelect
    )
    tone = forms.ChoiceField(
        label=_("The caller sounds"), choices=Tone.choices, initial=Tone.CALM, widget=OneFocusRadioSelect
    )
    wants_callback = forms.BooleanField(label=_("The caller wants to be called back"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._focus_first_field()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write down why the caller called."), code="required")
        return reason


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


class ReadbackForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I read the message back and the caller confirmed it is correct"),
        error_messages={"required": _("Read the message back to the caller and tick this box when it is correct.")},
        widget=forms.CheckboxInput(attrs={"autofocus": True}),
    )


class CloseForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
