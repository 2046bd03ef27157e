"""The configuration read once per request (accounts/configuration_cache.py `read_once`, set up for every
request by callbacks/middleware.py): fewer round trips to the shared cache, never an old or another
person's entry."""

from datetime import timedelta

import pytest

from accounts import configuration_cache
from accounts.configuration_cache import configuration_changed, read_once, remembered
from accounts.services import user_roles_set
from tests.conftest import count_cache_calls, count_configuration_cache_calls, login_across_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_calls(monkeypatch) -> list[str]:
    return count_configuration_cache_calls(monkeypatch)


def test_the_prefetched_entries_come_with_the_version_in_one_round_trip(cache_calls):
    remembered("a", lambda: "kept a")
    remembered("b", lambda: "kept b")
    cache_calls.clear()
    with read_once(lambda: ["a", "b"]):
        assert remembered("a", lambda: "built") == "kept a"
        assert remembered("b", lambda: "built") == "kept b"
        assert remembered("a", lambda: "built") == "kept a"
    assert cache_calls == ["get_many"]


def test_an_entry_asked_again_in_the_same_request_costs_no_round_trip(cache_calls):
    with read_once():
        assert remembered("a", lambda: 1) == 1
        calls_after_first = len(cache_calls)
        assert remembered("a", lambda: 2) == 1
    assert len(cache_calls) == calls_after_first


def test_a_change_made_by_the_request_itself_shows_in_its_later_reads():
    with read_once(lambda: ["a"]):
        assert remembered("a", lambda: "old") == "old"
        configuration_changed()
        assert remembered("a", lambda: "new") == "new"


def test_a_change_by_another_process_shows_on_the_next_request():
    with read_once():
        assert remembered("a", lambda: "old") == "old"
    configuration_cache._version_bump()  # as another process's change does, through the shared cache
    with read_once():
        assert remembered("a", lambda: "new") == "new"


def test_what_one_request_read_is_not_seen_by_the_next():
    with read_once():
        remembered("a", lambda: "first")
    with read_once():
        configuration_changed()
    with read_once():
        assert remembered("a", lambda: "second") == "second"
    assert configuration_cache._request_reads.get() is None


def test_each_person_gets_their_own_permissions_from_the_prefetch(client, colleague, outsider):
    login_across_time(client, colleague)
    assert client.get("/callbacks/").status_code == 200
    login_across_time(client, outsider)  # no role: what the colleague's request read must not let them in
    assert client.get("/callbacks/").status_code in (302, 403, 404)
    login_across_time(client, colleague)
    assert client.get("/callbacks/").status_code == 200


def test_a_role_taken_away_is_refused_on_the_next_request(client, colleague):
    login_across_time(client, colleague)
    assert client.get("/callbacks/").status_code == 200
    user_roles_set(user=colleague, roles=[])
    assert client.get("/callbacks/").status_code in (302, 403, 404)


def test_the_worklist_reads_the_configuration_in_one_round_trip(client, colleague, cache_calls):
    login_across_time(client, colleague)
    client.get("/callbacks/")  # keeps the entries
    cache_calls.clear()
    assert client.get("/callbacks/").status_code == 200
    assert cache_calls == ["get_many"]


