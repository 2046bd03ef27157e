"""One page per caller: every message, call, attempt and outcome of their numbers that the person may see.

A person who sees none of the caller's messages gets 404, as for a number never heard of, so the page
does not tell whether a number called. Linking and unlinking numbers go through callbacks/services/callers.py.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import MANAGE_OFFICE
from callbacks.domain import phone
from callbacks.forms.callers import LinkNumberForm
from callbacks.models import Caller
from callbacks.selectors import callers as selectors
from callbacks.services.callers import NumberOfAnotherCaller, caller_number_link, caller_number_unlink


@login_required
@require_GET
def caller_detail(request: HttpRequest, caller_id: int) -> HttpResponse:
    caller = get_object_or_404(Caller, pk=caller_id)
    return _render(request, caller=caller, numbers=selectors.numbers_of(caller), form=LinkNumberForm())


@login_required
@require_GET
def caller_by_number(request: HttpRequest, number: str) -> HttpResponse:
    """A number's page; a linked number leads to its caller's page, once the person may see that caller."""
    e164 = _number_or_404(number)
    caller = selectors.caller_of_number(e164)
    if caller is None:
        return _render(request, caller=None, numbers=[e164], form=LinkNumberForm())
    if not selectors.caller_visible(numbers=selectors.numbers_of(caller), user=request.user):
        raise Http404
    return redirect("callers:detail", caller_id=caller.pk)


@login_required
@require_POST
def caller_link(request: HttpRequest, number: str) -> HttpResponse:
    """Link another number to this number's caller ("same caller: mobile 06-...")."""
    e164 = _number_or_404(number)
    caller = selectors.caller_of_number(e164)
    numbers = selectors.numbers_of(caller) if caller else [e164]
    if not selectors.caller_visible(numbers=numbers, user=request.user):
        raise Http404
    form = LinkNumberForm(request.POST)
    if not form.is_valid():
        return _render(request, caller=caller, numbers=numbers, form=form)
    try:
        caller = caller_number_link(
            number=e164, other=form.cleaned_data["other"], actor=request.user, now=timezone.now()
        )
    except NumberOfAnotherCaller:
        form.add_error("other", _("This number belongs to another caller. Unlink it on that caller's page first."))
        return _render(request, caller=caller, numbers=numbers, form=form)
    messages.success(request, _("The number is linked to this caller."))
    return redirect("callers:detail", caller_id=caller.pk)


@login_required
@require_POST
def caller_unlink(request: HttpRequest, caller_id: int) -> HttpResponse:
    """Unlink one number; unlinking a number that is no longer linked changes nothing."""
    caller = get_object_or_404(Caller, pk=caller_id)
    numbers = selectors.numbers_of(caller)
    if not selectors.caller_visible(numbers=numbers, user=request.user):
        raise Http404
    number = phone.parse(request.POST.get("number"))
    if number not in numbers:
        return redirect("callers:detail", caller_id=caller.pk)
    if caller_number_unlink(caller=caller, number=number, actor=request.user, now=timezone.now()):
        messages.success(request, _("The number is no longer linked to this caller."))
    if len(numbers) == 1:  # the caller went with their last number; the number is its own caller again
        return redirect("callers:by_number", number=number)
    return redirect("callers:detail", caller_id=caller.pk)


def _number_or_404(written: str) -> str:
    e164 = phone.parse(written)
    if e164 is None:
        raise Http404
    return e164


def _render(request: HttpRequest, *, caller: Caller | None, numbers: list[str], form: LinkNumberForm) -> HttpResponse:
    page = selectors.caller_page(
        numbers=numbers, caller=caller, user=request.user, now=timezone.now(), page_number=request.GET.get("page", 1)
    )
    if page is None:
        raise Http404
    return render(
        request,
        "callbacks/caller.html",
        {
            "page": page,
            "form": form,
            "now": timezone.now(),
            "privacy_url": _privacy_url(request, numbers),
        },
    )


def _privacy_url(request: HttpRequest, numbers: list[str]) -> str | None:
    """The manager's export and erasure of this caller (built beside this page), with every number."""
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):  # as the privacy pages themselves
        return None
    return reverse("dashboard:privacy_caller") + "?" + urlencode([("number", number) for number in numbers])
