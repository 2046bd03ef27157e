"""What the managers' rule and phone-duty pages read (callbacks.selectors.policies), and the statistics'
period form and message export (callbacks.forms.statistics, callbacks.selectors.exports)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team
from accounts.roles import TAKE_MESSAGES, Role
from callbacks.domain.figures import Period
from callbacks.forms.policies import PhoneDutyForm
from callbacks.forms.statistics import PeriodForm
from callbacks.models import CallType, ClosureDay, DayPart
from callbacks.selectors import exports
from callbacks.selectors import policies as policy_selectors
from callbacks.services import policies as policy_services
from tests.conftest import make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


@pytest.fixture
def verkoop(colleague) -> Team:
    return Team.objects.get(name="Verkoop")


def test_it_offers_the_default_rules_for_a_team_without_any(verkoop):
    initial = policy_selectors.team_policy_initial(team=verkoop)
    assert [initial.get(f"open_{weekday}") for weekday in range(7)] == [True] * 5 + [None, None]
    assert (initial["opens_0"], initial["closes_4"]) == (time(8, 30), time(17, 30))
    assert initial[f"handling_{CallType.COMPLAINT}"] == 120
    assert initial["check_moments"] == "09:00, 13:00, 16:00"
    assert initial["escalation_minutes"] == 120


def test_it_offers_the_saved_rules(verkoop):
    policy_services.team_policy_save(
        team=verkoop,
        hours={0: (time(9), time(12)), 5: (time(10), time(14))},
        observed_holidays=["King's Day"],
        handling={CallType.COMPLAINT: 60},
        escalation_minutes=30,
        hold_email_outside_hours=True,
        check_moments=[time(8, 15)],
    )
    initial = policy_selectors.team_policy_initial(team=verkoop)
    assert [weekday for weekday in range(7) if initial.get(f"open_{weekday}")] == [0, 5]
    assert (initial["opens_5"], initial["closes_5"]) == (time(10), time(14))
    assert initial[f"handling_{CallType.COMPLAINT}"] == 60
    assert initial["check_moments"] == "08:15"
    assert (initial["observed_holidays"], initial["escalation_minutes"], initial["hold_email_outside_hours"]) == (
        ["King's Day"],
        30,
        True,
    )


def test_the_team_page_lists_closure_days_in_order_at_a_constant_cost(client, manager, verkoop):
    client.force_login(manager)
    url = reverse("dashboard:team_policy", args=[verkoop.pk])
    ClosureDay.objects.create(team=verkoop, date=date(2027, 1, 4), description="Inventaris")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for day in (28, 2, 15):
        ClosureDay.objects.create(team=verkoop, date=date(2026, 12, day), description=f"dicht {day}")
    client.get(url)  # both measured requests find the office's configuration in the cache
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert [closure.date.day for closure in response.context["closures"]] == [2, 15, 28, 4]


def test_phone_duty_candidates_are_the_active_people_who_take_messages_once_each(receptionist, manager, colleague):
    direct = make_user("zoe", full_name="Zoë")
    direct.user_permissions.add(Permission.objects.get(codename=TAKE_MESSAGES))
    both = make_user("bas", Role.RECEPTIONIST, Role.MANAGER, full_name="Bas")
    make_user("ina", Role.RECEPTIONIST, full_name="Ina", is_active=False)
    people = policy_selectors.phone_duty_candidates()
    assert [person.username for person in people] == ["anna", "bas", "mira", "zoe"]
    assert colleague not in people and both in people


def test_the_phone_duty_page_shows_the_saved_roster(client, receptionist, manager):
    policy_services.phone_duty_save(roster={(0, DayPart.MORNING): receptionist, (4, DayPart.AFTERNOON): manager})
    assert policy_selectors.phone_duty_roster() == {
        (0, DayPart.MORNING): receptionist.pk,
        (4, DayPart.AFTERNOON): manager.pk,
    }
    client.force_login(manager)
    form = client.get(reverse("dashboard:phone_duty")).context["form"]
    assert form[f"duty_0_{DayPart.MORNING}"].value() == str(receptionist.pk)
    assert form[f"duty_4_{DayPart.AFTERNOON}"].value() == str(manager.pk)
    assert form[f"duty_1_{DayPart.MORNING}"].value() is None


def test_the_phone_duty_form_reads_back_the_roster_it_was_given(receptionist, manager):
    people = [receptionist, manager]
    initial = PhoneDutyForm.initial_for({(2, DayPart.AFTERNOON): manager.pk})
    form = PhoneDutyForm(initial, people=people)
    assert form.is_valid()
    roster = form.roster()
    assert roster[(2, DayPart.AFTERNOON)] == manager
    assert [slot for slot, person in roster.items() if person is not None] == [(2, DayPart.AFTERNOON)]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-11-10", "2026-11-01", "reversed"),
        ("1999-12-31", "2026-11-01", "out_of_range"),
    ],
)
def test_the_period_form_refuses_an_unusable_period(start, end, code):
    form = PeriodForm({"start": start, "end": end}, today=date(2026, 11, 20))
    assert not form.is_valid()
    assert code in {error.code for errors in form.errors.as_data().values() for error in errors}


def test_the_period_form_fills_an_empty_date_from_the_default_period():
    today = date(2026, 11, 20)
    form = PeriodForm({"start": "", "end": ""}, today=today)
    assert form.is_valid()
    default = Period.default(today)
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == (default.start, default.end)


def test_the_message_export_has_the_teams_messages_oldest_first_without_the_caller(
    receptionist, colleague, other_colleague, verkoop
):
    later = MessageFactory(taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 11, 12, 9, tzinfo=AMS))
    earlier = MessageFactory(taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 11, 3, 9, tzinfo=AMS))
    MessageFactory(taken_by=receptionist, owner=other_colleague, taken_at=datetime(2026, 11, 5, 9, tzinfo=AMS))
    MessageFactory(taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 10, 30, 9, tzinfo=AMS))
    november = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))
    rows = list(exports.message_export_rows(period=november, team=verkoop))
    assert [row[0] for row in rows] == [earlier.pk, later.pk]
    assert all(row[6] == "Verkoop" for row in rows)
    assert len(list(exports.message_export_rows(period=november, team=None))) == 3
    assert not {"caller_name", "caller_number", "caller_email", "caller_company", "reason"} & set(
        exports.MESSAGE_EXPORT_FIELDS
    )
