"""The outbox in the admin: managers see notifications and heartbeats, read-only, and can send a waiting one again."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail

from callbacks.models import Heartbeat, Notification
from tests.factories import MessageFactory
from tests.test_admin_language import _visible_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

LIST = "/admin/callbacks/notification/"


@pytest.fixture
def rows(clock, colleague, other_colleague):
    message = MessageFactory(owner=colleague, taken_by=colleague)
    failed = Notification.objects.create(
        recipient=colleague,
        message=message,
        kind=Notification.Kind.NEW_MESSAGE,
        channel=Notification.Channel.EMAIL,
        failures=3,
        not_before=clock.now() + timedelta(minutes=4),
        last_error="SMTPServerDisconnected: gone",
        created_at=clock.now() - timedelta(minutes=10),
    )
    sent = Notification.objects.create(
        recipient=other_colleague,
        message=message,
        kind=Notification.Kind.OVERDUE,
        channel=Notification.Channel.EMAIL,
        state=Notification.State.SENT,
        sent_at=clock.now() - timedelta(minutes=5),
        created_at=clock.now() - timedelta(minutes=6),
    )
    Heartbeat.objects.create(name=Heartbeat.OUTBOX_DELIVERY, last_run_at=clock.now(), last_count=7)
    return failed, sent


def test_a_manager_sees_state_failures_last_error_and_next_try(client, manager, rows):
    client.force_login(manager)
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "SMTPServerDisconnected: gone" in text and "bram@example.test" not in text  # the person, not the address
    assert "Bram" in text and "Daan" in text


def test_the_list_filters_by_state_kind_and_channel(client, manager, rows):
    failed, sent = rows
    client.force_login(manager)
    assert "SMTPServerDisconnected" not in client.get(LIST, {"state": "sent"}).content.decode()
    waiting = client.get(LIST, {"state": "pending", "kind": "new_message", "channel": "email"}).content.decode()
    assert "SMTPServerDisconnected" in waiting
    assert re.findall(r'name="_selected_action" value="(\d+)"', waiting) == [str(failed.pk)]


def test_heartbeats_are_listed(client, manager, rows):
    client.force_login(manager)
    page = client.get("/admin/callbacks/heartbeat/")
    assert page.status_code == 200 and "outbox-delivery" in page.content.decode()


def test_the_outbox_is_read_only(client, manager, rows):
    failed, _sent = rows
    client.force_login(manager)
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{failed.pk}/change/").status_code == 200  # the view page
    client.post(f"{LIST}{failed.pk}/change/", {"state": "sent", "failures": "0"})
    assert client.get(f"{LIST}{failed.pk}/delete/").status_code == 403
    failed.refresh_from_db()
    assert failed.state == Notification.State.PENDING and failed.failures == 3


def _retry(client, *rows):
    return client.post(LIST, {"action": "retry", ACTION_CHECKBOX_NAME: [row.pk for row in rows]}, follow=True)


def test_a_manager_sends_a_failed_notification_again_now(
    client, clock, manager, rows, django_capture_on_commit_callbacks
):
    failed, sent = rows
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _retry(client, failed, sent)
    assert response.status_code == 200
    failed.refresh_from_db()
    # Due now and handed to a worker at once (eager in tests): it went out; the sent one was left alone.
    assert failed.state == Notification.State.SENT
    assert [message.to for message in mail.outbox] == [["bram@example.test"]]
    sent.refresh_from_db()
    assert sent.sent_at == clock.now() - timedelta(minutes=5)


def test_retrying_twice_changes_nothing_more(client, clock, manager, rows):
    failed, _sent = rows
    client.force_login(manager)
    _retry(client, failed)
    _retry(client, failed)
    failed.refresh_from_db()
    # Without a worker (no commit callbacks run here) the row waits, due now, for the delivery sweep.
    assert failed.state == Notification.State.PENDING and failed.not_before == clock.now() and failed.failures == 3


@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "outsider"])
def test_others_see_no_outbox(client, clock, request, fixture, rows):
    failed, _sent = rows
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    _retry(client, failed)
    failed.refresh_from_db()
    assert failed.not_before == clock.now() + timedelta(minutes=4)  # still held: nobody else may retry


def test_the_outbox_speaks_dutch(client, manager, rows):
    manager.preferred_language = "nl"
    manager.save(update_fields=["preferred_language"])
    client.force_login(manager)
    text = _visible_text(client.get(LIST, HTTP_ACCEPT_LANGUAGE="nl").content.decode())
    for dutch in (
        "Meldingen",
        "Status",
        "Soort",
        "Kanaal",
        "Laatste fout",
        "Volgende poging",
        "Mislukte pogingen",
        "Nu opnieuw versturen",
        "Wacht",
        "Verzonden",
        "Nieuw bericht · Bram",
    ):
        assert dutch.lower() in text.lower(), dutch
    for english in (
        "Notifications",
        "Last error",
        "Next try",
        "Send again now",
        "Failed attempts",
        "Notification object",
    ):
        assert english not in text, english
