from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from accounts.tasks import sessions_clear_expired_task
from config.celery import app as celery_app
from tests.broker_helpers import celery_publishing_to
from tests.waiting import wait_until


def _sessions(clock) -> tuple[str, str]:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expired, alive = store(), store()
    expired["x"] = alive["x"] = 1
    expired.set_expiry(clock.now() - timedelta(minutes=1))
    expired.save()
    alive.save()
    return expired.session_key, alive.session_key


@pytest.mark.django_db
def test_it_clears_expired_sessions_only(clock):
    expired, alive = _sessions(clock)
    sessions_clear_expired_task.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]


def test_the_beat_schedule_is_in_code_and_names_real_tasks():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert schedule
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks


@pytest.mark.redis
@pytest.mark.clock(tick=True)  # the worker runs in this process
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_through_redis(clock, redis_server):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    expired, alive = _sessions(clock)
    eager_flags: list[bool] = []

    def record(sender=None, **kwargs):
        eager_flags.append(bool(sender.request.is_eager))

    task_postrun.connect(record, weak=False)
    try:
        with (
            celery_publishing_to(redis_server.url),
            start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            sessions_clear_expired_task.delay()
            wait_until(lambda: eager_flags, 20, "the worker running the task")
    finally:
        task_postrun.disconnect(record)
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]
    assert eager_flags == [False], "the task must have gone through Redis to the worker"
