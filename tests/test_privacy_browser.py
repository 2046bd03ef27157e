"""The privacy pages pass axe (tests/test_accessibility.py's audit) on a desktop and a 360px phone."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import MessageFactory
from tests.test_accessibility import VIEWPORTS, _audit, _log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock(tick=True),
]


@VIEWPORTS
def test_the_privacy_pages_pass_axe(page: Page, live_server, viewport, clock, receptionist, colleague, manager):
    MessageFactory(taken_by=receptionist, owner=colleague)
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    _log_in(page, base, "mira")
    page.goto(f"{base}/dashboard/privacy/")
    audit.check("privacy", page.locator("[data-test=retention-form] button[type=submit]"))
    page.locator("[data-test=caller-search] input[name=number]").fill("06-12345678")
    page.locator("[data-test=caller-search] button[type=submit]").click()
    expect(page.locator("[data-test=found]")).to_contain_text("1 bericht")
    erase = page.locator("[data-test=erase-form] button[type=submit]")
    audit.check("a caller's data", erase)
    page.locator("#id_reason").fill("Verzoek per e-mail")
    page.locator("#id_confirm").fill("ja")
    erase.click()
    expect(page.locator("#id_confirm")).to_have_attribute("aria-invalid", "true")
    audit.check("a caller's data, with an error", erase)
    page.locator("#id_confirm").fill("WISSEN")
    page.locator("[data-test=erase-form] button[type=submit]").click()
    expect(page.locator("[data-test=found]")).to_contain_text("0 berichten")
    audit.finish()
