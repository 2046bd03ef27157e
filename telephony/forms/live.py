"""The colleague's note on a call the phone system logged as an attempt."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CallNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500)

    def __init__(self, *args, call_pk: int, **kwargs) -> None:
        # Several questions can be on one page: each form its own field ids.
        super().__init__(*args, prefix=f"call{call_pk}-note", **kwargs)
