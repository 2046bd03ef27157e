"""The statistics counted from the messages themselves: the reference for the rollup, and its source.

callbacks.services.rollups fills the rollup (callbacks/models/rollup.py) with the expressions and
per-message numbers below, so that the two agree to the last digit (the database subtracts the durations on
both roads); ``statistics_from_messages`` computes the page's figures directly from the messages, the way the
page did before the rollup: the tests and bench/dashboard.py compare the rollup with it. The page itself never
calls it (at 300,000 messages a month it takes a second). The definitions are in callbacks.selectors.statistics.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractHour
from django.utils.translation import gettext as _

from accounts.models import Team
from callbacks.domain.figures import Figures, Period, local_zone
from callbacks.models import Attempt, Message, Status


def promise_kept(
    *, wants_callback: bool, deadline: datetime | None, status: str, handled_at: datetime | None, now: datetime
) -> bool | None:
    """One message's part in the promise percentage: kept, broken, or None when it does not count (yet)."""
    if not wants_callback or deadline is None:
        return None
    if status == Status.HANDLED and handled_at is not None:
        return handled_at <= deadline
    if status == Status.OPEN and deadline < now:
        return False
    return None


def callback_done() -> Q:
    return Q(status=Status.HANDLED, wants_callback=True)


def _counts(now: datetime) -> dict:
    promised = Q(wants_callback=True, deadline__isnull=False)
    # A promise is kept when the callback comes at or before its deadline, so an open message breaks it
    # only once the deadline has passed; the sweep (MessageQuerySet.overdue_at) already flags it at the
    # deadline itself, to warn while it can still be kept.
    fell_due = promised & (Q(status=Status.HANDLED) | Q(status=Status.OPEN, deadline__lt=now))
    return {
        "taken": Count("pk"),
        "helped_at_intake": Count("pk", filter=Q(status=Status.HANDLED_AT_INTAKE)),
        "put_through": Count("pk", filter=Q(status=Status.PUT_THROUGH)),
        "called_back": Count("pk", filter=callback_done()),
        "within_promise": Count("pk", filter=promised & callback_done() & Q(handled_at__lte=F("deadline"))),
        "promise_due": Count("pk", filter=fell_due),
        "attempts": Sum("attempt_count", filter=callback_done()),
    }


def messages_in(period: Period, team: Team | None = None) -> QuerySet[Message]:
    found = Message.objects.filter(taken_at__gte=period.starts_at, taken_at__lt=period.ends_at)
    return found.filter(owner_team=team) if team is not None else found


def _groups(found: QuerySet[Message], counts: dict) -> list[dict]:
    """The counts per team, colleague and call type in one pass over the period's messages; every
    breakdown below adds these up (all the counts are sums), instead of reading the messages again."""
    return list(found.order_by().values("owner_team_id", "owner_user_id", "call_type").annotate(**counts))


def local_hour(period: Period):
    """The local hour (0-23) of ``taken_at``, computed by the database.

    PostgreSQL converts time zones itself. On SQLite, Django's ExtractHour with a time zone calls a
    Python function for every row (the slowest part of the page with 40,000 messages), so there the
    zone's UTC offsets over the period go into the SQL as a CASE and SQLite's own strftime applies them.
    """
    if connection.vendor != "sqlite":
        return ExtractHour("taken_at", tzinfo=local_zone())
    zone, offsets, moment = local_zone(), [], period.starts_at.astimezone(UTC)
    while moment < period.ends_at:  # the offset at each whole UTC hour, where Europe's clocks change
        offset = moment.astimezone(zone).utcoffset()
        if not offsets or offsets[-1][1] != offset:
            offsets.append((moment, offset))
        moment += timedelta(hours=1)
    modifier = Case(
        *(
            When(taken_at__lt=until, then=Value(f"{offset.total_seconds():+.0f} seconds"))
            for (_since, offset), (until, _next) in zip(offsets, offsets[1:])
        ),
        default=Value(f"{offsets[-1][1].total_seconds():+.0f} seconds"),
    )
    return Cast(Func(Value("%H"), "taken_at", modifier, function="strftime", output_field=CharField()), IntegerField())


def _hours(found: QuerySet[Message], period: Period) -> list[int]:
    hours = [0] * 24
    per_hour = found.order_by().annotate(hour=local_hour(period)).values("hour")
    for row in per_hour.annotate(taken=Count("pk")):
        hours[row["hour"]] = row["taken"]
    return hours


class _Seconds(Func):
    """``end - start`` in seconds, NULL if either is NULL. The database subtracts: Django would turn each
    of the 40,000 timestamps of a month into a Python datetime, one by one, which costs more than the query."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: interval to seconds, exact
        return super().as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):  # julianday is a double: rounded to the millisecond
        return super().as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )


def durations(found: QuerySet[Message]) -> list[tuple]:
    """(team id, user id, seconds to first attempt or None, seconds to handled or None) per message.

    The earliest attempt comes from the attempt_first index, one lookup per message."""
    first_attempt = Attempt.objects.filter(message=OuterRef("pk")).order_by("made_at").values("made_at")[:1]
    called_back = callback_done() & Q(handled_at__isnull=False)
    return list(
        found.order_by().values_list(
            "owner_team_id",
            "owner_user_id",
            _Seconds(Subquery(first_attempt), "taken_at"),
            Case(When(called_back, then=_Seconds("handled_at", "taken_at"))),
        )
    )


def statistics_from_messages(*, period: Period, team: Team | None, now: datetime):
    """The page's figures read from the messages (the reference; see the module's docstring)."""
    from callbacks.selectors import statistics  # it imports this module

    found = messages_in(period, team)
    groups = _groups(found, _counts(now))
    teams = statistics.team_rows(groups, team)
    colleagues = statistics.colleague_rows(groups)
    total = Figures(label=_("Everyone"))
    for figures in teams.values():
        total.add(vars(figures))
    pairs = statistics.duration_pairs()
    for team_id, user_id, to_first, to_handled in durations(found):
        first, handled = pairs[team_id, user_id]
        if to_first is not None:
            first.append(to_first)
        if to_handled is not None:
            handled.append(to_handled)
    statistics.spread_into(pairs, total, teams, colleagues)
    return statistics.Statistics(
        period=period,
        team=team,
        now=now,
        total=total,
        teams=list(teams.values()),
        colleagues=list(colleagues.values()),
        call_types=statistics.call_type_rows(groups),
        hours=_hours(found, period),
        repeat_callers=statistics.repeat_callers(period, team),
    )


def message_rows(period: Period) -> QuerySet:
    """Per message of the period, what the rollup needs: team, colleague, call type, local hour, status,
    wants callback, deadline, handled at, attempts, seconds to first attempt, seconds to handled (or None)."""
    first_attempt = Attempt.objects.filter(message=OuterRef("pk")).order_by("made_at").values("made_at")[:1]
    return (
        messages_in(period)
        .order_by()
        .values_list(
            "owner_team_id",
            "owner_user_id",
            "call_type",
            local_hour(period),
            "status",
            "wants_callback",
            "deadline",
            "handled_at",
            "attempt_count",
            _Seconds(Subquery(first_attempt), "taken_at"),
            Case(When(callback_done() & Q(handled_at__isnull=False), then=_Seconds("handled_at", "taken_at"))),
        )
    )
