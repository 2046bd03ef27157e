"""`{{ availability|line_to_say:name }}`: the sentence the receptionist says for a colleague's availability.

The sentences themselves live in callbacks.views.sentences; this filter lets the status partial and the
list of statuses show them for whichever colleague they render, without each view computing them.
"""

from django import template

from callbacks.selectors import Availability
from callbacks.views import sentences

register = template.Library()


@register.filter
def line_to_say(availability: Availability, name: str) -> str:
    return sentences.unavailable_line(name=str(name), availability=availability)
