import pytest
from playwright.sync_api import Page, expect

from tests.browser_helpers import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock(tick=True),
    pytest.mark.usefixtures("clock"),
]


def test_each_role_logs_in_and_sees_its_own_navigation(page: Page, live_server, receptionist, colleague, manager):
    expectations = {
        "anna": ("Receptionist", False),
        "bram": ("Collega", False),
        "mira": ("Manager", True),
    }
    for username, (role, sees_admin) in expectations.items():
        page.context.clear_cookies()
        log_in(page, live_server.url, username)
        expect(page.locator("[data-test=roles]")).to_have_text(role)
        expect(page.locator("[data-nav=admin]")).to_have_count(1 if sees_admin else 0)
        page.get_by_role("button", name="Uitloggen").click()
        expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_the_language_switch_works_without_a_mouse_and_sticks(page: Page, live_server, colleague):
    log_in(page, live_server.url, "bram")
    page.get_by_label("Taal").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    page.reload()
    expect(page.get_by_role("link", name="Overview")).to_be_visible()


def test_pages_load_without_csp_violations(page: Page, live_server, manager):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    log_in(page, live_server.url, "mira")
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("typeof bootstrap") == "object"
    assert violations == []
