"""The detail page's action forms come from Django's cache while unbound (callbacks/templatetags/cached_forms.py).

What the cached fields show must follow the message: every action moves the message's version on, and
the forms carry the version, so after an attempt, a correction or a reassignment the page shows the
new state and forms that go through. A form with errors is rendered afresh and never kept.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from callbacks.models import Message
from tests.conftest import login_across_time
from tests.factories import MessageFactory
from tests.form_markup import Page

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

ACTIONS = ("attempt", "handle", "reassign")


def _page(client: Client, message: Message) -> Page:
    response = client.get(f"/callbacks/{message.pk}/")
    assert response.status_code == 200
    return Page(response.content.decode())


def _versions(page: Page) -> dict[str, str]:
    """The version each action form on the page carries."""
    return {
        element["name"].removesuffix("-version"): element["value"]
        for element in page.elements
        if element["tag"] == "input" and element.get("name", "").endswith("-version")
    }


def test_after_an_attempt_a_correction_and_a_reassignment_the_page_shows_the_new_state(
    bram, receptionist, colleague, other_colleague
):
    message = MessageFactory(
        taken_by=receptionist, owner=colleague, caller_name="Pieter de Boer", deadline=NOW + timedelta(hours=2)
    )
    assert _versions(_page(bram, message)) == dict.fromkeys(ACTIONS, str(message.version))

    bram.post(
        f"/callbacks/{message.pk}/attempt/",
        {"attempt-version": message.version, "attempt-result": "no_answer", "attempt-note": "geen gehoor"},
    )
    message.refresh_from_db()
    page = _page(bram, message)
    assert message.attempt_count == 1 and "geen gehoor" in page.by_id("message-detail")["text"]
    assert _versions(page) == dict.fromkeys(ACTIONS, str(message.version))

    anna = Client()
    login_across_time(anna, receptionist)
    anna.post(
        f"/callbacks/{message.pk}/correct/",
        {
            "version": message.version,
            "caller_name": "Piet de Boer",
            "caller_number": "06-87654321",
            "caller_company": "",
            "caller_email": "",
            "reason": message.reason,
            "call_type": message.call_type,
            "tone": message.tone,
        },
    )
    message.refresh_from_db()
    page = _page(bram, message)
    assert message.caller_name == "Piet de Boer" and "Piet de Boer" in page.by_id("message-detail")["text"]
    assert _versions(page) == dict.fromkeys(ACTIONS, str(message.version))

    bram.post(
        f"/callbacks/{message.pk}/reassign/",
        {"reassign-version": message.version, "reassign-recipient": "daan", "reassign-reason": "Vakantie"},
    )
    message.refresh_from_db()
    assert message.owner_user == other_colleague
    daan = Client()
    login_across_time(daan, other_colleague)
    page = _page(daan, message)
    assert _versions(page) == dict.fromkeys(ACTIONS, str(message.version))
    assert page.by_id("id_attempt-note").get("value", "") == ""  # the fields are the fresh ones, not another's


def test_a_form_with_errors_is_never_kept(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    _page(bram, message)  # the unbound forms are kept now
    invalid = {
        "attempt-version": message.version,
        "attempt-result": "no_answer",
        "attempt-note": "eerst",
        "attempt-next_try_at": (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    for note in ("eerst", "daarna"):
        response = bram.post(
            f"/callbacks/{message.pk}/attempt/", {**invalid, "attempt-note": note}, headers={"HX-Request": "true"}
        )
        page = Page(response.content.decode())
        assert page.by_id("id_attempt-note")["value"] == note
        assert "toekomst" in page.errors_of(page.by_id("id_attempt-next_try_at"))

    page = _page(bram, message)
    assert page.by_id("id_attempt-note").get("value", "") == ""
    assert page.errors_of(page.by_id("id_attempt-next_try_at")) == ""
    assert not [element for element in page.elements if "is-invalid" in element.get("class", "").split()]


def test_the_kept_forms_follow_the_language(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    # The browser's language, not the user's: saving a user moves the configuration version on, which
    # would empty the cache by itself.
    type(colleague).objects.filter(pk=colleague.pk).update(preferred_language="")
    labels = {}
    for language in ("nl", "en", "nl"):
        bram.cookies["django_language"] = language
        page = _page(bram, message)
        labels.setdefault(language, set()).add(page.label_of(page.by_id("id_attempt-note")))
    assert labels == {"nl": {"Notitie"}, "en": {"Note"}}
