"""The promise step's sentence follows the caller's wishes as they are typed (htmx), in Chromium."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.test_browser_intake import CALL_STEP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

INTAKE = "/callbacks/new/"


def test_the_proposed_sentence_updates_as_the_wishes_are_entered(
    clock, page: Page, live_server, receptionist, colleague
):
    page.goto(f"{live_server.url}{INTAKE}")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(CALL_STEP)  # a new call of its own
    page.fill("#id_recipient-recipient", "Bram")
    page.keyboard.press("Enter")
    expect(page.locator("form.intake-form[data-step=caller]")).to_be_visible()
    page.fill("#id_caller-name", "Pieter de Boer")
    page.fill("#id_caller-number", "06-12345678")
    page.keyboard.press("Enter")
    expect(page.locator("form.intake-form[data-step=reason]")).to_be_visible()
    page.fill("#id_reason-reason", "Vraag over de offerte")
    page.keyboard.press("Enter")
    expect(page.locator("form.intake-form[data-step=promise]")).to_be_visible()
    expect(page.locator("[data-test=proposal-wish]")).to_have_count(0)

    page.fill("#id_promise-not_between_start", "17:30")
    page.fill("#id_promise-not_between_end", "19:00")
    page.locator("#id_promise-not_between_end").dispatch_event("change")
    expect(page.locator("[data-test=proposal-wish]")).to_have_text("“U wordt niet gebeld tussen 17:30 en 19:00.”")
    # A second change redraws it again: the fragment keeps the target's id.
    page.fill("#id_promise-not_between_start", "18:00")
    page.locator("#id_promise-not_between_start").dispatch_event("change")
    expect(page.locator("[data-test=proposal-wish]")).to_have_text("“U wordt niet gebeld tussen 18:00 en 19:00.”")
