"""The CTI webhook as a PBX meets it: reading the fields, the token, the allow-list, oversize and malformed posts."""

import json
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from telephony.domain.cti import CtiError, CtiEvent, cti_event_read
from telephony.models import PhoneCall, PhoneCallEvent, PhoneSystem
from telephony.services.phone_systems import phone_system_revoke
from telephony.views.webhook import MAX_BODY_BYTES, WRONG_TOKEN_LIMIT
from tests.phone_helpers import cti_post, cti_post_json, cti_url, make_phone_system

NEW_CALL = {"event": "newCall", "direction": "in", "callId": "c1", "from": "0201234567", "to": "0307654321"}


# --- Reading the fields (telephony/domain/cti.py) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (NEW_CALL, dict(kind="newCall", call_id="c1", direction="in", from_number="0201234567", users=())),
        ({**NEW_CALL, "user[]": ["Anna", "Bram"]}, dict(users=("Anna", "Bram"))),
        ({**NEW_CALL, "user": "Anna"}, dict(users=("Anna",))),
        ({**NEW_CALL, "user": ["Anna", " "], "queue": "Sales"}, dict(users=("Anna",), queue="Sales")),
        ({**NEW_CALL, "direction": "OUT", "from": 4930123}, dict(direction="out", from_number="4930123")),
        ({"event": "hangup", "callId": "c1", "cause": "NOANSWER"}, dict(cause="noAnswer", direction="")),
        ({"event": "hangup", "callId": "c1", "cause": "rejected"}, dict(cause="rejected")),
        ({"event": "answer", "callId": "c1", "answeringNumber": "214"}, dict(answering_number="214")),
        ({"event": "answer", "callId": "c1", "user": "Voicemail"}, dict(by_voicemail=True)),
        ({"event": "answer", "callId": "c1", "user": "Anna"}, dict(by_voicemail=False)),
    ],
)
def test_fields_are_read_as_zammad_sends_them(fields, expected):
    event = cti_event_read(fields)
    assert isinstance(event, CtiEvent)
    for name, value in expected.items():
        assert getattr(event, name) == value, name


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"callId": "c1"}, "event", "event is missing"),
        ({**NEW_CALL, "event": "foo"}, "event", "unknown event 'foo'"),
        ({**NEW_CALL, "callId": ""}, "callId", "callId is missing"),
        ({**NEW_CALL, "callId": "x" * 251}, "callId", "longer than 250"),
        ({**NEW_CALL, "direction": ""}, "direction", "direction must be in or out"),
        ({"event": "hangup", "callId": "c1", "direction": "sideways"}, "direction", "direction must be in or out"),
        ({**NEW_CALL, "from": "1" * 65}, "from", "longer than 64"),
        ({**NEW_CALL, "queue": "q" * 101}, "queue", "longer than 100"),
        ({**NEW_CALL, "user[]": [f"u{n}" for n in range(21)]}, "user", "more than 20"),
        ({**NEW_CALL, "user": "n" * 151}, "user", "longer than 150"),
        ({**NEW_CALL, "user": [{"name": "Anna"}]}, "user", "a name or a list"),
        ({**NEW_CALL, "from": {"number": 1}}, "from", "must be text"),
        ({"event": "hangup", "callId": "c1", "cause": "c" * 21}, "cause", "longer than 20"),
    ],
)
def test_unreadable_fields_are_named(fields, field, says):
    with pytest.raises(CtiError) as raised:
        cti_event_read(fields)
    assert raised.value.field == field
    assert says in raised.value.message


# --- The webhook ------------------------------------------------------------------------------------------


@pytest.fixture
def system(db, clock, colleague):
    return make_phone_system(team=colleague.teams.get())


def test_an_event_is_answered_with_an_empty_json_object(client, system):
    phone_system, token = system
    response = cti_post(client, token, **NEW_CALL, user=["Anna"])
    assert response.status_code == 200
    assert response.json() == {}
    event = PhoneCallEvent.objects.get()
    assert event.payload["user[]"] == ["Anna"]
    assert event.payload["from"] == "0201234567"
    phone_system.refresh_from_db()
    assert phone_system.last_event_at is not None


def test_json_and_multipart_are_read_too(client, system):
    _, token = system
    assert cti_post_json(client, token, {**NEW_CALL, "user": ["Anna"]}).json() == {}
    response = client.post(cti_url(token), data={**NEW_CALL, "callId": "c2", "user[]": ["Bram"]})  # multipart
    assert response.status_code == 200
    assert PhoneCall.objects.get(call_id="c2").user_names == ["Bram"]
    assert PhoneCall.objects.get(call_id="c1").user_names == ["Anna"]


def test_only_post_is_accepted(client, system):
    _, token = system
    assert client.get(cti_url(token)).status_code == 405


