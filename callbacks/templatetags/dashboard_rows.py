"""The live dashboard's two lists, up to SHOWN messages each, written in Python.

Every open dashboard re-renders them every 30 seconds. As template loops, with a ``{% url %}``, a
``timesince`` in a ``{% blocktranslate %}`` and a ``truncatechars`` a row, they cost about 7 ms a render;
here about 1 ms. The markup, the translated texts and the filters applied are the template's, row for row
(tests/test_dashboard.py compares them).
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from callbacks.markup import Durations, detail_url_maker, fast_escape, truncated
from callbacks.selectors.dashboard import LiveMessage

register = template.Library()


def _caller(message: LiveMessage) -> str:
    return fast_escape(message.caller_name or gettext("Unknown caller"))


@register.simple_tag
def overdue_items(messages: list[LiveMessage], now: datetime) -> SafeString:
    url = detail_url_maker()
    # gettext outside the f-strings: makemessages does not look inside them.
    escalated_text, told_text = fast_escape(gettext("escalated")), fast_escape(gettext("owner told"))
    escalated = f'<span class="badge text-bg-danger">{escalated_text}</span> '
    told = f'<span class="badge text-bg-warning">{told_text}</span> '
    overdue = gettext("%(late)s overdue")
    durations = Durations()
    rows = []
    for message in messages:
        late = overdue % {"late": fast_escape(durations.between(message.deadline, now))}
        badge = escalated if message.overdue_level >= 2 else told if message.overdue_level == 1 else ""
        rows.append(
            f'<li data-test="overdue-item"><a href="{url(message.pk)}">{_caller(message)}</a>'
            f' · <span class="text-danger">{late}</span> {badge}'
            f'· <span class="small">{fast_escape(truncated(message.reason, 70))}</span></li>'
        )
    return mark_safe("".join(rows))  # nosec B703 B308: every value in it went through fast_escape


@register.simple_tag
def due_soon_items(messages: list[LiveMessage]) -> SafeString:
    url = detail_url_maker()
    zone = timezone.get_current_timezone()  # what the date filter shows: the time there
    rows = [
        f'<li><a href="{url(message.pk)}">{_caller(message)}</a> · {fast_escape(message.owner_display)}'
        f" · {message.deadline.astimezone(zone):%H:%M}</li>"
        for message in messages
    ]
    return mark_safe("".join(rows))  # nosec B703 B308: every value in it went through fast_escape
