"""`{{ message|wish_summary }}`: the caller's wishes in short ("not between 17:30 and 19:00"), or ""."""

from django import template

from callbacks.domain.promises import wish_phrases
from callbacks.models import Message

register = template.Library()


@register.filter
def wish_summary(message: Message) -> str:
    return ", ".join(wish_phrases(message.wishes))
