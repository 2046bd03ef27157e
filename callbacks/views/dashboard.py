"""The manager's live dashboard; the live part (the partial "live" of index.html) refreshes itself every
30 seconds through htmx."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import VIEW_DASHBOARD
from callbacks.selectors import dashboard as dashboard_selectors


def require_dashboard(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{VIEW_DASHBOARD}"):
        raise Http404


def _live_context() -> dict:
    now = timezone.now()
    counts = dashboard_selectors.open_counts(now=now)
    overdue_groups, due_soon = dashboard_selectors.overdue_and_due_soon(now=now, counts=counts)
    return {
        "now": now,
        "overdue_groups": overdue_groups,
        "overdue_key": dashboard_selectors.overdue_fragment_key(overdue_groups, now=now),
        "due_soon_key": dashboard_selectors.due_soon_fragment_key(due_soon),
        "fragment_seconds": dashboard_selectors.FRAGMENT_SECONDS,
        "overdue_total": counts.overdue,
        "due_soon": due_soon,
        "due_soon_total": counts.due_soon,
        "shown": dashboard_selectors.SHOWN,
        "per_colleague": counts.per_colleague,
        "health": dashboard_selectors.engine_health(now=now),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_dashboard(request)
    return render(request, "callbacks/dashboard/index.html", _live_context())


@login_required
@require_GET
def dashboard_live(request: HttpRequest) -> HttpResponse:
    require_dashboard(request)
    return render(request, "callbacks/dashboard/index.html#live", _live_context())
