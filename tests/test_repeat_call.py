"""A repeat call keeps the protocol: a note for this call, the promise read back or brought forward, and the
owner told that the caller rang again (callbacks.services.message_add_call, RepeatCallForm, the mails)."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.template.loader import render_to_string

from callbacks.forms.repeat import RepeatCallForm
from callbacks.models import CallLog, CallType, Message, MessageEvent, Notification, Priority, Status
from callbacks.selectors import open_message
from callbacks.services import message_add_call
from callbacks.views.callers import repeat_context
from tests.conftest import login_across_time
from tests.factories import MessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def message(receptionist, colleague):
    return MessageFactory(taken_by=receptionist, owner=colleague)


def add_call(message, receptionist, **kwargs):
    kwargs.setdefault("token", uuid.uuid4())
    kwargs.setdefault("note", "Belt weer: het is nu dringend")
    return message_add_call(message_id=message.pk, taken_by=receptionist, **kwargs)


def test_it_records_the_note_of_this_call_and_an_event(message, receptionist):
    token = uuid.uuid4()
    added = add_call(message, receptionist, token=token)
    assert added.call_count == 2
    call = CallLog.objects.get(intake_token=token)
    assert call.note == "Belt weer: het is nu dringend" and call.message == message and call.taken_by == receptionist
    event = MessageEvent.objects.get(message=message, kind=MessageEvent.Kind.CALL_ADDED)
    assert event.note == call.note and event.changes == {"call_count": [1, 2]}


def test_it_tells_the_owner_in_the_app_and_by_email_how_often_and_what_was_said(
    message, receptionist, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_call(message, receptionist)
    rows = Notification.objects.filter(recipient=colleague, kind=Notification.Kind.CALLED_AGAIN)
    assert sorted(rows.values_list("channel", "state")) == [("email", "sent"), ("in_app", "sent")]
    assert {row.call.note for row in rows} == {"Belt weer: het is nu dringend"}
    sent = mail.outbox[-1]
    assert sent.to == [colleague.email]
    assert sent.subject == "Pieter de Boer belde opnieuw (2 keer)"
    assert "tot nu toe 2 keer gebeld" in sent.body
    assert "Wat de beller nu zei: Belt weer: het is nu dringend" in sent.body


def test_the_in_app_notification_says_how_often_and_what_was_said(client, message, receptionist, colleague):
    add_call(message, receptionist)
    login_across_time(client, colleague)
    page = client.get("/callbacks/notifications/").content.decode()
    assert "Beller belde opnieuw" in page
    assert "tot nu toe 2 keer gebeld" in page and "Belt weer: het is nu dringend" in page


def test_a_double_submit_adds_one_call_and_notifies_once(message, receptionist):
    token = uuid.uuid4()
    first = add_call(message, receptionist, token=token)
    again = add_call(message, receptionist, token=token, note="Nog een keer verstuurd")
    assert first.pk == again.pk
    message.refresh_from_db()
    assert message.call_count == 2 and message.calls.count() == 2
    assert Notification.objects.filter(kind=Notification.Kind.CALLED_AGAIN).count() == 2  # in-app + email, once


def test_a_message_handled_meanwhile_is_refused(message, receptionist):
    Message.objects.filter(pk=message.pk).update(status=Status.HANDLED)
    assert add_call(message, receptionist) is None
    message.refresh_from_db()
    assert message.call_count == 1 and message.calls.count() == 1
    assert not Notification.objects.filter(kind=Notification.Kind.CALLED_AGAIN).exists()


def test_it_becomes_urgent_from_the_third_call(message, receptionist):
    assert add_call(message, receptionist).priority == Priority.NORMAL
    assert add_call(message, receptionist).priority == Priority.URGENT


def test_an_urgent_call_brings_the_promise_forward_with_its_escalation(message, receptionist, clock):
    promised, escalation = message.deadline, message.escalate_at
    earlier = clock.now() + timedelta(hours=2)
    added = add_call(message, receptionist, earlier_deadline=earlier)
    message.refresh_from_db()
    assert message.deadline == added.deadline == earlier
    assert message.escalate_at < escalation and message.escalate_at >= earlier
    assert message.policy_deadline == promised  # what the policy promised stays on record
    event = MessageEvent.objects.get(message=message, kind=MessageEvent.Kind.CALL_ADDED)
    assert event.changes["deadline"] == [promised.isoformat(), earlier.isoformat()]


def test_a_later_moment_never_moves_the_promise(message, receptionist, clock):
    promised = message.deadline
    add_call(message, receptionist, earlier_deadline=promised + timedelta(hours=3))
    message.refresh_from_db()
    assert message.deadline == promised and message.call_count == 2


def test_a_moment_in_the_past_is_refused(message, receptionist, clock):
    with pytest.raises(ValueError):
        add_call(message, receptionist, earlier_deadline=clock.now() - timedelta(minutes=1))
    message.refresh_from_db()
    assert message.call_count == 1


def repeat_form(data, deadline):
    return RepeatCallForm({f"repeat-{name}": value for name, value in data.items()}, prefix="repeat", deadline=deadline)


def test_the_repeat_step_requires_a_note(message):
    form = repeat_form({"note": "   "}, message.deadline)
    assert not form.is_valid()
    assert form.errors["note"]


@pytest.mark.parametrize(("hours", "valid"), [(-1, False), (2, True), (24, False), (30, False)])
def test_the_repeat_step_accepts_only_an_earlier_moment_in_the_future(message, clock, hours, valid):
    moment = clock.local() + timedelta(hours=hours)  # the promise is a day ahead
    form = repeat_form({"note": "Dringend", "earlier_deadline": moment.strftime("%Y-%m-%dT%H:%M")}, message.deadline)
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["earlier_deadline"] == moment.replace(second=0, microsecond=0)


def test_the_repeat_step_reads_back_the_promise_and_closes(rf, message, clock):
    form = repeat_form({}, message.deadline)
    context = repeat_context(message=open_message(message.pk))
    request = rf.get("/")
    page = render_to_string("callbacks/steps/repeat.html", {**context, "form": form}, request=request)
    assert "voor <strong>Bram</strong> (gesprek 2)" in page
    assert "Bram" in context["promise_sentence"] and "10:00" in context["promise_sentence"]
    assert 'data-test="closing-line"' in page and context["closing_line"] in page
    assert 'name="repeat-note"' in page and 'name="repeat-earlier_deadline"' in page


def test_open_message_is_none_once_handled(message):
    Message.objects.filter(pk=message.pk).update(status=Status.HANDLED)
    assert open_message(message.pk) is None


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("nl", "Urgent: Pieter de Boer belde opnieuw (3 keer)", "Wat de beller nu zei: Nog steeds geen offerte"),
        ("en", "Urgent: Pieter de Boer called again (3 calls)", "What they said now: Nog steeds geen offerte"),
    ],
)
def test_the_email_speaks_the_owners_language(
    message, receptionist, colleague, language, subject, line, django_capture_on_commit_callbacks
):
    type(colleague).objects.filter(pk=colleague.pk).update(preferred_language=language)
    add_call(message, receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        add_call(message, receptionist, note="Nog steeds geen offerte")
    sent = mail.outbox[-1]
    assert sent.subject == subject
    assert line in sent.body


def test_a_repeat_call_about_a_complaint_closes_with_an_apology(receptionist, colleague):
    complaint = MessageFactory(taken_by=receptionist, owner=colleague, call_type=CallType.COMPLAINT)
    context = repeat_context(message=open_message(complaint.pk))
    assert "excuses" in context["closing_line"]
