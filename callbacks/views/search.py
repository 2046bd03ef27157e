"""Search for colleagues, receptionists and managers: /callbacks/search/?q=..."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import HANDLE_CALLBACKS, TAKE_MESSAGES, VIEW_ALL_CALLBACKS
from callbacks.selectors.search import messages_found, terms_of

PAGE_SIZE = 25
SEARCHERS = (TAKE_MESSAGES, HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS)


def may_search(user) -> bool:
    return any(user.has_perm(f"accounts.{permission}") for permission in SEARCHERS)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    if not may_search(request.user):
        raise Http404
    query = request.GET.get("q", "")
    terms = terms_of(query)
    context = {"query": query.strip(), "problem": terms.problem if query.strip() else ""}
    if not terms.problem:
        found = messages_found(user=request.user, terms=terms)
        context["page"] = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        context["searched"] = True
    return render(request, "callbacks/search.html", context)
