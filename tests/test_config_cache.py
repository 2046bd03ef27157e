"""The per-process memo of recipients and promise rules (callbacks/config_cache.py): fewer queries per
intake step, never an outdated rule in the process that changed it, and at most MAX_AGE_SECONDS in others."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Team
from accounts.roles import Role
from callbacks import config_cache, selectors
from callbacks.models import CallType, ClosureDay, OpeningHours
from callbacks.selectors.policies import calendar_for, escalation_moment, handling_for
from callbacks.services.policies import closure_day_add, team_policy_save
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(colleague) -> Team:
    return Team.objects.get(name="Verkoop")


def _save_rules(team: Team, *, opens: time, handling_minutes: int, escalation: int = 60) -> None:
    team_policy_save(
        team=team, hours={weekday: (opens, time(17, 0)) for weekday in range(5)}, observed_holidays=[],
        handling={CallType.QUESTION: handling_minutes}, escalation_minutes=escalation,
        hold_email_outside_hours=False, check_moments=[time(9, 0)],
    )


def test_the_rules_are_read_once_then_remembered(team):
    with CaptureQueriesContext(connection) as first:
        calendar_for(team), handling_for(team, CallType.QUESTION), selectors.recipients_all()
    with CaptureQueriesContext(connection) as again:
        calendar_for(team), handling_for(team, CallType.QUESTION), selectors.recipients_all()
    assert len(first) >= 5 and len(again) == 0


def test_a_rule_change_applies_at_once_in_this_process(team):
    _save_rules(team, opens=time(8, 0), handling_minutes=60)
    assert calendar_for(team).hours[0] == (time(8, 0), time(17, 0))
    assert handling_for(team, CallType.QUESTION).total_seconds() == 3600
    _save_rules(team, opens=time(10, 0), handling_minutes=240)
    assert calendar_for(team).hours[0] == (time(10, 0), time(17, 0))
    assert handling_for(team, CallType.QUESTION).total_seconds() == 4 * 3600
    closure_day_add(team=team, day=date(2027, 1, 4), description="Inventaris")
    assert date(2027, 1, 4) in calendar_for(team).closure_dates
    ClosureDay.objects.filter(team=team).delete()
    assert date(2027, 1, 4) not in calendar_for(team).closure_dates


def test_the_escalation_delay_is_remembered_and_follows_a_change(team):
    from datetime import UTC, datetime

    monday_ten = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    _save_rules(team, opens=time(8, 0), handling_minutes=60, escalation=60)
    assert escalation_moment(team=team, deadline=monday_ten) == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    _save_rules(team, opens=time(8, 0), handling_minutes=60, escalation=120)
    assert escalation_moment(team=team, deadline=monday_ten) == datetime(2027, 1, 4, 11, 0, tzinfo=UTC)


def test_new_colleagues_teams_and_roles_are_recipients_at_once(team, colleague):
    names = lambda: {user.username for user in selectors.recipients_all()[0]}  # noqa: E731
    assert names() == {"bram", "mira"}  # the manager handles callbacks too
    newcomer = make_user("noor", Role.COLLEAGUE)
    assert names() == {"bram", "mira", "noor"}
    newcomer.groups.clear()  # no longer handles callbacks
    assert names() == {"bram", "mira"}
    Team.objects.create(name="Service")
    assert [t.name for t in selectors.recipients_all()[1]] == ["Service", "Verkoop"]
    other = Team.objects.create(name="Administratie")
    other.members.add(colleague)
    assert selectors.team_of(colleague) == other


def test_a_change_made_by_another_process_shows_after_the_maximum_age(team, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    _save_rules(team, opens=time(8, 0), handling_minutes=60)
    before = calendar_for(team)
    # Another process's write sends no signal to this one; an UPDATE in the database sends none either.
    OpeningHours.objects.filter(team=team).update(opens=time(11, 0))
    clock[0] += config_cache.MAX_AGE_SECONDS - 1
    assert calendar_for(team) is before
    clock[0] += 1
    assert calendar_for(team).hours[0] == (time(11, 0), time(17, 0))


def test_a_read_that_raced_a_change_is_not_remembered(team):
    def read_while_a_manager_saves():
        value = selectors.intake._read_recipients()
        config_cache.forget_all()  # a change lands while this read was in flight
        return value

    config_cache.remembered("recipients", read_while_a_manager_saves)
    with CaptureQueriesContext(connection) as queries:
        selectors.recipients_all()
    assert len(queries) > 0


def test_who_is_on_phone_duty_is_remembered_and_follows_a_roster_change(receptionist, manager):
    from datetime import UTC, datetime

    from callbacks.models import DayPart
    from callbacks.selectors.dashboard import on_phone_duty
    from callbacks.services.policies import phone_duty_save

    monday_ten = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam, a morning
    phone_duty_save(roster={(0, DayPart.MORNING): receptionist})
    assert on_phone_duty(now=monday_ten) == receptionist
    with CaptureQueriesContext(connection) as again:
        assert on_phone_duty(now=monday_ten) == receptionist
    assert len(again) == 0
    phone_duty_save(roster={(0, DayPart.MORNING): manager})
    assert on_phone_duty(now=monday_ten) == manager