def test_a_wrong_token_is_404_and_too_many_from_one_address_429(client, system):
    _, token = system
    for _attempt in range(WRONG_TOKEN_LIMIT):
        assert cti_post(client, "wrong", **NEW_CALL).status_code == 404
    assert cti_post(client, "wrong", **NEW_CALL).status_code == 429
    # Only wrong tokens are limited: the PBX with the right one goes on.
    assert cti_post(client, token, **NEW_CALL).status_code == 200
    other = client.post(
        cti_url("wrong"),
        data=urlencode(NEW_CALL),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="192.0.2.9",
    )
    assert other.status_code == 404
    assert PhoneCall.objects.count() == 1


def test_a_revoked_token_is_404(client, system):
    phone_system, token = system
    phone_system_revoke(phone_system=phone_system)
    response = cti_post(client, token, **NEW_CALL)
    assert response.status_code == 404
    assert response.json() == {"error": "unknown token"}
    assert not PhoneCallEvent.objects.exists()


def test_the_allow_list_refuses_other_addresses(client, db, clock, colleague):
    _, token = make_phone_system(team=colleague.teams.get(), allowed_addresses="192.0.2.0/28\n2001:db8::1\n")
    body, form = urlencode(NEW_CALL), "application/x-www-form-urlencoded"
    refused = client.post(cti_url(token), data=body, content_type=form, REMOTE_ADDR="192.0.2.16")
    assert refused.status_code == 403
    assert client.post(cti_url(token), data=body, content_type=form, REMOTE_ADDR="192.0.2.15").status_code == 200
    assert client.post(cti_url(token), data=body, content_type=form, REMOTE_ADDR="2001:db8::1").status_code == 200
    assert PhoneCallEvent.objects.count() == 2


def test_an_oversize_body_is_413_and_nothing_is_stored(client, system):
    _, token = system
    response = cti_post_json(client, token, {**NEW_CALL, "padding": "x" * MAX_BODY_BYTES})
    assert response.status_code == 413
    assert not PhoneCall.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("{not json", "application/json", "body is not valid JSON"),
        ("[1, 2]", "application/json", "body must be a JSON object"),
        ("", "application/x-www-form-urlencoded", "event is missing"),
        (
            urlencode({**NEW_CALL, "direction": "up"}),
            "application/x-www-form-urlencoded",
            "direction must be in or out",
        ),
    ],
)
def test_a_malformed_body_is_400_with_a_short_error_and_nothing_is_stored(client, system, body, content_type, error):
    phone_system, token = system
    response = client.post(cti_url(token), data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert not PhoneCallEvent.objects.exists()
    assert PhoneSystem.objects.get(pk=phone_system.pk).last_event_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.clock(tick=True)
def test_a_pbx_posts_over_real_http_as_form_and_json(live_server, clock, colleague):
    _, token = make_phone_system(team=colleague.teams.get())
    url = live_server.url + cti_url(token)
    form = urlencode({**NEW_CALL, "user[]": ["Anna", "Bram"]}, doseq=True).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=form), timeout=30) as answer:
        assert (answer.status, json.loads(answer.read())) == (200, {})
    hangup = json.dumps({"event": "hangup", "direction": "in", "callId": "c1", "cause": "cancel"}).encode()
    request = urllib.request.Request(url, data=hangup, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{", headers={"Content-Type": "application/json"}))
    assert refused.value.code == 400
    call = PhoneCall.objects.get()
    assert (call.user_names, call.state, call.result) == (["Anna", "Bram"], "ended", "missed")
    assert call.message is not None
    cache.clear()


def test_sipgate_is_answered_in_xml_asking_for_the_answer_and_hangup_of_each_call(client, system):
    # sipgate.io sends a call's answer and hangup only to the addresses named in the answer to its newCall.
    _, token = system
    url = f"{cti_url(token)}sipgate/"
    fields = {**NEW_CALL, "user[]": ["Anna"]}
    response = client.post(url, data=urlencode(fields, doseq=True), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'<Response onAnswer="http://testserver{url}" onHangup="http://testserver{url}"/>' in body
    hangup = {**NEW_CALL, "event": "hangup", "cause": "cancel"}
    response = client.post(url, data=urlencode(hangup), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "<Response/>" in response.content.decode()
    call = PhoneCall.objects.get(call_id=NEW_CALL["callId"])
    assert (call.state, call.result) == ("ended", "missed")
    # Refusals stay the webhook's own: a wrong token is a 404 here too, and nothing is stored for it.
    assert (
        client.post(
            "/cti/wrong/sipgate/", data=urlencode(hangup), content_type="application/x-www-form-urlencoded"
        ).status_code
        == 404
    )
