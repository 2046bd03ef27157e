"""The caller hears it twice: on the phone, and in one confirmation mail when they gave an address and agreed."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings

from callbacks.models import Message, Notification, Status
from callbacks.services.caller_mail import caller_confirmation_queue
from callbacks.services.delivery import notification_deliver, outbox_deliver
from callbacks.services.retention import messages_anonymise
from tests.conftest import login_across_time
from tests.factories import MessageFactory
from tests.intake_helpers import CALLER, PROMISE, READBACK, REASON, RECIPIENT, post_step, start_call, take_message

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)
WITH_EMAIL = {**CALLER, "email": "pieter@bakkerij.example"}
OFFICE = {
    "OFFICE_NAME": "Bakkerij Koeken & Zo",
    "OFFICE_PHONE_NUMBER": "+31201234567",
    "CALLER_MAIL_FROM": "Bakkerij Koeken <balie@koeken.example>",
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock(at=MONDAY_10),
    pytest.mark.usefixtures("clock"),
    pytest.mark.usefixtures("office"),
]


@pytest.fixture
def office(settings):
    for name, value in OFFICE.items():
        setattr(settings, name, value)


@pytest.fixture
def desk(client, receptionist, colleague):
    login_across_time(client, receptionist)
    return client


def _caller_mails():
    return [sent for sent in mail.outbox if sent.to == [WITH_EMAIL["email"]]]


def test_it_sends_the_caller_one_confirmation_in_dutch(desk, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take_message(desk, caller=WITH_EMAIL, promise={**PROMISE, "confirm_to_caller": "on"})
    [confirmation] = _caller_mails()
    # A question is promised by the end of the next business day (Tuesday 1 December, 17:30).
    assert (
        "U wordt uiterlijk dinsdag 1 december vóór 17:30 teruggebeld door Bram van Bakkerij Koeken & Zo."
        in confirmation.body
    )
    assert "020 123 4567" in confirmation.body
    assert confirmation.from_email == OFFICE["CALLER_MAIL_FROM"]
    assert confirmation.subject == "Bakkerij Koeken & Zo belt u terug"
    assert confirmation.extra_headers["Content-Language"] == "nl"
    # Plain text only, no links to follow or images to load.
    assert "http" not in confirmation.body and confirmation.content_subtype == "plain" and not confirmation.attachments
    row = Notification.objects.get(kind=Notification.Kind.CALLER_CONFIRMATION)
    assert row.recipient is None and row.address == WITH_EMAIL["email"] and row.state == Notification.State.SENT
    # The colleague's own mail still goes out, to the colleague only.
    assert [sent.to for sent in mail.outbox if sent not in _caller_mails()] == [[colleague.email]]


def test_it_writes_in_english_when_asked(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take_message(
            desk, caller=WITH_EMAIL, promise={**PROMISE, "confirm_to_caller": "on", "confirmation_language": "en"}
        )
    [confirmation] = _caller_mails()
    assert (
        "You will be called back no later than Tuesday 1 December before 17:30 by Bram of Bakkerij Koeken & Zo."
        in confirmation.body
    )
    assert confirmation.extra_headers["Content-Language"] == "en"


def test_nothing_goes_to_the_caller_without_consent(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take_message(desk, caller=WITH_EMAIL)
    assert _caller_mails() == []
    assert not Notification.objects.filter(kind=Notification.Kind.CALLER_CONFIRMATION).exists()


def test_nothing_goes_to_a_caller_who_wants_no_callback(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take_message(desk, caller=WITH_EMAIL, reason={**REASON, "wants_callback": ""})
    assert not Notification.objects.filter(kind=Notification.Kind.CALLER_CONFIRMATION).exists()


def _promise_page(client, caller):
    start_call(client)
    post_step(client, "recipient", RECIPIENT)
    post_step(client, "caller", caller)
    return post_step(client, "reason", REASON)


def test_the_consent_is_offered_only_when_the_caller_gave_an_address(desk, client):
    without = _promise_page(desk, CALLER).content.decode()
    assert "promise-confirm_to_caller" not in without
    with_address = _promise_page(desk, WITH_EMAIL).content.decode()
    assert 'name="promise-confirm_to_caller"' in with_address
    assert 'name="promise-confirmation_language"' in with_address


def test_a_consent_posted_without_an_address_sends_nothing(desk, django_capture_on_commit_callbacks):
    _promise_page(desk, CALLER)
    with django_capture_on_commit_callbacks(execute=True):
        post_step(desk, "promise", {"confirm_to_caller": "on"})
        post_step(desk, "readback", READBACK)
        post_step(desk, "close", {"token": desk.intake_token})
    assert Message.objects.count() == 1
    assert not Notification.objects.filter(kind=Notification.Kind.CALLER_CONFIRMATION).exists()


def _queued(clock, colleague, **fields) -> Notification:
    message = MessageFactory(owner=colleague, taken_by=colleague, caller_email="pieter@bakkerij.example", **fields)
    return caller_confirmation_queue(message=message, language="nl")


@pytest.mark.clock(at=datetime(2026, 11, 30, 21, 0, tzinfo=AMS))
def test_the_caller_is_not_held_by_quiet_hours(clock, colleague):
    row = _queued(clock, colleague)
    assert notification_deliver(notification_id=row.pk, now=clock.now()) is True
    assert [sent.to for sent in mail.outbox] == [["pieter@bakkerij.example"]]


def test_a_message_handled_before_delivery_sends_the_caller_nothing(clock, colleague):
    row = _queued(clock, colleague)
    Message.objects.filter(pk=row.message_id).update(status=Status.HANDLED, handled_at=clock.now())
    notification_deliver(notification_id=row.pk, now=clock.now())
    assert mail.outbox == []


def test_a_message_passed_on_before_delivery_names_the_new_owner(clock, colleague, other_colleague):
    row = _queued(clock, colleague)
    Message.objects.filter(pk=row.message_id).update(owner_user=other_colleague)
    notification_deliver(notification_id=row.pk, now=clock.now())
    [confirmation] = mail.outbox
    assert "door Daan van" in confirmation.body and "Bram" not in confirmation.body


def test_a_failed_send_keeps_the_error_and_tries_again_later(clock, colleague):
    row = _queued(clock, colleague)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("connection refused")):
        with pytest.raises(OSError):
            notification_deliver(notification_id=row.pk, now=clock.now())
    row.refresh_from_db()
    assert row.state == Notification.State.PENDING and row.failures == 1
    assert row.last_error == "OSError: connection refused"
    assert row.not_before == clock.now() + timedelta(minutes=1)
    clock.shift(minutes=2)
    assert outbox_deliver(now=clock.now()) == 1
    assert len(mail.outbox) == 1


def test_retention_removes_the_confirmation_with_the_caller_data(clock, colleague):
    row = _queued(clock, colleague)
    other = MessageFactory(owner=colleague, taken_by=colleague, caller_email="open@example.test")
    open_row = caller_confirmation_queue(message=other, language="en")
    Message.objects.filter(pk=row.message_id).update(
        status=Status.HANDLED, handled_at=clock.now() - timedelta(days=200)
    )
    assert messages_anonymise(now=clock.now(), older_than_days=180) == 1
    assert not Notification.objects.filter(pk=row.pk).exists()
    assert Message.objects.get(pk=row.message_id).caller_email == ""
    assert Notification.objects.filter(pk=open_row.pk, address="open@example.test").exists()


@override_settings(OFFICE_PHONE_NUMBER="")
def test_without_an_office_number_the_line_is_left_out(clock, colleague):
    row = _queued(clock, colleague)
    notification_deliver(notification_id=row.pk, now=clock.now())
    assert "bellen u vanaf" not in mail.outbox[0].body.lower()
    assert "teruggebeld door Bram" in mail.outbox[0].body
