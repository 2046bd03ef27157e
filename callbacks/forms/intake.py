"""The intake steps. Forms only validate; the wizard view hands cleaned data to services."""

from collections.abc import Callable

from django import forms
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from callbacks.domain import phone
from callbacks.forms.fields import DialledNumberField, OneFocusRadioSelect
from callbacks.models import CallType, Message, Tone
from callbacks.selectors import Recipient

TAKE_MESSAGE, HELPED, PUT_THROUGH = "message", "helped", "put_through"
NEW_MESSAGE = "new"


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
        label=_("Type of call"),
        # A missed call is filed by the phone system (telephony/), never typed at the intake.
        choices=[choice for choice in CallType.choices if choice[0] != CallType.MISSED_CALL],
        initial=CallType.QUESTION,
        widget=OneFocusRadioSelect,
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


class ReadbackForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I read the message back and the caller confirmed it is correct"),
        error_messages={"required": _("Read the message back to the caller and tick this box when it is correct.")},
        widget=forms.CheckboxInput(attrs={"autofocus": True}),
    )


class CloseForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
