"""The manager's statistics page and its two CSV exports; the figures come from callbacks.selectors.statistics.

Managers only (``accounts.view_dashboard``); anyone else gets a 404, so the pages do not reveal
that they exist. A bad period never fails: the form shows why and the default period is used.

The CSV files are for Dutch Excel: UTF-8 with a byte order mark, semicolons between cells and
decimal commas (in Dutch), and every text cell that a spreadsheet would read as a formula is
prefixed with a quote. The message export leaves out the caller's name, number, company, email and
the reason of the call: the figures need none of it, and a spreadsheet on someone's laptop is
beyond the reach of the retention job that anonymises old messages.
"""

import csv
import io
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Team
from accounts.roles import VIEW_DASHBOARD
from callbacks.domain import charts
from callbacks.domain.figures import Figures, Period, local_zone
from callbacks.forms.statistics import PeriodForm
from callbacks.models import CallType, Status, Tone
from callbacks.selectors import exports, statistics


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{VIEW_DASHBOARD}"):
        raise Http404


def chosen_period(request: HttpRequest) -> tuple[PeriodForm, Period, Team | None]:
    """The period and team asked for, or the default period for everyone when the input is unusable."""
    today = timezone.localdate(timezone=local_zone())
    default = Period.default(today)
    if not request.GET:
        form = PeriodForm(initial={"start": default.start, "end": default.end}, today=today)
        return form, default, None
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        return form, default, None
    data = form.cleaned_data
    return form, Period(start=data["start"], end=data["end"]), data["team"]


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form, period, team = chosen_period(request)
    now = timezone.now()
    stats = statistics.statistics_for(period=period, team=team, now=now)
    trends = statistics.trends_for(today=timezone.localdate(now, timezone=local_zone()), team=team, now=now)
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if team is not None:
        query["team"] = str(team.pk)
    context = {
        "form": form,
        "fell_back": form.is_bound and not form.is_valid(),
        "stats": stats,
        "hour_chart": charts.hour_chart(stats.hours),
        "hour_rows": [(f"{hour:02d}:00", count) for hour, count in enumerate(stats.hours)],
        "call_type_chart": charts.call_type_chart([(row.label, row.taken) for row in stats.call_types]),
        "trends": [(trend, _trend_chart(trend)) for trend in trends],
        "export_query": urlencode(query),
    }
    return render(request, "callbacks/dashboard/statistics.html", context)


def _trend_chart(trend: statistics.Trend) -> charts.BarChart:
    weeks = [(week.start, week.promise_rate, week.within_promise, week.promise_due) for week in trend.weeks]
    return charts.trend_chart(team=trend.label, weeks=weeks)


# --- CSV --------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text a spreadsheet could run as a formula gets a leading quote; numbers stay numbers."""
    if type(value) is str:  # most cells: checked first, it is called for every cell of every row
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return number_format(round(value, 1), 1)
    if isinstance(value, datetime):
        return timezone.localtime(value, local_zone()).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(name: str, period: Period, header: list[str], rows) -> HttpResponse:
    filename = f"{slugify(name)}_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Written to a buffer and handed over once: a response written row by row spends more time in
    # HttpResponse.write than in the rows of a year of messages.
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_cell(title) for title in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    response.write(buffer.getvalue())
    return response


def _figure_cells(figures: Figures) -> list[object]:
    def minutes(duration):
        return None if duration is None else duration.minutes

    return [
        figures.taken,
        figures.helped_at_intake,
        figures.put_through,
        figures.called_back,
        figures.promise_due,
        figures.within_promise,
        figures.promise_rate,
        minutes(figures.first_attempt.median),
        minutes(figures.first_attempt.p90),
        minutes(figures.handled.median),
        minutes(figures.handled.p90),
        figures.attempts_per_callback,
    ]


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    _form, period, team = chosen_period(request)
    now = timezone.now()
    stats = statistics.statistics_for(period=period, team=team, now=now, breakdowns=False)
    trends = statistics.trends_for(today=timezone.localdate(now, timezone=local_zone()), team=team, now=now)
    header = [
        _("Group"),
        _("Name"),
        _("Messages taken"),
        _("Helped directly"),
        _("Put through"),
        _("Called back"),
        _("Promises due"),
        _("Within promise"),
        _("Within promise (%)"),
        _("First attempt, median (min)"),
        _("First attempt, 90th percentile (min)"),
        _("Handled, median (min)"),
        _("Handled, 90th percentile (min)"),
        _("Attempts per callback"),
    ]
    rows = [[_("Total"), stats.total.label, *_figure_cells(stats.total)]]
    rows += [[_("Team"), figures.label, *_figure_cells(figures)] for figures in stats.teams]
    rows += [[_("Colleague"), figures.label, *_figure_cells(figures)] for figures in stats.colleagues]
    # The trend below the figures, under a heading row of its own: the last weeks whatever the period chosen.
    rows += [
        [
            _("Trend: promise kept per week"),
            _("Team"),
            _("Week starting"),
            _("Promises due"),
            _("Within promise"),
            _("Within promise (%)"),
        ]
    ]
    rows += [
        [_("Trend"), trend.label, week.start.isoformat(), week.promise_due, week.within_promise, week.promise_rate]
        for trend in trends
        for week in trend.weeks
    ]
    return csv_response(_("statistics"), period, header, rows)


@login_required
@require_GET
def messages_csv(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    _form, period, team = chosen_period(request)
    found = exports.message_export_rows(period=period, team=team)  # in the order of MESSAGE_EXPORT_FIELDS
    # Labels translated and the zone looked up once, not per cell of up to half a million rows: per cell,
    # that took most of a year's export (19 s of gunicorn's default 30-second timeout; 10 s without it).
    call_types, tones, statuses = (
        {value: str(label) for value, label in choices.choices} for choices in (CallType, Tone, Status)
    )
    answers = {True: _("yes"), False: _("no"), None: None}
    zone = local_zone()
    now = timezone.now()

    def moment(value: datetime | None) -> str | None:
        # As _cell writes it ("%Y-%m-%d %H:%M"); isoformat is several times faster than strftime.
        return value.astimezone(zone).replace(tzinfo=None).isoformat(" ", "minutes") if value is not None else None

    header = [
        _("Message ID"),
        _("Taken at"),
        _("Taken by"),
        _("For colleague"),
        _("Team"),
        _("Type of call"),
        _("Tone"),
        _("Status"),
        _("Call back before"),
        _("Handled at"),
        _("Within promise"),
        _("Attempts"),
        _("Calls"),
    ]

    def rows():
        for (
            pk,
            taken_at,
            taker_name,
            taker_username,
            owner_name,
            owner_username,
            team_name,
            call_type,
            tone,
            status,
            wants_callback,
            deadline,
            handled_at,
            attempts,
            calls,
        ) in found.iterator(chunk_size=2000):
            kept = statistics.promise_kept(
                wants_callback=wants_callback, deadline=deadline, status=status, handled_at=handled_at, now=now
            )
            yield [
                pk,
                moment(taken_at),
                taker_name or taker_username,
                owner_name or owner_username,
                team_name,
                call_types.get(call_type, call_type),
                tones.get(tone, tone),
                statuses.get(status, status),
                moment(deadline),
                moment(handled_at),
                answers[kept],
                attempts,
                calls,
            ]

    return csv_response(_("messages"), period, header, rows())
