"""Missed incoming calls become callback messages for the right team, merged by number, never twice."""

from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core import mail

from accounts.models import Team
from callbacks.models import CallLog, CallType, Message, Notification, Status
from callbacks.selectors.policies import proposed_deadline
from callbacks.services.delivery import outbox_deliver
from telephony.models import CallResult, PhoneCall, PhoneRoute
from telephony.services.missed_calls import missed_call_file
from tests.factories import MessageFactory
from tests.phone_helpers import cti_post, cti_post_json, cti_url, make_phone_system

CALLER = "0612345678"
E164 = "+31612345678"


@pytest.fixture
def pbx(db, clock, colleague):
    return make_phone_system(team=colleague.teams.get(), name="Centrale")


def missed(client, token, call_id, *, number=CALLER, to="0307654321", cause="noAnswer", **fields):
    cti_post(client, token, event="newCall", direction="in", callId=call_id, to=to, **{"from": number}, **fields)
    cti_post(client, token, event="hangup", direction="in", callId=call_id, cause=cause)


def test_a_missed_call_becomes_a_message_for_the_mapped_team(client, pbx, clock, colleague):
    system, token = pbx
    support = Team.objects.create(name="Support")
    PhoneRoute.objects.create(phone_system=system, kind=PhoneRoute.Kind.QUEUE, value="support", team=support)
    missed(client, token, "c1", queue="Support", cause="cancel")
    message = Message.objects.get()
    assert (message.owner_team, message.owner_user, message.taken_by) == (support, None, system.account)
    assert (message.call_type, message.status, str(message.caller_number)) == (CallType.MISSED_CALL, "open", E164)
    assert message.reason == "Gemiste oproep"
    expected = proposed_deadline(team=support, call_type=CallType.MISSED_CALL, start=clock.now(), window=None)
    assert message.deadline == expected
    assert message.escalate_at is not None and message.escalate_at > message.deadline
    assert PhoneCall.objects.get().message == message


def test_the_message_is_in_the_offices_language_whatever_the_pbx_asks_for(client, pbx):
    _, token = pbx
    cti_post(client, token, event="newCall", direction="in", callId="e", to="0307654321", **{"from": CALLER})
    hangup = urlencode({"event": "hangup", "direction": "in", "callId": "e", "cause": "cancel"})
    english = {"accept-language": "en"}
    client.post(cti_url(token), data=hangup, content_type="application/x-www-form-urlencoded", headers=english)
    assert Message.objects.get().reason == "Gemiste oproep"


def test_an_unmapped_missed_call_goes_to_the_default_team(client, pbx, colleague):
    _, token = pbx
    missed(client, token, "c1", cause="busy")
    assert Message.objects.get().owner_team == colleague.teams.get()


def test_a_voicemail_becomes_a_message_saying_so(client, pbx):
    _, token = pbx
    cti_post(client, token, event="newCall", direction="in", callId="v", to="0307654321", **{"from": CALLER})
    cti_post(client, token, event="answer", direction="in", callId="v", user="voicemail")
    cti_post(client, token, event="hangup", direction="in", callId="v", cause="normalClearing")
    assert PhoneCall.objects.get().result == CallResult.VOICEMAIL
    assert Message.objects.get().reason == "Gemiste oproep (voicemail)"


def test_an_answered_call_files_nothing(client, pbx):
    _, token = pbx
    with mock.patch("telephony.services.offers.incoming_call_answered"):
        cti_post(client, token, event="newCall", direction="in", callId="a", **{"from": CALLER})
        cti_post(client, token, event="answer", direction="in", callId="a", user="Anna")
        cti_post(client, token, event="hangup", direction="in", callId="a", cause="normalClearing")
    assert not Message.objects.exists()


def test_an_anonymous_missed_call_is_only_logged(client, pbx):
    _, token = pbx
    missed(client, token, "anon", number="anonymous")
    call = PhoneCall.objects.get()
    assert (call.result, call.anonymous, call.message) == (CallResult.MISSED, True, None)
    assert not Message.objects.exists()


def test_two_missed_calls_from_one_number_are_one_message_called_twice(client, pbx, clock):
    _, token = pbx
    missed(client, token, "c1")
    clock.shift(minutes=10)
    missed(client, token, "c2", number="+31 6 12345678")
    message = Message.objects.get()
    assert message.call_count == 2
    assert set(PhoneCall.objects.values_list("message", flat=True)) == {message.pk}
    notes = list(CallLog.objects.filter(message=message).order_by("called_at").values_list("note", flat=True))
    assert notes == ["", "Gemiste oproep om 10:10"]


def test_a_missed_call_adds_a_call_to_an_open_message_preferring_the_calls_team(
    client, pbx, colleague, other_colleague
):
    _, token = pbx
    elsewhere = MessageFactory(owner=other_colleague, taken_by=colleague, caller_number=E164)
    mine = MessageFactory(owner=colleague, taken_by=colleague, caller_number=E164)
    missed(client, token, "c1")
    elsewhere.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.call_count, elsewhere.call_count, Message.objects.count()) == (2, 1, 2)
    # With only another team's message open, the call goes to that one: one callback, not two.
    Message.objects.filter(pk=mine.pk).update(status=Status.HANDLED)
    missed(client, token, "c2")
    elsewhere.refresh_from_db()
    assert (elsewhere.call_count, Message.objects.count()) == (2, 2)


def test_a_repeated_hangup_files_the_call_once(client, pbx):
    _, token = pbx
    missed(client, token, "c1")
    cti_post_json(client, token, {"event": "hangup", "direction": "in", "callId": "c1", "cause": "cancel"})
    call = PhoneCall.objects.get()
    missed_call_file(call=call)  # even a second filing (the sweep after all) adds nothing
    assert Message.objects.get().call_count == 1
    assert CallLog.objects.count() == 1


def test_the_caller_is_recognised_by_number(client, pbx, colleague):
    _, token = pbx
    MessageFactory(
        owner=colleague,
        taken_by=colleague,
        caller_number=E164,
        caller_name="Pieter de Boer",
        caller_company="Boer BV",
        status=Status.HANDLED,
    )
    missed(client, token, "c1")
    message = Message.objects.get(call_type=CallType.MISSED_CALL)
    assert (message.caller_name, message.caller_company) == ("Pieter de Boer", "Boer BV")


def test_the_new_message_mail_says_it_is_a_missed_call(client, pbx, clock, colleague):
    _, token = pbx
    missed(client, token, "c1")
    assert Notification.objects.filter(kind=Notification.Kind.NEW_MESSAGE).exists()
    clock.shift(minutes=5)
    outbox_deliver(now=clock.now())
    bodies = [sent.body for sent in mail.outbox]
    assert bodies, "the team was told by mail"
    assert "Centrale meldde op" in bodies[0]
    assert "een gemiste oproep: bel alsjeblieft terug." in bodies[0]
    assert "bericht voor je aangenomen" not in bodies[0]
