"""A known caller in the browser: the number typed at the caller step brings the caller's details, history and
open messages (htmx), and one key fills the fields still empty (static/js/terugbel.js)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import MessageFactory
from tests.test_browser_intake import CALL_STEP, _press_accesskey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def test_in_the_browser_the_number_brings_the_known_caller_and_one_key_fills_the_empty_fields(
    clock, page, live_server, receptionist, colleague, other_colleague
):
    MessageFactory(
        taken_by=receptionist, owner=other_colleague, caller_name="Pieter de Boer", caller_company="Bakkerij De Boer"
    )
    page.goto(f"{live_server.url}/callbacks/new/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(CALL_STEP)  # a new call of its own
    page.wait_for_load_state("load")
    page.keyboard.type("Bram")
    page.keyboard.press("Enter")
    expect(page.locator("form.intake-form[data-step=caller]")).to_be_visible()
    page.focus("#id_caller-number")
    page.keyboard.type("06 12345678")
    page.keyboard.press("Tab")  # leaving the number asks who it is
    expect(page.locator("[data-test=known-open]")).to_contain_text(
        "voor Daan", timeout=15_000
    )  # htmx, on a loaded machine
    expect(page.locator("[data-test=history]")).to_contain_text("Daan")
    _press_accesskey(page, "k")
    expect(page.locator("#id_caller-name")).to_have_value("Pieter de Boer")
    expect(page.locator("#id_caller-company")).to_have_value("Bakkerij De Boer")
