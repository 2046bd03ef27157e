"""The navigation's parts kept in the "fragments" cache (templates/base.html, accounts/partials/presence.html)
never show what no longer holds, nor another person's: each change draws them anew, and the forms in them keep
this page's own CSRF token and address."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.test import Client

from accounts import services as account_services
from accounts.models import Presence
from callbacks.models import Notification
from tests.conftest import login_across_time
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _nav(page: str) -> str:
    return page[page.index("<nav") : page.index("</nav>")]


def _badge_open(page: str) -> int:
    badge = page[page.index('id="callbacks-badge"') :]
    return int(re.search(r">(\d+)</span>", badge).group(1))


def _active(page: str) -> list[str]:
    return re.findall(r'nav-link active"\s+href="([^"]+)"', _nav(page))


def test_the_navigation_is_kept_in_the_fragments_cache(client, colleague):
    login_across_time(client, colleague)
    client.get("/callbacks/")
    # Otherwise the tests below would pass without a cache to go stale.
    assert any("template.cache.nav_links" in key for key in caches["fragments"]._cache)


def test_a_new_message_shows_in_the_badge(client, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    login_across_time(client, colleague)
    assert _badge_open(_page(client)) == 1
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    assert _badge_open(_page(client)) == 2


def test_a_new_message_redraws_the_badge_but_not_the_links_around_it(client, receptionist, colleague):
    login_across_time(client, colleague)
    first = _nav(_page(client))
    links = [key for key in caches["fragments"]._cache if "template.cache.nav_links" in key]
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    second = _nav(_page(client))
    assert _badge_open(second) == _badge_open(first) + 1
    assert [key for key in caches["fragments"]._cache if "template.cache.nav_links" in key] == links
    assert second.split('id="callbacks-badge"')[0] == first.split('id="callbacks-badge"')[0]


def test_a_new_notice_shows_in_the_unread_count(client, receptionist, colleague):
    login_across_time(client, colleague)
    assert 'data-test="unread"' not in _page(client)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    Notification.objects.create(
        recipient=colleague, message=message, kind=Notification.Kind.NEW_MESSAGE, channel=Notification.Channel.IN_APP
    )
    page = _page(client)
    assert re.search(r'data-test="unread">1<', page)
    assert f'data-notice-id="{Notification.objects.get().pk}"' in page


def test_a_new_status_shows_in_the_control_and_quiets_the_badge(client, colleague):
    login_across_time(client, colleague)
    page = _page(client)
    assert "Beschikbaar" in page and "data-quiet" not in page
    account_services.presence_set(
        user=colleague, state=Presence.State.DO_NOT_DISTURB, until=NOW + timedelta(minutes=30), now=NOW
    )
    page = _page(client)
    assert "Niet storen tot 10:30" in page and "data-quiet" in page
    assert re.search(r'value="do_not_disturb"\s+id="presence-do_not_disturb"\s+checked', page)


def test_the_active_link_follows_the_page(client, colleague):
    login_across_time(client, colleague)
    assert _active(_page(client, "/callbacks/")) == ["/callbacks/"]
    assert _active(_page(client)) == ["/"]


def test_each_person_sees_their_own_name_and_links(receptionist, colleague, manager):
    pages = {}
    for user in (colleague, manager, colleague):
        client = Client()
        login_across_time(client, user)
        pages[user.username] = _nav(_page(client))
    assert colleague.get_full_name() in pages[colleague.username]
    assert manager.get_full_name() not in pages[colleague.username]
    assert 'data-nav="dashboard"' in pages[manager.username]
    assert 'data-nav="dashboard"' not in pages[colleague.username]
    colleague.full_name = "Bram de Nieuwe"
    colleague.save(update_fields=["full_name"])
    client = Client()
    login_across_time(client, colleague)
    assert "Bram de Nieuwe" in _nav(_page(client))


def test_the_navigation_is_not_served_in_another_language(client, colleague):
    login_across_time(client, colleague)
    assert "Mijn terugbelverzoeken" in _nav(_page(client))
    colleague.preferred_language = "en"
    colleague.save(update_fields=["preferred_language"])
    english = _nav(_page(client))
    assert "My callbacks" in english and "Mijn terugbelverzoeken" not in english


def test_the_forms_keep_this_pages_token_and_address(colleague, other_colleague):
    for user in (other_colleague, colleague):  # the second draws from the first's cached parts
        client = Client(enforce_csrf_checks=True)
        login_across_time(client, user)
        page = _page(client, "/callbacks/notifications/")
        presence_form = page[page.index('action="/accounts/status/"') :]
        assert re.search(r'name="next" value="/callbacks/notifications/"', presence_form)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', presence_form).group(1)
        response = client.post(
            "/accounts/status/", {"csrfmiddlewaretoken": token, "state": "on_call", "minutes": "15", "next": "/"}
        )
        assert response.status_code == 302
        assert Presence.objects.get(user=user).state == Presence.State.ON_CALL
