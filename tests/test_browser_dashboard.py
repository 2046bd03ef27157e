"""The manager watches the live dashboard while the overdue sweep runs: no reload needed."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from callbacks.services.overdue import overdue_sweep
from tests.conftest import PASSWORD
from tests.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

POLL_SECONDS = 30


def test_an_overdue_message_appears_on_the_open_dashboard_after_a_sweep(
    clock, page: Page, live_server, receptionist, colleague, manager
):
    MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=2), caller_name="Henk Dekker"
    )
    page.clock.install()  # the page's timers, so the 30-second poll can be brought forward
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.get_by_label("Gebruikersnaam").fill("mira")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht manager")
    due_soon = page.locator("[data-test=due-soon]")
    expect(due_soon).to_contain_text("Henk Dekker")
    expect(page.locator("[data-test=overdue-item]")).to_have_count(0)
    page.wait_for_load_state("load")  # htmx is deferred: the poll's timer exists only once it has run
    page.evaluate("window.__noReload = true")
    clock.shift(minutes=2, seconds=1)
    assert overdue_sweep().flagged == 1
    page.clock.run_for(POLL_SECONDS * 1000)  # the poll goes out ...
    page.clock.resume()  # ... and htmx's own short timers swap its answer in
    item = page.locator("[data-test=overdue-item]")
    expect(item).to_contain_text("Henk Dekker")
    expect(item).to_contain_text("eigenaar ingelicht")
    expect(due_soon).not_to_contain_text("Henk Dekker")
    assert page.evaluate("window.__noReload") is True
