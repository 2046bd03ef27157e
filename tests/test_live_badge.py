"""The navigation badge polls every 30 seconds and names a new notice once (issue 16, live in the browser)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Presence
from callbacks.models import Notification
from tests.conftest import login_across_time
from tests.intake_helpers import take_message

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning, the office open

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _attribute(html: str, name: str) -> str | None:
    badge = html[html.index('id="callbacks-badge"') :]
    badge = badge[: badge.index(">")]
    found = re.search(rf"""{name}=(["'])(.*?)\1""", badge)
    return found.group(2) if found else None


def _open_count(html: str) -> int:
    badge = html[html.index('id="callbacks-badge"') :]
    return int(re.search(r'title="Open terugbelverzoeken">(\d+)<', badge).group(1))


def test_every_page_polls_the_badge_every_30_seconds(client, colleague):
    login_across_time(client, colleague)
    page = client.get("/").content.decode()
    assert _attribute(page, "data-hx-trigger") == "callbacks-changed from:body, every 30s"
    assert _attribute(page, "data-hx-get") == "/callbacks/badge/"
    assert 'id="nav-live"' in page and "data-notify-enable" in page


def test_a_new_message_shows_in_the_polled_badge_and_is_announced_once(client, receptionist, colleague, clock):
    login_across_time(client, colleague)
    page = client.get("/").content.decode()
    seen = _attribute(page, "data-notice-id")
    assert seen == "0" and _open_count(page) == 0

    login_across_time(client, receptionist)
    take_message(client)
    clock.shift(timedelta(seconds=30))
    login_across_time(client, colleague)
    polled = client.get("/callbacks/badge/", {"seen": seen}, headers={"HX-Request": "true"}).content.decode()

    notice = Notification.objects.get(recipient=colleague, channel=Notification.Channel.IN_APP)
    assert _open_count(polled) == 1
    assert _attribute(polled, "data-notice-id") == str(notice.pk)
    assert _attribute(polled, "data-notice-text") == "Nieuw bericht van Pieter de Boer"
    assert _attribute(polled, "data-notice-url") == f"/callbacks/{notice.message_id}/"
    assert _attribute(polled, "data-hx-vals") == f'{{"seen": "{notice.pk}"}}'
    live = re.search(r'<span id="nav-live" data-hx-swap-oob="innerHTML">([^<]*)</span>', polled)
    assert live and live.group(1) == "Nieuw bericht van Pieter de Boer"
    assert re.search(
        r'<span id="nav-unread" data-hx-swap-oob="innerHTML"> <span [^>]*data-test="unread">1</span>', polled
    )

    # The next poll already has it: nothing is announced again, the count stays.
    again = client.get("/callbacks/badge/", {"seen": str(notice.pk)}, headers={"HX-Request": "true"}).content.decode()
    assert _open_count(again) == 1
    assert _attribute(again, "data-notice-text") is None and 'id="nav-live"' not in again


def test_do_not_disturb_marks_the_badge_quiet(client, receptionist, colleague, clock):
    Presence.objects.create(
        user=colleague, state=Presence.State.DO_NOT_DISTURB, until=NOW + timedelta(hours=1), set_at=NOW
    )
    login_across_time(client, receptionist)
    take_message(client)
    login_across_time(client, colleague)
    polled = client.get("/callbacks/badge/", {"seen": "0"}).content.decode()
    assert _attribute(polled, "data-notice-text") == "Nieuw bericht van Pieter de Boer"
    assert re.search(r'id="callbacks-badge"[^>]* data-quiet[ >]', polled)


def test_a_page_loaded_after_the_notice_does_not_announce_it(client, receptionist, colleague):
    login_across_time(client, receptionist)
    take_message(client)
    login_across_time(client, colleague)
    page = client.get("/").content.decode()
    notice = Notification.objects.get(recipient=colleague, channel=Notification.Channel.IN_APP)
    assert _attribute(page, "data-notice-id") == str(notice.pk)
    assert _attribute(page, "data-notice-text") is None
