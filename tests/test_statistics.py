"""The manager's statistics: figures against a hand-computed office, the charts, the CSV exports, access."""

import csv
import io
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Team
from callbacks.domain import figures
from callbacks.domain.figures import Period
from callbacks.models import Attempt, CallLog, Message, Status
from callbacks.selectors import statistics
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory, make_messages

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

NOVEMBER = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))
# Tuesday 10 November, 09:00: most of the office's messages are taken at this moment.
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=AMS)
H = timedelta(hours=1)
M = timedelta(minutes=1)
URL = "/dashboard/statistics/"
NOVEMBER_QUERY = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture(autouse=True)
def rolled_up(monkeypatch):
    """The figures below are worked out from the messages each test writes; the page reads the rollup, which the
    beat keeps current. So every read here first rebuilds the days it reads, as the beat would have by then
    (tests/test_rollup.py tests the rollup and its refresh themselves)."""
    from callbacks.services.rollups import rollup_range_rebuild

    read_statistics, read_trends = statistics.statistics_for, statistics.trends_for

    def statistics_for(*, period, now, **kwargs):
        rollup_range_rebuild(start=period.start, end=period.end, now=now)
        return read_statistics(period=period, now=now, **kwargs)

    def trends_for(*, today, now, **kwargs):
        rollup_range_rebuild(start=today - timedelta(weeks=statistics.TREND_WEEKS), end=today, now=now)
        return read_trends(today=today, now=now, **kwargs)

    monkeypatch.setattr(statistics, "statistics_for", statistics_for)
    monkeypatch.setattr(statistics, "trends_for", trends_for)


def _attempts(message: Message, by, *moments: datetime) -> None:
    for index, moment in enumerate(moments):
        last = index == len(moments) - 1 and message.status == Status.HANDLED
        Attempt.objects.create(
            message=message,
            made_by=by,
            made_at=moment,
            result=Attempt.Result.REACHED if last else Attempt.Result.NO_ANSWER,
        )


def _calls(message: Message, *moments: datetime) -> None:
    for moment in moments:
        CallLog.objects.create(message=message, called_at=moment, taken_by=message.taken_by, intake_token=uuid.uuid4())


