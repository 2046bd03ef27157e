"""Form fields shared by the intake and the colleague's forms."""

from django import forms

from callbacks.domain import phone


class DialledNumberField(forms.CharField):
    """A phone number as people write it ("+31 (0)6 1234 5678", "0032 2 555 12 12"), cleaned to E.164.

    A refused number says why, followed by formats that do work (callbacks/domain/phone.py)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", phone.LONGEST_INPUT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        # The length and the "required" check are the phone module's, with its clearer messages.
        text = str(value or "").strip()
        if not text and not self.required:
            return ""
        try:
            return phone.read(text)
        except phone.NumberRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.refusal.value) from None


class OneFocusRadioSelect(forms.RadioSelect):
    """Radios that give `autofocus` (KeyboardFirst's, after an error) to their first option only: every option
    inherits the widget's attributes, and a page may have one autofocus."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if index or subindex:
            option["attrs"].pop("autofocus", None)
        return option
