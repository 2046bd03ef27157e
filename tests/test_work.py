"""The colleague's side: my callbacks, the detail page, attempts, tick-off, reassignment, follow-up."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import Absence
from callbacks import services
from callbacks.models import Attempt, Message, MessageEvent, Notification, Outcome, Status
from callbacks.models.generations import messages_changed
from tests.conftest import login_across_time
from tests.factories import MessageFactory, make_messages

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _open(taker, owner, deadline, **fields):
    return MessageFactory(taken_by=taker, owner=owner, deadline=deadline, **fields)


# --- My callbacks ---------------------------------------------------------------------------------


def test_my_callbacks_are_grouped_overdue_today_and_later(bram, receptionist, colleague, other_colleague):
    late = _open(receptionist, colleague, NOW - timedelta(minutes=30), caller_name="Laat")
    today = _open(receptionist, colleague, NOW + timedelta(hours=5), caller_name="Vandaag")
    later = _open(receptionist, colleague, NOW + timedelta(days=1), caller_name="Morgen")
    _open(receptionist, other_colleague, NOW - timedelta(hours=1), caller_name="Van Daan")
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED, caller_name="Al gedaan")
    response = bram.get("/callbacks/")
    worklist = response.context["worklist"]
    assert [m.pk for m in worklist.overdue] == [late.pk]
    assert [m.pk for m in worklist.today] == [today.pk]
    assert [m.pk for m in worklist.later] == [later.pk]
    page = response.content.decode()
    assert "30\xa0minuten te laat" in page
    assert 'href="tel:+31612345678"' in page
    assert "Van Daan" not in page and "Al gedaan" not in page


def test_a_deadline_at_midnight_counts_as_later_not_today(bram, receptionist, colleague):
    midnight = datetime(2026, 12, 2, 0, 0, tzinfo=AMS)
    message = _open(receptionist, colleague, midnight)
    worklist = bram.get("/callbacks/").context["worklist"]
    assert [m.pk for m in worklist.later] == [message.pk] and not worklist.today


def test_the_teams_tab_shows_team_mates_messages(bram, receptionist, colleague, manager):
    from tests.conftest import make_user

    mate = make_user("carla", "colleague")
    colleague.teams.first().members.add(mate)
    theirs = _open(receptionist, mate, NOW + timedelta(hours=2), caller_name="Voor Carla")
    mine = bram.get("/callbacks/").content.decode()
    teams = bram.get("/callbacks/?scope=teams").context["worklist"]
    assert "Voor Carla" not in mine
    assert [m.pk for m in teams.today] == [theirs.pk]


def test_filters_narrow_the_list_and_bad_values_are_ignored(bram, receptionist, colleague):
    complaint = _open(receptionist, colleague, NOW + timedelta(hours=1), call_type="complaint")
    _open(receptionist, colleague, NOW + timedelta(hours=2), call_type="question")
    handled = MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)
    by_type = bram.get("/callbacks/?call_type=complaint").context["worklist"]
    by_status = bram.get("/callbacks/?status=handled").context["page"]
    nonsense = bram.get("/callbacks/?status=%00&team=abc&period=9999&call_type=<b>")
    assert [m.pk for m in by_type.today] == [complaint.pk]
    assert [m.pk for m in by_status.object_list] == [handled.pk]
    assert nonsense.status_code == 200
    assert "Selecteer een geldige keuze" in nonsense.content.decode()


def test_the_kept_filter_selects_show_each_requests_choice_the_teams_and_errors(bram, colleague):
    """The selects are kept per choice, teams and language (WorkFilterForm.drawn_key)."""
    assert '<option value="complaint" selected>' in bram.get("/callbacks/?call_type=complaint").content.decode()
    question = bram.get("/callbacks/?call_type=question").content.decode()
    assert '<option value="question" selected>' in question and '<option value="complaint" selected>' not in question
    assert "Alle teams" in question
    team = colleague.teams.get()
    team.name = "Binnendienst"
    team.save()
    renamed = bram.get("/callbacks/?call_type=question").content.decode()
    assert f'<option value="{team.pk}">Binnendienst</option>' in renamed
    assert "Selecteer een geldige keuze" in bram.get("/callbacks/?call_type=nonsense").content.decode()
    colleague.preferred_language = "en"
    colleague.save()
    assert "All teams" in bram.get("/callbacks/?call_type=question").content.decode()


def test_a_follow_up_reminder_appears_on_its_day(clock, bram, receptionist, colleague):
    message = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        follow_up_on=date(2026, 12, 3),
        outcome=Outcome.FOLLOW_UP,
    )
    before = bram.get("/callbacks/").context["worklist"]
    clock.move_to(NOW + timedelta(days=2))
    on_the_day = bram.get("/callbacks/")
    assert not before.follow_ups
    assert [m.pk for m in on_the_day.context["worklist"].follow_ups] == [message.pk]
    assert "Terugkoppelen: werkte de oplossing?" in on_the_day.content.decode()


def test_the_navigation_badge_counts_open_and_overdue(bram, receptionist, colleague):
    _open(receptionist, colleague, NOW - timedelta(hours=1))
    _open(receptionist, colleague, NOW + timedelta(hours=1))
    page = bram.get("/accounts/profile/").content.decode()
    badge = page[page.index('id="callbacks-badge"') :]
    badge = badge[: badge.index("</a>")]
    assert ">2</span>" in badge and "1 te laat" in badge


def test_the_navigation_counts_callbacks_per_half_and_notifications_once(bram, receptionist, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callbacks.services.notifications import notification_queue

    message = _open(receptionist, colleague, NOW - timedelta(hours=1))
    _open(receptionist, colleague, NOW + timedelta(hours=1))
    notification_queue(message=message, recipients=[colleague], kind=Notification.Kind.NEW_MESSAGE)
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/accounts/profile/").content.decode()
    counting = [q["sql"] for q in queries if "callbacks_message" in q["sql"] or "callbacks_notification" in q["sql"]]
    assert len(counting) == 3  # the owed callbacks per half of owned_by, the unread notices
    assert ">2</span>" in page and "1 te laat" in page and 'data-test="unread">1<' in page


@pytest.mark.parametrize("url", ["/callbacks/", "/callbacks/{pk}/"])
def test_pages_use_the_same_number_of_queries_at_30_and_1000_messages(
    bram, receptionist, colleague, django_assert_max_num_queries, url
):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # More rows than the list's growing reads of rows that miss its cache take (selectors.MissedRows, 21):
    # a list of fewer rows is read whole in fewer of them, one of more in as many however many it shows.
    first = make_messages(30, taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))[0]
    bram.get(url.format(pk=first.pk))  # both measured requests find the team's calendar memoised
    caches["fragments"].clear()  # both measured requests render the page's cached fragments anew
    messages_changed()  # and count the navigation's owed callbacks (callbacks/models/generations.py)
    with CaptureQueriesContext(connection) as few:
        assert bram.get(url.format(pk=first.pk)).status_code == 200
    make_messages(970, taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(days=2))
    caches["fragments"].clear()
    messages_changed()  # new messages of his own alone would leave his teams' half of the counts kept
    with CaptureQueriesContext(connection) as many:
        assert bram.get(url.format(pk=first.pk)).status_code == 200
    assert len(many) == len(few)


# --- Acting ---------------------------------------------------------------------------------------


def _post(client, message, action, data, **headers):
    payload = {f"{action}-{name}": value for name, value in data.items()}
    payload[f"{action}-version"] = data.get("version", message.version)
    return client.post(f"/callbacks/{message.pk}/{action.replace('_', '-')}/", payload, **headers)


@pytest.mark.parametrize("result", ["no_answer", "voicemail", "wrong_number"])
def test_an_unanswered_attempt_keeps_the_message_open(bram, receptionist, colleague, result):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    response = _post(
        bram, message, "attempt", {"result": result, "note": "ging over", "next_try_at": "2026-12-01T14:00"}
    )
    assert response.status_code == 302 and response["Location"] == f"/callbacks/{message.pk}/"
    message.refresh_from_db()
    assert message.status == Status.OPEN and message.attempt_count == 1
    assert message.next_try_at == datetime(2026, 12, 1, 14, 0, tzinfo=AMS)
    attempt = message.attempts.get()
    assert (attempt.result, attempt.note, attempt.made_by) == (result, "ging over", colleague)
    assert message.events.filter(kind=MessageEvent.Kind.ATTEMPT, actor=colleague).count() == 1


def test_reaching_the_caller_ticks_the_message_off_with_an_outcome(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    _post(bram, message, "handle", {"outcome": "solved", "note": "Offerte aangepast"})
    message.refresh_from_db()
    assert message.status == Status.HANDLED and message.outcome == Outcome.SOLVED
    assert message.handled_by == colleague and message.handled_at == NOW
    assert message.handled_note == "Offerte aangepast" and message.attempt_count == 1
    assert message.attempts.get().result == Attempt.Result.REACHED
    assert list(message.events.values_list("kind", flat=True)) == ["taken", "handled"]


def test_follow_up_needed_sets_a_check_back_day_that_can_be_completed(clock, bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    _post(bram, message, "handle", {"outcome": "follow_up", "note": "Monteur komt donderdag"})
    message.refresh_from_db()
    # Tuesday: the end of the next business day is Wednesday.
    assert message.follow_up_on == date(2026, 12, 2)
    clock.move_to(NOW + timedelta(days=1))
    page = bram.get(f"/callbacks/{message.pk}/").content.decode()
    assert 'data-test="follow-up-form"' in page
    _post(bram, message, "follow_up", {"note": "Werkt weer"})
    message.refresh_from_db()
    assert message.follow_up_done_at is not None
    assert message.events.filter(kind=MessageEvent.Kind.FOLLOWED_UP, note="Werkt weer").exists()


def test_a_check_back_date_in_the_past_is_refused_and_the_note_kept(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    response = _post(
        bram, message, "handle", {"outcome": "solved", "note": "Mijn notitie", "follow_up_on": "2026-11-01"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kies vandaag of een latere dag." in page and 'value="Mijn notitie"' in page
    message.refresh_from_db()
    assert message.status == Status.OPEN


def test_reassigning_notifies_the_new_owner_and_is_audited(
    bram, receptionist, colleague, other_colleague, django_capture_on_commit_callbacks
):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(bram, message, "reassign", {"recipient": "Daan", "reason": "Gaat over service"})
    assert response.status_code == 302 and response["Location"] == "/callbacks/"
    message.refresh_from_db()
    assert message.owner_user == other_colleague and message.owner_team.name == "Service"
    event = message.events.get(kind=MessageEvent.Kind.REASSIGNED)
    assert event.actor == colleague and event.note == "Gaat over service"
    assert event.changes["owner_user"] == ["Bram", "Daan"]
    assert Notification.objects.filter(recipient=other_colleague, kind="reassigned", state="sent").count() == 2
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    # Bram no longer sees it.
    assert bram.get(f"/callbacks/{message.pk}/").status_code == 404


def test_reassigning_to_an_unknown_name_explains_and_keeps_the_input(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    response = _post(bram, message, "reassign", {"recipient": "Niemand", "reason": "test"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kies een collega of team uit de lijst." in page and 'value="Niemand"' in page


def test_with_htmx_an_action_answers_with_the_refreshed_detail(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    response = _post(bram, message, "attempt", {"result": "no_answer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "callbacks-changed"
    page = response.content.decode()
    assert "<html" not in page and "Poging opgeslagen (1 tot nu toe)." in page


def test_a_stale_version_changes_nothing_and_says_so(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    seen = message.version
    _post(bram, message, "attempt", {"result": "no_answer", "version": seen})
    response = _post(bram, message, "handle", {"outcome": "solved", "version": seen}, follow=False)
    message.refresh_from_db()
    assert message.status == Status.OPEN and message.attempt_count == 1
    assert response.status_code == 409  # the page with the typed form, not a redirect (tests/test_work_conflicts.py)
    assert "Iemand anders heeft dit bericht gewijzigd" in response.content.decode()


def test_a_double_click_on_tick_off_records_one_attempt(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    for _click in range(2):
        _post(bram, message, "handle", {"outcome": "solved"})
    assert message.attempts.count() == 1
    assert message.events.filter(kind="handled").count() == 1


def test_actions_are_post_only(bram, receptionist, colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    for action in ("attempt", "handle", "reassign", "follow-up"):
        assert bram.get(f"/callbacks/{message.pk}/{action}/").status_code == 405


def test_actions_need_a_csrf_token(receptionist, colleague):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(colleague)
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    response = client.post(
        f"/callbacks/{message.pk}/attempt/", {"attempt-result": "no_answer", "attempt-version": message.version}
    )
    assert response.status_code == 403
    assert Message.objects.get(pk=message.pk).attempt_count == 0


# --- Receptionist corrections ---------------------------------------------------------------------


def test_the_receptionist_corrects_a_message_until_it_is_handled(client, receptionist, colleague):
    login_across_time(client, receptionist)
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    form = {
        "version": message.version,
        "caller_name": "Piet de Boer",
        "caller_number": "06-87654321",
        "caller_company": "",
        "caller_email": "",
        "reason": "Vraag over de offerte",
        "call_type": "question",
        "tone": "calm",
    }
    response = client.post(f"/callbacks/{message.pk}/correct/", form)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.caller_name == "Piet de Boer" and str(message.caller_number) == "+31687654321"
    event = message.events.get(kind=MessageEvent.Kind.CORRECTED)
    assert event.changes["caller_name"] == ["Pieter de Boer", "Piet de Boer"]
    bad = client.post(
        f"/callbacks/{message.pk}/correct/", {**form, "caller_number": "bel me", "version": message.version}
    )
    assert "Een telefoonnummer bestaat alleen uit cijfers" in bad.content.decode()
    assert 'value="bel me"' in bad.content.decode()
    services.attempt_log(message=message, version=message.version, by=colleague, result="reached", outcome="solved")
    assert client.get(f"/callbacks/{message.pk}/correct/").status_code == 404


# --- Stand-ins ------------------------------------------------------------------------------------


def test_open_messages_move_to_the_stand_in_while_someone_is_away(receptionist, colleague, other_colleague):
    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    handled = MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)
    Absence.objects.create(
        user=colleague, stand_in=other_colleague, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=2)
    )
    assert services.messages_route_to_stand_ins(now=NOW) == 1
    assert services.messages_route_to_stand_ins(now=NOW) == 0
    message.refresh_from_db()
    handled.refresh_from_db()
    assert message.owner_user == other_colleague and handled.owner_user == colleague
    assert message.events.filter(kind=MessageEvent.Kind.ROUTED).count() == 1
    assert Notification.objects.filter(recipient=other_colleague, kind="reassigned").exists()


def test_in_app_notifications_are_listed_and_marked_read(bram, receptionist, colleague, manager):
    from callbacks.services.notifications import notification_queue

    message = _open(receptionist, colleague, NOW + timedelta(hours=3))
    notification_queue(message=message, recipients=[colleague, manager], kind=Notification.Kind.NEW_MESSAGE)
    page = bram.get("/callbacks/notifications/").content.decode()
    assert 'data-test="unread">1<' in page and "Pieter de Boer" in page
    assert bram.post("/callbacks/notifications/").status_code == 302
    assert bram.post("/callbacks/notifications/").status_code == 302
    assert 'data-test="unread"' not in bram.get("/callbacks/notifications/").content.decode()
    assert Notification.objects.filter(recipient=manager, channel="in_app", read_at__isnull=True).count() == 1


def test_a_team_with_several_members_lists_each_message_once(bram, receptionist, colleague):
    from tests.conftest import make_user

    team = colleague.teams.get()
    team.members.add(make_user("carla", "colleague"), make_user("eva", "colleague"))
    mine = _open(receptionist, colleague, NOW + timedelta(hours=2))
    shared = MessageFactory(taken_by=receptionist, owner=None, team=team, deadline=NOW + timedelta(hours=3))
    worklist = bram.get("/callbacks/").context["worklist"]
    teams = bram.get("/callbacks/?scope=teams").context["worklist"]
    assert [m.pk for m in worklist.today] == [mine.pk, shared.pk]
    assert [m.pk for m in teams.today] == [mine.pk, shared.pk]
    from callbacks.services.digests import open_callbacks_of

    assert open_callbacks_of(colleague) == [mine.pk, shared.pk]
