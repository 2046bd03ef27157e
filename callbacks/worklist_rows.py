"""What the worklist's rows show, prepared and escaped in Python once per row (message_table.html)."""

import html
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from operator import itemgetter

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language, gettext
from phonenumber_field.phonenumber import to_python

from callbacks.markup import Durations
from callbacks.models import Message, Priority, Status, Tone


class WorkRow(dict):
    """One line of the colleague's list: the values message_table.html shows, prepared once in Python.

    A dict, so the template engine finds each value at its first lookup (on an object it tries
    ``item["name"]`` first and pays for the exception); ``row.pk`` works as well.
    """

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def work_rows(messages: Iterable[Message], *, now: datetime) -> list[WorkRow]:
    """The list's rows for messages read through the ORM (the paginated list)."""
    shared = RowsShared()
    return [
        work_row(WorkRow({
            "pk": m.pk, "caller_name": m.caller_name, "caller_company": m.caller_company,
            "caller_number": str(m.caller_number) if m.caller_number else "", "reason": m.reason, "tone": m.tone,
            "call_count": m.call_count, "priority": m.priority, "status": m.status, "deadline": m.deadline,
            "follow_up_on": m.follow_up_on, "owner": m.owner_display,
        }), now=now, shared=shared)
        for m in messages
    ]


def work_row(row: WorkRow, *, now: datetime, shared: "RowsShared") -> WorkRow:
    """Add to the stored values what message_table.html shows of them, escaped (SafeString)."""
    row.update(_display(_displayed(row), *shared.rendering))
    deadline = row["deadline"]
    if row["status"] == Status.OPEN and deadline:
        row["late"] = deadline <= now
        if row["late"]:
            text = shared.overdue % {"late": shared.durations.between(deadline, now)}
        else:
            text = shared.left % {"left": shared.durations.between(now, deadline)}
        row["due_text"] = _escaped(text)
    return row


class RowsShared:
    """What the rows of one list share: the rest of _display's key, and the texts of the time left.

    timesince translates its units ("5 uur") anew for every call, most of its cost; here each text is
    written once a list (callbacks.markup.Durations).
    """

    def __init__(self) -> None:
        self.rendering = (get_language(), get_current_timezone_name(), get_script_prefix())
        self.overdue, self.left = gettext("%(late)s overdue"), gettext("%(left)s left")
        self.durations = Durations()


def _escaped(text: object) -> SafeString:
    """django.utils.html.escape without its lazy-string wrapper, which costs more than the escaping."""
    return SafeString(html.escape(str(text)))


_displayed = itemgetter("pk", "caller_name", "caller_company", "caller_number", "reason", "tone", "call_count",
                        "priority", "status", "deadline", "follow_up_on")  # a row's stored values that _display uses
_TONES, _STATUSES = dict(Tone.choices), dict(Status.choices)


@lru_cache(maxsize=2048)
def _display(values: tuple, language: str, zone: str, script_prefix: str) -> dict[str, object]:
    """A row's display values that follow from its stored values alone, in this language, time zone and
    script prefix: the text the row template made with tags and filters, escaped as it escaped it.

    Memoised, as a pure function of its arguments: the same rows come back on every view of the list,
    and making them (phone number, dates, url, truncation, escaping) cost ~60 µs a row.
    """
    pk, name, company, stored_number, reason, tone, call_count, priority, status, deadline, follow_up_on = values
    number = to_python(stored_number)
    display = {
        "pk_text": _escaped(localize(pk)),
        "url": _escaped(reverse("callbacks:detail", args=[pk])),
        "caller_label": _escaped(name or gettext("Unknown caller")),
        "company": _escaped(company),
        "number_tel": _escaped(number) if number else "",
        "number_national": _escaped(number.as_national) if number else "",
        "reason_short": _escaped(truncatechars(reason, 90)),
        "tone_label": _escaped(_TONES.get(tone, tone)),
        "call_count_text": _escaped(localize(call_count)),
        "urgent": priority == Priority.URGENT,
    }
    if status == Status.OPEN and deadline:
        display["deadline_text"] = _escaped(date_filter(template_localtime(deadline), "D j M H:i"))
    elif follow_up_on:
        day = date_filter(follow_up_on, "D j M")
        display["follow_up_text"] = _escaped(gettext("check back on %(day)s") % {"day": day})
    else:
        display["status_label"] = _escaped(_STATUSES.get(status, status))
    return display


# The display values of a row (WorkRow) that message_row.html shows.
_CELLS = ("pk_text", "url", "caller_label", "company", "urgent", "number_tel", "number_national", "reason_short",
          "tone_label", "call_count_text", "owner")
_cell_values = itemgetter(*_CELLS)


def with_cells(rows: Iterable[WorkRow], *, show_owner: bool) -> None:
    """Give each row its whole ``<tr>`` as HTML (``row.html``): the memoised cells (see _cells) and the
    last one, the time left, which changes by the minute. Written here rather than in the table's loop,
    where this cell cost ~40 µs a row; the markup is the template's, byte for byte (tests compare)."""
    language = get_language()
    for row in rows:
        row["html"] = SafeString(_cells(_cell_values(row), show_owner, language) + _last_cell(row))


def _last_cell(row: WorkRow) -> str:
    """The row's "Call back" cell and the end of the row. Every text in it is escaped already (_display)."""
    if row.get("due_text"):
        due, deadline = row["due_text"], row["deadline_text"]
        shown = (f'<span class="text-danger fw-semibold" data-test="overdue">{due}</span>\n      ' if row["late"]
                 else f'<span title="{deadline}">{due}</span>')
        inside = f'\n      {shown}\n      <br><span class="small text-body-secondary">{deadline}</span>\n    '
    elif row.get("follow_up_text"):
        inside = f"{row['follow_up_text']}\n    "
    else:
        inside = row.get("status_label", "")
    return f"  <td>\n    {inside}\n  </td>\n</tr>\n"


@lru_cache(maxsize=4096)
def _cells(values: tuple, show_owner: bool, language: str) -> SafeString:
    """message_row.html for these display values (escaped texts). Memoised, as a pure function of its
    arguments: through the template a row cost ~20 µs, and the same rows come back on every view."""
    return render_to_string("callbacks/partials/message_row.html",
                            {"item": dict(zip(_CELLS, values)), "show_owner": show_owner})
