"""My callbacks in Chromium: the "Show all" link of a capped group leads to the whole group, paginated, and
both pages pass axe (as tests/test_accessibility.py checks every page), at desktop width and at 360 px; on a
phone each message is a card that fits the screen, and the filters wait behind one button."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from callbacks import selectors
from callbacks.models import Status
from callbacks.selectors import FOLLOW_UP, LATER, OVERDUE, TODAY
from callbacks.views import worklist as worklist_views
from tests.browser_helpers import log_in
from tests.factories import MessageFactory
from tests.test_accessibility import VIEWPORTS, _audit, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


@VIEWPORTS
def test_show_all_opens_the_whole_group_and_both_pages_pass_axe(
    clock, page: Page, live_server, viewport, receptionist, colleague, monkeypatch
):
    for due, cap in {OVERDUE: 2, TODAY: 2, LATER: 1, FOLLOW_UP: 1}.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)  # the live server runs in this process
    monkeypatch.setattr(worklist_views, "PAGE_SIZE", 2)
    now = clock.local()
    for minutes in (150, 120, 90, 60, 30):
        MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            deadline=now - timedelta(minutes=minutes),
            caller_name=f"Te laat {minutes}",
        )
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=now + timedelta(minutes=40))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=now + timedelta(days=3))
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED, follow_up_on=now.date())
    audit = _audit(page, live_server, viewport)
    _log_in(page, live_server.url, "bram")

    page.goto(f"{live_server.url}/callbacks/")
    overdue = page.locator("[data-test=group-overdue]")
    expect(overdue.get_by_role("heading")).to_have_text("Te laat (5)")
    expect(overdue.locator("[data-test=message-row]")).to_have_count(2)
    show_all = overdue.locator("[data-test=show-all]")
    expect(show_all).to_have_text("Alle 5 tonen")
    expect(page.locator("[data-test=group-today] [data-test=show-all]")).to_have_count(0)
    audit.check("my callbacks, capped", show_all)

    show_all.click()
    expect(page).to_have_url(f"{live_server.url}/callbacks/?due=overdue")
    expect(page.locator("[data-test=group-all] h2")).to_have_text("Te laat (5)")
    expect(page.locator("[data-test=message-row]")).to_have_count(2)
    audit.check("all overdue, first page", page.locator("[data-test=message-row] td a").first)
    names = []
    for number in range(2, 10):
        names += page.locator("[data-test=message-row] td a.fw-semibold").all_inner_texts()
        following = page.get_by_role("link", name="Volgende")
        if not following.count():
            break
        following.click()
        # Reading rows before the next page has arrived would read the old page's, or none at all.
        expect(page).to_have_url(f"{live_server.url}/callbacks/?due=overdue&page={number}")
        expect(page.locator("[data-test=message-row]").first).to_be_visible()
    assert names == [f"Te laat {minutes}" for minutes in (150, 120, 90, 60, 30)]
    page.locator("[data-test=overview]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/callbacks/") + r"\??$"))
    expect(page.locator("[data-test=group-overdue] [data-test=message-row]")).to_have_count(2)
    audit.finish()


def test_on_a_phone_each_message_is_a_card_that_fits_and_the_filters_fold_away(
    clock, page: Page, live_server, receptionist, colleague
):
    page.set_viewport_size({"width": 360, "height": 740})
    now = clock.local()
    message = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=now + timedelta(hours=3),
        caller_name="Pieter de Boer-van Hoogstraten",
        caller_company="Installatiebedrijf " * 3,
        caller_number="+31612345678",
        reason="Wil graag weten wanneer de monteur komt " * 3,
        call_count=3,
    )
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=now - timedelta(minutes=30))
    log_in(page, live_server.url, "bram")
    page.goto(f"{live_server.url}/callbacks/")
    page.wait_for_load_state("load")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    row = page.locator(f"[data-test=message-row][data-message='{message.pk}']")
    expect(row.get_by_role("link", name="Pieter de Boer-van Hoogstraten")).to_be_in_viewport()
    expect(row.locator("a[href='tel:+31612345678']")).to_be_in_viewport()
    expect(row.locator("[data-test=due]")).to_contain_text(re.compile(r"nog 2\xa0uur, 5\d\xa0minuten"))
    expect(row.locator("[data-test=due]")).to_be_in_viewport()
    # The time left comes after the deadline in the markup (message_table.html) but is shown above it.
    time_left, deadline = row.locator("[data-test=time-left]"), row.locator("[data-test=deadline]")
    assert time_left.bounding_box()["y"] + time_left.bounding_box()["height"] <= deadline.bounding_box()["y"] + 1
    for box in (row.locator("[data-test=due]").bounding_box(), row.bounding_box()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360

    status = page.get_by_label("Status")
    expect(status).to_be_hidden()
    toggle = page.get_by_role("button", name="Filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(status).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # Bootstrap's opening transition has ended (a click during it can miss the moving button).
    expect(page.locator("#worklist-filters")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    status.select_option(label="Afgehandeld")
    with page.expect_navigation():
        page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"status=handled"))
    expect(page.get_by_label("Status")).to_be_visible()  # chosen filters stay in sight
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_at_desktop_width_the_filters_show_without_the_button(clock, page: Page, live_server, colleague):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "bram")
    page.goto(f"{live_server.url}/callbacks/")
    page.wait_for_load_state("load")
    expect(page.get_by_label("Status")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
