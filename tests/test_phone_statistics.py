"""Missed calls in the manager's statistics (issue 18): the figures, the section loaded by htmx, the CSV."""

import csv
import io
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team
from callbacks.domain.figures import Period
from callbacks.models import Attempt, CallType, Status
from telephony.models import CallResult, CallState, Direction, PhoneCall
from telephony.selectors.statistics import missed_call_figures
from tests.clock import AMS
from tests.conftest import make_user, skip_or_fail_under_ci
from tests.factories import MessageFactory
from tests.phone_helpers import make_phone_system
from tests.test_valid_html import VNU

pytestmark = pytest.mark.django_db

SECTION = "phonestats:section"


def make_call(
    system,
    *,
    started: datetime,
    result=CallResult.MISSED,
    anonymous=False,
    team=None,
    message=None,
    ended: datetime | None = None,
    number="+31201234567",
    direction=Direction.IN,
) -> PhoneCall:
    """A call as the event folding leaves it once it ended."""
    return PhoneCall.objects.create(
        phone_system=system,
        call_id=uuid.uuid4().hex,
        direction=direction,
        party_number="" if anonymous else number,
        anonymous=anonymous,
        team=team or system.default_team,
        state=CallState.ENDED,
        result=result,
        started_at=started,
        ended_at=ended or started + timedelta(minutes=1),
        message=message,
    )


def missed_message(system, owner, *, deadline: datetime, **fields):
    """A message filed from a missed call: taken by the phone system's account, its deadline the promise."""
    return MessageFactory(
        taken_by=system.account, owner=owner, call_type=CallType.MISSED_CALL, deadline=deadline, **fields
    )


def attempt(message, at: datetime) -> Attempt:
    return Attempt.objects.create(message=message, made_by=message.owner_user, made_at=at, result="no_answer")


@pytest.fixture
def verkoop(colleague) -> Team:
    return Team.objects.get(name="Verkoop")


@pytest.fixture
def system(verkoop):
    return make_phone_system(team=verkoop)[0]


def figures_of(clock, start, end, teams=None):
    return missed_call_figures(period=Period(start=start, end=end), teams=teams, now=clock.now())


# --- The figures ------------------------------------------------------------------------------------------


def test_it_counts_hours_and_days_in_amsterdam_time_across_the_dst_change(clock, system):
    # Summer time ends on Sunday 25 October 2026: 09:30 is 07:30 UTC on the 24th and 08:30 UTC on the 26th.
    make_call(system, started=datetime(2026, 10, 24, 9, 30, tzinfo=AMS))
    make_call(system, started=datetime(2026, 10, 26, 9, 30, tzinfo=AMS))
    # 00:30 on the 25th is still the 24th in UTC (22:30).
    make_call(system, started=datetime(2026, 10, 25, 0, 30, tzinfo=AMS))
    start = datetime(2026, 10, 24).date()

    figures = figures_of(clock, start, start + timedelta(days=2))

    assert [(bucket.key, bucket.missed) for bucket in figures.hours if bucket.missed] == [(0, 1), (9, 2)]
    assert [(bucket.key.day, bucket.missed) for bucket in figures.days] == [(24, 1), (25, 1), (26, 1)]


def test_voicemail_is_missed_forwarded_is_not_and_anonymous_calls_are_counted_apart(clock, system):
    at = clock.at(9)
    make_call(system, started=at, result=CallResult.MISSED)
    make_call(system, started=at, result=CallResult.VOICEMAIL)
    make_call(system, started=at, result=CallResult.FORWARDED)
    make_call(system, started=at, result=CallResult.TALKED)
    make_call(system, started=at, result=CallResult.TALKED)
    make_call(system, started=at, result=CallResult.MISSED, anonymous=True)
    make_call(system, started=at, result=CallResult.MISSED, direction=Direction.OUT)

    figures = figures_of(clock, clock.today(), clock.today())

    assert (figures.missed, figures.anonymous, figures.answered) == (2, 1, 2)
    assert (figures.hours[9].missed, figures.hours[9].anonymous, figures.hours[9].answered) == (2, 1, 2)


