"""Cheap equivalents of template work done once per row, for the few lists written in Python.

The detail page's forms and earlier messages and the live dashboard's lists render their rows in Python
(callbacks/templatetags/): in a template loop each row cost 20 to 80 microseconds of variable lookups,
filters and tags. These helpers give the template's results at a fraction of their cost.
"""

import html
import unicodedata
from collections.abc import Callable

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.timesince import TIME_STRINGS

_SAMPLE_PK = 987654321


def fast_escape(value: object) -> str:
    """conditional_escape without its lazy-string wrapper, which costs more than the escaping here."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def detail_url_maker() -> Callable[[int], str]:
    """``reverse("callbacks:detail", args=[pk])`` for many messages: reversed once, then the id put in."""
    head, _sample, tail = reverse("callbacks:detail", args=[_SAMPLE_PK]).rpartition(str(_SAMPLE_PK))
    return lambda pk: f"{head}{pk}{tail}"


def truncated(text: str, length: int) -> str:
    """The truncatechars filter. Truncator returns a text that fits NFC-normalised, and is slow to find out."""
    normalised = unicodedata.normalize("NFC", text)
    return normalised if len(normalised) <= length else Truncator(text).chars(length)


class _TranslatedPerNumber:
    """One of timesince's TIME_STRINGS, translated once per number: the translation lookups were most
    of timesince's cost when a list shows many."""

    def __init__(self, text) -> None:
        self.text, self.done = text, {}

    def __mod__(self, values: dict) -> str:
        number = values["num"]
        if number not in self.done:
            self.done[number] = self.text % values
        return self.done[number]


def time_units() -> dict:
    """``time_strings`` for timesince/timeuntil over one list's rows, in the active language."""
    return {unit: _TranslatedPerNumber(text) for unit, text in TIME_STRINGS.items()}
