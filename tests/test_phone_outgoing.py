"""Outgoing call by a colleague to a caller with an open message: an attempt logged by itself, then a question
on their next page view: tick off or add a note (issue 18). Nothing is ticked off automatically."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Team
from callbacks.models import Attempt, MessageEvent, Outcome, Status
from telephony.models import CallResult, CallState, Direction, PhoneCall
from telephony.services.outgoing import outgoing_call_ended
from tests.factories import MessageFactory
from tests.phone_helpers import make_phone_system

pytestmark = pytest.mark.django_db

QUESTIONS = reverse("phonelive:questions")
NUMBER = "+31612345678"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def system(clock):
    return make_phone_system(team=Team.objects.get_or_create(name="Receptie")[0])[0]


@pytest.fixture
def message(clock, receptionist, colleague):
    return MessageFactory(taken_by=receptionist, owner=colleague)


def ended(system, agent, clock, *, talked: bool, number: str = NUMBER) -> PhoneCall:
    """An outgoing call as the event code leaves it after the hangup, reported as the event code does."""
    start = clock.now() - timedelta(minutes=3)
    call = PhoneCall.objects.create(
        phone_system=system,
        call_id=uuid.uuid4().hex,
        direction=Direction.OUT,
        to_number=number,
        party_number=number,
        agent=agent,
        state=CallState.ENDED,
        started_at=start,
        answered_at=start + timedelta(seconds=10) if talked else None,
        ended_at=clock.now(),
        cause="normalClearing" if talked else "noAnswer",
        result=CallResult.TALKED if talked else CallResult.NOT_REACHED,
    )
    outgoing_call_ended(call=call)
    call.refresh_from_db()
    return call


@pytest.mark.parametrize(("talked", "result"), [(True, Attempt.Result.REACHED), (False, Attempt.Result.NO_ANSWER)])
def test_a_call_logs_one_attempt_and_ticks_nothing_off(clock, system, colleague, message, talked, result):
    call = ended(system, colleague, clock, talked=talked)
    outgoing_call_ended(call=call)  # the PBX repeated its hangup

    attempt = Attempt.objects.get(message=message)
    assert (attempt.result, attempt.made_by, attempt.made_at) == (result, colleague, call.started_at)
    assert attempt.note == "Gebeld vanuit de telefooncentrale om 09:57"
    assert (call.message, call.attempt, call.reviewed_at) == (message, attempt, None)
    message.refresh_from_db()
    assert (message.status, message.attempt_count, message.version) == (Status.OPEN, 1, 1)


def test_nothing_is_logged_without_an_open_message_of_theirs(clock, system, receptionist, colleague, other_colleague):
    MessageFactory(taken_by=receptionist, owner=other_colleague)  # the same caller, owed by someone else
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31201234567", status=Status.HANDLED)
    assert ended(system, colleague, clock, talked=True).message is None
    assert ended(system, colleague, clock, talked=True, number="+31201234567").message is None
    assert not Attempt.objects.exists()


def test_an_incoming_call_logs_nothing(clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=True)
    PhoneCall.objects.filter(pk=call.pk).update(direction=Direction.IN, message=None, attempt=None)
    call.refresh_from_db()
    Attempt.objects.all().delete()
    outgoing_call_ended(call=call)
    assert not Attempt.objects.exists()


def test_the_question_is_asked_of_the_caller_only(client, clock, system, colleague, other_colleague, message):
    ended(system, colleague, clock, talked=True)
    client.force_login(colleague)
    assert 'data-hx-get="/phone/questions/"' in client.get("/callbacks/").content.decode()
    page = client.get(QUESTIONS).content.decode()
    assert page.count('data-test="phone-question"') == 1
    assert "Je belde Pieter de Boer (06 12345678) om 09:57:" in page and "bereikt" in page.lower()

    client.force_login(other_colleague)
    assert client.get(QUESTIONS).status_code == 204


def test_not_now_leaves_the_question_for_the_next_page_view(client, clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=False)
    client.force_login(colleague)
    response = client.get(reverse("phonelive:question_later", args=[call.pk]), **HTMX)
    assert response.status_code == 200 and response.content == b""
    call.refresh_from_db()
    assert call.reviewed_at is None
    assert client.get(QUESTIONS).status_code == 200


def tick_off(client, call, version: int, **extra):
    prefix = f"call{call.pk}-handle"
    fields = {f"{prefix}-version": version, f"{prefix}-outcome": Outcome.SOLVED, f"{prefix}-note": "Opgelost"}
    return client.post(reverse("phonelive:question_tick_off", args=[call.pk]), fields, **HTMX, **extra)


def test_ticking_off_from_the_question(client, clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=True)
    client.force_login(colleague)
    response = tick_off(client, call, version=1)
    assert "Afgevinkt" in response.content.decode()
    message.refresh_from_db()
    call.refresh_from_db()
    assert (message.status, message.outcome, message.handled_by) == (Status.HANDLED, Outcome.SOLVED, colleague)
    assert call.reviewed_at == clock.now()

    again = tick_off(client, call, version=1)  # a double click
    assert "Dit heb je al beantwoord." in again.content.decode()
    assert MessageEvent.objects.filter(message=message, kind=MessageEvent.Kind.HANDLED).count() == 1
    assert client.get(QUESTIONS).status_code == 204


def test_a_message_changed_meanwhile_is_not_ticked_off(client, clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=True)
    client.force_login(colleague)
    response = tick_off(client, call, version=7)
    assert response.status_code == 200 and "intussen gewijzigd" in response.content.decode()
    message.refresh_from_db()
    call.refresh_from_db()
    assert (message.status, call.reviewed_at) == (Status.OPEN, None)


def test_a_note_from_the_question_lands_on_the_attempt(client, clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=False)
    client.force_login(colleague)
    url = reverse("phonelive:question_note", args=[call.pk])
    response = client.post(url, {f"call{call.pk}-note-note": "Voicemail vol, morgen weer"}, **HTMX)
    assert "Notitie toegevoegd." in response.content.decode()
    call.refresh_from_db()
    call.attempt.refresh_from_db()
    assert call.attempt.note == "Gebeld vanuit de telefooncentrale om 09:57\nVoicemail vol, morgen weer"
    assert call.reviewed_at == clock.now()
    message.refresh_from_db()
    assert message.status == Status.OPEN

    again = client.post(url, {f"call{call.pk}-note-note": "Voicemail vol, morgen weer"}, **HTMX)
    assert "Dit heb je al beantwoord." in again.content.decode()
    call.attempt.refresh_from_db()
    assert call.attempt.note.count("Voicemail vol") == 1


def test_an_empty_note_is_asked_again(client, clock, system, colleague, message):
    call = ended(system, colleague, clock, talked=False)
    client.force_login(colleague)
    response = client.post(reverse("phonelive:question_note", args=[call.pk]), {}, **HTMX)
    assert response.status_code == 200 and 'data-test="phone-question"' in response.content.decode()
    call.refresh_from_db()
    assert call.reviewed_at is None


def test_no_one_answers_another_colleagues_question(
    client, clock, system, colleague, other_colleague, manager, receptionist, message
):
    call = ended(system, colleague, clock, talked=True)
    for user in (other_colleague, manager, receptionist):
        client.force_login(user)
        assert tick_off(client, call, version=1).status_code == 404
        note = client.post(reverse("phonelive:question_note", args=[call.pk]), {"x": "y"}, **HTMX)
        assert note.status_code == 404
    message.refresh_from_db()
    call.refresh_from_db()
    assert (message.status, call.reviewed_at) == (Status.OPEN, None)