def test_the_share_within_the_promise_counts_callbacks_at_or_before_the_deadline(clock, system, colleague):
    now = clock.now()
    call_at = now - timedelta(hours=6)
    deadline = now - timedelta(hours=2)
    kept_by_attempt = missed_message(system, colleague, deadline=deadline)
    attempt(kept_by_attempt, deadline)  # exactly at the deadline: kept
    late = missed_message(system, colleague, deadline=deadline)
    attempt(late, deadline + timedelta(minutes=1))
    ticked_off = missed_message(
        system, colleague, deadline=deadline, status=Status.HANDLED, handled_at=deadline - timedelta(hours=1)
    )
    still_open_late = missed_message(system, colleague, deadline=deadline)
    still_open_in_time = missed_message(system, colleague, deadline=now + timedelta(hours=1))
    for message in (kept_by_attempt, late, ticked_off, still_open_late, still_open_in_time):
        make_call(system, started=call_at, ended=call_at, message=message)
    make_call(system, started=call_at, anonymous=True)  # cannot be called back: not in the share

    figures = figures_of(clock, clock.today(), clock.today())

    # kept: the attempt at the deadline, the tick-off without an attempt; broken: the late attempt, still open
    assert (figures.within_promise, figures.promise_due) == (2, 4)
    assert figures.promise_rate == 50


def test_time_to_callback_runs_from_the_end_of_the_call_to_the_first_attempt_after_it(clock, system, colleague):
    ended = clock.now() - timedelta(hours=5)
    for minutes in (10, 30, 120):
        message = missed_message(system, colleague, deadline=clock.now() + timedelta(hours=1))
        attempt(message, ended + timedelta(minutes=minutes))
        attempt(message, ended + timedelta(minutes=minutes + 60))  # a second attempt changes nothing
        make_call(system, started=ended - timedelta(minutes=2), ended=ended, message=message)
    # A merged message: its attempt was about an earlier call, so this call is not called back yet.
    merged = missed_message(system, colleague, deadline=clock.now() + timedelta(hours=1))
    attempt(merged, ended - timedelta(minutes=1))
    make_call(system, started=ended - timedelta(minutes=2), ended=ended, message=merged)

    figures = figures_of(clock, clock.today(), clock.today())

    assert figures.waited.count == 3
    assert figures.waited.median == 30 * 60
    assert figures.waited.p90 == pytest.approx((30 + (120 - 30) * 0.8) * 60)
    assert (figures.within_promise, figures.promise_due) == (3, 3)  # the merged one is not due yet


# --- The section ------------------------------------------------------------------------------------------


def test_the_statistics_page_loads_the_section_by_htmx(client, clock, manager):
    client.force_login(manager)
    html = client.get(reverse("dashboard:statistics") + "?start=2026-11-01").content.decode()
    assert f'data-hx-get="{reverse(SECTION)}?start=2026-11-01"' in html


def test_the_section_shows_the_figures_of_the_chosen_team_only(client, clock, manager, system, other_colleague):
    service = Team.objects.get(name="Service")
    make_call(system, started=clock.at(9), team=service)
    make_call(system, started=clock.at(9), team=service, result=CallResult.TALKED)
    make_call(system, started=clock.at(11))  # Verkoop
    client.force_login(manager)

    both = client.get(reverse(SECTION)).content.decode()
    only_service = client.get(reverse(SECTION), {"team": service.pk}).content.decode()

    assert 'data-test="missed">2<' in both
    assert 'data-test="missed">1<' in only_service
    assert 'data-test="answered">1<' in only_service
    hours = only_service.split('data-test="missed-hours"')[1]
    assert '<tr data-key="9">' in hours.replace("\n", "").replace("    ", "")


@pytest.mark.parametrize("who", ["receptionist", "colleague", "outsider"])
def test_only_the_dashboard_may_see_the_section_and_the_csv(client, clock, who, request, system):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(SECTION)).status_code == 404
    assert client.get(reverse("phonestats:missed_calls_csv")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, clock):
    assert client.get(reverse(SECTION)).status_code == 302


