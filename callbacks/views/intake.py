"""The receptionist's intake: one small view per step over a server-side draft per call (CallDraft).

Every call has its own URL (/callbacks/call/<token>/<step>/), so calls in several tabs, a caller-ID
pop-up, a reload or Back never share or wipe each other's input. A POST validates only its own step
(built from the stored earlier steps), stores it and redirects to the next step; the last step
revalidates every step once and calls the save service, idempotent by the call's token.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks import selectors, services
from callbacks.forms.intake import RecipientForm
from callbacks.models import CallDraft, CallLog
from callbacks.views.desk import can_take_messages
from callbacks.views.intake_call import STEP_TITLES, Call
from callbacks.views.intake_save import save_call
from callbacks.views.intake_pages import contexts


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    """Start a call: always a new draft, so a caller-ID pop-up never touches a call in progress."""
    if not can_take_messages(request):
        raise Http404
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    draft = services.draft_start(
        taken_by=request.user,
        now=timezone.now(),
        prefill_number=request.GET.get("number", ""),
        prefill_for=request.GET.get("for", ""),
    )
    return _see_other(draft, "recipient")


def _see_other(draft: CallDraft, step: str) -> HttpResponse:
    response = redirect("callbacks:call_step", call_token=draft.token, step=step)
    response.status_code = 303  # after a POST: the browser GETs the next step (reload and Back just work)
    return response


def _see_desk() -> HttpResponse:
    response = redirect("callbacks:desk")
    response.status_code = 303
    return response


def _already_saved(request: HttpRequest, token: uuid.UUID) -> HttpResponse | None:
    """A double click, or Back and Save again: the first submit saved it (its call-log line has the token)."""
    if not CallLog.objects.filter(intake_token=token, taken_by=request.user).exists():
        return None
    services.draft_discard(token=token, taken_by=request.user)
    messages.info(request, _("This call was already saved."))
    return _see_desk()


@login_required
def call_step(request: HttpRequest, call_token: uuid.UUID, step: str) -> HttpResponse:
    if not can_take_messages(request):
        raise Http404
    if saved := _already_saved(request, call_token):
        return saved
    draft = CallDraft.objects.filter(token=call_token, taken_by=request.user).first()
    if draft is None:
        if request.method == "POST" and not CallDraft.objects.filter(token=call_token).exists():
            messages.warning(request, _("This call had expired; please start it again."))
            return _see_desk()
        raise Http404  # another receptionist's call, or (on a GET) one discarded or expired
    call = Call(request, draft)
    if not call.may_show(step):
        return _see_other(draft, call.at())  # not reached yet (a stale tab, a typed URL)
    if request.method != "POST":
        return _render(call, step, call.form(step, stored=True))
    if goto := request.POST.get("goto"):
        # Back or "Edit": keep what was typed here, complete or not, and go where asked.
        call.store(step, go_to=goto if call.may_show(goto) else step)
        return _see_other(draft, draft.step)
    form = call.form(step, data=request.POST)
    if not form.is_valid():
        call.store(step, go_to=step)  # a reload shows what was typed, not the older input
        return _render(call, step, form)
    following = call.store(step)
    if following is not None:
        return _see_other(draft, following)
    return _finish(call)


def _finish(call: Call) -> HttpResponse:
    """Every step revalidated once, then the save service for the path this call took (which deletes the
    call's draft in the save's transaction)."""
    for step in call.steps():
        form = call.checked(step)
        if not form.is_valid():
            return _render(call, step, form)
    outcome = save_call(call)
    if outcome.back_to is not None:
        messages.error(call.request, outcome.text)
        return _see_other(call.draft, outcome.back_to)
    messages.success(call.request, outcome.text)
    return _see_desk()


def _render(call: Call, step: str, form) -> HttpResponse:
    steps = call.steps()
    index = steps.index(step) if step in steps else 0
    context = {
        "form": form,
        "token": call.draft.token,
        "current_step": step,
        "previous_step": steps[index - 1] if index else None,
        "step_titles": [(name, STEP_TITLES[name]) for name in steps],
    }
    builder = contexts.get(step)
    if builder is not None:
        context.update(builder(call, form))
    return render(call.request, "callbacks/intake.html", context)


@login_required
def intake_status(request: HttpRequest) -> HttpResponse:
    """htmx partial: the chosen colleague's status and the line to say when they are unavailable."""
    if not can_take_messages(request):
        raise Http404
    users, teams = selectors.recipients_all()
    typed = request.GET.get("recipient-recipient") or request.GET.get("recipient", "")
    form = RecipientForm({"recipient": typed, "decision": "message"}, users=users, teams=teams)
    context = {}
    if form.is_valid():
        recipient = form.cleaned_data["recipient"]
        context["recipient"] = recipient
        if recipient.user is not None:
            availability = selectors.availability_of(
                user=recipient.user, team=selectors.team_of(recipient.user), now=timezone.now()
            )
            context["availability"] = availability  # the partial says the line for it (lines_to_say)
    return render(request, "callbacks/partials/recipient_status.html", context)
