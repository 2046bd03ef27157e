"""Forms of the manager's phone-system pages: a phone system's settings and its routes. Validation only."""

import ipaddress

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from callbacks.domain.phone import NumberRefused, read
from telephony.models import PhoneRoute
from telephony.selectors.manage import phone_system_name_taken, route_exists


def addresses_parse(text: str) -> list[str]:
    """The allow-list's lines, each an IP address or a CIDR network; ValueError names the first bad line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValueError(line) from None
    return lines


NAME_TAKEN = _("There is already a phone system with this name.")


class PhoneSystemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    default_team = forms.ModelChoiceField(
        label=_("Team for calls not mapped"),
        queryset=Team.objects.order_by("name"),
        help_text=_("Missed calls to a number or queue without a route below go to this team."),
    )
    allowed_addresses = forms.CharField(
        label=_("Allowed source addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One IP address or network (CIDR, such as 192.0.2.0/24) per line. Empty: every address."),
    )

    def __init__(self, *args, phone_system=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.phone_system = phone_system

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if phone_system_name_taken(name=name, other_than=self.phone_system.pk if self.phone_system else None):
            raise forms.ValidationError(NAME_TAKEN)
        return name

    def clean_allowed_addresses(self) -> str:
        try:
            lines = addresses_parse(self.cleaned_data["allowed_addresses"])
        except ValueError as bad:
            raise forms.ValidationError(
                _("“%(line)s” is not an IP address or network. Write one per line, such as 192.0.2.10 or 192.0.2.0/24.")
                % {"line": bad.args[0]}
            ) from None
        return "\n".join(lines)


class PhoneRouteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PhoneRoute.Kind.choices)
    value = forms.CharField(label=_("Number or queue"), max_length=100)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"))

    def __init__(self, *args, phone_system, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.phone_system = phone_system

    def clean(self) -> dict:
        data = super().clean()
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if not kind or not value:
            return data
        if kind == PhoneRoute.Kind.NUMBER:
            try:
                value = read(value)
            except NumberRefused as refused:
                self.add_error("value", refused.message)
                return data
        else:
            value = value.lower()  # queues are matched whatever their case (telephony/models.py)
        if route_exists(phone_system=self.phone_system, kind=kind, value=value):
            self.add_error("value", _("This number or queue already has a route. Remove that one first."))
        data["value"] = value
        return data