@pytest.fixture
def office(receptionist, colleague, other_colleague):
    """Nine messages in November (and two just outside it), with the figures worked out by hand below."""
    anna, bram, daan = receptionist, colleague, other_colleague
    service = Team.objects.get(name="Service")
    numbers = iter(f"+3161000{index:04d}" for index in range(100))

    def handled(owner, taken_at, deadline, handled_at, attempts, **fields):
        message = MessageFactory(
            taken_by=anna,
            owner=owner,
            taken_at=taken_at,
            deadline=deadline,
            status=Status.HANDLED,
            handled_at=handled_at,
            attempt_count=len(attempts),
            caller_number=fields.pop("caller_number", next(numbers)),
            **fields,
        )
        _attempts(message, owner, *attempts)
        return message

    m = {}
    # Bram (Verkoop). Within promise; first attempt 120 min, handled after 120 min.
    m[1] = handled(bram, T0, T0 + 4 * H, T0 + 2 * H, [T0 + 2 * H], caller_number="+31201234567")
    # Handled exactly at the deadline: within. First attempt 60 min, handled after 240 min.
    m[2] = handled(bram, T0, T0 + 4 * H, T0 + 4 * H, [T0 + H, T0 + 4 * H])
    # Too late. First attempt 30 min, handled after 360 min.
    m[3] = handled(bram, T0, T0 + 4 * H, T0 + 6 * H, [T0 + 30 * M, T0 + 5 * H, T0 + 6 * H], call_type="complaint")
    # Still open long after its deadline: a broken promise.
    m[4] = MessageFactory(
        taken_by=anna, owner=bram, taken_at=T0, deadline=T0 + H, call_type="sales", caller_number=next(numbers)
    )
    m[5] = MessageFactory(
        taken_by=anna,
        owner=bram,
        taken_at=T0,
        status=Status.HANDLED_AT_INTAKE,
        handled_at=T0,
        wants_callback=False,
        caller_number=next(numbers),
    )
    # Daan (Service). Within; first attempt 60 min, handled after 60 min.
    t6 = datetime(2026, 11, 11, 14, 0, tzinfo=AMS)
    m[6] = handled(daan, t6, t6 + 2 * H, t6 + H, [t6 + H], call_type="complaint")
    # Open and not yet due at NOW: left out of the percentage. First attempt after 10 min.
    t7 = datetime(2026, 11, 30, 23, 30, tzinfo=AMS)
    m[7] = MessageFactory(
        taken_by=anna, owner=daan, taken_at=t7, deadline=NOW + 24 * H, attempt_count=1, caller_number=next(numbers)
    )
    _attempts(m[7], daan, t7 + 10 * M)
    # 00:15 on 1 November local time is still 31 October in UTC: inside the period.
    m[8] = MessageFactory(
        taken_by=anna,
        owner=daan,
        taken_at=datetime(2026, 11, 1, 0, 15, tzinfo=AMS),
        status=Status.INFORMATIONAL,
        wants_callback=False,
        caller_number=next(numbers),
    )
    # For the Service team, no colleague; open past its deadline.
    t12 = datetime(2026, 11, 20, 12, 0, tzinfo=AMS)
    m[12] = MessageFactory(taken_by=anna, team=service, taken_at=t12, deadline=t12 + 4 * H, caller_number=next(numbers))
    # Just outside the period on either side.
    MessageFactory(
        taken_by=anna,
        owner=bram,
        taken_at=datetime(2026, 10, 31, 23, 59, tzinfo=AMS),
        status=Status.HANDLED,
        deadline=T0,
        handled_at=T0,
        caller_number="+31201234567",
    )
    MessageFactory(
        taken_by=anna, owner=bram, taken_at=datetime(2026, 12, 1, 0, 0, tzinfo=AMS), caller_number=next(numbers)
    )

    # Repeat callers: +31201234567 called three times in November (m1 plus two repeat calls); the number
    # of m2 called twice in November and once in December; an anonymised message called three times.
    _calls(m[1], T0 + 3 * H, T0 + 26 * H)
    _calls(m[2], T0 + H, datetime(2026, 12, 1, 9, 0, tzinfo=AMS))
    anonymised = MessageFactory(
        taken_by=anna,
        owner=bram,
        taken_at=T0,
        status=Status.INFORMATIONAL,
        wants_callback=False,
        caller_name="",
        caller_number="",
        anonymised_at=NOW,
    )
    _calls(anonymised, T0 + H, T0 + 2 * H)
    m[13] = anonymised
    return m


def _minutes(duration) -> float:
    return round(duration / 60, 6)


def test_the_office_figures_match_the_hand_computed_ones(office):
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    total = stats.total
    # m1-m8, m12 and the anonymised m13.
    assert total.taken == 10
    assert total.helped_at_intake == 1
    assert total.called_back == 4  # m1, m2, m3, m6
    # Due: the four handled ones plus m4 and m12 (open, past deadline); m7 is not due yet.
    assert (total.within_promise, total.promise_due) == (3, 6)
    assert total.promise_rate == 50
    assert total.attempts_per_callback == 7 / 4
    # First attempts after 10, 30, 60, 60, 120 minutes; handled after 60, 120, 240, 360 minutes.
    assert _minutes(total.first_attempt.median) == 60
    assert _minutes(total.first_attempt.p90) == 96  # rank 3.6: 60 + 0.6 × (120 - 60)
    assert total.first_attempt.count == 5
    assert _minutes(total.handled.median) == 180  # the mean of 120 and 240
    assert _minutes(total.handled.p90) == 324  # rank 2.7: 240 + 0.7 × (360 - 240)


def test_handled_exactly_at_the_deadline_counts_as_within_and_a_minute_later_does_not(receptionist, colleague):
    on_time = MessageFactory(
        taken_by=receptionist, owner=colleague, taken_at=T0, deadline=T0 + H, status=Status.HANDLED, handled_at=T0 + H
    )
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    assert (stats.total.within_promise, stats.total.promise_due) == (1, 1)
    Message.objects.filter(pk=on_time.pk).update(handled_at=T0 + H + timedelta(seconds=1))
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    assert (stats.total.within_promise, stats.total.promise_due) == (0, 1)


