import time
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import sessions_clear_expired
from config.celery import app as celery_app


def _sessions() -> tuple[str, str]:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expired, alive = store(), store()
    expired["x"] = alive["x"] = 1
    expired.set_expiry(timezone.now() - timedelta(minutes=1))
    expired.save()
    alive.save()
    return expired.session_key, alive.session_key


@pytest.mark.django_db
def test_it_clears_expired_sessions_only():
    expired, alive = _sessions()
    sessions_clear_expired.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]


def test_the_beat_schedule_is_in_code_and_names_real_tasks():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert schedule
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_through_redis(redis_server):
    from celery.contrib.testing.worker import start_worker

    from celery.signals import task_postrun

    expired, alive = _sessions()
    eager_flags: list[bool] = []

    def record(sender=None, **kwargs):
        eager_flags.append(bool(sender.request.is_eager))

    task_postrun.connect(record, weak=False)
    celery_app.conf.update(broker_url=redis_server.url, task_always_eager=False, broker_transport_options={})
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # An explicit connection: earlier eager tests may have cached a producer for the default broker.
            with celery_app.connection_for_write(redis_server.url) as connection:
                sessions_clear_expired.apply_async(connection=connection)
            deadline = time.monotonic() + 20
            while not eager_flags and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(record)
        celery_app.conf.update(broker_url=settings.CELERY_BROKER_URL, task_always_eager=True,
                               broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]
    assert eager_flags == [False], "the task must have gone through Redis to the worker"
