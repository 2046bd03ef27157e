"""The manager's live dashboard, the promise rules pages and the phone-duty roster."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbacks.models import (
    CheckMoment,
    ClosureDay,
    HandlingPolicy,
    Heartbeat,
    Message,
    Notification,
    OpeningHours,
    PhoneDuty,
    TeamSettings,
)
from callbacks.services.overdue import overdue_sweep
from tests.conftest import login_across_time, postgres_plan_vacuumed
from tests.factories import MessageFactory, make_messages
from tests.intake_helpers import CALLER, REASON, take_message

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=TUESDAY_10), pytest.mark.usefixtures("clock")]


@pytest.fixture
def boss(client, manager):
    login_across_time(client, manager)
    return client


@pytest.mark.postgres  # the live reads are SQL statements: run them on PostgreSQL too
def test_it_shows_what_is_overdue_by_team_and_colleague(boss, receptionist, colleague, other_colleague):
    late = MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(hours=2), caller_name="Laat Bij Bram"
    )
    MessageFactory(
        taken_by=receptionist,
        owner=other_colleague,
        deadline=TUESDAY_10 - timedelta(minutes=5),
        caller_name="Laat Bij Daan",
    )
    MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(minutes=30), caller_name="Bijna"
    )
    MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(hours=3), caller_name="Later"
    )
    overdue_sweep(now=TUESDAY_10 - timedelta(hours=1))
    Heartbeat.objects.update_or_create(name="overdue-sweep", defaults={"last_run_at": TUESDAY_10})
    response = boss.get("/dashboard/")
    groups = response.context["overdue_groups"]
    assert [(g.team, g.owner, [m.caller_name for m in g.messages]) for g in groups] == [
        ("Service", "Daan", ["Laat Bij Daan"]),
        ("Verkoop", "Bram", ["Laat Bij Bram"]),
    ]
    assert [m.caller_name for m in response.context["due_soon"]] == ["Bijna"]
    page = response.content.decode()
    assert "2\xa0uur te laat" in page and "eigenaar ingelicht" in page
    assert 'data-hx-trigger="every 30s"' in page
    per_colleague = {
        row["owner_user__full_name"]: (row["open"], row["overdue"]) for row in response.context["per_colleague"]
    }
    assert per_colleague == {"Bram": (3, 1), "Daan": (1, 1)}
    assert 'data-test="sweep-warning"' not in page
    assert Message.objects.get(pk=late.pk).overdue_level == 1


@pytest.mark.postgres
def test_it_warns_when_the_sweep_is_silent_or_the_outbox_backs_up(boss, receptionist, colleague):
    Heartbeat.objects.create(name="overdue-sweep", last_run_at=TUESDAY_10 - timedelta(minutes=6))
    message = MessageFactory(taken_by=receptionist, owner=colleague)
    Notification.objects.create(
        recipient=colleague,
        message=message,
        kind="new_message",
        channel="email",
        created_at=TUESDAY_10 - timedelta(minutes=10),
    )
    page = boss.get("/dashboard/live/").content.decode()
    assert "De controle op te late terugbelverzoeken liep voor het laatst 6\xa0minuten geleden" in page
    assert "1 melding wacht al meer dan 5 minuten." in page
    Heartbeat.objects.filter(name="overdue-sweep").update(last_run_at=TUESDAY_10 - timedelta(minutes=1))
    Notification.objects.update(state="sent")
    page = boss.get("/dashboard/live/").content.decode()
    assert 'data-test="sweep-warning"' not in page and 'data-test="outbox-warning"' not in page


@pytest.mark.postgres
def test_it_lists_the_longest_overdue_only_and_says_how_many_there_are(boss, receptionist, colleague):
    from callbacks.selectors.dashboard import SHOWN

    make_messages(SHOWN + 5, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(hours=1))
    MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(days=2), caller_name="Al Twee Dagen"
    )
    response = boss.get("/dashboard/live/")
    page = response.content.decode()
    assert page.count('data-test="overdue-item"') == SHOWN
    assert "Al Twee Dagen" in page
    assert f"Dit zijn de {SHOWN} langst te late van {SHOWN + 6} te late terugbelverzoeken." in page
    assert response.context["per_colleague"][0]["overdue"] == SHOWN + 6


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/live/"])
def test_the_dashboard_uses_the_same_number_of_queries_at_10_and_10000_messages(boss, receptionist, colleague, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    boss.get(url)  # both measured requests find the phone-duty roster memoised
    # Both measured requests come after a write, so they count anew (callbacks/models/generations.py).
    make_messages(10, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(days=1))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(hours=1))
    with CaptureQueriesContext(connection) as few:
        assert boss.get(url).status_code == 200
    make_messages(9990, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        assert boss.get(url).status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert boss.get(url).status_code == 200
    assert len(many) == len(few)
    # Nothing changed since: the counts per colleague are kept (the lists are read and the page drawn anew).
    # The navigation's count of what the manager owes was kept throughout: the new messages are the
    # colleague's, and a new message moves on only its owner's generation.
    assert len(kept) == len(many) - 1
    assert not any('COUNT("callbacks_message"' in query["sql"] for query in kept)


@pytest.mark.postgres
@pytest.mark.parametrize("url, expected", [("/dashboard/", 14), ("/dashboard/live/", 11)])
def test_the_dashboard_reads_in_a_fixed_number_of_queries(boss, receptionist, colleague, manager, url, expected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PhoneDuty.objects.create(weekday=TUESDAY_10.weekday(), day_part="morning", user=receptionist)
    make_messages(60, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(hours=1))
    make_messages(60, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(minutes=30))
    with CaptureQueriesContext(connection) as queries:
        page = boss.get(url).content.decode()
    # Session, user, permissions (two, on this first request: then kept with the configuration); the users who
    # may own messages (then kept with the configuration); the counts
    # per colleague; the two heartbeats; the outbox backlog; both lists; who is on phone duty (read once,
    # shared with the navigation); on the full page the navigation's counts: the person's teams (then kept
    # with the configuration), the owed callbacks of their teams' half of owned_by (their own half is their
    # figure among the counts per colleague), the unread notices and the person's own status (then kept in
    # the cache).
    assert len(queries) == expected
    assert page.count('data-test="overdue-item"') == 50 and "Nu aan de telefoon: <strong>Anna</strong>" in page


@pytest.mark.postgres
def test_with_nothing_open_the_engine_warnings_still_show(boss, receptionist, colleague):
    Heartbeat.objects.create(name="overdue-sweep", last_run_at=TUESDAY_10 - timedelta(minutes=30))
    message = MessageFactory(taken_by=receptionist, owner=colleague, status="handled")
    Notification.objects.create(
        recipient=receptionist,
        message=message,
        kind="new_message",
        channel="email",
        created_at=TUESDAY_10 - timedelta(minutes=10),
    )
    response = boss.get("/dashboard/live/")
    page = response.content.decode()
    assert 'data-test="sweep-warning"' in page and 'data-test="outbox-warning"' in page
    assert "Niets is te laat." in page and response.context["per_colleague"] == []


@pytest.mark.postgres
def test_the_live_lists_show_each_message_escaped_in_both_languages(
    boss, manager, receptionist, colleague, other_colleague
):
    team = colleague.teams.get()
    for level, name in ((2, "Geëscaleerd"), (1, "Eigenaar Weet"), (0, "")):
        MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            deadline=TUESDAY_10 - timedelta(hours=3 + level),
            caller_name=name,
            overdue_level=level,
        )
    team_only = MessageFactory(
        taken_by=receptionist,
        owner=None,
        team=team,
        caller_name="<b>Team</b>",
        deadline=TUESDAY_10 - timedelta(days=3, minutes=7),
        reason="<script>alert(1)</script> " + "lang " * 30,
    )
    MessageFactory(
        taken_by=receptionist,
        owner=other_colleague,
        deadline=TUESDAY_10 + timedelta(minutes=20),
        caller_name="",
        reason="Bijna",
    )
    MessageFactory(
        taken_by=receptionist,
        owner=None,
        team=team,
        deadline=TUESDAY_10 + timedelta(minutes=50),
        caller_name="Voor & Team",
    )
    response = boss.get("/dashboard/live/")
    groups = response.context["overdue_groups"]
    assert [(g.team, g.owner, len(g.messages)) for g in groups] == [("Verkoop", "Bram", 3), ("Verkoop", "", 1)]
    page = response.content.decode()
    items = re.findall(r'<li data-test="overdue-item">(.*?)</li>', page, re.S)
    assert len(items) == 4
    assert "Geëscaleerd" in items[0] and "5\xa0uur te laat" in items[0] and "geëscaleerd</span>" in items[0]
    assert "Eigenaar Weet" in items[1] and "eigenaar ingelicht</span>" in items[1]
    assert "Onbekende beller" in items[2] and "badge" not in items[2]
    assert f'href="/callbacks/{team_only.pk}/"' in items[3]
    assert "&lt;b&gt;Team&lt;/b&gt;" in items[3] and "&lt;script&gt;" in items[3] and "<script>" not in page
    assert "3\xa0dagen te laat" in items[3] and "lang lan…" in items[3]
    soon = re.findall(r'<li data-test="due-soon-item">(.*?)</li>', page, re.S)
    assert "Onbekende beller" in soon[0] and " · Daan · 10:20" in soon[0]
    assert "Voor &amp; Team" in soon[1] and " · Verkoop · 10:50" in soon[1]
    manager.preferred_language = "en"
    manager.save(update_fields=["preferred_language"])
    english = boss.get("/dashboard/live/").content.decode()
    assert "5\xa0hours overdue" in english and "owner told" in english and "Unknown caller" in english


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/live/", "/dashboard/policies/", "/dashboard/phone-duty/"])
@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "outsider"])
def test_non_managers_get_404(client, request, url, fixture, manager):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(url).status_code == 404


# --- Promise rules --------------------------------------------------------------------------------


def _rules(**changes) -> dict:
    data = {
        "action": "rules",
        "escalation_minutes": "120",
        "hold_email_outside_hours": "on",
        "check_moments": "09:00, 13:00, 16:00",
        "observed_holidays": ["New Year's Day", "Easter Monday", "King's Day", "Christmas Day"],
    }
    for weekday in range(5):
        data.update({f"open_{weekday}": "on", f"opens_{weekday}": "08:30", f"closes_{weekday}": "17:30"})
    data.update(changes)
    return data


@pytest.mark.clock(at=MONDAY_10)
def test_a_policy_edit_changes_the_deadline_of_new_messages_only(boss, client, receptionist, colleague):
    team = colleague.teams.get()
    login_across_time(client, receptionist)
    take_message(client, reason={**REASON, "call_type": "question"})
    before = Message.objects.get()
    assert before.deadline == datetime(2026, 12, 1, 17, 30, tzinfo=AMS)
    login_across_time(client, boss_user := colleague.teams.get().managers.get())
    assert boss_user.username == "mira"
    response = client.post(f"/dashboard/policies/{team.pk}/", _rules(handling_question="60"))
    assert response.status_code == 302
    assert HandlingPolicy.objects.get(team=team, call_type="question").business_minutes == 60
    login_across_time(client, receptionist)
    # Another caller: the same number would be offered the open message instead.
    take_message(client, reason={**REASON, "call_type": "question"}, caller={**CALLER, "number": "0687654321"})
    after = Message.objects.exclude(pk=before.pk).get()
    assert after.deadline == datetime(2026, 11, 30, 11, 0, tzinfo=AMS)
    assert Message.objects.get(pk=before.pk).deadline == datetime(2026, 12, 1, 17, 30, tzinfo=AMS)


def test_the_rules_form_saves_hours_holidays_settings_and_moments(boss, colleague):
    team = colleague.teams.get()
    data = _rules(
        escalation_minutes="60",
        check_moments="10:30;15:00",
        hold_email_outside_hours="",
        observed_holidays=["Good Friday", "Christmas Day"],
        **{"open_4": "", "opens_4": "", "closes_4": ""},
    )
    boss.post(f"/dashboard/policies/{team.pk}/", data)
    boss.post(f"/dashboard/policies/{team.pk}/", data)  # saving twice changes nothing more
    assert sorted(OpeningHours.objects.filter(team=team).values_list("weekday", flat=True)) == [0, 1, 2, 3]
    settings_row = TeamSettings.objects.get(team=team)
    assert settings_row.escalation_business_minutes == 60 and not settings_row.hold_email_outside_hours
    assert settings_row.observed_holidays == ["Christmas Day", "Good Friday"]
    assert list(CheckMoment.objects.filter(team=team).values_list("at", flat=True)) == [time(10, 30), time(15, 0)]
    from callbacks.selectors.policies import calendar_for

    calendar = calendar_for(team)
    assert not calendar.is_open_day(date(2026, 4, 3))  # Good Friday, now observed
    assert calendar.is_open_day(date(2026, 4, 6))  # Easter Monday, no longer observed
    assert not calendar.is_open_day(date(2026, 12, 4))  # Fridays closed


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"closes_0": "08:00"}, "Sluitingstijd moet na openingstijd liggen."),
        ({"opens_1": ""}, "Vul in wanneer het team op deze dag opent en sluit."),
        ({"check_moments": "negen uur"}, "“negen uur” is geen tijd."),
        ({"escalation_minutes": "abc"}, "Voer een geheel getal in."),
        ({f"open_{d}": "" for d in range(5)}, "Het team moet op minstens één dag open zijn."),
    ],
)
def test_bad_rules_are_explained_and_nothing_typed_is_lost(boss, colleague, changes, error):
    team = colleague.teams.get()
    response = boss.post(f"/dashboard/policies/{team.pk}/", _rules(**changes))
    page = response.content.decode()
    assert response.status_code == 200 and error in page
    assert 'value="09:00, 13:00, 16:00"' in page or "negen uur" in page
    assert not TeamSettings.objects.exists()


def test_closure_days_are_added_once_and_removed(boss, colleague):
    team = colleague.teams.get()
    for _twice in range(2):
        boss.post(
            f"/dashboard/policies/{team.pk}/",
            {"action": "add_closure", "date": "2026-12-24", "description": "Kerstavond"},
        )
    closure = ClosureDay.objects.get(team=team)
    assert closure.date == date(2026, 12, 24)
    bad = boss.post(f"/dashboard/policies/{team.pk}/", {"action": "add_closure", "date": "morgen"})
    assert "Voer een geldige datum in." in bad.content.decode()
    boss.post(f"/dashboard/policies/{team.pk}/", {"action": "remove_closure", "closure": "x"})
    assert ClosureDay.objects.count() == 1
    boss.post(f"/dashboard/policies/{team.pk}/", {"action": "remove_closure", "closure": str(closure.pk)})
    assert not ClosureDay.objects.exists()


# --- Phone duty -----------------------------------------------------------------------------------


def test_the_roster_shows_who_is_on_duty_now(clock, boss, client, receptionist, manager, colleague):
    data = {f"duty_{d}_{part}": "" for d in range(5) for part in ("morning", "afternoon")}
    data["duty_1_morning"] = str(receptionist.pk)
    data["duty_1_afternoon"] = str(manager.pk)
    assert boss.post("/dashboard/phone-duty/", data).status_code == 302
    assert boss.post("/dashboard/phone-duty/", {**data, "duty_0_morning": "99999"}).status_code == 200
    assert PhoneDuty.objects.count() == 2
    login_across_time(client, colleague)
    morning = client.get("/callbacks/").content.decode()
    clock.move_to(TUESDAY_10 + timedelta(hours=4))
    afternoon = client.get("/callbacks/").content.decode()
    clock.move_to(TUESDAY_10 + timedelta(hours=10))
    evening = client.get("/callbacks/").content.decode()
    assert "Aan de telefoon: Anna" in morning
    assert "Aan de telefoon: Mira" in afternoon
    assert 'data-test="nav-on-duty"' not in evening


@pytest.mark.postgres
@pytest.mark.postgres_only  # a PostgreSQL plan
@pytest.mark.django_db(transaction=True)
def test_the_open_counts_are_answered_from_the_open_owner_index_alone(receptionist, colleague):
    """Read every 30 seconds by every open dashboard, over every open message: a condition on a column the
    open-owner indexes lack (the status, the id, the owner's name) reads every row from the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callbacks.selectors.dashboard import open_counts

    make_messages(5, taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 - timedelta(hours=1))
    with CaptureQueriesContext(connection) as captured:
        open_counts(now=TUESDAY_10)
    # The colleagues' ids come from the configuration cache (a read of the users on a cold cache).
    statements = [query["sql"] for query in captured if '"callbacks_message"' in query["sql"]]
    assert statements
    for statement in statements:
        plan = postgres_plan_vacuumed(statement, "callbacks_message")
        assert "Index Only Scan using msg_open_owner_recorded" in plan, plan


def test_the_cached_lists_show_every_change_to_what_they_show(boss, clock, receptionist, colleague, other_colleague):
    """The two lists are cached fragments: neither a change that moves the message's version on nor one
    that does not (the sweep, routing to a stand-in), nor time passing, may leave an old list showing."""
    from callbacks.services.retention import message_batch_anonymise

    def items(kind: str) -> list[str]:
        page = boss.get("/dashboard/live/").content.decode()
        # The caller page's link after each item (tests/test_caller_page.py) is left out of the text compared here.
        return [
            " ".join(
                re.sub(
                    r"<[^>]+>", " ", re.sub(r'<span\s[^>]*data-test="caller-page">.*?</span>', "", item, flags=re.S)
                ).split()
            )
            for item in re.findall(rf'<li data-test="{kind}-item">(.*?)</li>', page, re.S)
        ]

    late = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=TUESDAY_10 - timedelta(hours=2),
        caller_name="Laat",
        reason="Offerte",
    )
    soon = MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(minutes=30), caller_name="Bijna"
    )
    assert items("overdue") == ["2 uur te laat · Laat · Offerte"]
    assert items("due-soon") == ["Bijna · Bram · 10:30"]

    overdue_sweep(now=TUESDAY_10)  # flags without moving the version on
    assert items("overdue") == ["2 uur te laat · Laat geëscaleerd · Offerte"]
    Message.objects.filter(pk=soon.pk).update(owner_user=other_colleague)  # as routing to a stand-in does
    assert items("due-soon") == ["Bijna · Daan · 10:30"]
    clock.shift(minutes=1)
    assert items("overdue") == ["2 uur, 1 minuut te laat · Laat geëscaleerd · Offerte"]
    message_batch_anonymise(ids=[late.pk, soon.pk], now=clock.now())
    assert "Laat" not in str(items("overdue")) and "Bijna" not in str(items("due-soon"))