def test_an_open_message_counts_against_the_promise_only_once_its_deadline_has_passed(receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, taken_at=T0, deadline=T0 + H)
    assert statistics.statistics_for(period=NOVEMBER, team=None, now=T0 + H).total.promise_due == 0
    late = statistics.statistics_for(period=NOVEMBER, team=None, now=T0 + H + M).total
    assert (late.within_promise, late.promise_due, late.promise_rate) == (0, 1, 0)


def test_per_team_and_per_colleague_rows(office, colleague, other_colleague):
    with translation.override("nl"):
        stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    teams = {row.label: row for row in stats.teams}
    assert list(teams) == ["Service", "Verkoop"]
    verkoop, service = teams["Verkoop"], teams["Service"]
    assert (verkoop.taken, verkoop.helped_at_intake, verkoop.called_back) == (6, 1, 3)
    assert (verkoop.within_promise, verkoop.promise_due, verkoop.attempts_per_callback) == (2, 4, 2.0)
    assert [_minutes(verkoop.first_attempt.median), _minutes(verkoop.first_attempt.p90)] == [60, 108]
    assert [_minutes(verkoop.handled.median), _minutes(verkoop.handled.p90)] == [240, 336]
    assert (service.taken, service.called_back, service.within_promise, service.promise_due) == (4, 1, 1, 2)
    assert [_minutes(service.first_attempt.median), _minutes(service.first_attempt.p90)] == [35, 55]
    assert _minutes(service.handled.median) == _minutes(service.handled.p90) == 60

    colleagues = {row.key: row for row in stats.colleagues}
    assert list(colleagues) == [colleague.pk, other_colleague.pk, None]
    assert colleagues[colleague.pk].taken == 6 and colleagues[colleague.pk].promise_rate == 50
    assert colleagues[other_colleague.pk].taken == 3 and colleagues[other_colleague.pk].promise_rate == 100
    assert colleagues[None].taken == 1 and colleagues[None].promise_rate == 0
    assert colleagues[None].label == "Alleen team, geen collega"


def test_the_team_filter_narrows_every_figure(office, colleague):
    verkoop = Team.objects.get(name="Verkoop")
    stats = statistics.statistics_for(period=NOVEMBER, team=verkoop, now=NOW)
    assert stats.total.taken == 6 and stats.total.promise_rate == 50
    assert [row.label for row in stats.teams] == ["Verkoop"]
    assert [row.key for row in stats.colleagues] == [colleague.pk]
    assert sum(stats.hours) == 6
    # The repeat calls of +31201234567 were all about a Verkoop message.
    assert [(str(c.number), c.calls) for c in stats.repeat_callers] == [("+31201234567", 3)]
    service = Team.objects.get(name="Service")
    assert statistics.statistics_for(period=NOVEMBER, team=service, now=NOW).repeat_callers == []


def test_breakdowns_by_call_type_and_by_local_hour(office):
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    types = {row.key: row for row in stats.call_types}
    # Every type, also one with no message in the period: the phone system's missed calls (issue 18) included.
    assert list(types) == ["question", "complaint", "sales", "appointment", "other", "missed_call"]
    assert types["missed_call"].taken == 0
    assert (types["complaint"].taken, types["complaint"].within_promise, types["complaint"].promise_due) == (2, 1, 2)
    assert (types["sales"].taken, types["sales"].promise_rate) == (1, 0)
    assert (types["question"].taken, types["question"].within_promise, types["question"].promise_due) == (7, 2, 3)
    assert types["appointment"].taken == 0 and types["appointment"].promise_rate is None
    # Local hours (CET): 09:00 is hour 9, not the 8 of UTC.
    assert stats.hours[9] == 6 and stats.hours[14] == 1 and stats.hours[23] == 1 and stats.hours[0] == 1
    assert stats.hours[12] == 1 and sum(stats.hours) == 10


