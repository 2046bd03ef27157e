"""The manager's live dashboard; the live part refreshes itself every 30 seconds through htmx."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import VIEW_DASHBOARD
from callbacks import dashboard_selectors


def require_dashboard(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{VIEW_DASHBOARD}"):
        raise Http404


def _live_context() -> dict:
    now = timezone.now()
    counts = dashboard_selectors.open_counts(now=now)
    return {
        "now": now,
        "overdue_groups": dashboard_selectors.overdue_groups(now=now),
        "overdue_total": counts.overdue,
        "due_soon": dashboard_selectors.due_soon(now=now),
        "due_soon_total": counts.due_soon,
        "shown": dashboard_selectors.SHOWN,
        "per_colleague": counts.per_colleague,
        "on_duty": dashboard_selectors.on_phone_duty(now=now),
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
    return render(request, "callbacks/dashboard/_live.html", _live_context())
