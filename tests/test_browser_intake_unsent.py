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


def test_what_was_typed_before_the_steps_script_ran_survives_a_reload(
    clock, page: Page, live_server, receptionist, colleague
):
    _log_in(page, live_server.url)
    _at(page, "recipient", "#id_recipient-recipient")
    page.keyboard.type("Bram")
    held = []

    def hold(route):
        held.append(route)

    page.route("**/js/terugbel*.js", hold)  # a slow line: the next step's script has not arrived
    page.keyboard.press("Enter")
    expect(page.locator("form.intake-form[data-step=caller]")).to_be_visible()
    expect(page.locator("#id_caller-number")).to_be_focused()
    page.keyboard.type("06-12345678")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright hand over the held request
    assert held, "the step's script was never requested"
    for route in held:
        route.continue_()
    page.unroute("**/js/terugbel*.js", hold)
    page.wait_for_load_state("load")
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator("#id_caller-number")).to_have_value("06-12345678")
