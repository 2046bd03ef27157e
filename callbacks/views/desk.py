"""The receptionist's home ("Phone desk"): start a call, resume or discard calls in progress, and the
messages taken today."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import TAKE_MESSAGES
from callbacks import selectors, services
from callbacks.selectors import desk as desk_selectors


def can_take_messages(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.has_perm(f"accounts.{TAKE_MESSAGES}")


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    if not can_take_messages(request):
        raise Http404
    taken = desk_selectors.messages_taken_today(user=request.user, now=timezone.now())
    return render(
        request,
        "callbacks/desk.html",
        {
            "drafts": desk_selectors.drafts_in_progress(user=request.user),
            "taken": [(message, selectors.can_correct(request.user, message)) for message in taken],
        },
    )


@login_required
@require_POST
def call_discard(request: HttpRequest, call_token: uuid.UUID) -> HttpResponse:
    """Drop a call in progress; a second click (or another tab) finds it gone and says nothing more."""
    if not can_take_messages(request):
        raise Http404
    if services.draft_discard(token=call_token, taken_by=request.user):
        messages.info(request, _("The call in progress was discarded."))
    return redirect("callbacks:desk")
