"""The colleague's list, "My callbacks": the worklist overview, its "Show all" pages, and the badge."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import HANDLE_CALLBACKS
from accounts.selectors import presence_for_navigation
from callbacks import selectors
from callbacks.forms.work import WorkFilterForm
from callbacks.models import Status
from callbacks.selectors.navigation import navigation_counts, unread_notice

PAGE_SIZE = 50


def _without(query: QueryDict, *names: str) -> str:
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _group_queries(query: QueryDict) -> dict[str, str]:
    """The query string of each worklist group's "Show all" page: the current filters plus the group.

    Follow-ups ignore the filters other than the tab (see selectors.worklist), so their link does too.
    """
    queries = {}
    for due in selectors.WORKLIST_CAPS:
        if due == selectors.FOLLOW_UP:
            group = QueryDict(mutable=True)
            if query.get("scope"):
                group["scope"] = query["scope"]
            group["status"] = Status.HANDLED
        else:
            group = query.copy()
            group.pop("status", None)
        group["due"] = due
        queries[due] = group.urlencode()
    return queries


def _work_filter(filter_form: WorkFilterForm) -> selectors.WorkFilter:
    if not filter_form.is_bound or not filter_form.is_valid():
        return selectors.WorkFilter()
    data = filter_form.cleaned_data
    return selectors.WorkFilter(
        scope=data.get("scope") or "mine",
        status=data.get("status") or Status.OPEN,
        call_type=data.get("call_type") or "",
        team_id=data.get("team"),
        period_days=int(data["period"]) if data.get("period") else None,
        due=data.get("due") or "",
    )


@login_required
@require_GET
def callback_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        raise Http404
    now = timezone.now()
    teams = selectors.member_teams(request.user)
    filter_form = WorkFilterForm(request.GET or None, teams=teams)
    work_filter = _work_filter(filter_form)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "work_filter": work_filter,
        "now": now,
        "has_teams": bool(teams),
        "show_owner": work_filter.scope == "teams",
        "filters_chosen": bool(_without(query, "scope", "due")),
        "query_without_page": query.urlencode(),
        "query_without_scope": _without(query, "scope"),
    }
    if work_filter.status == Status.OPEN and not work_filter.due:
        context["worklist"] = worklist = selectors.worklist(user=request.user, now=now, work_filter=work_filter)
        context["group_queries"] = _group_queries(query)
        if work_filter == selectors.WorkFilter():
            # The whole list the badge links to, counted as the badge counts it (owed_by, overdue by the deadline
            # alone): the navigation may take its figures from here instead of counting them again.
            request.worklist_totals = worklist.owed_totals
    else:  # a status other than open, or one group in full ("Show all"): paginated
        found = selectors.work_messages(user=request.user, now=now, work_filter=work_filter)
        context["page"] = page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        context["rows"] = selectors.WorkGroup.of(list(page.object_list), page.paginator.count)
        context["query_overview"] = _without(query, "status", "due")
    return render(request, "callbacks/list.html", context)


@login_required
@require_GET
def callback_badge(request: HttpRequest) -> HttpResponse:
    """The navigation badge, refreshed by htmx after an action on the page and every 30 seconds.

    `seen` is the newest notice id the page already has: a newer unread one is named (live region, desktop
    notification). The unread count beside "Notifications" comes along out of band.
    """
    now = timezone.now()
    counts = navigation_counts(user=request.user, now=now)
    seen = request.GET.get("seen", "")
    notice = None
    if seen.isdigit() and counts.newest_unread is not None and counts.newest_unread > int(seen):
        notice = unread_notice(user=request.user, notice_id=counts.newest_unread)
    # The fragment's part of the navigation, counted once here rather than again by the context processor.
    nav = {"badge": counts, "unread": counts.unread, "presence": presence_for_navigation(user=request.user, now=now)}
    return render(request, "callbacks/partials/badge.html#polled", {"notice": notice, "nav": nav})
