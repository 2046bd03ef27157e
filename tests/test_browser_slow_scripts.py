"""A receptionist who types before the page's scripts have run still gets what the page would have shown.

The scripts are deferred; on a slow line or a busy machine the number can be typed and left before htmx
listens for its change. Here htmx is held back on purpose until she has done so."""

import pytest
from playwright.sync_api import Page, Route, expect

from tests.factories import MessageFactory
from tests.test_browser_intake_keyboard import Keyboard, _at, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def test_a_number_left_before_htmx_ran_still_shows_the_known_caller(
    clock, page: Page, live_server, receptionist, colleague
):
    MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Pieter de Boer")
    _log_in(page, live_server.url)
    keys = Keyboard(page)
    _at(page, "recipient", "#id_recipient-recipient")
    keys.words("Bram")

    held: list[Route] = []
    page.route("**/htmx.min.js", lambda route: held.append(route))  # the caller step's htmx waits
    keys.press("Enter")
    expect(page.locator("form.intake-form[data-step=caller]")).to_be_visible(timeout=15_000)
    page.locator("#id_caller-number").fill("06-12345678")
    page.locator("#id_caller-name").focus()  # she has left the number: its change fired, nobody listened
    assert held, "htmx was not held back: the test would prove nothing"
    for route in held:
        route.continue_()

    expect(page.locator("[data-test=known-name]")).to_have_text("Pieter de Boer", timeout=15_000)
