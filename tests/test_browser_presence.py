"""A colleague sets a status from the navigation with the keyboard alone, and clears it again."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Presence
from tests.browser_helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def _tab_to(page: Page, test_id: str, most: int = 8) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.test") == test_id:
            return
    raise AssertionError(f"Tab never reached {test_id}")


def test_a_status_is_set_and_cleared_by_keyboard(clock, page: Page, live_server, colleague):
    log_in(page, live_server.url, "bram")
    summary = page.locator("[data-test=presence-summary]")
    expect(summary).to_have_text("Beschikbaar")
    summary.focus()
    page.keyboard.press("Enter")  # opens the <details>
    page.keyboard.press("Tab")  # the radio group, on "Beschikbaar"
    page.keyboard.press("ArrowDown")  # "In gesprek"
    page.keyboard.press("Tab")  # "Voor": the rest of the day, 15, 30 minutes, 1 hour
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "presence-save")
    page.keyboard.press("Enter")
    expect(summary).to_contain_text("In gesprek tot")
    presence = Presence.objects.get(user=colleague)
    minutes = (presence.until - presence.set_at).total_seconds() / 60
    assert presence.state == "on_call" and minutes == 30

    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the checked radio: "In gesprek"
    page.keyboard.press("ArrowUp")  # "Beschikbaar"
    _tab_to(page, "presence-save")
    page.keyboard.press("Enter")
    expect(summary).to_have_text("Beschikbaar")
    assert not Presence.objects.exists()
