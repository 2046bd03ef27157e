"""The outbox publishes each row's id once its transaction commits; a broker that fails or hangs costs a
save at most one short attempt, and the delivery sweep sends what was not published."""

import logging
import time
from datetime import timedelta
from unittest import mock

import port_for
import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import transaction

from callbacks.models import Notification
from callbacks.services import delivery, notifications
from tests.broker_helpers import celery_publishing_to
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db(transaction=True)

PUBLISH = "callbacks.tasks.notifications_deliver_task.apply_async"


def _published(publish: mock.Mock) -> list[tuple[list[int], bool]]:
    """(ids, retry) of each task publish, as Celery's Signature.apply_async(args, kwargs, **options) made it."""
    return [(c.args[0][0], c.kwargs["retry"]) for c in publish.call_args_list]


def _queue_for(user) -> list[int]:
    return [row.pk for row in notifications.notification_queue(message=None, recipients=[user], kind="digest")]


def test_the_ids_are_published_when_the_transaction_commits_not_before(colleague):
    with mock.patch(PUBLISH) as publish:
        with transaction.atomic():
            queued = _queue_for(colleague)
            publish.assert_not_called()
        assert len(queued) == 2
        # One task for the save's rows (in the app and by mail), published once, without retry.
        assert _published(publish) == [(queued, False)]


def test_a_save_that_rolls_back_publishes_nothing(colleague):
    with mock.patch(PUBLISH) as publish:
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue_for(colleague)
            raise RuntimeError("the save failed")
    publish.assert_not_called()
    assert not Notification.objects.exists()


def test_a_broker_failure_is_logged_never_raised_and_the_save_tries_once(colleague, caplog):
    with mock.patch(PUBLISH, side_effect=OSError("broker down")) as publish, caplog.at_level(logging.WARNING):
        _queue_for(colleague)
    assert publish.call_count == 1  # both rows in the one publish that failed
    assert "2 notification(s) wait for the delivery sweep" in caplog.text
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}


def test_the_next_save_tries_the_broker_again(colleague):
    with mock.patch(PUBLISH, side_effect=OSError("broker down")):
        _queue_for(colleague)
    with mock.patch(PUBLISH) as publish:
        queued = _queue_for(colleague)
    assert _published(publish) == [(queued, False)]


def test_the_delivery_sweep_sends_what_a_failed_publish_left(clock, receptionist, colleague):
    owed = MessageFactory(taken_by=receptionist, owner=colleague)
    with mock.patch(PUBLISH, side_effect=OSError("broker down")):
        notifications.notification_queue(message=None, recipients=[colleague], kind="digest", message_ids=[owed.pk])
    assert delivery.outbox_deliver(now=clock.now() + timedelta(seconds=30)) == 0  # still in its grace
    assert delivery.outbox_deliver(now=clock.now() + delivery.SWEEP_GRACE) == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    assert len(mail.outbox) == 1


def _timed_queue(user) -> float:
    started = time.monotonic()
    _queue_for(user)
    return time.monotonic() - started


@pytest.mark.redis
@pytest.mark.timeout(60)
def test_a_hung_redis_holds_a_save_about_one_socket_timeout(redis_server, colleague):
    admin = redis.Redis(port=redis_server.port, socket_timeout=10)
    with celery_publishing_to(redis_server.url, settings.REDIS_BROKER_TRANSPORT_OPTIONS):
        assert _timed_queue(colleague) < 1  # warm: the process holds a pooled broker connection
        queued_before = admin.llen("celery")
        admin.execute_command("CLIENT", "PAUSE", "4000", "ALL")
        paused_until = time.monotonic() + 4.5
        try:
            waits = [_timed_queue(colleague) for _ in range(2)]
        finally:
            time.sleep(max(0.0, paused_until - time.monotonic()))  # the pause must not reach the next test
        assert admin.llen("celery") == queued_before  # the saves during the pause published nothing
    # socket_timeout is 1 s: one attempt per save, no retry, no reconnect wait.
    assert all(0.5 < wait < 2 for wait in waits), waits


@pytest.mark.timeout(30)
def test_a_stopped_redis_costs_a_save_no_time(colleague):
    nobody_listens = f"redis://127.0.0.1:{port_for.select_random()}/0"
    with celery_publishing_to(nobody_listens, settings.REDIS_BROKER_TRANSPORT_OPTIONS):
        waits = [_timed_queue(colleague) for _ in range(2)]
    assert all(wait < 1 for wait in waits), waits
    assert Notification.objects.filter(state="pending").count() == 4
