"""Hostile text typed at the desk stays text: escaped on every page, quoted in the CSV exports,
and plain (never HTML) in the emails.

The caller's name, company and reason carry script and attribute-breaking payloads; the colleague's
full name carries them too, and two more names start like spreadsheet formulas. One office day takes
every such value everywhere it is shown: the intake, the lists, the detail page, the inbox, the
manager's dashboard and statistics, both CSV files and all five kinds of notification email.
"""

import csv
import io
import re
import uuid
from datetime import datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from accounts.models import User
from callbacks.models import Message, Notification
from callbacks.services import digests_send, message_add_call
from callbacks.services.delivery import outbox_deliver
from callbacks.services.overdue import overdue_sweep
from callbacks.services.rollups import statistics_rollup_refresh
from callbacks.views.statistics import FORMULA_STARTS
from tests.intake_helpers import CALLER, REASON, RECIPIENT, URL, saved, take_message

SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ATTRIBUTE = '"><svg onload=alert(1)>'
FORMULA = "=cmd|' /C calc'!A0"

CALLER_NAME = f"Pieter 't Hart {SCRIPT}"  # an apostrophe, as in many Dutch names
COMPANY = f"{ATTRIBUTE} BV"
REASON_TEXT = f"Offerte {SCRIPT}"
COLLEAGUE_NAME = f"Bram {ATTRIBUTE}{SCRIPT}"
RECEPTIONIST_NAME = FORMULA
STAND_IN_NAME = f"@SUM(1+1)*{FORMULA}"
# What must never reach a page as markup.
RAW = [SCRIPT, ATTRIBUTE, "<script>alert", "<img src=x", "<svg onload"]

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_0905 = datetime(2026, 12, 1, 9, 5, tzinfo=AMS)  # open, and just after the 09:00 check moment

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=TUESDAY_0905), pytest.mark.usefixtures("clock")]


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def day(receptionist, colleague, other_colleague, manager, django_capture_on_commit_callbacks):
    """Messages with hostile text, a repeat call, one passed on, a caller's confirmation, a digest, an overdue
    flag and an escalation."""
    User.objects.filter(pk=colleague.pk).update(full_name=COLLEAGUE_NAME)
    User.objects.filter(pk=receptionist.pk).update(full_name=RECEPTIONIST_NAME)
    User.objects.filter(pk=other_colleague.pk).update(full_name=STAND_IN_NAME)
    desk, bram = _logged_in(receptionist), _logged_in(colleague)
    hostile = {
        "recipient": {**RECIPIENT, "recipient": "bram"},
        "caller": {**CALLER, "name": CALLER_NAME, "company": COMPANY},
        "reason": {**REASON, "reason": REASON_TEXT},
    }
    with django_capture_on_commit_callbacks(execute=True):
        intake_pages = take_message(desk, **hostile)
        take_message(desk, **{**hostile, "caller": {**hostile["caller"], "number": "020-1234567"}})
        # A caller who gave an address and agreed: the confirmation names the colleague and the office.
        take_message(
            desk,
            **{**hostile, "caller": {**hostile["caller"], "number": "030-1234567", "email": "pieter@example.test"}},
            promise={"confirm_to_caller": "on", "confirmation_language": "nl"},
        )
        first, second = Message.objects.order_by("pk")[:2]
        message_add_call(token=uuid.uuid4(), message_id=first.pk, taken_by=receptionist, note=REASON_TEXT)
        bram.post(
            f"/callbacks/{second.pk}/reassign/",
            {"reassign-version": "1", "reassign-recipient": "daan", "reassign-reason": ATTRIBUTE},
        )
        digests_send(now=TUESDAY_0905)
    Message.objects.filter(pk=first.pk).update(
        deadline=TUESDAY_0905 - timedelta(hours=3), escalate_at=TUESDAY_0905 - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        overdue_sweep(now=TUESDAY_0905)  # the owner is told, and the manager
        outbox_deliver(now=TUESDAY_0905, grace=timedelta(0))
    statistics_rollup_refresh(now=TUESDAY_0905)  # the beat's run: the statistics read the rollup
    return SimpleNamespace(
        first=first,
        second=second,
        intake_pages=intake_pages,
        clients={
            "anna": desk,
            "bram": bram,
            "daan": _logged_in(other_colleague),
            "mira": _logged_in(manager),
        },
    )


class _ActiveContent(HTMLParser):
    """What a browser would run: inline script, event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            script_url = (value or "").strip().lower().startswith("javascript:")
            if name.startswith("on") or (name in ("href", "src", "action", "formaction") and script_url):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:60]!r}")


def assert_inert(html: str, *, shows: tuple[str, ...] = ()) -> None:
    """No payload as markup, nothing a browser would run, and the hostile values that should be on the page
    are there, escaped (so the check is not passing on a page that simply left them out)."""
    assert [raw for raw in RAW if raw in html] == []
    parser = _ActiveContent()
    parser.feed(html)
    assert parser.found == []
    assert [value for value in shows if escape(value) not in html] == []


# Who looks at which page, and which hostile values that page must show (escaped).
PAGES = [
    ("bram", "/callbacks/", (CALLER_NAME, COMPANY)),
    ("bram", "/callbacks/?scope=teams", (CALLER_NAME, COMPANY, COLLEAGUE_NAME)),
    ("bram", "/callbacks/?status=all", (CALLER_NAME, COMPANY)),
    ("bram", "/callbacks/{first}/", (CALLER_NAME, COMPANY, REASON_TEXT, COLLEAGUE_NAME, RECEPTIONIST_NAME)),
    ("bram", "/callbacks/notifications/", (CALLER_NAME,)),
    ("bram", "/", (COLLEAGUE_NAME,)),
    ("daan", "/callbacks/{second}/", (CALLER_NAME, REASON_TEXT, ATTRIBUTE, COLLEAGUE_NAME, STAND_IN_NAME)),
    ("daan", "/callbacks/notifications/", (CALLER_NAME,)),
    ("anna", "/callbacks/{first}/", (CALLER_NAME, COMPANY, REASON_TEXT)),
    ("anna", "/callbacks/{first}/correct/", (CALLER_NAME, COMPANY, REASON_TEXT)),
    ("anna", URL + "?number=0612345678", (REASON_TEXT, COLLEAGUE_NAME)),  # the caller's history
    ("anna", "/callbacks/desk/", (CALLER_NAME, COLLEAGUE_NAME)),  # the messages taken today
    ("anna", "/callbacks/new/status/?recipient=bram", (COLLEAGUE_NAME,)),
    ("anna", "/callbacks/new/caller/?caller-number=0612345678", (CALLER_NAME, COMPANY, REASON_TEXT, COLLEAGUE_NAME)),
    ("mira", "/dashboard/", (CALLER_NAME, COLLEAGUE_NAME)),
    ("mira", "/dashboard/live/", (CALLER_NAME, COLLEAGUE_NAME)),
    ("mira", "/dashboard/statistics/", (COLLEAGUE_NAME, STAND_IN_NAME)),
    ("mira", "/dashboard/phone-duty/", (RECEPTIONIST_NAME,)),
    ("mira", "/callbacks/notifications/", ()),
]


@pytest.mark.parametrize("who, url, shows", PAGES, ids=[f"{who} {url}" for who, url, _ in PAGES])
def test_pages_show_hostile_text_as_text(day, who, url, shows):
    response = day.clients[who].get(url.format(first=day.first.pk, second=day.second.pk), follow=True)
    assert response.status_code == 200
    assert_inert(response.content.decode(), shows=shows)


def test_the_intake_steps_show_hostile_text_as_text(day):
    assert [response.status_code for response in day.intake_pages] == [200] * 6
    assert saved(day.intake_pages[-1])
    for response in day.intake_pages[:-1]:
        assert_inert(response.content.decode())
    caller_step, readback = day.intake_pages[0].content.decode(), day.intake_pages[3].content.decode()
    assert escape(COLLEAGUE_NAME) in caller_step
    assert escape(CALLER_NAME) in readback and escape(COMPANY) in readback and escape(REASON_TEXT) in readback


def test_a_htmx_action_answers_with_escaped_text(day):
    response = day.clients["bram"].post(
        f"/callbacks/{day.first.pk}/attempt/", {"attempt-version": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert_inert(response.content.decode(), shows=(CALLER_NAME, REASON_TEXT))


NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def _csv_cells(response) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("url", ["/dashboard/messages.csv", "/dashboard/statistics.csv"])
def test_csv_exports_quote_anything_a_spreadsheet_would_run(day, url):
    cells = _csv_cells(day.clients["mira"].get(url, {"start": "2026-12-01", "end": "2026-12-01"}))
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)] == []
    assert "'" + STAND_IN_NAME in cells
    assert COLLEAGUE_NAME in cells  # no HTML in a CSV: the name as typed
    if url == "/dashboard/messages.csv":
        assert "'" + RECEPTIONIST_NAME in cells
        text = "\n".join(cells)
        assert "Pieter" not in text and "BV" not in text and "Offerte" not in text  # no caller data at all


def _assert_plain_text_only(email) -> None:
    assert email.content_subtype == "plain"
    assert getattr(email, "alternatives", []) == []
    assert email.attachments == []
    assert email.message().get_content_type() == "text/plain"
    assert "\n" not in email.subject and "\r" not in email.subject
    # Plain text is not HTML: no escaping either, or "'t Hart" would arrive as "&#x27;t Hart".
    assert [
        entity for entity in ("&lt;", "&gt;", "&quot;", "&#x27;", "&amp;") if entity in email.subject + email.body
    ] == []


def test_every_email_is_plain_text_with_no_html_alternative(day):
    sent = set(
        Notification.objects.filter(channel=Notification.Channel.EMAIL, state=Notification.State.SENT).values_list(
            "kind", flat=True
        )
    )
    # Every kind about a message: new message, called again, passed on, digest, overdue, escalated (the reset
    # mail is below).
    assert sent == set(Notification.Kind.values) - {Notification.Kind.PASSWORD_RESET}
    # One mail per sent row; the new-message mail for the message passed on before its delivery is dropped.
    assert (
        len(mail.outbox)
        == Notification.objects.filter(channel=Notification.Channel.EMAIL, state=Notification.State.SENT).count()
    )
    for email in mail.outbox:
        _assert_plain_text_only(email)
    new_message = next(email for email in mail.outbox if email.to == ["bram@example.test"])
    assert CALLER_NAME in new_message.subject and CALLER_NAME in new_message.body
    assert COMPANY in new_message.body and REASON_TEXT in new_message.body


def test_the_password_reset_email_is_plain_text(colleague, client, django_capture_on_commit_callbacks):
    User.objects.filter(pk=colleague.pk).update(full_name=COLLEAGUE_NAME)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers once the request commits
        assert client.post("/accounts/password/reset/", {"email": colleague.email}).status_code == 302
    (email,) = mail.outbox
    _assert_plain_text_only(email)
    assert "Bram" in email.body


def test_a_corrected_caller_name_stays_on_one_line(day):
    """The intake puts the name on one line; the correction form must too."""
    response = day.clients["anna"].post(
        f"/callbacks/{day.first.pk}/correct/",
        {
            "version": Message.objects.get(pk=day.first.pk).version,
            "caller_name": "Piet\r\nBcc: all@example.test",
            "caller_number": "0612345678",
            "reason": "Offerte",
            "call_type": "question",
            "tone": "calm",
        },
    )
    assert response.status_code == 302
    assert Message.objects.get(pk=day.first.pk).caller_name == "Piet Bcc: all@example.test"


def test_a_line_break_in_a_name_cannot_break_into_the_email_headers(day, django_capture_on_commit_callbacks):
    """A name stored with a line break (before the fix above, or by an admin) must neither add a header
    nor make the email fail to send, for ever, at each retry."""
    Message.objects.filter(pk=day.first.pk).update(caller_name="Piet\r\nBcc: all@example.test")
    User.objects.filter(username="daan").update(full_name="Daan\nBcc: all@example.test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = day.clients["bram"].post(
            f"/callbacks/{day.first.pk}/reassign/",
            {
                "reassign-version": Message.objects.get(pk=day.first.pk).version,
                "reassign-recipient": "daan",
                "reassign-reason": "Service",
            },
        )
    assert response.status_code == 302
    (email,) = mail.outbox
    _assert_plain_text_only(email)
    assert email.recipients() == ["daan@example.test"]
    assert "Piet Bcc: all@example.test" in email.subject
