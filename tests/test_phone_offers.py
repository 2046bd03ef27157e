"""Incoming call answered at a receptionist's extension: her open page offers the intake, prefilled (issue 18)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Team
from accounts.roles import Role
from callbacks.models import CallDraft, Status
from telephony.models import CallResult, CallState, Direction, PhoneCall
from telephony.services.offers import incoming_call_answered
from tests.conftest import make_user
from tests.factories import MessageFactory
from tests.phone_helpers import make_phone_system

pytestmark = pytest.mark.django_db

POLL = reverse("phonelive:offers")
NUMBER = "+31612345678"


@pytest.fixture
def system(clock):
    return make_phone_system(team=Team.objects.get_or_create(name="Receptie")[0])[0]


@pytest.fixture
def anna(receptionist):
    receptionist.phone_extension = "214"
    receptionist.save(update_fields=["phone_extension"])
    return receptionist


def answered(system, agent, clock, number: str = NUMBER, **fields) -> PhoneCall:
    """A call as the event code leaves it when `agent` picked it up, offered as the event code does."""
    call = PhoneCall.objects.create(
        phone_system=system,
        call_id=uuid.uuid4().hex,
        direction=Direction.IN,
        from_number=number,
        party_number=number,
        agent=agent,
        state=CallState.ANSWERED,
        started_at=clock.now(),
        answered_at=clock.now(),
        **fields,
    )
    incoming_call_answered(call=call)
    call.refresh_from_db()
    return call


def offers_in(response) -> int:
    return response.content.decode().count('data-test="phone-offer"')


def test_it_offers_the_call_to_the_receptionist_who_answered_it_only(client, clock, system, anna):
    call = answered(system, anna, clock)
    assert call.offered_at == clock.now()
    bea = make_user("bea", Role.RECEPTIONIST, phone_extension="215")

    client.force_login(anna)
    response = client.get(POLL)
    assert response.status_code == 200 and offers_in(response) == 1
    assert "06 12345678" in response.content.decode()

    client.force_login(bea)
    assert client.get(POLL).status_code == 204


def test_it_answers_204_when_nothing_is_new(client, clock, system, anna):
    client.force_login(anna)
    assert client.get(POLL).status_code == 204
    call = answered(system, anna, clock)
    assert client.get(POLL, {"seen": ""}).status_code == 200
    assert client.get(POLL, {"seen": str(call.pk)}).status_code == 204


def test_the_poll_is_one_query_when_nothing_changed(client, clock, system, anna, django_assert_max_num_queries):
    call = answered(system, anna, clock)
    client.force_login(anna)
    client.get(POLL)  # the session and permissions are read once per request; the offers in one query
    with django_assert_max_num_queries(4):
        assert client.get(POLL, {"seen": str(call.pk)}).status_code == 204


def test_the_offer_shows_the_caller_and_their_history(client, clock, system, anna, colleague):
    MessageFactory(
        taken_by=anna,
        owner=colleague,
        caller_company="De Boer Bouw",
        reason="Vraag over de offerte",
        status=Status.OPEN,
    )
    earlier = answered(system, anna, clock)
    PhoneCall.objects.filter(pk=earlier.pk).update(offer_closed_at=clock.now())
    clock.shift(minutes=10)
    answered(system, anna, clock)

    client.force_login(anna)
    page = client.get(POLL).content.decode()
    assert "Pieter de Boer" in page and "De Boer Bouw" in page
    assert "Vraag over de offerte" in page and "Bram" in page
    assert "Heeft 1 keer eerder gebeld." in page
    assert 'accesskey="t"' in page


def test_taking_closes_the_offer_and_opens_the_intake_with_the_number(client, clock, system, anna):
    call = answered(system, anna, clock)
    client.force_login(anna)
    take = reverse("phonelive:offer_take", args=[call.pk])
    response = client.post(take)
    assert response.status_code == 303
    assert response["Location"] == "/callbacks/new/?number=%2B31612345678"
    call.refresh_from_db()
    assert call.offer_closed_at == clock.now()
    assert client.post(take)["Location"] == response["Location"]  # a second press still opens the intake

    assert client.get(response["Location"]).status_code == 303  # on to the intake's first step
    assert CallDraft.objects.get(taken_by=anna).prefill_number == NUMBER
    assert offers_in(client.get(POLL, {"seen": str(call.pk)})) == 0


def test_dismissing_twice_closes_it_once(client, clock, system, anna):
    call = answered(system, anna, clock)
    client.force_login(anna)
    dismiss = reverse("phonelive:offer_dismiss", args=[call.pk])
    response = client.post(dismiss, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and offers_in(response) == 0
    call.refresh_from_db()
    closed = call.offer_closed_at
    clock.shift(seconds=5)
    assert client.post(dismiss, HTTP_HX_REQUEST="true").status_code == 200
    call.refresh_from_db()
    assert call.offer_closed_at == closed
    assert client.get(POLL).status_code == 204
    # A repeated answer event does not bring it back.
    incoming_call_answered(call=call)
    assert client.get(POLL).status_code == 204


def test_the_offer_goes_by_itself_minutes_after_the_call_ended(client, clock, system, anna):
    call = answered(system, anna, clock)
    clock.shift(minutes=3)
    PhoneCall.objects.filter(pk=call.pk).update(
        state=CallState.ENDED, ended_at=clock.now(), result=CallResult.TALKED, cause="normalClearing"
    )
    client.force_login(anna)
    clock.shift(minutes=4)
    assert offers_in(client.get(POLL)) == 1
    clock.shift(minutes=2)
    assert client.get(POLL).status_code == 204


def test_two_calls_at_once_are_both_offered(client, clock, system, anna):
    first = answered(system, anna, clock)
    second = answered(system, anna, clock, number="+31201234567")
    client.force_login(anna)
    response = client.get(POLL, {"seen": str(first.pk)})
    assert offers_in(response) == 2
    assert f'"seen": "{first.pk}.{second.pk}"' in response.content.decode()
    page = response.content.decode()
    assert "06 12345678" in page and "020 123 4567" in page.replace("020 1234567", "020 123 4567")


def test_only_people_who_take_messages_get_an_offer(clock, system, colleague):
    call = answered(system, colleague, clock)
    assert call.offered_at is None
    anonymous = answered(system, make_user("cor", Role.RECEPTIONIST), clock, number="")
    assert anonymous.offered_at is None


def test_another_receptionists_offer_is_not_found(client, clock, system, anna, colleague, outsider):
    call = answered(system, anna, clock)
    bea = make_user("bea", Role.RECEPTIONIST, phone_extension="215")
    client.force_login(bea)
    for name in ("phonelive:offer_take", "phonelive:offer_dismiss"):
        assert client.post(reverse(name, args=[call.pk])).status_code == 404
    call.refresh_from_db()
    assert call.offer_closed_at is None
    for user in (colleague, outsider):
        client.force_login(user)
        assert client.get(POLL).status_code == 404


def test_the_page_polls_only_for_receptionists_with_an_extension(client, clock, anna, colleague):
    client.force_login(anna)
    assert 'data-test="phone-offers"' in client.get("/").content.decode()
    for user, extension in ((anna, ""), (colleague, "216")):
        user.phone_extension = extension
        user.save(update_fields=["phone_extension"])
        client.force_login(user)
        assert 'data-test="phone-offers"' not in client.get("/").content.decode()


def test_an_ended_call_is_no_longer_offered_long_after(client, clock, system, anna):
    answered(system, anna, clock)
    client.force_login(anna)
    clock.shift(timedelta(hours=3))  # no hangup ever came
    assert client.get(POLL).status_code == 204
