"""The overdue engine against real servers: overlapping sweeps on PostgreSQL, a Celery worker on Redis,
and a Redis outage in the middle of taking messages."""

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count

from callbacks import services
from callbacks.models import Message, Notification
from callbacks.services.overdue import overdue_sweep
from config.celery import app as celery_app
from tests.broker_helpers import celery_publishing_to
from tests.factories import MessageFactory, make_messages
from tests.waiting import wait_until


@pytest.mark.postgres
@pytest.mark.postgres_only  # SQLite serialises the two sweeps itself
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_flag_each_message_once(clock, receptionist, colleague):
    make_messages(300, taken_by=receptionist, owner=colleague, deadline=clock.now() - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(overdue_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(result.flagged for result in results) == 300
    assert Message.objects.filter(overdue_level=1).count() == 300
    per_message = Notification.objects.values("message_id", "channel").annotate(n=Count("pk"))
    assert len(per_message) == 600 and {row["n"] for row in per_message} == {1}


@contextmanager
def _worker_on(redis_url: str):
    """A real Celery worker (solo pool, in this process) consuming from the given Redis."""
    from celery.contrib.testing.worker import start_worker

    with (
        celery_publishing_to(redis_url),
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield


# The worker runs in this process, on the test's clock: a Tuesday morning, inside office hours, so no
# quiet hours hold the emails.
@pytest.mark.redis
@pytest.mark.clock(tick=True)
@pytest.mark.django_db(transaction=True)
def test_a_passed_deadline_is_flagged_and_delivered_through_redis(clock, redis_server, receptionist, colleague):
    from callbacks.tasks import overdue_sweep_task

    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=1))
    clock.shift(minutes=1, seconds=1)
    with _worker_on(redis_server.url):
        overdue_sweep_task.delay()  # what beat sends every minute
        took = wait_until(
            lambda: Notification.objects.filter(message=message, kind="overdue", state="sent").count() == 2, 20
        )
    message.refresh_from_db()
    assert message.overdue_level == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [colleague.email]
    assert took < 20


@pytest.mark.redis
@pytest.mark.clock(tick=True)
@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_loses_nothing_and_sends_nothing_twice(clock, redis_server, receptionist, colleague):
    from callbacks.tasks import outbox_deliver_task

    waits = []
    with celery_publishing_to(redis_server.url, {"socket_timeout": 1, "socket_connect_timeout": 1}):
        redis_server.halt()
        try:
            for index in range(3):
                started = time.monotonic()
                services.message_take(
                    token=uuid.uuid4(),
                    taken_by=receptionist,
                    intended_user=colleague,
                    owner_user=colleague,
                    owner_team=colleague.teams.get(),
                    caller=services.CallerDetails(f"Beller {index}", "+31612345678"),
                    reason="Storing",
                    call_type="question",
                    tone="calm",
                    promise=services.Promise(
                        deadline=clock.now() + timedelta(hours=4), policy_deadline=clock.now() + timedelta(hours=4)
                    ),
                )
                waits.append(time.monotonic() - started)
        finally:
            redis_server.start()
    assert Message.objects.count() == 3
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}
    assert max(waits) < 3, waits
    with _worker_on(redis_server.url):
        outbox_deliver_task.delay(fresh=True)  # the beat sweep after Redis is back
        wait_until(lambda: not Notification.objects.exclude(state="sent").exists(), 30)
        outbox_deliver_task.delay(fresh=True)
        time.sleep(1)
    assert Notification.objects.filter(state="sent").count() == 6
    # Held by the outage, the three emails for one person go out as one mail listing each caller, once.
    assert [m.subject for m in mail.outbox] == ["3 terugbelverzoeken wachten op je"]
    assert all(f"Beller {i}" in mail.outbox[0].body for i in range(3))