def test_a_teams_promise_rules_come_in_one_round_trip(cache_calls):
    """A promise, its escalation and the save need the team's calendar, handling times and escalation delay:
    one entry (selectors.policies.promise_rules), so one round trip after the version."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from accounts.models import Team
    from callbacks.selectors.policies import escalation_moment, handling_for, proposed_deadline

    team = Team.objects.create(name="Verkoop")
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with read_once():
        proposed_deadline(team=team, call_type="question", start=monday, window=None)  # kept
    with read_once():
        remembered("something-else", lambda: "read first, with the version")
        cache_calls.clear()
        deadline = proposed_deadline(team=team, call_type="complaint", start=monday, window=None)
        assert handling_for(team, "complaint").total_seconds() == 2 * 3600
        assert escalation_moment(team=team, deadline=deadline) > deadline
    assert cache_calls == ["get"]


def test_a_teams_promise_rules_are_read_with_one_look_at_its_settings():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Team
    from callbacks.selectors.policies import promise_rules

    team = Team.objects.create(name="Verkoop")
    with CaptureQueriesContext(connection) as queries:
        promise_rules(team)
    assert len([q for q in queries if "callbacks_teamsettings" in q["sql"]]) == 1


# --- The badge's figures (callbacks/models/generations.py) in the same first round trip -------------------


def test_prefetched_figures_come_with_the_version_and_only_whole(cache_calls):
    from django.core.cache import cache

    cache.set_many({"figure-x": "x", "figure-y": "y"})
    remembered("version", lambda: "starts the configuration version")
    cache_calls.clear()
    with read_once(None, lambda: ["figure-x", "figure-y", "figure-absent"]):
        assert remembered("a", lambda: "built") == "built"
        assert configuration_cache.kept_in_request(["figure-x", "figure-absent"]) == {"figure-x": "x"}
        # A key the first round trip did not read: the caller asks the cache itself.
        assert configuration_cache.kept_in_request(["figure-x", "figure-other"]) is None
        configuration_cache.remember_in_request({"figure-other": "kept now"})
        assert configuration_cache.kept_in_request(["figure-other"]) == {"figure-other": "kept now"}
    assert cache_calls == ["get_many", "set"]  # the first round trip, and keeping "a"
    assert configuration_cache.kept_in_request(["figure-x"]) is None  # outside a request


@pytest.mark.parametrize("page", ["/callbacks/notifications/", "/callbacks/"])
def test_the_pages_kept_figures_need_no_round_trip_of_their_own(client, colleague, monkeypatch, page):
    """The badge's figures and the colleague's status on every page, and on "My callbacks" its follow-ups too."""
    from accounts import selectors as account_selectors
    from callbacks.models import generations

    login_across_time(client, colleague)
    client.get(page)  # keeps the configuration, the figures and the status
    figure_calls = count_cache_calls(monkeypatch, generations)
    status_calls = count_cache_calls(monkeypatch, account_selectors)
    response = client.get(page)
    assert response.status_code == 200 and response.context["nav"]["badge"].open == 0
    assert 'data-test="presence-summary"' in response.content.decode()
    assert figure_calls == [] and status_calls == []


def test_a_message_written_during_the_request_is_in_its_later_figures(colleague, receptionist, clock):
    from callbacks.selectors.open_figures import owed_totals, owed_totals_keys
    from tests.factories import MessageFactory

    now = clock.now()
    owed_totals(user=colleague, now=now)  # kept in the cache, with the generations it was counted under
    with read_once(None, lambda: owed_totals_keys(colleague)):
        assert sum(owed_totals(user=colleague, now=now).values()) == 0  # from the request's first round trip
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=now + timedelta(hours=1))
        assert sum(owed_totals(user=colleague, now=now).values()) == 1


def test_a_status_set_during_the_request_is_what_its_later_reads_see(colleague, clock):
    from accounts.selectors import presence_for_navigation, presence_key
    from accounts.services import presence_set

    presence_for_navigation(user=colleague, now=clock.now())  # "no status", kept in the cache
    with read_once(None, lambda: [presence_key(colleague.pk)]):
        assert presence_for_navigation(user=colleague, now=clock.now()) is None  # from the first round trip
        presence_set(user=colleague, state="on_call", until=None, now=clock.now())
        assert presence_for_navigation(user=colleague, now=clock.now()).state == "on_call"


# --- Entries kept in another cache than the version's ---------------------------------------------------


def test_an_entry_kept_in_the_fragments_cache_follows_the_configuration_version(cache_calls):
    from django.core.cache import caches

    built = []

    def build() -> str:
        built.append(len(built))
        return f"markup {len(built)}"

    with read_once():
        assert remembered("form", build, using="fragments") == "markup 1"
    cache_calls.clear()
    with read_once():
        assert remembered("form", build, using="fragments") == "markup 1"
    assert cache_calls == ["get_many"]  # the version only: the entry is the fragments cache's
    assert caches["fragments"].get("configuration:form")[1] == "markup 1"
    configuration_cache._version_bump()  # another process's change, through the shared cache
    with read_once():
        assert remembered("form", build, using="fragments") == "markup 2"
    assert remembered("form", build, using="fragments") == "markup 2"  # outside a request too
    assert len(built) == 2


@pytest.mark.postgres
def test_a_message_page_and_an_intake_step_read_everyone_a_message_can_be_for_in_the_first_round_trip(
    client, colleague, receptionist, clock, monkeypatch
):
    from tests.factories import MessageFactory
    from tests.intake_helpers import start_call, step_url, token_of

    asked: list[tuple[str, object]] = []
    real = configuration_cache.cache

    class Recording:
        def __getattr__(self, name):
            method = getattr(real, name)
            return lambda keys, *args, **kwargs: asked.append((name, keys)) or method(keys, *args, **kwargs)

    message = MessageFactory(taken_by=receptionist, owner=colleague)
    login_across_time(client, colleague)
    client.get(f"/callbacks/{message.pk}/")  # keeps the entries, the recipients and the forms' markup
    monkeypatch.setattr(configuration_cache, "cache", Recording())
    page = client.get(f"/callbacks/{message.pk}/").content.decode()
    assert 'data-test="reassign-form"' in page
    assert [name for name, _keys in asked] == ["get_many"]  # the forms' markup is the fragments cache's
    assert "configuration:recipients" in asked[0][1]
    login_across_time(client, receptionist)
    start_call(client)
    asked.clear()
    assert client.get(step_url(token_of(client), "recipient")).status_code == 200
    assert asked[0][0] == "get_many" and "configuration:recipients" in asked[0][1]
    assert ("get", "configuration:recipients") not in asked
