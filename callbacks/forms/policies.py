"""Forms for the promise rules a manager sets per team, and the phone-duty roster."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from callbacks.domain.deadlines import DUTCH_HOLIDAY_KEYS
from callbacks.models import CallType, DayPart

HOLIDAY_LABELS = {
    "New Year's Day": _("New Year's Day"),
    "Good Friday": _("Good Friday"),
    "Easter Sunday": _("Easter Sunday"),
    "Easter Monday": _("Easter Monday"),
    "King's Day": _("King's Day"),
    "Liberation Day": _("Liberation Day (lustrum years: 2025, 2030, …)"),
    "Liberation Day (every year)": _("Liberation Day (every year)"),
    "Ascension Day": _("Ascension Day"),
    "Pentecost": _("Whit Sunday"),
    "Pentecost Monday": _("Whit Monday"),
    "Christmas Day": _("Christmas Day"),
    "Second Day of Christmas": _("Boxing Day"),
}
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Each handling and escalation time must fit in this many weeks of opening hours. The business
# calendar (callbacks.domain.deadlines.SEARCH_DAYS) looks about a year ahead and fails beyond that; half a
# year leaves room for public holidays and closure days.
WEEKS_TO_FIT = 26


class TeamPolicyForm(forms.Form):
    observed_holidays = forms.MultipleChoiceField(
        label=_("Public holidays the team is closed on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(key, HOLIDAY_LABELS[key]) for key in DUTCH_HOLIDAY_KEYS],
    )
    escalation_minutes = forms.IntegerField(
        label=_("Tell the manager when a callback is still open this many business minutes after its deadline"),
        min_value=15,
        max_value=60 * 24 * 5,
    )
    hold_email_outside_hours = forms.BooleanField(label=_("Hold emails until business hours"), required=False)
    check_moments = forms.CharField(
        label=_("Check moments"),
        max_length=100,
        help_text=_(
            "Times on business days when everyone gets a list of their open callbacks, e.g. 09:00, 13:00, 16:00."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for weekday, name in WEEKDAYS.items():
            self.fields[f"open_{weekday}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"opens_{weekday}"] = forms.TimeField(label=_("opens"), required=False, widget=TIME_INPUT)
            self.fields[f"closes_{weekday}"] = forms.TimeField(label=_("closes"), required=False, widget=TIME_INPUT)
        for value, label in CallType.choices:
            self.fields[f"handling_{value}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=15,
                max_value=60 * 24 * 10,
                help_text=_("Business minutes; empty means by the end of the next business day."),
            )

    def weekday_rows(self):
        return [(name, self[f"open_{d}"], self[f"opens_{d}"], self[f"closes_{d}"]) for d, name in WEEKDAYS.items()]

    def handling_fields(self):
        return [self[f"handling_{value}"] for value, _label in CallType.choices]

    def clean_check_moments(self) -> list[time]:
        moments = []
        for part in self.cleaned_data["check_moments"].replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                moments.append(forms.TimeField().clean(part))
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(part)s” is not a time. Write times like 09:00, 13:00."), params={"part": part}
                ) from None
        if not moments:
            raise forms.ValidationError(_("Give at least one check moment."))
        return sorted(set(moments))

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for weekday in WEEKDAYS:
            if not cleaned.get(f"open_{weekday}"):
                continue
            opens, closes = cleaned.get(f"opens_{weekday}"), cleaned.get(f"closes_{weekday}")
            if opens is None or closes is None:
                self.add_error(f"opens_{weekday}", _("Fill in when the team opens and closes on this day."))
            elif closes <= opens:
                self.add_error(f"closes_{weekday}", _("Closing time must be after opening time."))
            else:
                hours[weekday] = (opens, closes)
        if not self.errors and not hours:
            raise forms.ValidationError(_("The team must be open on at least one day."))
        cleaned["hours"] = hours
        cleaned["handling"] = {value: cleaned.get(f"handling_{value}") for value, _label in CallType.choices}
        if not self.errors and not self._times_fit(hours, cleaned):
            raise forms.ValidationError(
                _(
                    "The team is open too few hours for these handling and escalation times: each must fit in "
                    "%(weeks)s weeks of opening hours."
                )
                % {"weeks": WEEKS_TO_FIT}
            )
        return cleaned

    @staticmethod
    def _times_fit(hours: dict[int, tuple[time, time]], cleaned: dict) -> bool:
        weekly = sum(
            (
                datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
                for opens, closes in hours.values()
            ),
            timedelta(),
        )
        longest = max(
            [minutes for minutes in cleaned["handling"].values() if minutes] + [cleaned.get("escalation_minutes") or 0]
        )
        return timedelta(minutes=longest) <= weekly * WEEKS_TO_FIT


class ClosureDayForm(forms.Form):
    date = forms.DateField(label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label=_("Why"), max_length=100, required=False)


class PhoneDutyForm(forms.Form):
    """One choice per business weekday and day part; empty means nobody is rostered."""

    def __init__(self, *args, people: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(user.pk), str(user)) for user in people]
        self.people = {str(user.pk): user for user in people}
        for weekday in range(5):
            for part, label in DayPart.choices:
                self.fields[f"duty_{weekday}_{part}"] = forms.ChoiceField(
                    label=f"{WEEKDAYS[weekday]} {label}", choices=choices, required=False
                )

    def rows(self):
        return [(WEEKDAYS[d], [self[f"duty_{d}_{part}"] for part, _label in DayPart.choices]) for d in range(5)]

    @staticmethod
    def initial_for(roster: dict[tuple[int, str], int]) -> dict[str, str]:
        """The form's initial data for a roster of user ids (callbacks.selectors.policies.phone_duty_roster)."""
        return {f"duty_{weekday}_{part}": str(user_id) for (weekday, part), user_id in roster.items()}

    def roster(self) -> dict[tuple[int, str], User | None]:
        return {
            (weekday, part): self.people.get(self.cleaned_data.get(f"duty_{weekday}_{part}") or "")
            for weekday in range(5)
            for part, _label in DayPart.choices
        }
