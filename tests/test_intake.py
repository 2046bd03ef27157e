from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import Absence
from callbacks.models import CallDraft, CallLog, Message, Notification, Priority, Status
from tests.conftest import login_across_time
from tests.intake_helpers import (
    CALLER,
    PROMISE,
    READBACK,
    REASON,
    RECIPIENT,
    URL,
    post_step,
    saved,
    start_call,
    step_url,
    take_message,
    token_of,
)

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=MONDAY_10), pytest.mark.usefixtures("clock")]


@pytest.fixture
def desk(client, receptionist, colleague):
    login_across_time(client, receptionist)
    return client


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("fixture", ["colleague", "outsider"])
def test_it_hides_the_intake_from_people_without_the_receptionist_role(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {}).status_code == 404
    assert not CallDraft.objects.exists()


def test_managers_may_take_messages_too(client, manager, colleague):
    client.force_login(manager)
    assert client.get(URL, follow=True).status_code == 200


def test_the_first_step_uses_the_same_number_of_queries_for_2_and_12_colleagues(desk, colleague, other_colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Team
    from accounts.roles import Role
    from tests.conftest import make_user

    with CaptureQueriesContext(connection) as few:
        assert start_call(desk).status_code == 200
    for index in range(10):
        person = make_user(f"collega{index}", Role.COLLEAGUE)
        Team.objects.get(name="Verkoop" if index % 2 else "Service").members.add(person)
        if index == 3:
            Absence.objects.create(
                user=person,
                starts_at=MONDAY_10 - timedelta(days=1),
                ends_at=MONDAY_10 + timedelta(days=1),
                stand_in=colleague,
            )
    with CaptureQueriesContext(connection) as many:
        page = start_call(desk).content.decode()
    assert len(many) == len(few)
    statuses = page[page.index('data-test="statuses"') :]
    assert statuses.count("<strong>Collega") == 10


def test_it_takes_a_complete_message_in_six_submits(desk, receptionist, colleague):
    responses = take_message(desk)
    assert len(responses) == 6
    assert [r.status_code for r in responses] == [200] * 6
    assert [saved(r) for r in responses] == [False] * 5 + [True]
    message = Message.objects.get()
    assert message.caller_name == "Pieter de Boer"
    assert str(message.caller_number) == "+31612345678"
    assert message.owner_user == colleague and message.intended_user == colleague
    assert message.owner_team.name == "Verkoop"
    assert message.taken_by == receptionist
    assert message.status == Status.OPEN and message.priority == Priority.NORMAL
    # A question: by the end of the next business day.
    assert message.deadline == datetime(2026, 12, 1, 17, 30, tzinfo=AMS)
    assert message.calls.count() == 1


def test_it_notifies_the_owner_in_the_app_and_by_email(desk, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take_message(desk)
    rows = Notification.objects.filter(recipient=colleague)
    assert sorted(rows.values_list("channel", "state")) == [("email", "sent"), ("in_app", "sent")]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [colleague.email]
    assert "Pieter de Boer" in mail.outbox[0].subject
    assert "06 12345678" in mail.outbox[0].body


def test_it_saves_the_message_when_the_broker_is_down(desk):
    with mock.patch("callbacks.tasks.notifications_deliver_task.apply_async", side_effect=OSError("broker down")):
        responses = take_message(desk)
    assert saved(responses[-1])
    assert Message.objects.count() == 1
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}


def test_the_promise_step_shows_the_sentence_to_say(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    page = post_step(desk, "reason", {**REASON, "call_type": "complaint"}).content.decode()
    assert "U wordt uiterlijk vandaag vóór 12:00 teruggebeld door Bram." in page


def test_it_proposes_end_of_next_business_day_in_english(desk, receptionist):
    receptionist.preferred_language = "en"
    receptionist.save()
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    page = post_step(desk, "reason", REASON).content.decode()
    assert "You will be called back by Bram before 17:30 on Tuesday 1 December at the latest." in page


def test_a_later_deadline_needs_a_reason_and_an_earlier_one_does_not(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", REASON)
    later = post_step(desk, "promise", {"deadline": "2026-12-03T12:00"})
    assert "needs a reason" in later.content.decode() or "heeft een reden nodig" in later.content.decode()
    assert 'value="2026-12-03T12:00"' in later.content.decode()
    past = post_step(desk, "promise", {"deadline": "2026-11-30T09:00"})
    assert "Kies een moment in de toekomst." in past.content.decode()
    earlier = post_step(desk, "promise", {"deadline": "2026-11-30T15:00"})
    assert earlier.context["current_step"] == "readback"
    post_step(desk, "readback", {"confirmed": "on"})
    post_step(desk, "close", {"token": token_of(desk)})
    message = Message.objects.get()
    assert message.deadline == datetime(2026, 11, 30, 15, 0, tzinfo=AMS)
    assert message.policy_deadline == datetime(2026, 12, 1, 17, 30, tzinfo=AMS)


def test_a_later_deadline_with_a_reason_is_kept(desk):
    take_message(desk, promise={"deadline": "2026-12-03T12:00", "later_reason": "Beller is tot donderdag weg"})
    message = Message.objects.get()
    assert message.deadline == datetime(2026, 12, 3, 12, 0, tzinfo=AMS)
    assert message.later_reason == "Beller is tot donderdag weg"


def test_the_deadline_respects_the_callers_window(desk):
    take_message(desk, promise={"between_start": "10:00", "between_end": "12:00"})
    message = Message.objects.get()
    assert message.deadline == datetime(2026, 12, 1, 12, 0, tzinfo=AMS)
    assert (message.window_between_start.hour, message.window_between_end.hour) == (10, 12)


def test_half_a_window_is_an_error_that_keeps_the_input(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", REASON)
    page = post_step(desk, "promise", {"between_start": "10:00"}).content.decode()
    assert "Vul beide tijden in, of geen van beide." in page
    assert 'value="10:00"' in page


def test_a_caller_without_callback_wish_gets_an_informational_message(desk):
    responses = take_message(desk, reason={**REASON, "wants_callback": ""})
    assert len(responses) == 5
    message = Message.objects.get()
    assert message.status == Status.INFORMATIONAL
    assert message.deadline is None and not message.wants_callback


def test_it_records_a_call_helped_directly_in_one_submit(desk, colleague):
    start_call(desk)
    response = post_step(desk, "recipient", {**RECIPIENT, "decision": "helped", "note": "Openingstijden gegeven"})
    assert saved(response)
    assert not CallDraft.objects.exists()
    message = Message.objects.get()
    assert message.status == Status.HANDLED_AT_INTAKE
    assert message.reason == "Openingstijden gegeven"
    assert message.deadline is None and message.handled_at is not None
    assert not Notification.objects.exists()


def test_helped_directly_needs_a_note(desk):
    start_call(desk)
    response = post_step(desk, "recipient", {**RECIPIENT, "decision": "helped", "note": " "})
    assert response.status_code == 200
    assert not Message.objects.exists()


def test_an_unknown_recipient_is_explained(desk):
    start_call(desk)
    page = post_step(desk, "recipient", {**RECIPIENT, "recipient": "Nobody Atall"}).content.decode()
    assert "Kies een collega of team uit de lijst." in page
    assert 'value="Nobody Atall"' in page


def test_it_takes_a_message_for_a_team(desk, colleague):
    take_message(desk, recipient={**RECIPIENT, "recipient": "Team Verkoop"})
    message = Message.objects.get()
    assert message.owner_user is None and message.owner_team.name == "Verkoop"
    assert list(Notification.objects.filter(channel="in_app").values_list("recipient", flat=True)) == [colleague.pk]


ACCEPTED_NUMBERS = [
    ("06-12345678", "+31612345678"),
    ("0612345678", "+31612345678"),
    ("+31 6 1234 5678", "+31612345678"),
    ("0031 6 12345678", "+31612345678"),
    ("020-1234567", "+31201234567"),
    ("+32 2 555 12 12", "+3225551212"),
    ("+44 7911 123456", "+447911123456"),
]
REJECTED_NUMBERS = ["12345", "06-1234", "bel me", "+31 6 1234", "020-12", "+999 123"]


@pytest.mark.parametrize("typed, stored", ACCEPTED_NUMBERS)
def test_it_accepts_phone_numbers_as_people_type_them(desk, typed, stored):
    take_message(desk, caller={**CALLER, "number": typed})
    assert str(Message.objects.get().caller_number) == stored


@pytest.mark.parametrize("typed", REJECTED_NUMBERS)
def test_it_rejects_invalid_numbers_and_keeps_what_was_typed(desk, typed):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    page = post_step(desk, "caller", {**CALLER, "number": typed}).content.decode()
    assert "Voorbeelden: 06-12345678, 020-1234567" in page
    assert 'value="Pieter de Boer"' in page
    assert not Message.objects.exists()


def test_a_name_of_only_spaces_is_rejected(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    page = post_step(desk, "caller", {**CALLER, "name": "   "}).content.decode()
    assert "Dit veld is verplicht." in page or "Noteer de naam van de beller." in page


def test_a_reason_longer_than_500_characters_is_refused(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    response = post_step(desk, "reason", {**REASON, "reason": "x" * 501})
    assert response.context["current_step"] == "reason"


def test_later_steps_cannot_be_reached_before_earlier_ones(desk):
    start_call(desk)
    response = post_step(desk, "close", {"token": token_of(desk)})
    assert response.redirect_chain == [(step_url(token_of(desk), "recipient"), 303)]
    assert response.context["current_step"] == "recipient"
    assert not Message.objects.exists()


def test_a_reload_keeps_the_call_in_progress(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    page = desk.get(step_url(token_of(desk), "reason"))
    assert page.context["current_step"] == "reason"
    back = post_step(desk, "reason", {}, goto="caller")
    assert 'value="Pieter de Boer"' in back.content.decode()


def test_back_keeps_what_was_typed_on_the_current_step(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", {"reason": "Half getypt"}, goto="caller")
    forward = post_step(desk, "caller", CALLER)
    assert 'value="Half getypt"' in forward.content.decode()


def test_saving_twice_creates_one_message(desk):
    take_message(desk)
    token = str(Message.objects.get().intake_token)
    again = desk.post(step_url(token, "close"), {"close-token": token}, follow=True)
    assert saved(again) and "Dit gesprek was al opgeslagen." in again.content.decode()
    assert Message.objects.count() == 1
    assert CallLog.objects.count() == 1


def test_the_save_services_repeated_with_one_token_keep_the_first(receptionist, colleague):
    import uuid

    from callbacks import services

    token, helped = uuid.uuid4(), uuid.uuid4()
    caller = services.CallerDetails(name="Pieter", number="+31612345678", company="", email="")

    def take():
        return services.message_take(
            token=token,
            taken_by=receptionist,
            intended_user=colleague,
            owner_user=colleague,
            owner_team=None,
            caller=caller,
            reason="Offerte",
            call_type="question",
            tone="calm",
            promise=None,
        )

    taken = take()
    first = taken.message
    told = Notification.objects.filter(message=first).count()
    assert sorted(row.pk for row in taken.notifications) == sorted(
        Notification.objects.filter(message=first).values_list("pk", flat=True)
    )
    repeat = take()
    assert repeat.message.pk == first.pk and repeat.notifications is None  # the outbox holds the first's rows
    assert Message.objects.filter(intake_token=token).count() == 1
    assert CallLog.objects.filter(intake_token=token).count() == 1
    assert told > 0 and Notification.objects.filter(message=first).count() == told
    assert (
        services.message_record_helped(
            token=helped, taken_by=receptionist, intended_user=colleague, owner_team=None, note="Uitgelegd"
        ).pk
        == services.message_record_helped(
            token=helped, taken_by=receptionist, intended_user=colleague, owner_team=None, note="Nog eens"
        ).pk
    )
    assert CallLog.objects.filter(intake_token=helped).count() == 1


def test_saving_a_helped_call_twice_records_it_once(desk):
    start_call(desk)
    data = {"recipient-recipient": "Bram", "recipient-decision": "helped", "recipient-note": "Uitgelegd"}
    desk.post(step_url(token_of(desk), "recipient"), data)
    desk.post(step_url(token_of(desk), "recipient"), data)
    assert Message.objects.count() == 1


def test_a_repeat_caller_is_offered_the_open_message_and_becomes_urgent(desk, colleague):
    take_message(desk)
    original = Message.objects.get()
    for expected_calls in (2, 3):
        start_call(desk)
        post_step(desk, "recipient", RECIPIENT)
        offer = post_step(desk, "caller", {**CALLER, "number": "+31612345678"})
        assert "Deze beller heeft al een open bericht" in offer.content.decode()
        repeat = post_step(desk, "caller", {**CALLER, "add_to": str(original.pk)}).content.decode()
        assert 'data-step="repeat"' in repeat and 'data-test="repeat-promise"' in repeat
        done = post_step(desk, "repeat", {"note": f"Belt voor de {expected_calls}e keer"})
        assert saved(done)
        original.refresh_from_db()
        assert original.call_count == expected_calls
    assert Message.objects.count() == 1
    assert original.priority == Priority.URGENT
    assert original.calls.count() == 3


def test_the_open_messages_of_a_caller_are_looked_up_once_per_call(desk, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    take_message(desk)
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    with CaptureQueriesContext(connection) as offer:
        post_step(desk, "caller", {**CALLER, "add_to": "new"})
    with CaptureQueriesContext(connection) as later:
        post_step(desk, "reason", REASON)
        post_step(desk, "promise", PROMISE)
        post_step(desk, "readback", READBACK)
    looked_up = lambda queries: [q for q in queries if "caller_number" in q["sql"] and "status" in q["sql"]]  # noqa
    assert len(looked_up(offer)) == 1 and looked_up(later) == []
    assert saved(post_step(desk, "close", {"token": token_of(desk)}))
    assert Message.objects.count() == 2


def test_an_open_message_handled_while_the_caller_is_on_the_line_is_not_added_to(desk, colleague):
    take_message(desk)
    original = Message.objects.get()
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    assert "Deze beller heeft al een open bericht" in post_step(desk, "caller", CALLER).content.decode()
    post_step(desk, "caller", {**CALLER, "add_to": str(original.pk)})
    Message.objects.filter(pk=original.pk).update(status=Status.HANDLED)  # a colleague ticks it off meanwhile
    page = post_step(desk, "repeat", {"note": "Wil nog steeds teruggebeld worden"}).content.decode()
    assert "Dat bericht is intussen afgehandeld" in page
    original.refresh_from_db()
    assert original.call_count == 1 and Message.objects.count() == 1
    # Back at the caller step with what was typed, and the handled message no longer offered.
    assert 'data-step="caller"' in page and 'value="Pieter de Boer"' in page
    assert "Deze beller heeft al een open bericht" not in page
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", REASON)
    post_step(desk, "promise", PROMISE)
    post_step(desk, "readback", READBACK)
    assert saved(post_step(desk, "close", {"token": token_of(desk)}))
    assert Message.objects.exclude(pk=original.pk).get().caller_name == "Pieter de Boer"


def test_a_repeat_caller_can_still_get_a_new_message(desk):
    take_message(desk)
    take_message(desk, caller={**CALLER, "add_to": "new"})
    assert Message.objects.count() == 2


def test_the_stand_in_becomes_owner_while_the_colleague_is_away(desk, colleague, other_colleague):
    Absence.objects.create(
        user=colleague,
        stand_in=other_colleague,
        starts_at=MONDAY_10 - timedelta(days=1),
        ends_at=MONDAY_10 + timedelta(days=3),
    )
    start_call(desk)
    page = post_step(desk, "recipient", RECIPIENT).content.decode()
    assert "Bram is helaas afwezig tot" in page
    take_message(desk, start=False)
    message = Message.objects.get()
    assert message.owner_user == other_colleague
    assert message.intended_user == colleague


def test_the_message_goes_where_the_caller_was_told_and_absences_are_read_once(desk, colleague, other_colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start_call(desk)
    assert "afwezig" not in post_step(desk, "recipient", RECIPIENT).content.decode()
    # Bram reports sick while the receptionist is still on the line, having said he will call back.
    Absence.objects.create(
        user=colleague,
        stand_in=other_colleague,
        starts_at=MONDAY_10 - timedelta(hours=1),
        ends_at=MONDAY_10 + timedelta(days=3),
    )
    with CaptureQueriesContext(connection) as later_steps:
        for step, data in (("caller", CALLER), ("reason", REASON), ("promise", PROMISE), ("readback", READBACK)):
            post_step(desk, step, data)
        post_step(desk, "close", {"token": token_of(desk)})
    assert [q for q in later_steps if "accounts_absence" in q["sql"]] == []
    message = Message.objects.get()
    assert message.owner_user == colleague  # as told; the stand-in routing task moves it on (test_work.py)
    # Choosing the colleague again reads the absence afresh, as the first page shows it.
    start_call(desk)
    assert "Bram is helaas afwezig tot" in post_step(desk, "recipient", RECIPIENT).content.decode()


def test_caller_id_prefill_opens_the_wizard_with_history(desk, colleague):
    take_message(desk)
    page = start_call(desk, "?number=0612345678&for=bram").content.decode()
    assert 'value="bram"' in page
    assert "Eerder van deze beller" in page
    assert "1 keer gebeld in de afgelopen 30 dagen" in page
    caller_page = post_step(desk, "recipient", {**RECIPIENT, "recipient": "bram"}).content.decode()
    assert 'value="06 12345678"' in caller_page  # as it is read back, in whatever form the phone system sent it
    start_call(desk, "?number=%2B31612345678")
    assert 'value="06 12345678"' in post_step(desk, "recipient", {**RECIPIENT, "recipient": "bram"}).content.decode()


def test_the_readback_reads_number_and_spelling_aloud(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", {**CALLER, "name": "Bo Ng"})
    post_step(desk, "reason", REASON)
    page = post_step(desk, "promise", {}).content.decode()
    assert "06 - 12 34 56 78" in page
    assert "B als in Bernard" in page
    assert "Vraag over de offerte" in page


def test_the_readback_needs_the_callers_confirmation(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", REASON)
    post_step(desk, "promise", {})
    response = post_step(desk, "readback", {})
    assert response.context["current_step"] == "readback"


@pytest.mark.parametrize(
    "call_type, tone, line",
    [
        ("complaint", "calm", "Nogmaals excuses voor het ongemak."),
        ("question", "angry", "Nogmaals excuses voor het ongemak."),
        ("question", "calm", "Een fijne dag en tot ziens."),
    ],
)
def test_the_closing_line_fits_the_call(desk, call_type, tone, line):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", {**REASON, "call_type": call_type, "tone": tone})
    post_step(desk, "promise", {})
    page = post_step(desk, "readback", {"confirmed": "on"}).content.decode()
    assert line in page


def test_the_status_partial_shows_availability(desk, colleague, other_colleague):
    Absence.objects.create(
        user=colleague,
        stand_in=other_colleague,
        starts_at=MONDAY_10 - timedelta(days=1),
        ends_at=MONDAY_10 + timedelta(days=3),
    )
    away = desk.get("/callbacks/new/status/?recipient-recipient=Bram").content.decode()
    here = desk.get("/callbacks/new/status/?recipient-recipient=Daan").content.decode()
    unknown = desk.get("/callbacks/new/status/?recipient-recipient=%3Cscript%3E")
    assert "Vervanger: Daan" in away and "Kan ik u misschien zelf helpen, of zal ik een bericht" in away
    assert "Daan: geen status ingesteld." in here and "beschikbaar" not in here
    assert unknown.status_code == 200 and "<script>" not in unknown.content.decode()


def test_after_an_error_the_wrong_field_has_the_focus(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    page = post_step(desk, "caller", {**CALLER, "number": "bel me"}).content.decode()
    number_input = page[page.index('name="caller-number"') - 200 : page.index('name="caller-number"') + 300]
    name_input = page[page.index('name="caller-name"') - 200 : page.index('name="caller-name"') + 200]
    assert "autofocus" in number_input and "autofocus" not in name_input
