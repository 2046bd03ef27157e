"""The manager's call log: the recent calls of every phone system, and one call with its raw events."""

import json
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from telephony.selectors import manage as selectors
from telephony.views.manage import require_manager

PAGE_SIZE = 50


@login_required
@require_GET
def phone_call_log(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    result = request.GET.get("result", "")
    result = result if result in selectors.RESULT_FILTERS else ""
    day = _day(request.GET.get("day"))
    calls = selectors.phone_calls(result=result, day=day)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "telephony/calls.html", {"page": page, "result": result, "day": day})


@login_required
@require_GET
def phone_call_detail(request: HttpRequest, phone_call_id: int) -> HttpResponse:
    require_manager(request)
    call = selectors.phone_call_with_events(pk=phone_call_id)
    if call is None:
        raise Http404
    events = list(call.events.all())
    for event in events:
        event.pretty = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True)
    return render(request, "telephony/call.html", {"call": call, "events": events})


def _day(text: str | None) -> date | None:
    try:
        return parse_date(text or "")
    except ValueError:  # a date-shaped but impossible day, such as 2026-02-30: no filter
        return None
