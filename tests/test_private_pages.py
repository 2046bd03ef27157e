"""What a logged-in person is shown stays out of the browser's cache (docs/SECURITY.md)."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserType, expect

from tests.browser_helpers import log_in
from tests.conftest import login_across_time
from tests.factories import MessageFactory

CALLER = "Pieter de Boer"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_pages_fragments_and_exports_of_a_logged_in_user_are_not_stored(client, receptionist, colleague, manager):
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_name=CALLER)
    login_across_time(client, colleague)
    for url in (
        reverse("callbacks:list"),
        reverse("callbacks:detail", args=[message.pk]),
        reverse("callbacks:inbox"),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and _no_store(response), url
    badge = client.get(reverse("callbacks:badge"), headers={"hx-request": "true"})
    assert badge.status_code == 200 and _no_store(badge)

    login_across_time(client, manager)
    for url in (
        reverse("dashboard:messages_csv"),
        reverse("dashboard:statistics_csv"),
        reverse("dashboard:live"),
        reverse("dashboard:index"),
    ):
        response = client.get(url, headers={"hx-request": "true"} if url.endswith("live/") else {})
        assert response.status_code == 200 and _no_store(response), url


@pytest.fixture
def desk_browser(browser_type: BrowserType, browser_type_launch_args: dict) -> Iterator[Browser]:
    """Chromium as on the reception desk: with the back/forward cache, which Playwright switches off by
    default and which keeps whole pages in memory for the Back button unless they say no-store."""
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"])
    yield browser
    browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clock(tick=True)
@pytest.mark.usefixtures("clock")
def test_after_logout_the_back_button_shows_no_caller_data(
    desk_browser: Browser, browser_context_args: dict, live_server, receptionist, colleague
):
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_name=CALLER)
    page = desk_browser.new_page(**browser_context_args)
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "bram")
    page.goto(f"{live_server.url}/callbacks/")
    expect(page.get_by_text(CALLER).first).to_be_visible()
    page.goto(f"{live_server.url}/callbacks/{message.pk}/")
    expect(page.get_by_text(CALLER).first).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    for shown_before in (f"/callbacks/{message.pk}/", "/callbacks/"):
        # A page kept in the back/forward cache comes back without a load event: wait for the commit only.
        page.go_back(wait_until="commit")
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={shown_before}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
        expect(page.get_by_text(CALLER)).to_have_count(0)
