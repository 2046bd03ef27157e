"""Health checks: /health/ for load balancers, /health/ready/ for operators and compose.

Both answer 200 or 503 with a short JSON body naming each check and whether it passed; never any
data, and no login. They are answered by a middleware placed first, so a probe that speaks plain
HTTP to 127.0.0.1 is neither redirected to HTTPS nor refused for its Host header, and touches no
session.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from callbacks.models import Heartbeat, Notification

CACHE_PROBE_KEY = "health:probe"


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_answers() -> bool:
    cache.set(CACHE_PROBE_KEY, "ok", timeout=30)
    return cache.get(CACHE_PROBE_KEY) == "ok"


def broker_answers() -> bool:
    from config.celery import app as celery_app

    # One attempt, no retries: a probe that waits for a broker is itself stuck. Redis's channel pings the
    # server when it opens, within the broker's socket timeouts (1 s in config/settings).
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0)
        return broker.connected


def overdue_sweep_recent() -> bool:
    """Beat runs the overdue sweep every minute; an older heartbeat means beat or the worker is down."""
    cutoff = timezone.now() - timedelta(minutes=settings.HEALTH_SWEEP_MAX_AGE_MINUTES)
    return Heartbeat.objects.filter(name=Heartbeat.OVERDUE_SWEEP, last_run_at__gte=cutoff).exists()


def outbox_flowing() -> bool:
    """Fewer than the threshold of notifications waiting longer than they should.

    Rows held on purpose (quiet hours, the backoff after a failure) are not late until their time."""
    now = timezone.now()
    late = Notification.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now),
        state=Notification.State.PENDING,
        created_at__lt=now - timedelta(minutes=settings.HEALTH_OUTBOX_MAX_AGE_MINUTES),
    )
    return late.count() < settings.HEALTH_OUTBOX_MAX_LATE


LIVENESS_CHECKS: dict[str, Callable[[], bool]] = {"database": database_answers, "cache": cache_answers}
READINESS_CHECKS: dict[str, Callable[[], bool]] = {
    **LIVENESS_CHECKS,
    "broker": broker_answers,
    "overdue_sweep": overdue_sweep_recent,
    "outbox": outbox_flowing,
}


def _passes(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - any failure of a dependency is what the probe reports
        return False


def checks_response(checks: dict[str, Callable[[], bool]]) -> JsonResponse:
    results = {name: "ok" if _passes(check) else "failing" for name, check in checks.items()}
    healthy = all(result == "ok" for result in results.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response


PATHS = {"/health/": LIVENESS_CHECKS, "/health/ready/": READINESS_CHECKS}


class HealthCheckMiddleware:
    """Answers the two health paths before any other middleware runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        checks = PATHS.get(request.path_info)
        if checks is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        return checks_response(checks)
