"""Missed calls in the manager's statistics: counts per local hour and day, and the missed calls themselves.

Three queries at most, whatever the number of calls: whether a phone system exists, the counts grouped by
local day and hour (the database converts to Europe/Amsterdam: PostgreSQL with AT TIME ZONE, SQLite through
Django's own functions, which follow the zone's DST changes), and the missed calls with their message's
deadline and callback. The definitions are in telephony.domain.call_figures.
"""

from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractHour, TruncDate

from accounts.models import Team, User
from accounts.roles import VIEW_ALL_CALLBACKS
from callbacks.domain.figures import Period, local_zone
from callbacks.models import Attempt, Status
from telephony.domain.call_figures import CallFigures, MissedCall, call_figures, called_back_at, days_of, promise_kept
from telephony.models import CallResult, Direction, PhoneCall, PhoneSystem

MISSED = Q(result__in=[CallResult.MISSED, CallResult.VOICEMAIL])


def teams_shown(user: User, team: Team | None) -> list[int] | None:
    """The ids of the teams whose calls ``user`` sees, narrowed to ``team`` when one is chosen; None for all.

    Who sees every callback sees every team's calls (managers, as on the rest of the statistics page); anyone
    else with the dashboard only the teams they manage."""
    if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
        return None if team is None else [team.pk]
    managed = list(user.managed_teams.values_list("pk", flat=True))
    if team is None:
        return managed
    return [team.pk] if team.pk in managed else []


def calls_in(period: Period, teams: list[int] | None) -> QuerySet[PhoneCall]:
    """The incoming calls that started ringing in the period (the phonecall_started_at index)."""
    found = PhoneCall.objects.filter(
        direction=Direction.IN, started_at__gte=period.starts_at, started_at__lt=period.ends_at
    )
    return found if teams is None else found.filter(team__in=teams)


def missed_calls(period: Period, teams: list[int] | None) -> QuerySet:
    """The missed calls of the period, oldest first, with what the figures and the CSV need.

    ``first_attempt_at`` is the message's first attempt at or after the call ended, one index lookup per
    call (attempt_first)."""
    found = calls_in(period, teams).filter(MISSED).annotate(missed_at=Coalesce("ended_at", "started_at"))
    first_attempt = (
        Attempt.objects.filter(message=OuterRef("message_id"), made_at__gte=OuterRef("missed_at"))
        .order_by("made_at")
        .values("made_at")[:1]
    )
    return found.order_by("started_at", "pk").values(
        "pk",
        "started_at",
        "missed_at",
        "party_number",
        "anonymous",
        "message_id",
        team_name=F("team__name"),
        deadline=F("message__deadline"),
        status=F("message__status"),
        handled_at=F("message__handled_at"),
        first_attempt_at=Subquery(first_attempt),
    )


def callback_of(row: dict) -> datetime | None:
    """When a row of ``missed_calls`` was called back, or None."""
    handled_at = row["handled_at"] if row["status"] == Status.HANDLED else None
    return called_back_at(ended_at=row["missed_at"], first_attempt_at=row["first_attempt_at"], handled_at=handled_at)


def promise_of(row: dict, now: datetime) -> bool | None:
    """Whether a row of ``missed_calls`` was called back within its promise; None when it does not count (yet),
    as for anonymous calls and calls without a message."""
    if row["anonymous"] or row["message_id"] is None:
        return None
    return promise_kept(_missed_call(row), now)


def _missed_call(row: dict) -> MissedCall:
    return MissedCall(
        ended_at=row["missed_at"],
        deadline=row["deadline"],
        called_back_at=callback_of(row),
        still_open=row["status"] == Status.OPEN,
    )


def has_phone_system() -> bool:
    return PhoneSystem.objects.exists()


def missed_call_figures(*, period: Period, teams: list[int] | None, now: datetime) -> CallFigures:
    zone = local_zone()
    counts = (
        calls_in(period, teams)
        .order_by()
        .values(day=TruncDate("started_at", tzinfo=zone), hour=ExtractHour("started_at", tzinfo=zone))
        .annotate(
            missed=Count("pk", filter=MISSED & Q(anonymous=False)),
            anonymous=Count("pk", filter=MISSED & Q(anonymous=True)),
            answered=Count("pk", filter=Q(result=CallResult.TALKED)),
        )
    )
    calls = [_missed_call(row) for row in missed_calls(period, teams).filter(anonymous=False, message__isnull=False)]
    return call_figures(counts=counts, days=days_of(period.start, period.end), calls=calls, now=now)