def test_local_hours_follow_the_change_to_winter_time_within_the_period(receptionist, colleague):
    # Summer time ends on 25 October 2026: 09:00 is 07:00 UTC before and 08:00 UTC after.
    for taken_at in (
        datetime(2026, 10, 20, 9, 0, tzinfo=AMS),
        datetime(2026, 10, 30, 9, 0, tzinfo=AMS),
        datetime(2026, 10, 1, 0, 30, tzinfo=AMS),
    ):
        MessageFactory(taken_by=receptionist, owner=colleague, taken_at=taken_at, deadline=NOW + H)
    stats = statistics.statistics_for(
        period=Period(start=date(2026, 10, 1), end=date(2026, 10, 31)), team=None, now=NOW
    )
    assert stats.hours[9] == 2 and stats.hours[0] == 1 and sum(stats.hours) == 3


def test_repeat_callers_count_calls_in_the_period_and_skip_anonymised_rows(office):
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    assert [(str(c.number), c.calls) for c in stats.repeat_callers] == [("+31201234567", 3)]


def test_an_empty_period_has_no_figures_rather_than_errors(db):
    stats = statistics.statistics_for(period=NOVEMBER, team=None, now=NOW)
    assert stats.total.taken == 0 and stats.total.promise_rate is None
    assert stats.total.attempts_per_callback is None and stats.total.first_attempt.median is None


def test_percentiles_interpolate_between_ranks():
    assert figures.percentile([], 0.5) is None
    assert figures.percentile([7], 0.9) == 7
    assert figures.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert figures.percentile([10, 30, 60, 60, 120], 0.9) == pytest.approx(96)


def test_durations_read_as_minutes_or_hours():
    with translation.override("nl"):
        assert str(figures.Duration(45 * 60)) == "45 min"
        assert str(figures.Duration(5.5 * 3600)) == "5,5 u"
    with translation.override("en"):
        assert str(figures.Duration(5.5 * 3600)) == "5.5 h"


# --- The page -----------------------------------------------------------------------------------------


@pytest.fixture
def mira(client, manager):
    login_across_time(client, manager)
    return client


