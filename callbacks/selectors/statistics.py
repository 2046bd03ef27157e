"""The manager's statistics: what was promised to callers over a period, and how well it was kept.

Read-side only. Every figure is computed with a fixed number of queries, whatever the number of
messages: the counts are aggregated in SQL in one pass, per team, colleague and call type, and added up
from there; the durations, whose median and 90th percentile SQLite cannot compute, are subtracted in
seconds by the database, fetched as bare numbers with ``values_list`` and summarised in Python. The
period's messages are read through the msg_taken_at index (a month is a few percent of two years).

Definitions (also shown to managers on the page):

- Period: the local dates ``start`` to ``end`` inclusive in ``settings.TIME_ZONE``; a message
  belongs to it by its ``taken_at``. The default is the last 30 days, today included.
- Messages taken: every message taken in the period, whatever its status.
- Helped directly: status "helped at reception" (no callback was needed).
- Put through: status "put through" (the receptionist connected the caller; no callback was needed).
- Called back: status handled on a message that wanted a callback.
- Within promise: called back with ``handled_at <= deadline``; handled exactly at the deadline
  counts as within.
- Promise percentage: within promise / promises that fell due. A promise fell due when the message
  wanted a callback, has a deadline, and is either handled (early or late) or still open with a
  deadline before *now*; open messages whose deadline is still ahead (or exactly now) are left out,
  because they can still be kept. "Now" is the moment of computing, also for a past period: a
  message from last month that is still open today counts as a broken promise.
- Time to first attempt: the earliest ``Attempt.made_at`` minus ``taken_at``, over messages with
  at least one attempt (ticking off logs an attempt, so a callback that reached the caller at once
  counts too). Time to handled: ``handled_at`` minus ``taken_at`` over called-back messages.
  Median and 90th percentile interpolate linearly between the nearest ranks (like PostgreSQL's
  ``percentile_cont``), so the median of an even count is the mean of the middle two.
- Attempts per callback: the mean ``attempt_count`` of called-back messages.
- Repeat callers: phone numbers with three or more calls (``CallLog`` rows) in the period. Numbers
  removed by anonymisation are empty and left out.
- Hour of day: messages taken per local hour, 0 to 23.
"""

from collections import defaultdict
from dataclasses import dataclass
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
from phonenumber_field.phonenumber import to_python as phone_number

from accounts.models import Team, User
from callbacks.domain.figures import Figures, Period, Spread, local_zone
from callbacks.models import Attempt, CallLog, CallType, Message, Status

REPEAT_CALLS = 3


# --- The figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatCaller:
    number: object  # a PhoneNumber, or the raw text if it no longer parses
    calls: int


@dataclass
class Statistics:
    period: Period
    team: Team | None
    now: datetime
    total: Figures
    teams: list[Figures]
    colleagues: list[Figures]
    call_types: list[Figures]
    hours: list[int]  # messages taken per local hour, index 0 to 23
    repeat_callers: list[RepeatCaller]


def promise_kept(*, wants_callback: bool, deadline: datetime | None, status: str, handled_at: datetime | None,
                 now: datetime) -> bool | None:
    """One message's part in the promise percentage: kept, broken, or None when it does not count (yet)."""
    if not wants_callback or deadline is None:
        return None
    if status == Status.HANDLED and handled_at is not None:
        return handled_at <= deadline
    if status == Status.OPEN and deadline < now:
        return False
    return None


def _callback() -> Q:
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
        "called_back": Count("pk", filter=_callback()),
        "within_promise": Count("pk", filter=promised & _callback() & Q(handled_at__lte=F("deadline"))),
        "promise_due": Count("pk", filter=fell_due),
        "attempts": Sum("attempt_count", filter=_callback()),
    }


def messages_in(period: Period, team: Team | None = None) -> QuerySet[Message]:
    found = Message.objects.filter(taken_at__gte=period.starts_at, taken_at__lt=period.ends_at)
    return found.filter(owner_team=team) if team is not None else found


def _groups(found: QuerySet[Message], counts: dict) -> list[dict]:
    """The counts per team, colleague and call type in one pass over the period's messages; every
    breakdown below adds these up (all the counts are sums), instead of reading the messages again."""
    return list(found.order_by().values("owner_team_id", "owner_user_id", "call_type").annotate(**counts))


def _team_rows(groups: list[dict], team: Team | None) -> dict[object, Figures]:
    teams = [team] if team is not None else list(Team.objects.order_by("name"))
    rows = {t.pk: Figures(label=t.name, key=t.pk) for t in teams}
    for row in groups:
        key = row["owner_team_id"]
        if key not in rows:
            rows[key] = Figures(label=_("No team"), key=key)
        rows[key].add(row)
    return rows


def _colleague_rows(groups: list[dict]) -> dict[object, Figures]:
    # The names in a query of their own: joined, every message of the period would carry them.
    keys = {row["owner_user_id"] for row in groups}
    names = {user.pk: user.full_name or user.username
             for user in User.objects.filter(pk__in=keys - {None}).only("full_name", "username")}
    rows: dict[object, Figures] = {}
    for row in groups:
        key = row["owner_user_id"]
        if key not in rows:
            rows[key] = Figures(label=names.get(key) or _("Team only, no colleague"), key=key)
        rows[key].add(row)
    return dict(sorted(rows.items(), key=lambda item: (item[0] is None, item[1].label.casefold())))


def _call_type_rows(groups: list[dict]) -> list[Figures]:
    rows = {value: Figures(label=str(label), key=value) for value, label in CallType.choices}
    for row in groups:
        rows.setdefault(row["call_type"], Figures(label=row["call_type"], key=row["call_type"])).add(row)
    return list(rows.values())


def _local_hour(period: Period):
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
    modifier = Case(*(When(taken_at__lt=until, then=Value(f"{offset.total_seconds():+.0f} seconds"))
                      for (_since, offset), (until, _next) in zip(offsets, offsets[1:])),
                    default=Value(f"{offsets[-1][1].total_seconds():+.0f} seconds"))
    return Cast(Func(Value("%H"), "taken_at", modifier, function="strftime", output_field=CharField()),
                IntegerField())


def _hours(found: QuerySet[Message], period: Period) -> list[int]:
    hours = [0] * 24
    per_hour = found.order_by().annotate(hour=_local_hour(period)).values("hour")
    for row in per_hour.annotate(taken=Count("pk")):
        hours[row["hour"]] = row["taken"]
    return hours


class _Seconds(Func):
    """``end - start`` in seconds, NULL if either is NULL. The database subtracts: Django would turn each
    of the 40,000 timestamps of a month into a Python datetime, one by one, which costs more than the query."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: interval to seconds, exact
        return super().as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8",
                              arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):  # julianday is a double: rounded to the millisecond
        return super().as_sql(compiler, connection, template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
                              arg_joiner=") - julianday(", **extra)


def _durations(found: QuerySet[Message]) -> list[tuple]:
    """(team id, user id, seconds to first attempt or None, seconds to handled or None) per message.

    The earliest attempt comes from the attempt_first index, one lookup per message."""
    first_attempt = Attempt.objects.filter(message=OuterRef("pk")).order_by("made_at").values("made_at")[:1]
    called_back = _callback() & Q(handled_at__isnull=False)
    return list(found.order_by().values_list(
        "owner_team_id", "owner_user_id", _Seconds(Subquery(first_attempt), "taken_at"),
        Case(When(called_back, then=_Seconds("handled_at", "taken_at"))),
    ))


def _spread_into(durations: list[tuple], total: Figures, teams: dict, colleagues: dict) -> None:
    # Collected per (team, colleague) pair first: one append per message and figure, not three.
    pairs: dict[tuple, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for team_id, user_id, to_first, to_handled in durations:
        first, handled = pairs[team_id, user_id]
        if to_first is not None:
            first.append(to_first)
        if to_handled is not None:
            handled.append(to_handled)
    first_of: dict[tuple, list[float]] = defaultdict(list)
    handled_of: dict[tuple, list[float]] = defaultdict(list)
    for (team_id, user_id), (first, handled) in pairs.items():
        for key in (("all",), ("team", team_id), ("user", user_id)):
            first_of[key] += first
            handled_of[key] += handled
    targets = [(("all",), total)]
    targets += [(("team", key), figures) for key, figures in teams.items()]
    targets += [(("user", key), figures) for key, figures in colleagues.items()]
    for key, figures in targets:
        figures.first_attempt = Spread.of(first_of.get(key, ()))
        figures.handled = Spread.of(handled_of.get(key, ()))


def repeat_callers(period: Period, team: Team | None = None) -> list[RepeatCaller]:
    calls = CallLog.objects.filter(called_at__gte=period.starts_at, called_at__lt=period.ends_at)
    # The number is looked up per call by the message's primary key, not joined: joined, PostgreSQL
    # estimates a scan of every message cheaper than 40,000 lookups, and takes three times as long.
    # Empty numbers (anonymised) and other teams' messages look up NULL, a group dropped below, so the
    # lookup runs once per call instead of again in a WHERE.
    of_message = Message.objects.filter(pk=OuterRef("message_id")).exclude(caller_number="").order_by()
    if team is not None:
        of_message = of_message.filter(owner_team=team)
    grouped = (
        calls.order_by().values(number=Subquery(of_message.values("caller_number")[:1]))
        .annotate(calls=Count("pk")).filter(calls__gte=REPEAT_CALLS).order_by("-calls", "number")
    )
    return [RepeatCaller(number=phone_number(row["number"]) or row["number"], calls=row["calls"])
            for row in grouped if row["number"] is not None]


def statistics_for(*, period: Period, team: Team | None, now: datetime, breakdowns: bool = True) -> Statistics:
    """All figures of the page; six queries, whatever the number of messages.

    Without ``breakdowns`` (the CSV export) the hours and repeat callers are left empty, two queries fewer."""
    found = messages_in(period, team)
    groups = _groups(found, _counts(now))
    teams = _team_rows(groups, team)
    colleagues = _colleague_rows(groups)
    total = Figures(label=_("Everyone"))
    for figures in teams.values():
        total.add(vars(figures))
    _spread_into(_durations(found), total, teams, colleagues)
    return Statistics(
        period=period, team=team, now=now, total=total, teams=list(teams.values()),
        colleagues=list(colleagues.values()), call_types=_call_type_rows(groups),
        hours=_hours(found, period) if breakdowns else [0] * 24,
        repeat_callers=repeat_callers(period, team) if breakdowns else [],
    )
