"""/health/ (load balancers) and /health/ready/ (operators, compose): 200 or 503 with a short JSON body."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings

from callbacks.models import Heartbeat, Notification
from tests.broker_helpers import celery_publishing_to

pytestmark = pytest.mark.django_db


def _beat_ran(clock, minutes_ago: float) -> None:
    Heartbeat.objects.update_or_create(
        name=Heartbeat.OVERDUE_SWEEP, defaults={"last_run_at": clock.now() - timedelta(minutes=minutes_ago)}
    )


def _pending(recipient, *, now, minutes_ago: float, count: int = 1, **fields) -> None:
    created_at = now - timedelta(minutes=minutes_ago)
    Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            kind=Notification.Kind.NEW_MESSAGE,
            channel=Notification.Channel.EMAIL,
            created_at=created_at,
            **fields,
        )
        for _ in range(count)
    )


def test_it_answers_the_load_balancer_without_login_or_data(client, clock):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["terugbel.example.nl"])
def test_a_plain_http_probe_on_another_host_name_is_answered_not_redirected(client, clock):
    """Compose and load balancers ask 127.0.0.1 over HTTP; production redirects and checks hosts elsewhere."""
    assert client.get("/health/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_it_refuses_writes(client):
    assert client.post("/health/").status_code == 405


def test_ready_when_beat_swept_recently_and_the_outbox_flows(client, clock, receptionist):
    _beat_ran(clock, minutes_ago=4)
    _pending(receptionist, minutes_ago=11, count=19, now=clock.now())
    response = client.get("/health/ready/")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "overdue_sweep": "ok",
        "outbox": "ok",
    }


def test_not_ready_when_beat_is_silent(client, clock):
    _beat_ran(clock, minutes_ago=4)
    assert client.get("/health/ready/").status_code == 200
    clock.shift(minutes=2)  # beat stopped: no sweep for six minutes now
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "overdue_sweep": "failing", "outbox": "ok"},
    }


def test_not_ready_before_beat_ever_swept(client, clock):
    assert client.get("/health/ready/").json()["checks"]["overdue_sweep"] == "failing"


def test_not_ready_when_the_outbox_is_backed_up(client, clock, receptionist):
    _beat_ran(clock, minutes_ago=0)
    # Held on purpose (quiet hours) or still young: not late.
    _pending(receptionist, minutes_ago=60, count=30, now=clock.now(), not_before=clock.now() + timedelta(hours=1))
    _pending(receptionist, minutes_ago=5, count=30, now=clock.now())
    _pending(receptionist, minutes_ago=11, count=19, now=clock.now())
    assert client.get("/health/ready/").status_code == 200
    _pending(receptionist, minutes_ago=11, now=clock.now())
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == "failing"


def test_the_checks_cost_a_fixed_number_of_queries(client, clock, receptionist, django_assert_max_num_queries):
    _beat_ran(clock, minutes_ago=0)
    _pending(receptionist, minutes_ago=30, count=50, now=clock.now())
    with django_assert_max_num_queries(3):
        client.get("/health/ready/")


@pytest.mark.redis
def test_not_ready_while_redis_is_stopped(client, clock, redis_server):
    _beat_ran(clock, minutes_ago=0)
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_server.url,
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    with celery_publishing_to(redis_server.url), override_settings(CACHES={"default": redis_cache}):
        assert client.get("/health/ready/").status_code == 200
        redis_server.halt()
        try:
            started = time.monotonic()
            ready = client.get("/health/ready/")
            live = client.get("/health/")
            waited = time.monotonic() - started
        finally:
            redis_server.start()
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"] == "failing"
        assert ready.json()["checks"]["cache"] == "failing"
        assert live.status_code == 503
        assert live.json() == {"status": "failing", "checks": {"database": "ok", "cache": "failing"}}
        assert waited < 5, "a probe must answer quickly while Redis is down"
        assert client.get("/health/ready/").status_code == 200
