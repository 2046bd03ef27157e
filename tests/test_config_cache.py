"""The office's configuration in Django's cache (accounts/configuration_cache.py): fewer queries per intake
step, and a change applies on the next request in every process that shares the cache."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import pytest
from django.contrib.auth.models import Group
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.test.utils import CaptureQueriesContext

from accounts import configuration_cache
from accounts.models import Team, User
from accounts.roles import Role
from accounts.services import user_roles_set
from callbacks import selectors
from callbacks.models import CallType, ClosureDay, DayPart, HandlingPolicy, OpeningHours, PhoneDuty, TeamSettings
from callbacks.selectors.dashboard import on_phone_duty
from callbacks.selectors.policies import calendar_for, escalation_moment, handling_for
from callbacks.services.policies import closure_day_add, closure_day_remove, phone_duty_save, team_policy_save
from config.cache import SharedClientRedisCache
from tests.conftest import PASSWORD, count_configuration_cache_calls, make_user

pytestmark = pytest.mark.django_db

MONDAY_TEN = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam, a morning


@pytest.fixture
def team(colleague) -> Team:
    return Team.objects.get(name="Verkoop")


@pytest.fixture
def belt_off() -> Iterator[None]:
    """Without the model signals (callbacks/apps.py): only what the services do themselves moves the version."""
    receiver = configuration_cache.configuration_changed
    models = (User, Team, Group, OpeningHours, ClosureDay, HandlingPolicy, TeamSettings, PhoneDuty)
    signals = [(signal, model) for signal in (post_save, post_delete) for model in models]
    signals += [
        (m2m_changed, through)
        for through in (
            Team.members.through,
            Team.managers.through,
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        )
    ]
    for signal, sender in signals:
        assert signal.disconnect(receiver, sender=sender, dispatch_uid=_uid(signal, sender))
    yield
    for signal, sender in signals:
        signal.connect(receiver, sender=sender, dispatch_uid=_uid(signal, sender))


def _uid(signal, sender) -> str:
    kind = {post_save: "save", post_delete: "delete", m2m_changed: "m2m"}[signal]
    return f"config-{kind}-{sender.__name__}"


def _save_rules(team: Team, *, opens: time, handling_minutes: int, escalation: int = 60) -> None:
    team_policy_save(
        team=team,
        hours={weekday: (opens, time(17, 0)) for weekday in range(5)},
        observed_holidays=[],
        handling={CallType.QUESTION: handling_minutes},
        escalation_minutes=escalation,
        hold_email_outside_hours=False,
        check_moments=[time(9, 0)],
    )


def test_the_rules_are_read_once_then_kept(team):
    with CaptureQueriesContext(connection) as first:
        calendar_for(team), handling_for(team, CallType.QUESTION), selectors.recipients_all()
    with CaptureQueriesContext(connection) as again:
        calendar_for(team), handling_for(team, CallType.QUESTION), selectors.recipients_all()
    assert len(first) >= 5 and len(again) == 0


def test_a_rule_change_by_a_service_applies_at_once(team, belt_off):
    _save_rules(team, opens=time(8, 0), handling_minutes=60)
    assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    assert handling_for(team, CallType.QUESTION).total_seconds() == 3600
    _save_rules(team, opens=time(10, 0), handling_minutes=240)
    assert calendar_for(team).hours[0] == (time(10, 0), time(17, 0))
    assert handling_for(team, CallType.QUESTION).total_seconds() == 4 * 3600
    closure = closure_day_add(team=team, day=date(2027, 1, 4), description="Inventaris")
    assert date(2027, 1, 4) in calendar_for(team).closure_dates
    closure_day_remove(team=team, closure_id=closure.pk)  # a queryset's delete()
    assert date(2027, 1, 4) not in calendar_for(team).closure_dates


def test_the_escalation_delay_is_kept_and_follows_a_change(team):
    _save_rules(team, opens=time(8, 0), handling_minutes=60, escalation=60)
    assert escalation_moment(team=team, deadline=MONDAY_TEN) == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    _save_rules(team, opens=time(8, 0), handling_minutes=60, escalation=120)
    assert escalation_moment(team=team, deadline=MONDAY_TEN) == datetime(2027, 1, 4, 11, 0, tzinfo=UTC)


def test_new_colleagues_teams_and_roles_are_recipients_at_once(team, colleague):
    names = lambda: {user.username for user in selectors.recipients_all()[0]}  # noqa: E731
    assert names() == {"bram", "mira"}  # the manager handles callbacks too
    newcomer = make_user("noor", Role.COLLEAGUE)
    assert names() == {"bram", "mira", "noor"}
    newcomer.groups.clear()  # no longer handles callbacks: the signals' belt
    assert names() == {"bram", "mira"}
    Team.objects.create(name="Service")
    assert [t.name for t in selectors.recipients_all()[1]] == ["Service", "Verkoop"]
    other = Team.objects.create(name="Administratie")
    other.members.add(colleague)
    assert selectors.team_of(colleague) == other


def test_a_role_taken_away_by_the_service_is_no_recipient_at_once(colleague, belt_off):
    assert "bram" in {user.username for user in selectors.recipients_all()[0]}
    user_roles_set(user=colleague, roles=[])
    assert "bram" not in {user.username for user in selectors.recipients_all()[0]}


def test_a_write_that_bypasses_the_services_shows_after_the_maximum_age(team, clock):
    _save_rules(team, opens=time(8, 0), handling_minutes=60)
    assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    # An UPDATE sends no signal and moves no version: only the maximum age ends the kept rules.
    OpeningHours.objects.filter(team=team).update(opens=time(11, 0))
    clock.shift(seconds=configuration_cache.MAX_AGE_SECONDS - 1)
    assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    clock.shift(seconds=2)
    assert calendar_for(team).hours[0] == (time(11, 0), time(17, 0))


def test_a_read_that_raced_a_change_is_not_kept(team):
    def read_while_a_manager_saves():
        value = selectors.intake._read_recipients()
        configuration_cache.configuration_changed()  # a change lands while this read was in flight
        return value

    configuration_cache.remembered("recipients", read_while_a_manager_saves)
    with CaptureQueriesContext(connection) as queries:
        selectors.recipients_all()
    assert len(queries) > 0


def test_an_unreachable_cache_reads_the_database(team, monkeypatch):
    class Unreachable:
        def get(self, *args, **kwargs):
            raise ConnectionError("no cache")

        set = add = get_many = get

    _save_rules(team, opens=time(9, 0), handling_minutes=60)
    monkeypatch.setattr(configuration_cache, "cache", Unreachable())
    assert calendar_for(team).hours[0] == (time(9, 0), time(17, 0))
    _save_rules(team, opens=time(7, 0), handling_minutes=60)  # saving still works
    assert calendar_for(team).hours[0] == (time(7, 0), time(17, 0))


def test_after_a_cache_failure_the_process_reads_the_database_without_waiting_for_the_cache(team, monkeypatch):
    """A hung Redis costs one socket timeout per read, not one per entry of every page; moving the version on
    after a change is still tried (test_a_role_taken_away_while_this_process_bypasses_...)."""
    reads, writes = [], []

    class Hung:
        def get(self, *args, **kwargs):
            reads.append(args)
            raise TimeoutError("no answer")

        get_many = get

        def set(self, *args, **kwargs):
            writes.append(args)
            raise TimeoutError("no answer")

        add = set

    monkeypatch.setattr(configuration_cache, "cache", Hung())
    assert calendar_for(team) is not None
    assert len(reads) == 1
    calendar_for(team), selectors.recipients_all()
    _save_rules(team, opens=time(7, 0), handling_minutes=60)
    assert calendar_for(team).hours[0] == (time(7, 0), time(17, 0))
    assert len(reads) == 1 and len(writes) >= 1
    monkeypatch.setattr(configuration_cache, "_bypass_until", 0.0)  # the bypass has run out
    calendar_for(team)
    assert len(reads) == 2


def test_who_is_on_phone_duty_is_kept_and_follows_a_roster_change(receptionist, manager, belt_off):
    phone_duty_save(roster={(0, DayPart.MORNING): receptionist})
    assert on_phone_duty(now=MONDAY_TEN) == receptionist
    with CaptureQueriesContext(connection) as again:
        assert on_phone_duty(now=MONDAY_TEN) == receptionist
    assert len(again) == 0
    phone_duty_save(roster={(0, DayPart.MORNING): manager})
    assert on_phone_duty(now=MONDAY_TEN) == manager


def _owed_by_team(user: User) -> int:
    """What the navigation counts for the person on a new request (a fresh user object, as each request has)."""
    fresh = User.objects.get(pk=user.pk)
    return selectors.navigation_counts(user=fresh, now=MONDAY_TEN).open


def test_a_person_added_to_or_taken_off_a_team_owes_its_messages_on_the_next_request(team, receptionist, clock):
    from tests.factories import MessageFactory

    MessageFactory(taken_by=receptionist, owner=None, team=team)  # the team's, no one person's yet
    newcomer = make_user("dirk", Role.COLLEAGUE)
    assert _owed_by_team(newcomer) == 0
    with CaptureQueriesContext(connection) as kept:
        assert _owed_by_team(newcomer) == 0
    assert not any("accounts_team" in query["sql"] for query in kept)  # the memberships came from the cache
    team.members.add(newcomer)  # the admin and the model signals move the configuration version on
    assert _owed_by_team(newcomer) == 1
    team.members.remove(newcomer)
    assert _owed_by_team(newcomer) == 0


def test_a_kept_entry_costs_one_round_trip_to_the_cache(team, monkeypatch):
    calendar_for(team)
    calls = count_configuration_cache_calls(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        calendar_for(team)
    assert calls == ["get_many"] and len(queries) == 0


# Two processes: each has its own client of the one Redis, as two gunicorn workers (or a worker and
# Celery) do. The module's `cache` is what a process reads through; everything else is the database.


@pytest.fixture
def two_processes(redis_server) -> tuple[RedisCache, RedisCache]:
    # The production backend (config/cache.py): each keeps one client, and must still see the other's writes.
    first, second = (SharedClientRedisCache(redis_server.url, {"KEY_PREFIX": "terugbel-test"}) for _ in range(2))
    first.clear()
    yield first, second
    first.clear()


@contextmanager
def _in(process: RedisCache, monkeypatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(configuration_cache, "cache", process)
        yield


@pytest.mark.redis
def test_a_promise_rule_change_is_seen_by_another_process_at_once(team, two_processes, monkeypatch):
    one, other = two_processes
    with _in(one, monkeypatch):
        _save_rules(team, opens=time(8, 0), handling_minutes=60)
    with _in(other, monkeypatch):
        assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    OpeningHours.objects.filter(team=team).update(opens=time(11, 0))  # no version moved: still the kept rules
    with _in(other, monkeypatch), CaptureQueriesContext(connection) as queries:
        assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    assert len(queries) == 0  # kept in Redis by the other process's earlier read
    with _in(one, monkeypatch):
        _save_rules(team, opens=time(10, 0), handling_minutes=240)
    with _in(other, monkeypatch):
        assert calendar_for(team).hours[0] == (time(10, 0), time(17, 0))
        assert handling_for(team, CallType.QUESTION).total_seconds() == 4 * 3600


@pytest.mark.redis
def test_a_role_taken_away_in_one_process_is_refused_on_the_next_request_in_another(
    client, receptionist, colleague, two_processes, monkeypatch
):
    one, other = two_processes
    client.force_login(receptionist)
    with _in(other, monkeypatch):
        page = client.get("/callbacks/new/", follow=True)
        assert page.status_code == 200 and "Bram" in page.text
    with _in(one, monkeypatch):
        user_roles_set(user=colleague, roles=[])  # bram no longer handles callbacks
        user_roles_set(user=receptionist, roles=[])  # anna no longer takes messages
    with _in(other, monkeypatch):
        assert client.get("/callbacks/new/").status_code == 404
        assert "bram" not in {user.username for user in selectors.recipients_all()[0]}


def test_a_role_taken_away_while_this_process_bypasses_the_cache_still_reaches_the_others():
    """A process that bypasses the cache for reads (after one timeout) still moves the version on."""
    import time as clock_free  # monotonic, as the bypass itself

    manager = make_user("anna", Role.MANAGER)
    assert User.objects.get(pk=manager.pk).has_perm("accounts.view_dashboard")  # the set is kept now
    configuration_cache._bypass_until = clock_free.monotonic() + 30
    user_roles_set(user=manager, roles=[Role.RECEPTIONIST])
    configuration_cache._bypass_until = 0.0  # another process, whose cache answers
    assert not User.objects.get(pk=manager.pk).has_perm("accounts.view_dashboard")


def test_logging_in_keeps_what_is_kept(client, receptionist):
    """Every login saves last_login; that changes nothing kept here, so the version stays."""
    from django.core.cache import cache

    configuration_cache.remembered("anything", lambda: 1)
    version = cache.get(configuration_cache.VERSION_KEY)
    assert client.login(username=receptionist.username, password=PASSWORD)
    assert cache.get(configuration_cache.VERSION_KEY) == version
    receptionist.is_active = True
    receptionist.save()  # a save that may change what is kept does move it on
    assert cache.get(configuration_cache.VERSION_KEY) != version


@pytest.mark.redis
def test_the_production_cache_keeps_one_client_and_reads_the_other_process_writes(two_processes):
    one, other = two_processes
    assert one._cache.get_client() is one._cache.get_client(write=True)
    one.set("figure", 1)
    assert other.get("figure") == 1
    other.set("figure", 2)
    assert one.get("figure") == 2
    other.delete("figure")
    assert one.get("figure") is None
