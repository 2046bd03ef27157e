"""Conflicts that only mean something: the system never makes a colleague's action fail; a person does.

Every action (attempt, tick-off, reassignment, check-back, correction) is submitted with the version the
person saw, after a system change (the sweep flagging or escalating, routing to a stand-in): it goes
through. After a change by another person (ticked off, passed on, corrected) nothing is written, and
the page explains the change and keeps everything typed, with the current version in the form.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Absence
from callbacks import services
from callbacks.models import Message, MessageEvent, Outcome, Status
from callbacks.services.overdue import overdue_sweep
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]
HTMX = {"HTTP_HX_REQUEST": "true"}

# What each action types, and how to see that it went through.
TYPED = {
    "attempt": {"result": "voicemail", "note": "Mailbox vol, morgen weer", "next_try_at": "2026-12-01T14:00"},
    "handle": {"outcome": "follow_up", "note": "Offerte toegelicht", "follow_up_on": "2026-12-03"},
    "reassign": {"recipient": "Daan", "reason": "Daan kent deze klant"},
    "follow_up": {"note": "Werkt weer prima"},
    "correct": {
        "caller_name": "Piet de Boer",
        "caller_number": "06-87654321",
        "caller_company": "Boer BV",
        "caller_email": "",
        "reason": "Vraag over de offerte",
        "call_type": "sales",
        "tone": "annoyed",
    },
}
TEXTS = {
    "attempt": "Mailbox vol, morgen weer",
    "handle": "Offerte toegelicht",
    "reassign": "Daan kent deze klant",
    "follow_up": "Werkt weer prima",
    "correct": "Vraag over de offerte",
}


@pytest.fixture
def people(client, receptionist, colleague, other_colleague, manager):
    from django.test import Client

    carla = make_user("carla", "colleague")
    colleague.teams.get().members.add(carla)
    login_across_time(client, colleague)
    anna = Client()
    login_across_time(anna, receptionist)
    return {
        "bram": client,
        "anna": anna,
        "carla": carla,
        "receptionist": receptionist,
        "colleague": colleague,
        "daan": other_colleague,
        "manager": manager,
    }


def _message(people, action):
    """The message as its colleague opens it: open and past its deadline, or ticked off with a check-back due."""
    if action == "follow_up":
        return MessageFactory(
            taken_by=people["receptionist"],
            owner=people["colleague"],
            status=Status.HANDLED,
            outcome=Outcome.FOLLOW_UP,
            follow_up_on=date(2026, 12, 1),
            deadline=NOW - timedelta(minutes=1),
            escalate_at=NOW - timedelta(seconds=1),
        )
    return MessageFactory(
        taken_by=people["receptionist"],
        owner=people["colleague"],
        deadline=NOW - timedelta(minutes=1),
        escalate_at=NOW + timedelta(hours=2),
    )


def _submit(people, message, action, version, **headers):
    """The form as the person saw it (its version) with what they typed."""
    if action == "correct":
        return people["anna"].post(
            f"/callbacks/{message.pk}/correct/", {**TYPED["correct"], "version": version}, **headers
        )
    payload = {f"{action}-{name}": value for name, value in TYPED[action].items()}
    payload[f"{action}-version"] = version
    return people["bram"].post(f"/callbacks/{message.pk}/{action.replace('_', '-')}/", payload, **headers)


def _went_through(message, action, people):
    message.refresh_from_db()
    if action == "attempt":
        return message.attempts.filter(made_by=people["colleague"], note=TEXTS["attempt"]).exists()
    if action == "handle":
        return message.status == Status.HANDLED and message.handled_note == TEXTS["handle"]
    if action == "reassign":
        return message.owner_user == people["daan"] and message.events.filter(note=TEXTS["reassign"]).exists()
    if action == "follow_up":
        return message.follow_up_done_at is not None and message.events.filter(note=TEXTS["follow_up"]).exists()
    return message.reason == TEXTS["correct"] and message.caller_name == "Piet de Boer"


# --- System changes: never a conflict ------------------------------------------------------------


def _flag(people, message):
    overdue_sweep(now=NOW)


def _escalate(people, message):
    overdue_sweep(now=NOW)
    overdue_sweep(now=NOW + timedelta(hours=2))


def _route(people, message):
    """Bram is away from now on: his message goes to Daan while Bram still has it open (and is on the phone)."""
    Absence.objects.create(
        user=people["colleague"],
        stand_in=people["daan"],
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(days=1),
    )
    services.messages_route_to_stand_ins(now=NOW)


SYSTEM = {"flag": _flag, "escalate": _escalate, "route": _route}
ACTIONS = ["attempt", "handle", "reassign", "follow_up", "correct"]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("change", SYSTEM)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_system_change_meanwhile_never_makes_an_action_fail(people, action, change, htmx):
    message = _message(people, action)
    seen = message.version
    SYSTEM[change](people, message)
    response = _submit(people, message, action, seen, **(HTMX if htmx else {}))
    assert response.status_code in (200, 302)
    assert "Iemand anders" not in response.content.decode()
    assert _went_through(message, action, people)


def test_the_sweep_and_the_routing_really_changed_the_message(people):
    """The changes above are real: flagged, escalated and routed, without a new version."""
    message = _message(people, "handle")
    _escalate(people, message)
    _route(people, message)
    message.refresh_from_db()
    assert message.overdue_level == 2 and message.owner_user == people["daan"] and message.version == 1
    assert message.events.filter(kind=MessageEvent.Kind.ROUTED).exists()


def test_a_tick_off_is_never_escalated_afterwards(people):
    message = _message(people, "handle")
    _flag(people, message)
    _submit(people, message, "handle", message.version)
    overdue_sweep(now=NOW + timedelta(hours=3))
    message.refresh_from_db()
    assert message.status == Status.HANDLED and message.overdue_level == 1 and message.escalated_at is None


# --- Changes by another person: explained, nothing typed is lost ----------------------------------


def _handled_by_someone_else(people, message):
    message = Message.objects.get(pk=message.pk)
    if message.status == Status.HANDLED:  # a check-back: someone else checked back already
        services.follow_up_complete(message=message, version=message.version, by=people["manager"], note="Gebeld")
    else:
        services.attempt_log(
            message=message,
            version=message.version,
            by=people["manager"],
            result="reached",
            outcome=Outcome.SOLVED,
            note="Zelf gebeld",
        )
    return "Mira"


def _reassigned_by_someone_else(people, message):
    message = Message.objects.get(pk=message.pk)
    services.message_reassign(
        message=message,
        version=message.version,
        by=people["manager"],
        to_user=people["carla"],
        to_team=message.owner_team,
        reason="Carla heeft tijd",
    )
    return "Mira"


def _corrected_by_the_receptionist(people, message):
    message = Message.objects.get(pk=message.pk)
    services.message_correct(
        message=message, version=message.version, by=people["receptionist"], values={"caller_name": "Pieter Jansen"}
    )
    return "Anna"


HUMAN = {
    "handled": _handled_by_someone_else,
    "reassigned": _reassigned_by_someone_else,
    "corrected": _corrected_by_the_receptionist,
}
# Whether the action still fits the message after the change, so its form comes back to submit again.
STILL_FITS = {"handled": False, "reassigned": True, "corrected": True}


def _human_cases():
    for action in ACTIONS:
        for change in HUMAN:
            if action == "follow_up" and change != "handled":
                continue  # a ticked-off message is neither passed on nor corrected any more
            yield action, change


def _snapshot(message):
    fields = (
        "status",
        "owner_user_id",
        "caller_name",
        "reason",
        "attempt_count",
        "handled_note",
        "follow_up_done_at",
        "version",
    )
    stored = Message.objects.get(pk=message.pk)
    return {name: getattr(stored, name) for name in fields}, stored.events.count()


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(("action", "change"), list(_human_cases()))
def test_a_change_by_someone_else_is_explained_and_keeps_what_was_typed(people, action, change, htmx):
    message = _message(people, action)
    seen = message.version
    who = HUMAN[change](people, message)
    before = _snapshot(message)
    response = _submit(people, message, action, seen, **(HTMX if htmx else {}))
    assert _snapshot(message) == before  # nothing written
    assert response.status_code == (200 if htmx and action != "correct" else 409)
    page = response.content.decode()
    assert 'data-test="conflict"' in page and "Iemand anders heeft dit bericht gewijzigd" in page
    assert f"door {who} om" in page  # what changed, by whom
    assert TEXTS[action] in page  # what was typed
    fits = STILL_FITS[change] and action != "follow_up"
    version = before[0]["version"]
    prefix = "" if action == "correct" else f"{action}-"
    assert (f'name="{prefix}version" value="{version}"' in page) is fits
    assert ("autofocus" in page) is fits


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("action", ["attempt", "handle", "reassign", "correct"])
def test_submitting_the_kept_form_again_goes_through(people, action, htmx):
    message = _message(people, action)
    seen = message.version
    _corrected_by_the_receptionist(people, message)
    headers = HTMX if htmx else {}
    page = _submit(people, message, action, seen, **headers).content.decode()
    assert not _went_through(message, action, people)
    prefix = "" if action == "correct" else f"{action}-"
    kept = re.search(rf'name="{prefix}version" value="(\d+)"', page)
    assert kept and TEXTS[action] in page, "the conflict page carries the form again, as it was typed"
    response = _submit(people, message, action, kept[1], **headers)
    assert response.status_code in (200, 302)
    assert _went_through(message, action, people)


def test_a_handled_message_lists_the_typed_values_with_their_labels(people):
    message = _message(people, "attempt")
    _handled_by_someone_else(people, message)
    page = _submit(people, message, "attempt", 1).content.decode()
    assert "<dt>Resultaat</dt><dd>Voicemail ingesproken</dd>" in page
    assert "<dt>Opnieuw proberen om</dt><dd>2026-12-01 14:00</dd>" in page
    assert "Afgehandeld door Mira om 10:00" in page
    assert 'data-test="attempt-form"' not in page


# --- The same request twice: a double click or a browser retry is not a conflict -----------------


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("action", ["attempt", "handle"])
def test_a_double_click_answers_as_the_action_did_and_writes_once(people, action, htmx):
    message = _message(people, action)
    seen = message.version
    headers = HTMX if htmx else {}
    first = _submit(people, message, action, seen, **headers)
    assert first.status_code == (200 if htmx else 302)
    second = _submit(people, message, action, seen, **headers)
    if htmx:
        assert second.status_code == 200
        assert 'data-test="conflict"' not in second.content.decode()
    else:
        assert second.status_code == 302 and second.url == f"/callbacks/{message.pk}/"
        second = people["bram"].get(second.url)
    page = second.content.decode()
    assert 'data-test="conflict"' not in page and "Iemand anders" not in page
    assert _went_through(message, action, people)
    assert message.attempts.count() == 1
    kind = MessageEvent.Kind.ATTEMPT if action == "attempt" else MessageEvent.Kind.HANDLED
    assert message.events.filter(kind=kind).count() == 1
    assert Message.objects.get(pk=message.pk).version == seen + 1


def test_another_action_of_ones_own_from_an_older_page_is_still_a_conflict(people):
    """An attempt saved in one tab, then a tick-off from another tab with the old version: not silently dropped."""
    message = _message(people, "handle")
    seen = message.version
    _submit(people, message, "attempt", seen)
    response = _submit(people, message, "handle", seen)
    assert response.status_code == 409
    message.refresh_from_db()
    assert message.status == Status.OPEN


@pytest.mark.parametrize("version", ["-99999999999999999999999", "99999999999999999999999", "abc", ""])
def test_a_crafted_version_on_a_correction_answers_a_conflict_not_an_error(people, version):
    message = _message(people, "correct")
    _handled_by_someone_else(people, message)
    people["anna"].raise_request_exception = False
    response = people["anna"].post(f"/callbacks/{message.pk}/correct/", {**TYPED["correct"], "version": version})
    assert 400 <= response.status_code < 500
    page = response.content.decode()
    assert 'data-test="conflict"' in page and "door Mira om" in page
    assert TEXTS["correct"] in page
    assert Message.objects.get(pk=message.pk).caller_name != "Piet de Boer"


@pytest.mark.parametrize("version", ["-99999999999999999999999", "99999999999999999999999", "abc"])
def test_a_crafted_version_on_an_action_is_never_a_server_error(people, version):
    message = _message(people, "attempt")
    _handled_by_someone_else(people, message)
    people["bram"].raise_request_exception = False
    payload = {f"attempt-{name}": value for name, value in TYPED["attempt"].items()}
    payload["attempt-version"] = version
    response = people["bram"].post(f"/callbacks/{message.pk}/attempt/", payload)
    assert response.status_code < 500
    assert not message.attempts.filter(made_by=people["colleague"]).exists()
