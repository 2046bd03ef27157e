"""The intake steps' forms as the receptionist meets them (crispy-bootstrap5): every field labelled in
Dutch, the first field focused, errors shown beside their field and tied to it for screen readers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import MessageFactory
from tests.form_markup import Page
from tests.intake_helpers import CALLER, REASON, RECIPIENT, post_step, start_call

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=TUESDAY), pytest.mark.usefixtures("clock")]

# The step, and the Dutch label of its first field (the one with the focus).
STEPS = [
    ("recipient", "Voor wie?"),
    ("caller", "Telefoonnummer"),
    ("reason", "Korte reden"),
    ("promise", "Niet tussen"),
    ("readback", "Ik heb het bericht voorgelezen en de beller heeft bevestigd dat het klopt"),
]


@pytest.fixture
def desk(client, receptionist, colleague):
    client.force_login(receptionist)
    return client


def _pages(desk) -> dict[str, Page]:
    """The page of each step, as the intake shows it after the step before."""
    pages = {"recipient": Page(start_call(desk).content.decode())}
    for step, data, following in (
        ("recipient", RECIPIENT, "caller"),
        ("caller", CALLER, "reason"),
        ("reason", REASON, "promise"),
        ("promise", {}, "readback"),
    ):
        response = post_step(desk, step, data)
        assert response.status_code == 200
        pages[following] = Page(response.content.decode())
    return pages


def test_it_labels_every_field_and_focuses_the_first_of_each_step(desk):
    pages = _pages(desk)
    for step, first_label in STEPS:
        page = pages[step]
        fields = [field for field in page.fields() if field["name"].startswith(f"{step}-")]
        assert fields, step
        focused = [field for field in fields if "autofocus" in field]
        assert focused == [fields[0]], step
        assert page.label_of(fields[0]).startswith(first_label), (step, page.label_of(fields[0]))
        # Each radio button has its own label too (its choice); the group is named by a legend.
        assert [field["id"] for field in fields if not page.label_of(field)] == [], step


def test_it_shows_an_error_beside_its_field_and_moves_the_focus_there(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    page = Page(post_step(desk, "caller", {**CALLER, "number": "12"}).content.decode())
    number = page.by_id("id_caller-number")
    assert number.get("aria-invalid") == "true" and "is-invalid" in number["class"].split()
    assert "Korte nummers zoals 112" in page.errors_of(number)
    assert "autofocus" in number and "autofocus" not in page.by_id("id_caller-name")
    assert page.errors_of(page.by_id("id_caller-name")) == ""  # the name was fine


def test_it_keeps_typed_text_and_an_open_messages_reason_as_text(desk, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31612345678", reason='Offerte <b>"dak"</b>')
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    response = post_step(desk, "caller", {**CALLER, "name": '"><script>x</script>'})
    html = response.content.decode()
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "<b>" not in html and "&lt;b&gt;" in html  # the open message's reason, in the choice to add to it
    page = Page(html)
    assert page.by_id("id_caller-name")["value"] == '"><script>x</script>'


def _reason_page(desk) -> Page:
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    return Page(post_step(desk, "caller", CALLER).content.decode())


def test_a_step_with_errors_or_typed_values_is_never_served_from_the_kept_fields(desk):
    """The empty steps' fields come from the cache (callbacks/templatetags/cached_forms.py); what a person
    typed, and the errors on it, are rendered afresh every time."""
    assert _reason_page(desk).by_id("id_reason-reason").get("value", "") == ""  # kept now
    for typed in ("eerst", "daarna"):
        page = Page(post_step(desk, "reason", {**REASON, "reason": typed, "call_type": "bogus"}).content.decode())
        assert page.by_id("id_reason-reason")["value"] == typed
        assert "geldige keuze" in page.by_id("id_reason-call_type_error")["text"]

    post_step(desk, "reason", REASON)
    back = Page(post_step(desk, "promise", {}, goto="reason").content.decode())
    assert back.by_id("id_reason-reason")["value"] == REASON["reason"]  # Back shows what was typed

    page = _reason_page(desk)
    assert page.by_id("id_reason-reason").get("value", "") == ""
    assert not [element for element in page.elements if "is-invalid" in element.get("class", "").split()]
