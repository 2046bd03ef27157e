"""The "Missed calls" section of the manager's statistics page, and the CSV of the period's missed calls.

The statistics page (callbacks) may not import telephony, so it loads this section by htmx with its own query
string; the period and team are read exactly as the page reads them. Same permission as the page
(``accounts.view_dashboard``, anyone else gets a 404); see telephony.selectors.statistics.teams_shown for
whose calls are shown.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from accounts.models import Team
from accounts.roles import VIEW_DASHBOARD
from callbacks.domain.figures import Period

# The page's own period reading and CSV style (Excel: byte order mark, semicolons, formulas quoted).
from callbacks.views.statistics import chosen_period, csv_response
from telephony.domain.call_figures import missed_day_chart, missed_hour_chart
from telephony.selectors import statistics


def _period_and_teams(request: HttpRequest) -> tuple[Period, Team | None, list[int] | None]:
    """As the statistics page reads them: an unusable period falls back to the default one for everyone."""
    if not request.user.has_perm(f"accounts.{VIEW_DASHBOARD}"):
        raise Http404
    _form, period, team = chosen_period(request)
    teams = statistics.teams_shown(request.user, team)
    if team is not None and not teams:
        raise Http404  # a team this person does not manage
    return period, team, teams


@login_required
@require_GET
def statistics_section(request: HttpRequest) -> HttpResponse:
    period, team, teams = _period_and_teams(request)
    context = {"period": period, "csv_query": request.GET.urlencode(), "phone_system": statistics.has_phone_system()}
    if context["phone_system"]:
        figures = statistics.missed_call_figures(period=period, teams=teams, now=timezone.now())
        context.update(
            figures=figures,
            hour_chart=missed_hour_chart(figures.hours),
            day_chart=missed_day_chart(figures.days),
        )
    return render(request, "telephony/statistics/section.html#section", context)


@login_required
@require_GET
def missed_calls_csv(request: HttpRequest) -> HttpResponse:
    period, _team, teams = _period_and_teams(request)
    now = timezone.now()
    header = [
        pgettext("phone statistics", "Time"),
        _("Number"),
        _("Team"),
        _("Message ID"),
        _("Called back at"),
        _("Within promise"),
    ]

    def rows():
        for row in statistics.missed_calls(period, teams).iterator(chunk_size=2000):
            yield [
                row["started_at"],
                pgettext("phone statistics", "anonymous") if row["anonymous"] else str(row["party_number"] or ""),
                row["team_name"],
                row["message_id"],
                statistics.callback_of(row),
                statistics.promise_of(row, now),
            ]

    return csv_response(_("missed calls"), period, header, rows())
