"""My callbacks with capped groups, in Chromium: the "Show all" link leads to the whole group, paginated, and
both pages pass axe (as tests/test_accessibility.py checks every page), at desktop width and at 360 px."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from callbacks import selectors
from callbacks.models import Status
from callbacks.selectors import FOLLOW_UP, LATER, OVERDUE, TODAY
from callbacks.views import work
from tests.factories import MessageFactory
from tests.test_accessibility import VIEWPORTS, _audit, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


@VIEWPORTS
def test_show_all_opens_the_whole_group_and_both_pages_pass_axe(
    clock, page: Page, live_server, viewport, receptionist, colleague, monkeypatch
):
    for due, cap in {OVERDUE: 2, TODAY: 2, LATER: 1, FOLLOW_UP: 1}.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)  # the live server runs in this process
    monkeypatch.setattr(work, "PAGE_SIZE", 2)
    now = clock.local()
    for minutes in (150, 120, 90, 60, 30):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=now - timedelta(minutes=minutes),
                       caller_name=f"Te laat {minutes}")
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
    while True:
        names += page.locator("[data-test=message-row] td a.fw-semibold").all_inner_texts()
        following = page.get_by_role("link", name="Volgende")
        if not following.count():
            break
        following.click()
    assert names == [f"Te laat {minutes}" for minutes in (150, 120, 90, 60, 30)]
    page.locator("[data-test=overview]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/callbacks/") + r"\??$"))
    expect(page.locator("[data-test=group-overdue] [data-test=message-row]")).to_have_count(2)
    audit.finish()
