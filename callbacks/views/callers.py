"""Callers known by number: what the intake shows as soon as a number is typed, and the repeat-call step.

The htmx endpoint answers for any intake page: it reads the number from whichever field sent it
(`caller-number` in the caller step) and fills fields with the same prefix.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import TAKE_MESSAGES
from callbacks import selectors
from callbacks.domain import closing
from callbacks.forms.intake import normalise_number
from callbacks.selectors import OpenMessage
from callbacks.views import sentences


@login_required
@require_GET
def caller_known(request: HttpRequest) -> HttpResponse:
    """htmx partial: the caller's name and company proposed, their history and their open messages."""
    if not request.user.has_perm(f"accounts.{TAKE_MESSAGES}"):
        raise Http404
    field, typed = next(((key, value) for key, value in request.GET.items() if key.endswith("number")), ("number", ""))
    return render(
        request,
        "callbacks/partials/caller_known.html#caller_known",
        caller_known_context(
            number=normalise_number(typed),
            user=request.user,
            prefix=field.removesuffix("number"),
        ),
    )


def caller_known_context(*, number: str, user, prefix: str = "caller-") -> dict:
    """The partial's context, also for showing the caller step server-side with a known number."""
    if not number:
        return {"profile": None}
    return {"profile": selectors.caller_profile(number=number, user=user, now=timezone.now()), "prefix": prefix}


def repeat_context(*, message: OpenMessage) -> dict:
    """What the repeat-call step reads out: the promise already made, and the closing line (an apology when
    the message is a complaint or the caller was angry)."""
    now = timezone.now()
    return {
        "repeat_of": message,
        "promise_sentence": sentences.promise_sentence(deadline=message.deadline, name=message.owner_label, now=now),
        "closing_line": sentences.closing_line(
            path=closing.REPEAT_CALL, call_type=message.call_type, tone=message.tone, now=now
        ),
    }
