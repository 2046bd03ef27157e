"""Phone calls under the privacy rights (issue 18 with issue 17's privacy page): erasing one caller wipes their
calls and raw events from the call log, the export lists them, and the statistics and retention keep working.

callbacks never imports telephony: the privacy page reaches the call log through callbacks.signals."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team
from callbacks.models import Message, PrivacyRecord
from telephony.models import CallResult, Direction, PhoneCall, PhoneCallEvent
from telephony.selectors.statistics import missed_call_figures
from telephony.services.retention import phone_events_expire
from callbacks.domain.figures import Period
from callbacks.selectors.privacy import retention_days
from callbacks.selectors.privacy_export import _label
from tests.phone_helpers import cti_post, cti_post_json, make_phone_system

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NUMBER, OTHER = "+31612345678", "+31687654321"
# Every form the phone system wrote the caller's number in, and the name of the colleague the PBX rang.
TRACES = ("612345678", "Anna de Vries")


@pytest.fixture
def system(colleague):
    return make_phone_system(team=Team.objects.get(name="Verkoop"))


def _missed(client, token, call_id: str, number: str) -> None:
    fields = {"from": number, "to": "0201234500"}
    cti_post(client, token, event="newCall", direction="in", callId=call_id, user=["Anna de Vries"], **fields)
    cti_post(client, token, event="hangup", direction="in", callId=call_id, cause="noAnswer", **fields)


def _outgoing(client, token, call_id: str, number: str) -> None:
    payload = {"direction": "out", "callId": call_id, "from": "0201234511", "to": number, "user": "Anna de Vries"}
    cti_post_json(client, token, {"event": "newCall", **payload})
    cti_post_json(client, token, {"event": "answer", **payload, "answeringNumber": number})
    cti_post_json(client, token, {"event": "hangup", **payload, "cause": "normalClearing"})


@pytest.fixture
def calls(client, system):
    """The caller missed once (a missed-call message), called back at an international form of the number, and
    someone else missed too."""
    _system, token = system
    _missed(client, token, "c-1", "0612345678")
    _outgoing(client, token, "c-2", "0031612345678")
    _missed(client, token, "c-3", "0687654321")
    return {call.call_id: call for call in PhoneCall.objects.all()}


def _page(*numbers: str, name: str = "dashboard:privacy_caller") -> str:
    return reverse(name) + "?" + "&".join(f"number={number}" for number in numbers)


def _erase(client, *numbers: str):
    return client.post(_page(*numbers), {"reason": "Verzoek per telefoon", "confirm": "WISSEN"})


def _call_log_text() -> str:
    return serializers.serialize("json", PhoneCall.objects.all()) + serializers.serialize(
        "json", PhoneCallEvent.objects.all()
    )


def _figures(clock):
    return missed_call_figures(period=Period(start=clock.today(), end=clock.today()), teams=None, now=clock.now())


def test_erasing_a_caller_wipes_their_calls_and_events_and_keeps_the_others(client, manager, calls, clock):
    assert str(calls["c-2"].party_number) == NUMBER  # "0031612345678" was read as the caller's number
    before = _figures(clock)
    assert before.missed == 2
    kept = {call.call_id: (call.direction, call.result, call.team_id, call.started_at) for call in calls.values()}
    client.force_login(manager)

    assert _erase(client, "06-12345678").status_code == 302

    text = _call_log_text()
    for trace in ("612345678", "0201234511"):
        assert trace not in text, trace
    for call_id in ("c-1", "c-2"):
        call = PhoneCall.objects.get(call_id=call_id)
        assert (call.from_number, call.to_number, str(call.party_number), call.user_names) == ("", "", "", [])
        assert call.answering_number == "" and call.anonymised_at == clock.now()
        assert not call.events.exists()
    other = PhoneCall.objects.get(call_id="c-3")
    assert (other.from_number, str(other.party_number), other.user_names) == ("0687654321", OTHER, ["Anna de Vries"])
    assert other.anonymised_at is None and other.events.count() == 2
    # The rows stay for the statistics: same calls, same direction, result, team and times; same figures.
    assert {
        call.call_id: (call.direction, call.result, call.team_id, call.started_at) for call in PhoneCall.objects.all()
    } == kept
    assert _figures(clock) == before
    record = PrivacyRecord.objects.get()
    assert record.kind == PrivacyRecord.Kind.ERASURE and record.message_count == 1  # the missed-call message
    assert Message.objects.get(pk=calls["c-1"].message_id).anonymised_at == clock.now()


def test_erasing_again_changes_nothing(client, manager, calls, clock):
    client.force_login(manager)
    _erase(client, NUMBER)
    first = _call_log_text()
    clock.shift(timedelta(hours=1))
    response = _erase(client, NUMBER)
    assert response.status_code == 302
    assert _call_log_text() == first
    assert PrivacyRecord.objects.count() == 1
    assert PhoneCall.objects.filter(anonymised_at__isnull=False).count() == 2


def test_a_late_event_after_the_erasure_brings_nothing_back(client, manager, system, clock):
    _system, token = system
    fields = {"from": "0612345678", "to": "0201234500"}
    cti_post(client, token, event="newCall", direction="in", callId="late", user=["Anna de Vries"], **fields)
    client.force_login(manager)
    _erase(client, NUMBER)  # while the phone still rings
    clock.shift(timedelta(minutes=1))
    cti_post(client, token, event="newCall", direction="in", callId="late", user=["Anna de Vries"], **fields)
    cti_post(client, token, event="hangup", direction="in", callId="late", cause="cancel", **fields)

    for trace in TRACES:
        assert trace not in _call_log_text(), trace
    call = PhoneCall.objects.get(call_id="late")
    assert call.events.count() == 2 and not call.events.exclude(payload={}).exists()
    assert not Message.objects.exists()  # no missed call filed with the erased number


def test_a_number_known_only_to_the_phone_system_is_erased_and_logged(client, manager, system, clock):
    _system, token = system
    _outgoing(client, token, "c-9", "0623456789")  # no message anywhere holds this number
    client.force_login(manager)
    page = client.get(_page("06 23456789")).content.decode()
    assert 'data-test="found-elsewhere">Telefoongesprekken: 1<' in page
    assert 'data-test="found-elsewhere">Berichten van de telefooncentrale: 3<' in page

    response = client.post(_page("06 23456789"), {"reason": "Verzoek per telefoon", "confirm": "WISSEN"}, follow=True)

    assert "4 gegevens van de telefooncentrale gewist." in response.content.decode()  # the call and its 3 events

    assert PhoneCall.objects.get().anonymised_at == clock.now()
    assert not PhoneCallEvent.objects.exists()
    record = PrivacyRecord.objects.get()
    assert (record.kind, record.message_count) == (PrivacyRecord.Kind.ERASURE, 0)


def test_the_export_lists_the_callers_calls_and_their_raw_events(client, manager, calls):
    client.force_login(manager)
    body = client.get(_page("+31 6 12345678", name="dashboard:privacy_export")).content.decode()
    assert body.count("<caption>Telefoongesprek ") == 2
    assert body.count("<caption>Bericht van de telefooncentrale ") == 5  # 2 of the missed call, 3 of the outgoing
    for text in ("0031612345678", "0612345678", "noAnswer", "normalClearing", "Anna de Vries", "Uitgaand"):
        assert text in body, text
    for field in PhoneCall._meta.concrete_fields + PhoneCallEvent._meta.concrete_fields:
        assert f">{_label(field)}</th>" in body, field.name
    assert "0687654321" not in body and "c-3" not in body


def test_the_caller_page_reads_a_constant_number_of_queries_whatever_the_calls(client, manager, system):
    _system, token = system
    _missed(client, token, "c-1", "0612345678")
    client.force_login(manager)
    client.get(_page(NUMBER))
    with CaptureQueriesContext(connection) as few:
        client.get(_page(NUMBER))
    for index in range(4):
        _outgoing(client, token, f"c-out-{index}", "0612345678")
    client.get(_page(NUMBER))
    with CaptureQueriesContext(connection) as many:
        response = client.get(_page(NUMBER))
    assert "Telefoongesprekken: 5" in response.content.decode()
    assert len(many) == len(few)


def test_retention_and_statistics_work_on_erased_calls(client, manager, calls, clock):
    client.force_login(manager)
    _erase(client, NUMBER)
    before, before_day = _figures(clock), clock.today()
    clock.shift(timedelta(days=retention_days() + 1))

    events, anonymised = phone_events_expire(now=clock.now())

    assert (events, anonymised) == (2, 1)  # only the other caller's call was left to anonymise
    assert PhoneCall.objects.count() == 3 and not PhoneCallEvent.objects.exists()
    assert PhoneCall.objects.filter(direction=Direction.IN, result=CallResult.MISSED).count() == 2
    day = Period(start=before_day, end=before_day)
    assert missed_call_figures(period=day, teams=None, now=clock.now()).missed == before.missed == 2


def test_callbacks_never_imports_telephony():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([str(root / ".venv/bin/lint-imports")], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "callbacks and accounts never import it KEPT" in result.stdout.replace("\n", " ")
