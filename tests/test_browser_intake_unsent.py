"""Typed but not sent: a reload of an intake step keeps what the receptionist was typing (static/js/terugbel.js)."""

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_intake_keyboard import _at, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def test_a_reload_keeps_what_was_typed_on_the_step_and_sending_it_forgets_the_copy(
    clock, page: Page, live_server, receptionist, colleague
):
    _log_in(page, live_server.url)
    _at(page, "recipient", "#id_recipient-recipient")
    page.keyboard.type("Bram")
    page.keyboard.press("Enter")
    _at(page, "caller", "#id_caller-number")
    page.keyboard.type("06-12345678")
    page.fill("#id_caller-name", "Pieter de Boer")
    page.reload()  # the caller's details were never sent
    page.wait_for_load_state("load")
    expect(page.locator("#id_caller-number")).to_have_value("06-12345678")
    expect(page.locator("#id_caller-name")).to_have_value("Pieter de Boer")
    page.click("[data-test=next]")
    _at(page, "reason", "#id_reason-reason")
    stored = page.evaluate("Object.keys(sessionStorage).filter(key => key.startsWith('terugbel:intake:'))")
    assert stored == []  # sent: the draft holds it now, the browser's copy is gone
