"""quiet_until keeps a person's team, mail rule and calendar together in the configuration cache: a change
to the team's rules or hours, or to the person's team, applies to the next read all the same."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Team
from callbacks.models import CallType
from callbacks.selectors.policies import quiet_until
from callbacks.services.policies import team_policy_save

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_EVENING = datetime(2026, 12, 1, 20, 0, tzinfo=AMS)
WEDNESDAY_8_30 = datetime(2026, 12, 2, 8, 30, tzinfo=AMS)

pytestmark = pytest.mark.django_db


def _rules(team: Team, *, hold: bool, opens: time = time(8, 30)) -> None:
    team_policy_save(
        team=team,
        hours={weekday: (opens, time(17, 30)) for weekday in range(5)},
        observed_holidays=[],
        handling={CallType.QUESTION: 120},
        escalation_minutes=60,
        hold_email_outside_hours=hold,
        check_moments=[],
    )


def test_the_rule_is_read_once_then_kept(colleague):
    _rules(colleague.teams.get(), hold=True)
    assert quiet_until(colleague, TUESDAY_EVENING) == WEDNESDAY_8_30
    with CaptureQueriesContext(connection) as again:
        assert quiet_until(colleague, TUESDAY_EVENING) == WEDNESDAY_8_30
    assert len(again) == 0


def test_a_change_of_rule_or_hours_applies_at_once(colleague):
    team = colleague.teams.get()
    _rules(team, hold=True)
    assert quiet_until(colleague, TUESDAY_EVENING) == WEDNESDAY_8_30
    _rules(team, hold=True, opens=time(10, 0))
    assert quiet_until(colleague, TUESDAY_EVENING) == datetime(2026, 12, 2, 10, 0, tzinfo=AMS)
    _rules(team, hold=False)
    assert quiet_until(colleague, TUESDAY_EVENING) is None


def test_each_person_has_their_own_teams_rule(colleague, other_colleague):
    _rules(colleague.teams.get(), hold=True)
    _rules(other_colleague.teams.get(), hold=False)
    assert quiet_until(colleague, TUESDAY_EVENING) == WEDNESDAY_8_30
    assert quiet_until(other_colleague, TUESDAY_EVENING) is None
    # Moved to the other team: its rule applies from the next read.
    colleague.teams.set([other_colleague.teams.get()])
    assert quiet_until(colleague, TUESDAY_EVENING) is None