def test_the_page_shows_the_figures_charts_and_tables(mira, office):
    response = mira.get(URL, NOVEMBER_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["stats"].total.taken == 10
    headline = page[page.index('data-test="headline"') :]
    assert "50%" in headline[: headline.index("</div>\n    </div>")]
    assert "3 van 6" in headline
    assert "Teruggebeld binnen de beloofde tijd" in page
    # Two server-drawn charts, each labelled, with a table of the same numbers.
    for chart in ("hour-chart", "call-type-chart"):
        svg = page[page.index(f'data-test="{chart}"') :]
        svg = svg[: svg.index("</svg>")]
        assert 'role="img"' in page and f'aria-labelledby="{chart}-title {chart}-desc"' in page
        assert svg.count("<rect") == (24 if chart == "hour-chart" else 6)
        # Coordinates stay SVG numbers in Dutch: no decimal commas.
        assert not re.search(r'(?:x|y|width|height)="[^"]*,', svg)
    assert 'data-test="hours"' in page and 'data-test="call-types"' in page
    assert "09:00–10:00: 6 berichten" in page
    # The strict CSP: no inline scripts or style attributes.
    assert "<script>" not in page and " style=" not in page
    assert "?start=2026-11-01&amp;end=2026-11-30" in page


def test_the_page_renders_the_rows_and_the_charts_text_alternative_escaped(mira, office, colleague):
    Team.objects.filter(name="Verkoop").update(name="<i>Verkoop</i> & Co")
    colleague.full_name = "<b>Bram</b>"
    colleague.save(update_fields=["full_name"])
    page = mira.get(URL, NOVEMBER_QUERY).content.decode()
    assert "<i>Verkoop" not in page and "<b>Bram" not in page
    teams = page[page.index('data-test="teams"') :]
    teams = teams[: teams.index("</table>")]
    assert re.search(r'<th scope="row">&lt;i&gt;Verkoop&lt;/i&gt; &amp; Co</th>\s*<td class="text-end">6</td>', teams)
    colleagues = page[page.index('data-test="colleagues"') :]
    assert re.search(r'<th scope="row">&lt;b&gt;Bram&lt;/b&gt;</th>\s*<td class="text-end">6</td>', colleagues)
    chart = page[page.index('data-test="call-type-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert '<title id="call-type-chart-title">Aangenomen berichten per soort gesprek</title>' in chart
    assert '<desc id="call-type-chart-desc">' in chart
    # One bar per type of call, each with a tooltip saying its number: Klacht (complaint) twice.
    assert "<title>Klacht: 2 berichten</title>" in chart


def test_without_input_the_page_shows_the_last_30_days(mira, receptionist, colleague):
    MessageFactory(
        taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 11, 2, 0, 5, tzinfo=AMS), deadline=NOW + H
    )
    MessageFactory(
        taken_by=receptionist, owner=colleague, taken_at=datetime(2026, 11, 1, 23, 55, tzinfo=AMS), deadline=NOW + H
    )
    response = mira.get(URL)
    stats = response.context["stats"]
    assert stats.period == Period(start=date(2026, 11, 2), end=date(2026, 12, 1))
    assert stats.total.taken == 1
    assert not response.context["fell_back"]


@pytest.mark.parametrize(
    "query, error",
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "De einddatum ligt vóór de begindatum."),
        ({"start": "2025-01-01", "end": "2026-11-30"}, "Kies een periode van hoogstens 366 dagen."),
        ({"start": "gisteren", "end": "2026-11-30"}, "Voer een geldige datum in."),
        ({"start": "0001-01-01", "end": "2026-11-30"}, "Kies een datum vanaf het jaar 2000 tot een jaar na vandaag."),
        ({"start": "2026-11-01", "end": "9999-12-31"}, "Kies een datum vanaf het jaar 2000 tot een jaar na vandaag."),
        ({"start": "2026-11-01", "end": "2026-11-30", "team": "999999"}, "Selecteer een geldige keuze"),
    ],
)
def test_bad_period_input_explains_in_dutch_and_falls_back_to_the_default(mira, office, query, error):
    response = mira.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert response.context["fell_back"]
    assert 'data-test="fell-back"' in page and "de afgelopen 30 dagen" in page
    assert response.context["stats"].period == Period(start=date(2026, 11, 2), end=date(2026, 12, 1))


def test_a_period_of_exactly_366_days_is_allowed(mira, office):
    response = mira.get(URL, {"start": "2025-12-01", "end": "2026-12-01"})
    assert not response.context["fell_back"] and response.context["stats"].period.days == 366


@pytest.mark.parametrize("url", [URL, "/dashboard/statistics.csv", "/dashboard/messages.csv"])
def test_the_number_of_queries_does_not_grow_with_the_messages(mira, receptionist, colleague, url):
    def add(count):
        made = make_messages(
            count,
            taken_by=receptionist,
            owner=colleague,
            taken_at=T0,
            deadline=T0 + 4 * H,
            status=Status.HANDLED,
            handled_at=T0 + 2 * H,
            attempt_count=1,
        )
        Attempt.objects.bulk_create(
            Attempt(message=m, made_by=colleague, made_at=T0 + H, result=Attempt.Result.REACHED) for m in made
        )

    add(10)
    mira.get(url, NOVEMBER_QUERY)  # both measured requests find the office's configuration memoised
    with CaptureQueriesContext(connection) as few:
        assert mira.get(url, NOVEMBER_QUERY).status_code == 200
    add(9_990)
    mira.get(url, NOVEMBER_QUERY)  # the writes moved the navigation's counts on: both measured requests find them kept
    with CaptureQueriesContext(connection) as many:
        response = mira.get(url, NOVEMBER_QUERY)
    assert response.status_code == 200
    assert len(many) == len(few)
    if url == URL:
        assert response.context["stats"].total.taken == 10_000
        assert response.context["stats"].total.promise_rate == 100


