"""The promise step's sentence, redrawn (htmx) as the receptionist types the caller's wishes or a deadline."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from accounts.models import Team
from accounts.roles import TAKE_MESSAGES
from callbacks.domain import promises
from callbacks.forms.promise import PromiseForm
from callbacks.models import CallType
from callbacks.views import sentences


def preview_context(form: PromiseForm, *, name: str) -> dict:
    """What the promise step says aloud for the form's current values, and how to ask for it again.

    A bound form is validated (the page shows its errors anyway), so the sentence follows what was typed;
    an unbound one proposes the team's promise without wishes.
    """
    promised = None
    if form.is_bound:
        form.is_valid()  # fills form.promised, form.wishes and form.breaches; the errors show on the page anyway
        promised = form.promised
    deadline = promised or form.policy_without_window()
    query = {
        "team": form.team.pk if form.team else "",
        "call_type": form.call_type,
        "started": form.started_at.isoformat(),
        "owner": name,
        "prefix": form.prefix or "",
    }
    return {
        "proposal": deadline,
        "proposal_sentence": sentences.promise_sentence(deadline=deadline, name=name, now=timezone.now()),
        "proposal_wishes": promises.wish_sentences(form.wishes) if promised else [],
        "proposal_breaches": form.breaches,
        "proposal_query": urlencode(query),
    }


@login_required
@require_GET
def promise_sentence(request: HttpRequest) -> HttpResponse:
    """htmx partial of the promise step: the sentence for the values typed so far (nothing is stored)."""
    if not request.user.has_perm(f"accounts.{TAKE_MESSAGES}"):
        raise Http404
    team_id = request.GET.get("team", "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdigit() else None
    call_type = request.GET.get("call_type", "")
    started = parse_datetime(request.GET.get("started", "")) if len(request.GET.get("started", "")) < 40 else None
    form = PromiseForm(
        request.GET,
        prefix=request.GET.get("prefix") or None,
        team=team,
        call_type=call_type if call_type in CallType.values else CallType.OTHER,
        # The call's start moves the team's promise by the time the call has lasted: at most a few minutes.
        started_at=started if started and timezone.is_aware(started) else timezone.now(),
    )
    context = preview_context(form, name=request.GET.get("owner", "")[:160])
    return render(request, "callbacks/steps/promise.html#proposal", context)