def test_a_dashboard_user_who_manages_one_team_sees_only_its_calls(client, clock, system, verkoop, other_colleague):
    service = Team.objects.get(name="Service")
    lead = make_user("lotte")
    lead.user_permissions.add(Permission.objects.get(codename="view_dashboard", content_type__app_label="accounts"))
    verkoop.managers.add(lead)
    make_call(system, started=clock.at(9))
    make_call(system, started=clock.at(9), team=service)
    make_call(system, started=clock.at(9), team=service)
    client.force_login(lead)

    assert 'data-test="missed">1<' in client.get(reverse(SECTION)).content.decode()
    assert client.get(reverse(SECTION), {"team": service.pk}).status_code == 404
    assert client.get(reverse("phonestats:missed_calls_csv"), {"team": service.pk}).status_code == 404


def test_without_a_phone_system_or_calls_the_section_says_so_in_one_sentence(client, clock, manager, verkoop):
    client.force_login(manager)
    html = client.get(reverse(SECTION)).content.decode()
    assert 'data-test="no-phone-system"' in html and "<svg" not in html

    make_phone_system(team=verkoop)
    html = client.get(reverse(SECTION)).content.decode()
    assert 'data-test="no-calls"' in html and "<svg" not in html


def test_the_section_reads_a_constant_number_of_queries(client, clock, manager, system, colleague):
    client.force_login(manager)

    def add_calls(count):
        for index in range(count):
            message = missed_message(system, colleague, deadline=clock.now() + timedelta(hours=index - 5))
            attempt(message, clock.now() - timedelta(minutes=index))
            make_call(system, started=clock.now() - timedelta(hours=index, minutes=30), message=message)
            make_call(system, started=clock.now() - timedelta(hours=index), anonymous=True)

    add_calls(2)
    client.get(reverse(SECTION))  # the session and the office's configuration, cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(SECTION)).status_code == 200
    add_calls(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(SECTION)).status_code == 200
    assert len(many) == len(few), [query["sql"] for query in many]


def test_the_csv_lists_the_missed_calls_of_the_period(client, clock, manager, system, colleague):
    deadline = clock.now() - timedelta(hours=1)
    message = missed_message(system, colleague, deadline=deadline)
    attempt(message, deadline + timedelta(minutes=5))
    make_call(system, started=clock.at(8), ended=clock.at(8, 1), message=message, number="+31201234567")
    make_call(system, started=clock.at(9), anonymous=True)
    make_call(system, started=clock.at(9, 30), result=CallResult.TALKED)
    client.force_login(manager)

    response = client.get(reverse("phonestats:missed_calls_csv"))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    assert rows[1][:4] == ["2026-12-01 08:00", "'+31201234567", "Verkoop", str(message.pk)]
    assert rows[1][4] == (deadline + timedelta(minutes=5)).astimezone(AMS).strftime("%Y-%m-%d %H:%M")
    assert rows[1][5] in {"no", "nee"}
    assert rows[2][1] in {"anonymous", "anoniem"} and rows[2][3:] == ["", "", ""]


@pytest.mark.slow
def test_the_page_with_its_section_is_valid_html(client, clock, manager, system, colleague, tmp_path):
    if shutil.which("java") is None:
        skip_or_fail_under_ci("java is not installed (Debian: default-jre-headless)")
    if not VNU.exists():
        skip_or_fail_under_ci(f"{VNU} is missing: npm ci installs it")
    message = missed_message(system, colleague, deadline=clock.now() + timedelta(hours=1))
    make_call(system, started=clock.at(8), message=message)
    make_call(system, started=clock.at(9), anonymous=True)
    client.force_login(manager)
    page = client.get(reverse("dashboard:statistics")).content.decode()
    section = client.get(reverse(SECTION)).content.decode()
    slot_start = page.index("<div data-hx-get=")
    slot_end = page.index("</div>", slot_start) + len("</div>")
    assert 'data-test="missed-hour-chart"' in section
    path = tmp_path / "statistics.html"
    path.write_text(page[:slot_start] + section + page[slot_end:], encoding="utf-8")

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", str(path)], capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr
