"""The manager's statistics: what was promised to callers over a period, and how well it was kept.

Read-side only, from the rollup per local day (callbacks/models/rollup.py, kept current by the beat:
callbacks.services.rollups), so the page reads days, not messages: the counts are summed by the database
per team, colleague and call type, and per hour; the durations, kept as seconds per day, team and
colleague, are summarised in Python (median and 90th percentile). A fixed number of queries, whatever the
number of messages. callbacks.selectors.message_figures computes the same figures from the messages: the
reference the tests compare with. Figures lag the messages by at most one run of the beat task.

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
- Trend: promise percentage per calendar week (Monday to Sunday, by the day taken) for the last
  TREND_WEEKS weeks, this week included, per team.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as phone_number

from accounts.models import Team, User
from callbacks.domain.figures import COUNTS, Figures, Period, Spread, microseconds, rate
from callbacks.models import CallLog, CallType, DayFigures, DaySpread, Message
from callbacks.selectors.message_figures import messages_in, promise_kept

__all__ = ["Statistics", "messages_in", "promise_kept", "statistics_for", "trends_for"]

REPEAT_CALLS = 3
TREND_WEEKS = 12


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


@dataclass(frozen=True)
class Week:
    start: date  # the Monday
    within_promise: int
    promise_due: int

    @property
    def promise_rate(self) -> float | None:
        return rate(self.within_promise, self.promise_due)


@dataclass(frozen=True)
class Trend:
    label: str
    key: object
    weeks: list[Week]


def _days(period: Period, team: Team | None, model) -> QuerySet:
    found = model.objects.filter(day__gte=period.start, day__lte=period.end)
    return found.filter(team=team) if team is not None else found


# --- From the rollup's rows to the figures -----------------------------------------------------------


def team_rows(groups: list[dict], team: Team | None) -> dict[object, Figures]:
    teams = [team] if team is not None else list(Team.objects.order_by("name"))
    rows = {t.pk: Figures(label=t.name, key=t.pk) for t in teams}
    for row in groups:
        key = row["owner_team_id"]
        if key not in rows:
            rows[key] = Figures(label=_("No team"), key=key)
        rows[key].add(row)
    return rows


def colleague_rows(groups: list[dict]) -> dict[object, Figures]:
    # The names in a query of their own: joined, every message of the period would carry them.
    keys = {row["owner_user_id"] for row in groups}
    names = {
        user.pk: user.full_name or user.username
        for user in User.objects.filter(pk__in=keys - {None}).only("full_name", "username")
    }
    rows: dict[object, Figures] = {}
    for row in groups:
        key = row["owner_user_id"]
        if key not in rows:
            rows[key] = Figures(label=names.get(key) or _("Team only, no colleague"), key=key)
        rows[key].add(row)
    return dict(sorted(rows.items(), key=lambda item: (item[0] is None, item[1].label.casefold())))


def call_type_rows(groups: list[dict]) -> list[Figures]:
    rows = {value: Figures(label=str(label), key=value) for value, label in CallType.choices}
    for row in groups:
        rows.setdefault(row["call_type"], Figures(label=row["call_type"], key=row["call_type"])).add(row)
    return list(rows.values())


def duration_pairs() -> defaultdict:
    """Seconds to first attempt and to handled, collected per (team id, colleague id)."""
    return defaultdict(lambda: ([], []))


def spread_into(
    pairs: dict[tuple, tuple[list[float], list[float]]], total: Figures, teams: dict, colleagues: dict
) -> None:
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
        calls.order_by()
        .values(number=Subquery(of_message.values("caller_number")[:1]))
        .annotate(calls=Count("pk"))
        .filter(calls__gte=REPEAT_CALLS)
        .order_by("-calls", "number")
    )
    return [
        RepeatCaller(number=phone_number(row["number"]) or row["number"], calls=row["calls"])
        for row in grouped
        if row["number"] is not None
    ]


def _due_since_rebuild(period: Period, team: Team | None, now: datetime) -> tuple[list[dict], dict]:
    """The open promises the rollup kept aside as not yet due that have fallen due by ``now``, as count rows;
    and the durations per (team, colleague)."""
    due: dict[tuple, int] = defaultdict(int)
    now_micros = microseconds(now)
    pairs = duration_pairs()
    rows = _days(period, team, DaySpread).values_list(
        "team_id", "user_id", "first_attempt_seconds", "handled_seconds", "open_deadlines"
    )
    for team_id, user_id, first, handled, open_deadlines in rows:
        into_first, into_handled = pairs[team_id, user_id]
        into_first += first
        into_handled += handled
        for call_type, deadlines in open_deadlines.items():
            if fallen := bisect_left(deadlines, now_micros):  # deadline < now
                due[team_id, user_id, call_type] += fallen
    extra = [
        {
            "owner_team_id": team_id,
            "owner_user_id": user_id,
            "call_type": call_type,
            **dict.fromkeys(COUNTS, 0),
            "promise_due": count,
        }
        for (team_id, user_id, call_type), count in due.items()
    ]
    return extra, pairs


def statistics_for(*, period: Period, team: Team | None, now: datetime, breakdowns: bool = True) -> Statistics:
    """All figures of the page, from the rollup; six queries, whatever the number of messages.

    Without ``breakdowns`` (the CSV export) the hours and repeat callers are left empty, two queries fewer."""
    sums = {name: Sum(name) for name in COUNTS}
    groups = [
        {"owner_team_id": row.pop("team_id"), "owner_user_id": row.pop("user_id"), **row}
        for row in _days(period, team, DayFigures).order_by().values("team_id", "user_id", "call_type").annotate(**sums)
    ]
    extra, pairs = _due_since_rebuild(period, team, now)
    groups += extra
    teams = team_rows(groups, team)
    colleagues = colleague_rows(groups)
    total = Figures(label=_("Everyone"))
    for figures in teams.values():
        total.add(vars(figures))
    spread_into(pairs, total, teams, colleagues)
    hours = [0] * 24
    if breakdowns:
        for row in _days(period, team, DayFigures).order_by().values("hour").annotate(taken=Sum("taken")):
            hours[row["hour"]] = row["taken"]
    return Statistics(
        period=period,
        team=team,
        now=now,
        total=total,
        teams=list(teams.values()),
        colleagues=list(colleagues.values()),
        call_types=call_type_rows(groups),
        hours=hours,
        repeat_callers=repeat_callers(period, team) if breakdowns else [],
    )


def trends_for(*, today: date, team: Team | None, now: datetime) -> list[Trend]:
    """Promise kept per week, the last TREND_WEEKS weeks (this one included), per team; two queries and the
    team names."""
    first_monday = today - timedelta(days=today.weekday(), weeks=TREND_WEEKS - 1)
    mondays = [first_monday + timedelta(weeks=index) for index in range(TREND_WEEKS)]
    period = Period(start=first_monday, end=today)
    now_micros = microseconds(now)
    within: dict[tuple, int] = defaultdict(int)
    due: dict[tuple, int] = defaultdict(int)
    per_day = (
        _days(period, team, DayFigures)
        .order_by()
        .values("day", "team_id")
        .annotate(within=Sum("within_promise"), due=Sum("promise_due"))
    )
    for row in per_day:
        monday = row["day"] - timedelta(days=row["day"].weekday())
        within[row["team_id"], monday] += row["within"]
        due[row["team_id"], monday] += row["due"]
    for day, team_id, open_deadlines in _days(period, team, DaySpread).values_list("day", "team_id", "open_deadlines"):
        fallen = sum(bisect_left(deadlines, now_micros) for deadlines in open_deadlines.values())
        due[team_id, day - timedelta(days=day.weekday())] += fallen
    teams = [team] if team is not None else list(Team.objects.order_by("name"))
    labels = {t.pk: t.name for t in teams}
    if team is None and any(team_id is None for team_id, _monday in due):
        labels[None] = _("No team")
    return [
        Trend(
            label=label,
            key=key,
            weeks=[
                Week(start=monday, within_promise=within[key, monday], promise_due=due[key, monday])
                for monday in mondays
            ],
        )
        for key, label in labels.items()
    ]
