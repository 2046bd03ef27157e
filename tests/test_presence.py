"""A colleague's quick status: set and cleared from the navigation, ended by its "until", said at intake."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Absence, Presence
from callbacks.selectors import availabilities, availability_of, recipients_all, team_of
from tests.conftest import login_across_time
from tests.intake_helpers import start_call

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)
STATUS_URL = "/accounts/status/"
PARTIAL = "/callbacks/new/status/"

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=MONDAY_10), pytest.mark.usefixtures("clock")]


@pytest.fixture
def desk(client, receptionist, colleague):
    login_across_time(client, receptionist)
    return client


# --- Setting, clearing and expiry ------------------------------------------------------------------


def test_a_status_without_until_lasts_to_the_end_of_the_day(clock, colleague):
    account_services.presence_set(user=colleague, state="in_meeting", until=None, now=clock.now())
    assert Presence.objects.get().until == clock.at(0, days=1)
    clock.move_to(clock.at(23, 59))
    assert account_selectors.presence_of(user=colleague, now=clock.now()).state == "in_meeting"
    clock.move_to(clock.at(0, 0, days=1))
    assert account_selectors.presence_of(user=colleague, now=clock.now()) is None


def test_a_status_ends_when_its_until_passes(clock, colleague):
    account_services.presence_set(user=colleague, state="on_call", until=clock.at(10, 30), now=clock.now())
    clock.shift(minutes=29)
    assert account_selectors.presence_of(user=colleague, now=clock.now()) is not None
    clock.shift(minutes=1)
    assert account_selectors.presence_of(user=colleague, now=clock.now()) is None
    assert availability_of(user=colleague, team=team_of(colleague), now=clock.now()).state == "available"


def test_setting_a_status_twice_keeps_one_row_and_clearing_is_idempotent(clock, colleague):
    for state in ("on_call", "on_call", "do_not_disturb"):
        account_services.presence_set(user=colleague, state=state, until=None, now=clock.now())
    assert list(Presence.objects.values_list("state", flat=True)) == ["do_not_disturb"]
    account_services.presence_clear(user=colleague)
    account_services.presence_clear(user=colleague)
    assert not Presence.objects.exists()


def test_a_status_must_end_in_the_future(clock, colleague):
    with pytest.raises(ValueError):
        account_services.presence_set(user=colleague, state="on_call", until=clock.now(), now=clock.now())
    with pytest.raises(ValueError):
        account_services.presence_set(user=colleague, state="asleep", until=None, now=clock.now())


# --- The navigation control ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/callbacks/", "/accounts/profile/"])
def test_the_status_control_is_in_the_navigation_of_every_page(client, clock, colleague, path):
    login_across_time(client, colleague)
    account_services.presence_set(user=colleague, state="in_meeting", until=clock.at(11, 15), now=clock.now())
    page = client.get(path).content.decode()
    summary = page[page.index('data-test="presence-summary"') :][:200]
    assert "In vergadering tot 11:15" in summary
    assert 'action="/accounts/status/"' in page


def test_a_colleague_sets_a_status_for_half_an_hour_and_returns_to_the_page(client, clock, colleague):
    login_across_time(client, colleague)
    response = client.post(STATUS_URL, {"state": "on_call", "minutes": "30", "next": "/callbacks/"})
    assert response.status_code == 302 and response["Location"] == "/callbacks/"
    presence = Presence.objects.get(user=colleague)
    assert (presence.state, presence.until) == ("on_call", clock.now() + timedelta(minutes=30))


def test_a_typed_time_wins_and_a_past_time_is_refused(client, clock, colleague):
    login_across_time(client, colleague)
    client.post(STATUS_URL, {"state": "do_not_disturb", "minutes": "15", "until_time": "14:45"})
    assert Presence.objects.get().until == clock.at(14, 45)
    client.post(STATUS_URL, {"state": "in_meeting", "until_time": "09:00"})
    assert Presence.objects.get().state == "do_not_disturb"  # unchanged


def test_available_clears_the_status(client, clock, colleague):
    login_across_time(client, colleague)
    client.post(STATUS_URL, {"state": "in_meeting"})
    client.post(STATUS_URL, {"state": "available"})
    assert not Presence.objects.exists()


def test_the_status_control_refuses_get_foreign_redirects_and_anonymous_visitors(client, colleague):
    assert client.post(STATUS_URL, {"state": "on_call"})["Location"].startswith("/accounts/login/")
    login_across_time(client, colleague)
    assert client.get(STATUS_URL).status_code == 405
    assert client.post(STATUS_URL, {"state": "on_call", "next": "https://evil.example/"})["Location"] == "/"


def test_only_colleagues_who_take_callbacks_have_a_status(client, receptionist, outsider):
    for person in (receptionist, outsider):
        login_across_time(client, person)
        assert client.post(STATUS_URL, {"state": "on_call"}).status_code == 404
        assert 'data-test="presence"' not in client.get("/").content.decode()
    assert not Presence.objects.exists()


# --- What the receptionist sees and says at step 1 -------------------------------------------------


@pytest.mark.parametrize(
    "state, until, said",
    [
        ("on_call", "10:30", "Bram is in gesprek (tot 10:30)."),
        ("in_meeting", "11:00", "Bram zit in een vergadering (tot 11:00)."),
        ("do_not_disturb", "12:00", "Bram kan op dit moment geen gesprekken aannemen (tot 12:00)."),
        ("in_meeting", None, "Bram zit in een vergadering."),
    ],
)
def test_the_status_partial_says_the_line_for_each_status(desk, clock, colleague, state, until, said):
    hour_minute = until and [int(part) for part in until.split(":")]
    account_services.presence_set(
        user=colleague, state=state, now=clock.now(), until=clock.at(*hour_minute) if until else None
    )
    page = desk.get(PARTIAL, {"recipient-recipient": "Bram"}).content.decode()
    line = page[page.index('data-test="unavailable-line"') :]
    assert said in line
    assert "Kan ik u misschien zelf helpen, of zal ik een bericht voor Bram aannemen?" in line
    assert "beschikbaar" not in page


def test_without_a_status_there_is_no_available_claim_but_a_line_for_no_answer(desk):
    page = desk.get(PARTIAL, {"recipient-recipient": "Bram"}).content.decode()
    assert "Bram: geen status ingesteld." in page
    assert "is beschikbaar" not in page and "text-success" not in page
    assert "Als Bram niet opneemt, zeg:" in page
    assert "Bram neemt op dit moment niet op. Kan ik u misschien zelf helpen" in page


def test_an_absence_beats_a_status(desk, clock, colleague, other_colleague):
    account_services.presence_set(user=colleague, state="on_call", until=None, now=clock.now())
    Absence.objects.create(
        user=colleague,
        stand_in=other_colleague,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(days=2),
    )
    assert availability_of(user=colleague, team=team_of(colleague), now=clock.now()).state == "away"
    page = desk.get(PARTIAL, {"recipient-recipient": "Bram"}).content.decode()
    assert "Bram is helaas afwezig tot" in page and "in gesprek" not in page


def test_outside_business_hours_beats_a_status(clock, colleague):
    account_services.presence_set(user=colleague, state="on_call", until=None, now=clock.now())
    clock.move_to(clock.at(20, 10))
    assert availability_of(user=colleague, team=team_of(colleague), now=clock.now()).state == "closed"


def test_the_list_beside_step_1_shows_each_status_with_its_line(desk, clock, colleague, other_colleague):
    account_services.presence_set(user=other_colleague, state="in_meeting", until=clock.at(11), now=clock.now())
    page = start_call(desk).content.decode()
    listed = page[page.index('data-test="statuses"') :]
    assert "<strong>Daan</strong>:" in listed and "in vergadering tot 11:00" in listed
    assert "Daan zit in een vergadering (tot 11:00). Kan ik u misschien zelf helpen" in listed
    bram = listed[listed.index("<strong>Bram</strong>") :][:80]
    assert "geen status ingesteld" in bram


def test_the_list_reads_the_statuses_with_a_constant_number_of_queries(clock, colleague, other_colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = recipients_all()[0]
    availabilities(users=users, now=clock.now())  # the teams' calendars are cached from here on
    with CaptureQueriesContext(connection) as none_set:
        availabilities(users=users, now=clock.now())
    account_services.presence_set(user=colleague, state="on_call", until=None, now=clock.now())
    account_services.presence_set(user=other_colleague, state="in_meeting", until=None, now=clock.now())
    with CaptureQueriesContext(connection) as both_set:
        found = dict(availabilities(users=users, now=clock.now()))
    assert len(both_set) == len(none_set)
    assert any("accounts_presence" in query["sql"] for query in both_set.captured_queries)
    assert found[colleague].state == "on_call" and found[other_colleague].state == "in_meeting"


def test_the_lines_are_said_in_english_too(client, clock, receptionist, colleague):
    from django.utils import translation

    from callbacks.views.sentences import unavailable_line

    account_services.presence_set(user=colleague, state="on_call", until=clock.at(10, 30), now=clock.now())
    availability = availability_of(user=colleague, team=team_of(colleague), now=clock.now())
    with translation.override("en"):
        english = unavailable_line(name="Bram", availability=availability)
    with translation.override("nl"):
        dutch = unavailable_line(name="Bram", availability=availability)
    assert (
        english
        == "Bram is on another call (until 10:30). May I help you myself, perhaps, or shall I take a message for Bram?"
    )
    assert (
        dutch
        == "Bram is in gesprek (tot 10:30). Kan ik u misschien zelf helpen, of zal ik een bericht voor Bram aannemen?"
    )


def test_the_line_stays_beside_the_next_step_while_the_message_is_taken(desk, clock, colleague):
    from tests.intake_helpers import RECIPIENT, post_step

    account_services.presence_set(user=colleague, state="on_call", until=clock.at(10, 30), now=clock.now())
    start_call(desk)
    page = post_step(desk, "recipient", RECIPIENT).content.decode()
    assert "Bram is in gesprek (tot 10:30). Kan ik u misschien zelf helpen" in page


def test_the_navigation_keeps_the_status_in_the_cache_yet_shows_every_change_and_the_expiry(client, clock, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_across_time(client, colleague)

    def summary() -> str:
        page = client.get("/accounts/profile/").content.decode()
        return page[page.index('data-test="presence-summary"') :][:120]

    assert "Beschikbaar" in summary()
    client.post(STATUS_URL, {"state": "on_call", "minutes": "15"})
    assert "In gesprek tot 10:15" in summary()
    with CaptureQueriesContext(connection) as queries:
        summary()
    assert not any("accounts_presence" in query["sql"] for query in queries.captured_queries)
    clock.shift(minutes=15)
    assert "Beschikbaar" in summary()
    client.post(STATUS_URL, {"state": "in_meeting"})
    client.post(STATUS_URL, {"state": "available"})
    assert "Beschikbaar" in summary()
