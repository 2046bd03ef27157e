"""A colleague with a page open sees a new message within 30 seconds, and a desktop notification once."""

from datetime import timedelta

import time

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Presence
from callbacks.models import Notification
from callbacks.services.notifications import notification_queue
from tests.browser_helpers import log_in
from tests.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

POLL_SECONDS = 30

# window.Notification replaced by a recorder: the headless browser shows nothing, the test reads what was asked.
NOTIFICATION_STUB = """
window.__notifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { this.title = title; this.options = options; window.__notifications.push(this); }
  close() {}
};
"""


def _open_with_notifications(page: Page, live_server) -> None:
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.context.add_init_script(NOTIFICATION_STUB)  # every tab of this browser
    page.clock.install()
    log_in(page, live_server.url, "bram")


def _new_message_for(user, receptionist, caller_name: str):
    message = MessageFactory(taken_by=receptionist, owner=user, caller_name=caller_name)
    notification_queue(message=message, recipients=[user], kind=Notification.Kind.NEW_MESSAGE)
    return message


def _poll(page: Page) -> None:
    page.clock.run_for(POLL_SECONDS * 1000)  # the poll goes out ...
    page.clock.resume()  # ... and htmx's own short timers swap its answer in


def test_a_new_message_reaches_the_open_page_and_the_desktop_once(
    clock, page: Page, live_server, receptionist, colleague
):
    _open_with_notifications(page, live_server)
    badge = page.locator("#callbacks-badge")
    expect(badge.locator(".badge").first).to_have_text("0")
    other_tab = page.context.new_page()  # the same colleague, a second tab open on another page
    other_tab.goto(f"{live_server.url}/callbacks/")
    other_tab.wait_for_load_state("load")

    message = _new_message_for(colleague, receptionist, "Henk Dekker")
    # The fake clock belongs to the browser context: both tabs' 30-second polls go out at once and come back
    # with the same notice, the race in which each tab could think it is the first to show it.
    _poll(page)

    for tab in (page, other_tab):
        expect(tab.locator("#callbacks-badge .badge").first).to_have_text("1")
        expect(tab.locator("[data-test=nav-live]")).to_have_text("Nieuw bericht van Henk Dekker")
    expect(page.locator("[data-test=unread]")).to_have_text("1")
    shown_in = _wait_until_shown(page, other_tab)
    assert shown_in.evaluate("window.__notifications.map((shown) => shown.title)") == ["Nieuw bericht van Henk Dekker"]

    _poll(page)  # the next polls know it was shown
    expect(badge).to_have_attribute("data-hx-vals", f'{{"seen": "{badge.get_attribute("data-notice-id")}"}}')
    assert page.evaluate("window.__notifications.length") + other_tab.evaluate("window.__notifications.length") == 1

    shown_in.evaluate("window.__notifications[0].onclick()")  # clicking it opens the message
    expect(shown_in).to_have_url(f"{live_server.url}/callbacks/{message.pk}/")


def test_a_tab_that_asks_later_does_not_show_the_notice_again(clock, page: Page, live_server, receptionist, colleague):
    _open_with_notifications(page, live_server)
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/callbacks/")
    other_tab.wait_for_load_state("load")
    _new_message_for(colleague, receptionist, "Henk Dekker")

    _refresh_badge(page)  # this tab's badge asks first (as after ticking a message off), the other's later
    _wait_until_shown(page)
    _refresh_badge(other_tab)
    expect(other_tab.locator("[data-test=nav-live]")).to_have_text("Nieuw bericht van Henk Dekker")
    _new_message_for(colleague, receptionist, "Els de Wit")
    _refresh_badge(other_tab)
    expect(other_tab.locator("[data-test=nav-live]")).to_have_text("Nieuw bericht van Els de Wit")
    _wait_until_shown(other_tab)  # a tab claims in order: Henk's claim had been settled before Els's

    assert page.evaluate("window.__notifications.map((shown) => shown.title)") == ["Nieuw bericht van Henk Dekker"]
    assert other_tab.evaluate("window.__notifications.map((shown) => shown.title)") == ["Nieuw bericht van Els de Wit"]


def test_do_not_disturb_shows_the_notice_but_no_desktop_popup(clock, page: Page, live_server, receptionist, colleague):
    Presence.objects.create(
        user=colleague, state=Presence.State.DO_NOT_DISTURB, set_at=clock.now(), until=clock.now() + timedelta(hours=2)
    )
    _open_with_notifications(page, live_server)
    _new_message_for(colleague, receptionist, "Henk Dekker")
    _poll(page)
    expect(page.locator("[data-test=nav-live]")).to_have_text("Nieuw bericht van Henk Dekker")
    assert page.evaluate("window.__notifications.length") == 0


def test_the_permission_button_asks_the_browser(page: Page, live_server, colleague):
    page.add_init_script("""
      window.__asked = 0;
      window.Notification = class {
        static permission = "default";
        static requestPermission() { window.__asked += 1; window.Notification.permission = "granted";
                                     return Promise.resolve("granted"); }
      };
    """)
    log_in(page, live_server.url, "bram")
    button = page.get_by_role("button", name="Meldingen op dit apparaat aanzetten")
    button.click()
    expect(button).to_be_hidden()
    assert page.evaluate("window.__asked") == 1


def _refresh_badge(tab: Page) -> None:
    """The badge's other trigger, the event an action on the page sends, without waiting for the poll."""
    tab.evaluate("htmx.trigger(document.body, 'callbacks-changed')")


def _wait_until_shown(*tabs: Page) -> Page:
    """The tab that showed a desktop notification. (page.wait_for_function evaluates a string in the page,
    which the app's CSP, no eval, forbids.)"""
    give_up = time.monotonic() + 15
    while time.monotonic() < give_up:
        for tab in tabs:
            if tab.evaluate("window.__notifications.length") > 0:
                return tab
        time.sleep(0.05)
    raise AssertionError("no desktop notification was shown")
