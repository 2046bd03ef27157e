"""Reads of the manager's phone-system pages: the systems with their call counts, routes, extensions, calls."""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from telephony.models import CallResult, PhoneCall, PhoneRoute, PhoneSystem

# The call log's filter by result: what a manager asks ("which calls did we miss?"), not every stored result.
RESULT_FILTERS = {
    "missed": [CallResult.MISSED, CallResult.VOICEMAIL],
    "answered": [CallResult.TALKED],
}


def _day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def phone_systems_overview(*, now: datetime) -> QuerySet[PhoneSystem]:
    """Every phone system with its number of calls today and in the last 7 days (one query)."""
    today = _day_start(now)
    return PhoneSystem.objects.select_related("default_team").annotate(
        calls_today=Count("calls", filter=Q(calls__started_at__gte=today)),
        calls_week=Count("calls", filter=Q(calls__started_at__gte=today - timedelta(days=6))),
    )


def phone_system_routes(*, phone_system: PhoneSystem) -> QuerySet[PhoneRoute]:
    return phone_system.routes.select_related("team").order_by("kind", "value")


def route_exists(*, phone_system: PhoneSystem, kind: str, value: str) -> bool:
    return phone_system.routes.filter(kind=kind, value__iexact=value).exists()


def extensions() -> QuerySet[User]:
    """Active people with a phone extension: whom the PBX's answeringNumber and user names are matched to."""
    return User.objects.filter(is_active=True).exclude(phone_extension="").order_by("phone_extension", "username")


def phone_calls(*, result: str = "", day=None) -> QuerySet[PhoneCall]:
    """The call log of every system, newest first, with what each row shows loaded in the same query."""
    calls = PhoneCall.objects.select_related("phone_system", "team", "agent").order_by("-started_at", "-pk")
    if result in RESULT_FILTERS:
        calls = calls.filter(result__in=RESULT_FILTERS[result])
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        calls = calls.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))
    return calls


def phone_call_with_events(*, pk: int) -> PhoneCall | None:
    return (
        PhoneCall.objects.select_related("phone_system", "team", "agent")
        .prefetch_related("events")
        .filter(pk=pk)
        .first()
    )


def phone_system_name_taken(*, name: str, other_than: int | None = None) -> bool:
    return PhoneSystem.objects.filter(name__iexact=name).exclude(pk=other_than).exists()
