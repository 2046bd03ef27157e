"""The navigation badge counts exactly what the list it links to ("My callbacks", /callbacks/) shows."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Team
from callbacks.models import Status
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _badge(page: str) -> tuple[int, int]:
    """The badge's open and overdue numbers (no overdue part means none overdue)."""
    badge = page[page.index('id="callbacks-badge"') :]
    badge = badge[: badge.index("</a>")]
    open_count = int(re.search(r">(\d+)</span>", badge).group(1))
    overdue = re.search(r"(\d+) te laat", badge)
    return open_count, int(overdue.group(1)) if overdue else 0


def _listed(page: str, group: str) -> set[str]:
    """The messages one group of the list shows (the same message may be drawn as a row and as a card)."""
    start = page.index(f'data-test="group-{group}"')
    section = page[start : page.index("</section>", start)]
    return set(re.findall(r'data-message="(\d+)"', section))


def test_the_badge_counts_what_my_callbacks_lists(client, receptionist, colleague, other_colleague):
    sales, service = Team.objects.get(name="Verkoop"), Team.objects.get(name="Service")
    mate = make_user("carla", "colleague")
    sales.members.add(mate)
    late, soon, tomorrow = NOW - timedelta(hours=1), NOW + timedelta(hours=3), NOW + timedelta(days=2)
    for deadline in (late, late, soon, tomorrow):  # bram's own
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=deadline)
    for deadline in (late, tomorrow):  # his team's, owned by nobody yet
        MessageFactory(taken_by=receptionist, owner=None, team=sales, deadline=deadline)
    MessageFactory(taken_by=receptionist, owner=mate, deadline=late)  # a team mate's own
    MessageFactory(taken_by=receptionist, owner=None, team=service, deadline=late)  # another team's
    MessageFactory(taken_by=receptionist, owner=other_colleague, deadline=late)  # another colleague's
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)  # done already
    login_across_time(client, colleague)

    page = client.get("/callbacks/").content.decode()

    listed = {group: _listed(page, group) for group in ("overdue", "today", "later")}
    assert _badge(page) == (6, 3)
    assert _badge(page) == (sum(len(shown) for shown in listed.values()), len(listed["overdue"]))


def test_a_colleague_with_nothing_owed_sees_a_zero_badge(client, receptionist, colleague, other_colleague):
    MessageFactory(taken_by=receptionist, owner=other_colleague, deadline=NOW - timedelta(hours=1))
    login_across_time(client, colleague)
    page = client.get("/callbacks/").content.decode()
    assert _badge(page) == (0, 0)
    assert 'data-test="empty"' in page
