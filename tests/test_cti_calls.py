"""Calls folded from their CTI events: flows, teams and colleagues, out of order, twice, never finished, expired."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings

from accounts.models import Team
from callbacks.models import Message, RetentionSetting
from telephony.models import CallResult, CallState, PhoneCall, PhoneCallEvent, PhoneRoute
from telephony.services.events import calls_unfinished_close
from telephony.services.retention import phone_events_expire
from tests.conftest import make_user
from tests.phone_helpers import cti_post, cti_post_json, make_phone_system

CALLER = "0201234567"
OFFICE = "0307654321"


@pytest.fixture
def pbx(db, clock, colleague):
    system, token = make_phone_system(team=colleague.teams.get())
    return system, token


def new_call(client, token, call_id="c1", direction="in", **fields):
    fields = {"from": CALLER, "to": OFFICE, **fields}
    return cti_post(client, token, event="newCall", direction=direction, callId=call_id, **fields)


def answer(client, token, call_id="c1", direction="in", **fields):
    return cti_post(client, token, event="answer", direction=direction, callId=call_id, **fields)


def hangup(client, token, call_id="c1", direction="in", cause="normalClearing", **fields):
    return cti_post(client, token, event="hangup", direction=direction, callId=call_id, cause=cause, **fields)


def test_an_answered_incoming_call_is_talked_and_offers_the_intake(client, pbx, clock, receptionist):
    receptionist.phone_extension = "214"
    receptionist.save()
    _, token = pbx
    with mock.patch("telephony.services.offers.incoming_call_answered") as offered:
        new_call(client, token, user=["Anna"])
        clock.shift(seconds=5)
        answer(client, token, user="Anna", answeringNumber="214")
        clock.shift(minutes=3)
        hangup(client, token, answeringNumber="214")
    call = PhoneCall.objects.get()
    assert (call.state, call.result, call.agent) == (CallState.ENDED, CallResult.TALKED, receptionist)
    assert str(call.party_number) == "+31201234567"
    assert call.ended_at - call.answered_at == timedelta(minutes=3)
    offered.assert_called_once_with(call=mock.ANY)
    assert not Message.objects.exists()


@pytest.mark.parametrize("cause", ["cancel", "noAnswer", "busy", "normalClearing"])
def test_an_incoming_call_hung_up_while_ringing_is_missed(client, pbx, cause):
    _, token = pbx
    new_call(client, token)
    hangup(client, token, cause=cause)
    assert PhoneCall.objects.get().result == CallResult.MISSED


def test_a_forwarded_call_is_not_missed(client, pbx):
    _, token = pbx
    new_call(client, token)
    hangup(client, token, cause="forwarded")
    assert PhoneCall.objects.get().result == CallResult.FORWARDED
    assert not Message.objects.exists()


@pytest.mark.parametrize("fields", [{"user": "voicemail"}, {"answeringNumber": "VoiceMail"}])
def test_an_answer_by_the_voicemail_is_voicemail_and_offers_nothing(client, pbx, fields):
    _, token = pbx
    with mock.patch("telephony.services.offers.incoming_call_answered") as offered:
        new_call(client, token)
        answer(client, token, **fields)
        hangup(client, token)
    call = PhoneCall.objects.get()
    assert (call.result, call.agent) == (CallResult.VOICEMAIL, None)
    offered.assert_not_called()


def test_outgoing_calls_are_talked_or_not_reached_and_logged(client, pbx, colleague):
    colleague.phone_extension = "301"
    colleague.save()
    _, token = pbx
    with mock.patch("telephony.services.outgoing.outgoing_call_ended") as logged:
        new_call(client, token, "o1", direction="out", user=["Bram"], **{"from": "301", "to": CALLER})
        answer(client, token, "o1", direction="out")
        hangup(client, token, "o1", direction="out")
        new_call(client, token, "o2", direction="out", **{"from": "301", "to": CALLER})
        hangup(client, token, "o2", direction="out", cause="noAnswer")
    assert logged.call_count == 2
    talked, not_reached = PhoneCall.objects.get(call_id="o1"), PhoneCall.objects.get(call_id="o2")
    assert (talked.result, talked.agent, str(talked.party_number)) == (CallResult.TALKED, colleague, "+31201234567")
    assert (not_reached.result, not_reached.agent, not_reached.team) == (CallResult.NOT_REACHED, colleague, None)
    assert not Message.objects.exists()


def test_the_team_is_the_called_numbers_then_the_queues_else_the_default(client, pbx, colleague):
    system, token = pbx
    numbers, queue = Team.objects.create(name="Receptie"), Team.objects.create(name="Support")
    PhoneRoute.objects.create(phone_system=system, kind=PhoneRoute.Kind.NUMBER, value="+31307654321", team=numbers)
    PhoneRoute.objects.create(phone_system=system, kind=PhoneRoute.Kind.QUEUE, value="Support", team=queue)
    new_call(client, token, "by-number", queue="support")
    new_call(client, token, "by-queue", to="0301111111", queue="SUPPORT")
    new_call(client, token, "unmapped", to="0301111111", queue="sales")
    teams = dict(PhoneCall.objects.values_list("call_id", "team__name"))
    assert teams == {"by-number": "Receptie", "by-queue": "Support", "unmapped": colleague.teams.get().name}


def test_the_agent_is_found_by_extension_username_email_or_a_single_full_name(client, pbx):
    make_user("katja", full_name="Katja de Vries", phone_extension="220")
    make_user("sam", full_name="Sam Jansen")
    _, token = pbx
    for call_id, fields in {
        "ext": {"answeringNumber": "220"},
        "username": {"answeringNumber": "KATJA"},
        "email": {"answeringNumber": "katja@example.test"},
        "name": {"user": "sam jansen"},
        "unknown": {"user": "Nobody"},
    }.items():
        new_call(client, token, call_id)
        answer(client, token, call_id, **fields)
    agents = dict(PhoneCall.objects.values_list("call_id", "agent__username"))
    assert agents == {"ext": "katja", "username": "katja", "email": "katja", "name": "sam", "unknown": None}


def test_the_phone_systems_inactive_account_is_never_the_agent(client, pbx):
    system, token = pbx
    new_call(client, token)
    answer(client, token, answeringNumber=system.account.username)
    assert PhoneCall.objects.get().agent is None


def test_a_hangup_without_newcall_makes_the_call_from_its_own_fields(client, pbx):
    _, token = pbx
    response = cti_post_json(
        client, token, {"event": "hangup", "callId": "lost", "cause": "cancel", "from": CALLER, "to": OFFICE}
    )
    assert response.json() == {}
    call = PhoneCall.objects.get()
    assert (call.direction, call.state, call.result) == ("in", CallState.ENDED, CallResult.MISSED)
    # Its newCall, late, fills in what it knows but moves nothing back.
    new_call(client, token, "lost", user=["Anna"], queue="Sales")
    call.refresh_from_db()
    assert (call.state, call.user_names, call.queue) == (CallState.ENDED, ["Anna"], "Sales")
    assert Message.objects.get().call_count == 1


def test_an_answer_after_the_hangup_fills_who_answered_but_does_not_reopen(client, pbx, receptionist):
    receptionist.phone_extension = "214"
    receptionist.save()
    _, token = pbx
    new_call(client, token)
    hangup(client, token)
    with mock.patch("telephony.services.offers.incoming_call_answered") as offered:
        answer(client, token, answeringNumber="214")
    call = PhoneCall.objects.get()
    assert (call.state, call.agent, call.result) == (CallState.ENDED, receptionist, CallResult.MISSED)
    assert call.answered_at is not None
    offered.assert_not_called()


def test_the_same_event_twice_changes_the_call_once_and_is_kept_as_duplicate(client, pbx, clock):
    _, token = pbx
    new_call(client, token)
    new_call(client, token)
    hangup(client, token, cause="noAnswer")
    ended = PhoneCall.objects.get().ended_at
    clock.shift(seconds=30)
    hangup(client, token, cause="normalClearing")
    call = PhoneCall.objects.get()
    assert (call.ended_at, call.cause) == (ended, "noAnswer")
    assert list(PhoneCallEvent.objects.values_list("kind", "duplicate")) == [
        ("newCall", False),
        ("newCall", True),
        ("hangup", False),
        ("hangup", True),
    ]
    assert Message.objects.get().call_count == 1


def test_anonymous_callers_are_marked(client, pbx):
    _, token = pbx
    for call_id, number in [("a", "anonymous"), ("b", "unknown"), ("c", ""), ("d", "not a number")]:
        new_call(client, token, call_id, **{"from": number})
    assert set(PhoneCall.objects.values_list("anonymous", flat=True)) == {True}


def test_the_sweep_closes_calls_that_never_end(client, pbx, clock):
    _, token = pbx
    new_call(client, token, "ringing")
    new_call(client, token, "talking")
    answer(client, token, "talking")
    new_call(client, token, "out", direction="out", to=CALLER)
    clock.shift(minutes=settings.CTI_RINGING_LIMIT_MINUTES + 1)
    new_call(client, token, "fresh")
    with mock.patch("telephony.services.outgoing.outgoing_call_ended") as logged:
        assert calls_unfinished_close(now=clock.now()) == 2
        assert calls_unfinished_close(now=clock.now()) == 0
    states = {c.call_id: (c.state, c.result) for c in PhoneCall.objects.all()}
    assert states["ringing"] == (CallState.ENDED, CallResult.UNFINISHED)
    assert states["out"] == (CallState.ENDED, CallResult.UNFINISHED)
    assert states["talking"] == (CallState.ANSWERED, "")
    assert states["fresh"] == (CallState.RINGING, "")
    logged.assert_called_once()
    # The call nobody answered is filed as missed: no missed call is dropped.
    assert PhoneCall.objects.get(call_id="ringing").message == Message.objects.get()
    clock.shift(hours=settings.CTI_ANSWERED_LIMIT_HOURS)
    assert calls_unfinished_close(now=clock.now()) == 2
    assert Message.objects.count() == 1  # the answered call was talked: nothing to file
    # A hangup arriving after the sweep changes nothing.
    hangup(client, token, "ringing", cause="cancel")
    assert PhoneCall.objects.get(call_id="ringing").result == CallResult.UNFINISHED


def test_retention_deletes_old_events_and_blanks_old_calls(client, pbx, clock):
    RetentionSetting.objects.create(pk=RetentionSetting.SINGLETON, days=30)
    _, token = pbx
    new_call(client, token, "old", user=["Anna"], queue="Sales")
    answer(client, token, "old", answeringNumber="214")
    clock.shift(days=30, minutes=1)
    new_call(client, token, "new")
    assert phone_events_expire(now=clock.now()) == (2, 1)
    assert phone_events_expire(now=clock.now()) == (0, 0)
    old = PhoneCall.objects.get(call_id="old")
    assert (old.from_number, old.to_number, str(old.party_number), old.queue) == ("", "", "", "")
    assert (old.user_names, old.answering_number, old.anonymised_at) == ([], "", clock.now())
    assert PhoneCall.objects.get(call_id="new").from_number == CALLER
    assert PhoneCallEvent.objects.get().call.call_id == "new"
