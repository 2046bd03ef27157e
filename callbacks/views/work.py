"""The colleague's pages: the prepared detail page and the actions on a message (the list: views/worklist.py).

Every action is a POST with CSRF. With htmx it answers with the refreshed detail body (no reload);
without JavaScript it redirects back to the detail page. When someone else changed the message first,
both get the page back with the change explained and what the person typed kept (_changed_meanwhile).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from callbacks import selectors, services
from callbacks.domain import phone
from callbacks.forms import work as work_forms
from callbacks.forms.work import AttemptForm, CorrectForm, FollowUpForm, HandleForm, ReassignForm
from callbacks.models import Attempt, Message, MessageEvent, Status
from callbacks.selectors.policies import calendar_for


def _visible_message(request: HttpRequest, pk: int) -> Message:
    """The message if this person may see it; 404 otherwise, so its existence does not leak."""
    return get_object_or_404(selectors.messages_visible_to(request.user), pk=pk)


def _actionable_message(request: HttpRequest, pk: int) -> Message:
    message = _visible_message(request, pk)
    if not selectors.can_act_on(request.user, message):
        raise Http404
    return message


def _detail_context(request: HttpRequest, message: Message, **forms) -> dict:
    # Read with the message when the page loaded it (selectors.with_may_act); asked apart after an action.
    can_act = message.may_act if hasattr(message, "may_act") else selectors.can_act_on(request.user, message)
    context = {
        "message": message,
        "now": timezone.now(),
        "can_act": can_act and message.status == Status.OPEN,
        "can_correct": selectors.can_correct(request.user, message),
        "follow_up_due": can_act
        and message.status == Status.HANDLED
        and message.follow_up_on is not None
        and message.follow_up_done_at is None,
        **selectors.message_timeline(message),
    }
    initial = {"version": message.version}
    if context["can_act"]:
        users, teams = selectors.recipients_all()
        context["attempt_form"] = forms.get("attempt_form") or AttemptForm(initial=initial)
        context["handle_form"] = forms.get("handle_form") or HandleForm(initial=initial)
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(initial=initial, users=users, teams=teams)
    if context["follow_up_due"]:
        context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm(initial=initial)
    return context


def _render_detail(request: HttpRequest, message: Message, **forms) -> HttpResponse:
    return _detail_response(request, _detail_context(request, message, **forms))


def _detail_response(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "callbacks/partials/detail_body.html" if request.htmx else "callbacks/detail.html"
    response = render(request, template, context, status=status)
    if request.htmx:
        response["HX-Trigger"] = "callbacks-changed"
    return response


@login_required
@require_GET
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A message the person may not see answers 404, as one that does not exist. Whether they may act on it
    # is read in the same statement.
    message = get_object_or_404(selectors.with_may_act(Message.objects.visible_to(request.user), request.user), pk=pk)
    context = _detail_context(request, message)
    return render(request, "callbacks/detail.html", context)


def _done(request: HttpRequest, message: Message, text: str) -> HttpResponse:
    messages.success(request, text)
    if request.htmx:
        return _render_detail(request, Message.objects.get(pk=message.pk))
    return redirect("callbacks:detail", pk=message.pk)


# The event each action writes (callbacks.services.work), to recognise the same action sent twice.
_ACTION_KINDS = {
    "attempt": (MessageEvent.Kind.ATTEMPT,),
    "handle": (MessageEvent.Kind.HANDLED,),
    "reassign": (MessageEvent.Kind.REASSIGNED,),
    "follow_up": (MessageEvent.Kind.FOLLOWED_UP,),
}


def _already_done(request: HttpRequest, message: Message, form: work_forms.Versioned, seen: int, events: list) -> bool:
    """The change made meanwhile is this person's own, this same action: a double click or a browser retry.

    Every change since the version they saw is theirs, and the latest is this action with the same note,
    so the request was done already. A different action of their own (another tab) is still a conflict,
    so that it is not silently dropped.
    """
    if not (0 < seen < message.version) or not events:
        return False
    if any(event.actor_id != request.user.pk for event in events):
        return False
    latest = events[-1]
    note_field = "reason" if "reason" in form.fields else "note"
    typed_note = str(form.data.get(form.add_prefix(note_field), "")).strip()
    return latest.kind in _ACTION_KINDS.get(form.prefix, ()) and (latest.note or "") == typed_note


def _changed_meanwhile(request: HttpRequest, message: Message, form: work_forms.Versioned) -> HttpResponse:
    """Someone else changed the message first: say what and who, and keep everything this person typed.

    The form comes back with their values and the current version, so submitting it once more goes
    through; when the action no longer fits the message (someone ticked it off) the values are listed.
    htmx swaps only a 200; without JavaScript the page comes back as a 409 instead of a redirect.
    """
    message = Message.objects.get(pk=message.pk)
    seen = form.seen_version()
    events = selectors.changes_since(message, seen)
    if _already_done(request, message, form, seen, events):
        if request.htmx:
            return _render_detail(request, message)
        return redirect("callbacks:detail", pk=message.pk)
    name, again = f"{form.prefix}_form", form.resubmitted(message.version)
    context = _detail_context(request, message, **{name: again})
    shown = context.get(name) is again
    context["conflict"] = {"form": name if shown else "", "typed": [] if shown else form.typed(), "events": events}
    return _detail_response(request, context, status=200 if request.htmx else 409)


@login_required
@require_POST
def callback_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    message = _actionable_message(request, pk)
    # "Try again at" is checked against the calendar the overdue engine uses for this message, and the wishes.
    form = AttemptForm(request.POST, calendar=calendar_for(message.owner_team), wishes=message.wishes)
    if not form.is_valid():
        return _render_detail(request, message, attempt_form=form)
    data = form.cleaned_data
    try:
        message = services.attempt_log(
            message=message,
            version=data["version"],
            by=request.user,
            result=data["result"],
            note=data["note"].strip(),
            next_try_at=data["next_try_at"],
            exception_reason=data["exception_reason"],
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message, form)
    return _done(request, message, _("Attempt saved (%(count)s so far).") % {"count": message.attempt_count})


@login_required
@require_POST
def callback_handle(request: HttpRequest, pk: int) -> HttpResponse:
    message = _actionable_message(request, pk)
    form = HandleForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, message, handle_form=form)
    data = form.cleaned_data
    try:
        message = services.attempt_log(
            message=message,
            version=data["version"],
            by=request.user,
            result=Attempt.Result.REACHED,
            note=data["note"].strip(),
            outcome=data["outcome"],
            follow_up_on=data["follow_up_on"],
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message, form)
    return _done(request, message, _("Ticked off. Well done."))


@login_required
@require_POST
def callback_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    message = _actionable_message(request, pk)
    users, teams = selectors.recipients_all()
    form = ReassignForm(request.POST, users=users, teams=teams)
    if not form.is_valid():
        return _render_detail(request, message, reassign_form=form)
    data = form.cleaned_data
    target = data["recipient"]
    to_team = target.team or (selectors.team_of(target.user) if target.user else None)
    try:
        message = services.message_reassign(
            message=message,
            version=data["version"],
            by=request.user,
            to_user=target.user,
            to_team=to_team,
            reason=data["reason"].strip(),
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message, form)
    text = _("Passed to %(owner)s.") % {"owner": target.label}
    if not selectors.can_act_on(request.user, message):
        messages.success(request, text)
        return HttpResponseClientRedirect(reverse("callbacks:list")) if request.htmx else redirect("callbacks:list")
    return _done(request, message, text)


@login_required
@require_POST
def callback_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    message = _actionable_message(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, message, follow_up_form=form)
    try:
        message = services.follow_up_complete(
            message=message,
            version=form.cleaned_data["version"],
            by=request.user,
            note=form.cleaned_data["note"].strip(),
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message, form)
    return _done(request, message, _("Noted that you checked back with the caller."))


def _correction_conflict(request: HttpRequest, pk: int, form: CorrectForm) -> HttpResponse:
    """As _changed_meanwhile, for the correction page: the typed correction stays on screen."""
    message = Message.objects.get(pk=pk)
    shown = selectors.can_correct(request.user, message)
    conflict = {
        "form": "form" if shown else "",
        "typed": [] if shown else form.typed(),
        "events": selectors.changes_since(message, form.seen_version()),
    }
    return render(
        request,
        "callbacks/correct.html",
        {"message": message, "form": form.resubmitted(message.version), "conflict": conflict},
        status=409,
    )


@login_required
def callback_correct(request: HttpRequest, pk: int) -> HttpResponse:
    message = _visible_message(request, pk)
    posted_by_taker = request.method == "POST" and message.taken_by_id == request.user.pk
    if not selectors.can_correct(request.user, message):
        if posted_by_taker and message.anonymised_at is None:  # handled while the receptionist was typing
            return _correction_conflict(request, pk, CorrectForm(request.POST))
        raise Http404
    if request.method == "POST":
        form = CorrectForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            version = values.pop("version")
            try:
                services.message_correct(message=message, version=version, by=request.user, values=values)
            except services.MessageChanged:
                return _correction_conflict(request, pk, form)
            messages.success(request, _("The message was corrected."))
            return redirect("callbacks:detail", pk=message.pk)
    else:
        form = CorrectForm(
            initial={
                "version": message.version,
                "caller_name": message.caller_name,
                "caller_number": phone.display(message.caller_number),
                "caller_company": message.caller_company,
                "caller_email": message.caller_email,
                "reason": message.reason,
                "call_type": message.call_type,
                "tone": message.tone,
            }
        )
    return render(request, "callbacks/correct.html", {"message": message, "form": form})


@login_required
def notification_inbox(request: HttpRequest) -> HttpResponse:
    """In-app notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("callbacks:inbox")
    return render(request, "callbacks/inbox.html", {"items": selectors.inbox_of(request.user)})
