"""A draft per call: calls in tabs, caller-ID pop-ups, reloads, Back and restarts never lose or mix
anything; the receptionist's desk lists calls in progress and today's messages; drafts expire."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from callbacks import services
from callbacks.models import CallDraft, Message, Status
from tests.conftest import login_across_time, make_user
from tests.intake_helpers import (
    CALLER,
    DESK,
    READBACK,
    REASON,
    RECIPIENT,
    message_taken,
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
def desk(client, receptionist, colleague, other_colleague):
    login_across_time(client, receptionist)
    return client


def _finish(client, token, **caller):
    """The remaining steps of a call whose recipient step is done."""
    post_step(client, "caller", {**CALLER, **caller}, token=token)
    post_step(client, "reason", REASON, token=token)
    post_step(client, "promise", {}, token=token)
    post_step(client, "readback", READBACK, token=token)
    return post_step(client, "close", {"token": token}, token=token)


def test_it_takes_two_calls_at_once_in_one_session_each_with_its_own_data(desk):
    start_call(desk)
    first = token_of(desk)
    post_step(desk, "recipient", RECIPIENT, token=first)
    post_step(desk, "caller", CALLER, token=first)
    start_call(desk)
    second = token_of(desk)
    post_step(desk, "recipient", {**RECIPIENT, "recipient": "Daan"}, token=second)
    post_step(desk, "caller", {**CALLER, "name": "Sara Smit", "number": "020-1234567"}, token=second)
    post_step(desk, "reason", {**REASON, "reason": "Eerste gesprek"}, token=first)
    post_step(desk, "reason", {**REASON, "reason": "Tweede gesprek"}, token=second)
    for token in (second, first):
        post_step(desk, "promise", {}, token=token)
        post_step(desk, "readback", READBACK, token=token)
        assert saved(post_step(desk, "close", {"token": token}, token=token))
    rows = {
        m.caller_name: (m.reason, m.owner_user.username, str(m.caller_number), str(m.intake_token))
        for m in Message.objects.all()
    }
    assert rows == {
        "Pieter de Boer": ("Eerste gesprek", "bram", "+31612345678", first),
        "Sara Smit": ("Tweede gesprek", "daan", "+31201234567", second),
    }
    assert not CallDraft.objects.exists()


def test_a_caller_id_pop_up_during_a_call_leaves_that_call_intact(desk):
    start_call(desk)
    first = token_of(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    pop_up = start_call(desk, "?number=0201234567&for=daan").content.decode()
    assert token_of(desk) != first and 'value="daan"' in pop_up
    assert 'value="Pieter de Boer"' in desk.get(step_url(first, "caller")).content.decode()
    post_step(desk, "reason", REASON, token=first)
    post_step(desk, "promise", {}, token=first)
    post_step(desk, "readback", READBACK, token=first)
    assert saved(post_step(desk, "close", {"token": first}, token=first))
    assert Message.objects.get().caller_name == "Pieter de Boer"
    assert CallDraft.objects.get().prefill_number == "0201234567"


def test_a_reload_of_every_step_shows_what_was_stored(desk):
    start_call(desk)
    token = token_of(desk)
    typed = [
        ("recipient", RECIPIENT, 'value="Bram"'),
        ("caller", CALLER, 'value="Bakkerij De Boer"'),
        ("reason", {**REASON, "reason": "Offerte 42"}, 'value="Offerte 42"'),
        ("promise", {"not_between_start": "17:30", "not_between_end": "19:00"}, 'value="17:30"'),
    ]
    for step, data, _shown in typed:
        post_step(desk, step, data)
    for step, _data, shown in typed:
        page = desk.get(step_url(token, step))
        assert page.status_code == 200 and page.context["current_step"] == step
        assert shown in page.content.decode()
    assert desk.get(step_url(token, "close"), follow=True).redirect_chain == [(step_url(token, "readback"), 303)]


def test_an_unticked_box_stays_unticked_on_a_reload(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", {**REASON, "wants_callback": ""})
    page = desk.get(step_url(token_of(desk), "reason")).content.decode()
    box = page[page.index('name="reason-wants_callback"') - 200 : page.index('name="reason-wants_callback"') + 100]
    assert "checked" not in box


def test_back_keeps_what_was_typed_and_forward_again_shows_it(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    back = post_step(desk, "reason", {"reason": "Half getypt"}, goto="caller")
    assert back.redirect_chain == [(step_url(token_of(desk), "caller"), 303)]
    assert 'value="Pieter de Boer"' in back.content.decode()
    assert 'value="Half getypt"' in desk.get(step_url(token_of(desk), "reason")).content.decode()


def test_a_server_restart_loses_nothing(desk, receptionist):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    restarted = Client()  # a new process: nothing in memory, only the browser's session cookie
    restarted.cookies = desk.cookies
    restarted.intake_token = token_of(desk)
    assert 'value="Pieter de Boer"' in restarted.get(step_url(token_of(desk), "caller")).content.decode()
    post_step(restarted, "reason", REASON)
    post_step(restarted, "promise", {})
    post_step(restarted, "readback", READBACK)
    assert saved(post_step(restarted, "close", {"token": token_of(desk)}))
    assert Message.objects.get().caller_name == "Pieter de Boer"


def test_the_last_step_posted_again_saves_once(desk):
    take_message(desk)
    again = post_step(desk, "close", {"token": token_of(desk)})
    assert saved(again) and "Dit gesprek was al opgeslagen." in again.content.decode()
    assert Message.objects.count() == 1


def test_another_receptionists_draft_is_not_found(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    token = token_of(desk)
    other = Client()
    other.force_login(make_user("carla", Role.RECEPTIONIST))
    assert other.get(step_url(token, "caller")).status_code == 404
    other.post(step_url(token, "caller"), {"caller-name": "Inbreker", "caller-number": "0612345678"})
    other.post(f"/callbacks/call/{token}/discard/")
    assert "Inbreker" not in desk.get(DESK).content.decode()
    draft = CallDraft.objects.get()
    assert "caller" not in draft.data and draft.taken_by.username == "anna"


@pytest.mark.parametrize("fixture", ["colleague", "manager", "outsider"])
def test_only_people_who_take_messages_reach_a_draft(client, request, receptionist, fixture):
    draft = services.draft_start(taken_by=receptionist, now=MONDAY_10)
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(step_url(draft.token, "recipient")).status_code == 404
    expected = 404 if fixture != "manager" else 200
    assert client.get(DESK).status_code == expected


def test_discard_is_safe_to_repeat(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    token = token_of(desk)
    first = desk.post(f"/callbacks/call/{token}/discard/", follow=True)
    second = desk.post(f"/callbacks/call/{token}/discard/", follow=True)
    assert saved(first) and saved(second)
    assert not CallDraft.objects.exists()
    assert desk.get(step_url(token, "recipient")).status_code == 404
    assert desk.get(f"/callbacks/call/{token}/discard/").status_code == 405


def test_drafts_expire_after_a_working_day_untouched(desk, clock, settings):
    from callbacks.tasks import messages_anonymise_task

    settings.CALL_DRAFT_HOURS = 24
    start_call(desk)
    touched = token_of(desk)
    start_call(desk)
    untouched = token_of(desk)
    clock.shift(hours=20)
    post_step(desk, "recipient", RECIPIENT, token=touched)  # worked on: its working day starts again
    clock.shift(hours=5)
    assert messages_anonymise_task() == 0  # the hourly retention task expires drafts, day or night
    assert [str(token) for token in CallDraft.objects.values_list("token", flat=True)] == [touched]
    assert services.drafts_expire(now=clock.now()) == 0  # a repeat finds nothing
    clock.shift(hours=20)
    assert services.drafts_expire(now=clock.now()) == 1
    assert desk.get(step_url(touched, "caller")).status_code == 404
    assert untouched != touched


def test_the_desk_lists_calls_in_progress_and_messages_taken_today(desk, receptionist, colleague):
    take_message(desk)
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", {**CALLER, "name": "Sara <b>Smit</b>", "number": "020-1234567"})
    page = desk.get(DESK).content.decode()
    drafts = page[page.index('data-test="drafts"') : page.index('data-test="taken-today"')]
    taken = page[page.index('data-test="taken-today"') :]
    assert (
        "Bram" in drafts and "Sara &lt;b&gt;Smit&lt;/b&gt;" in drafts and step_url(token_of(desk), "reason") in drafts
    )
    assert "Reden" in drafts  # the step's title
    message = Message.objects.get()
    assert f"/callbacks/{message.pk}/" in taken and f"/callbacks/{message.pk}/correct/" in taken
    Message.objects.filter(pk=message.pk).update(status=Status.HANDLED)
    assert f"/callbacks/{message.pk}/correct/" not in desk.get(DESK).content.decode()


def test_the_desk_reads_the_same_number_of_queries_for_1_and_6_calls(desk):
    take_message(desk)
    start_call(desk)
    with CaptureQueriesContext(connection) as few:
        desk.get(DESK)
    for index in range(5):
        take_message(desk, caller={**CALLER, "number": f"06-1234567{index}"})
        start_call(desk)
        post_step(desk, "recipient", RECIPIENT)
    with CaptureQueriesContext(connection) as many:
        page = desk.get(DESK).content.decode()
    assert len(many) == len(few)
    assert page.count('data-test="draft"') == 6 and Message.objects.count() == 6


def test_the_desk_leaves_out_yesterdays_messages(desk, clock):
    take_message(desk)
    clock.shift(days=1)
    assert "Pieter de Boer" not in desk.get(DESK).content.decode()


def _take(draft, receptionist, colleague, clock):
    return message_taken(
        token=draft.token, receptionist=receptionist, colleague=colleague, deadline=clock.now() + timedelta(hours=4)
    )


def test_a_save_deletes_its_draft_in_its_own_transaction(receptionist, colleague, clock, monkeypatch):
    """Saved and the draft gone, or not saved and everything typed still in the draft: never one alone."""
    from callbacks.services import intake

    failing = services.draft_start(taken_by=receptionist, now=clock.now())

    def broken_outbox(**kwargs):
        raise RuntimeError("the outbox insert failed")

    with monkeypatch.context() as patched:
        patched.setattr(intake, "notification_queue", broken_outbox)
        with pytest.raises(RuntimeError):
            _take(failing, receptionist, colleague, clock)
    assert CallDraft.objects.filter(pk=failing.pk).exists() and not Message.objects.exists()
    message = _take(failing, receptionist, colleague, clock)
    assert not CallDraft.objects.filter(pk=failing.pk).exists()
    helped = services.draft_start(taken_by=receptionist, now=clock.now())
    services.message_record_helped(
        token=helped.token, taken_by=receptionist, intended_user=colleague, owner_team=None, note="Geholpen"
    )
    repeat = services.draft_start(taken_by=receptionist, now=clock.now())
    services.message_add_call(token=repeat.token, message_id=message.pk, taken_by=receptionist, note="Weer")
    assert not CallDraft.objects.exists()