# --- CSV --------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_the_messages_export_has_one_safe_row_per_message(mira, office, colleague):
    colleague.full_name = '=HYPERLINK("http://evil.test") Bram'
    colleague.save(update_fields=["full_name"])
    Team.objects.filter(name="Service").update(name="Coördinatie & Zoë")
    response = mira.get("/dashboard/messages.csv", NOVEMBER_QUERY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="berichten_2026-11-01_2026-11-30.csv"'
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header == [
        "Bericht-ID",
        "Aangenomen op",
        "Aangenomen door",
        "Voor collega",
        "Team",
        "Soort gesprek",
        "Toon",
        "Status",
        "Terugbellen vóór",
        "Afgehandeld op",
        "Binnen de belofte",
        "Pogingen",
        "Gesprekken",
    ]
    assert len(body) == 10
    by_id = {int(row[0]): row for row in body}
    on_deadline = by_id[office[2].pk]
    assert on_deadline[1] == "2026-11-10 09:00" and on_deadline[8] == "2026-11-10 13:00"
    assert on_deadline[9] == "2026-11-10 13:00" and on_deadline[10] == "ja" and on_deadline[11] == "2"
    assert on_deadline[3] == '\'=HYPERLINK("http://evil.test") Bram'
    assert by_id[office[3].pk][10] == "nee" and by_id[office[4].pk][10] == "nee"
    assert by_id[office[7].pk][10] == "" and by_id[office[5].pk][7] == "Direct geholpen door de receptie"
    assert by_id[office[6].pk][4] == "Coördinatie & Zoë"
    # No caller details leave the application.
    text = response.content.decode()
    assert "+31201234567" not in text and "Pieter de Boer" not in text and "offerte" not in text


def test_the_statistics_export_has_a_row_per_team_and_colleague(mira, office, colleague):
    colleague.full_name = "+Bram @home"
    colleague.save(update_fields=["full_name"])
    response = mira.get("/dashboard/statistics.csv", NOVEMBER_QUERY)
    assert response["Content-Disposition"] == 'attachment; filename="statistieken_2026-11-01_2026-11-30.csv"'
    rows = _csv(response)
    assert rows[0][:3] == ["Groep", "Naam", "Aangenomen berichten"]
    # The trend follows under its own heading row (tests/test_rollup.py).
    named = {(row[0], row[1]): row for row in rows[1:] if row[0] in ("Totaal", "Team", "Collega")}
    assert set(named) == {
        ("Totaal", "Iedereen"),
        ("Team", "Service"),
        ("Team", "Verkoop"),
        ("Collega", "'+Bram @home"),
        ("Collega", "Daan"),
        ("Collega", "Alleen team, geen collega"),
    }
    total = named["Totaal", "Iedereen"]
    # Taken, helped, put through, called back, due, within, %, first attempt median/p90, handled median/p90, attempts.
    assert total[2:] == ["10", "1", "0", "4", "6", "3", "50,0", "60", "96", "180", "324", "1,8"]
    assert named["Team", "Service"][8] == "50,0" and named["Collega", "Daan"][8] == "100,0"


def test_the_exports_use_the_default_period_when_the_input_is_bad(mira, office):
    response = mira.get("/dashboard/messages.csv", {"start": "=1+1", "end": "x"})
    assert response.status_code == 200
    assert 'filename="berichten_2026-11-02_2026-12-01.csv"' in response["Content-Disposition"]


def test_a_cell_that_looks_like_a_formula_is_quoted():
    from callbacks.views.statistics import _cell

    for text in ("=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert _cell(text) == "'" + text
    assert _cell("Zoë") == "Zoë" and _cell(-2) == -2 and _cell(None) == ""


# --- Access -----------------------------------------------------------------------------------------

PAGES = [URL, "/dashboard/statistics.csv", "/dashboard/messages.csv"]


@pytest.mark.parametrize("url", PAGES)
def test_only_managers_see_the_statistics(client, receptionist, colleague, manager, outsider, url):
    for person in (receptionist, colleague, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_colleague_given_the_dashboard_permission_may_look(client, db):
    from django.contrib.auth.models import Permission

    lead = make_user("lotte", "colleague")
    lead.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    client.force_login(lead)
    assert client.get(URL).status_code == 200
    assert client.post(URL).status_code == 405
