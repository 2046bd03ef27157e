"""The period and team a manager asks the statistics and the CSV exports for."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team
from callbacks.domain.figures import EARLIEST_DAY, MAX_DAYS, Period


class PeriodForm(forms.Form):
    """From and to, both included; an empty date means the default period's."""

    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.default = Period.default(today)

    def _clean_day(self, name: str) -> date:
        day = self.cleaned_data[name] or getattr(self.default, name)
        if not EARLIEST_DAY <= day <= self.today + timedelta(days=MAX_DAYS):
            raise forms.ValidationError(
                _("Choose a date from the year 2000 up to a year from today."), code="out_of_range"
            )
        return day

    def clean_start(self) -> date:
        return self._clean_day("start")

    def clean_end(self) -> date:
        return self._clean_day("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."), code="reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}, code="too_long"
                )
        return data
