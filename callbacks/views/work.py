"""The colleague's pages: my callbacks, the prepared detail page, and the actions on a message.

Every action is a POST with CSRF. With htmx it answers with the refreshed detail body (no reload);
without JavaScript it redirects back to the detail page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Team
from accounts.roles import HANDLE_CALLBACKS
from callbacks import selectors, services
from callbacks.models import Attempt, Message, Status
from callbacks.work_forms import AttemptForm, CorrectForm, FollowUpForm, HandleForm, ReassignForm, WorkFilterForm

PAGE_SIZE = 50


def _visible_message(request: HttpRequest, pk: int) -> Message:
    """The message if this person may see it; 404 otherwise, so its existence does not leak."""
    return get_object_or_404(selectors.messages_visible_to(request.user), pk=pk)


def _actionable_message(request: HttpRequest, pk: int) -> Message:
    message = _visible_message(request, pk)
    if not selectors.can_act_on(request.user, message):
        raise Http404
    return message


@login_required
@require_GET
def callback_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        raise Http404
    now = timezone.now()
    teams = Team.objects.filter(members=request.user).order_by("name")
    filter_form = WorkFilterForm(request.GET or None, teams=teams)
    work_filter = selectors.WorkFilter()
    if filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        work_filter = selectors.WorkFilter(
            scope=data.get("scope") or "mine", status=data.get("status") or Status.OPEN,
            call_type=data.get("call_type") or "", team_id=data["team"].pk if data.get("team") else None,
            period_days=int(data["period"]) if data.get("period") else None,
        )
    context = {"filter_form": filter_form, "work_filter": work_filter, "now": now, "has_teams": teams.exists()}
    if work_filter.status == Status.OPEN:
        context["worklist"] = selectors.worklist(user=request.user, now=now, work_filter=work_filter)
    else:
        found = selectors.work_messages(user=request.user, now=now, work_filter=work_filter).order_by("-taken_at", "-pk")
        context["page"] = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context["query_without_page"] = query.urlencode()
    query.pop("scope", None)
    context["query_without_scope"] = query.urlencode()
    context["show_owner"] = work_filter.scope == "teams"
    return render(request, "callbacks/list.html", context)


def _detail_context(request: HttpRequest, message: Message, **forms) -> dict:
    can_act = selectors.can_act_on(request.user, message)
    context = {
        "message": message,
        "now": timezone.now(),
        "can_act": can_act and message.status == Status.OPEN,
        "can_correct": selectors.can_correct(request.user, message),
        "follow_up_due": can_act and message.status == Status.HANDLED and message.follow_up_on is not None
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
    context = _detail_context(request, message, **forms)
    template = "callbacks/partials/detail_body.html" if request.htmx else "callbacks/detail.html"
    response = render(request, template, context)
    if request.htmx:
        response["HX-Trigger"] = "callbacks-changed"
    return response


@login_required
@require_GET
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = _visible_message(request, pk)
    context = _detail_context(request, message)
    return render(request, "callbacks/detail.html", context)


def _done(request: HttpRequest, message: Message, text: str) -> HttpResponse:
    messages.success(request, text)
    if request.htmx:
        return _render_detail(request, Message.objects.select_related("owner_user", "owner_team").get(pk=message.pk))
    return redirect("callbacks:detail", pk=message.pk)


def _changed_meanwhile(request: HttpRequest, message: Message) -> HttpResponse:
    messages.error(request, _("Someone else changed this message in the meantime. Check its current state and "
                              "try again if still needed."))
    if request.htmx:
        return _render_detail(request, Message.objects.select_related("owner_user", "owner_team").get(pk=message.pk))
    return redirect("callbacks:detail", pk=message.pk)


@login_required
@require_POST
def callback_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    message = _actionable_message(request, pk)
    form = AttemptForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, message, attempt_form=form)
    data = form.cleaned_data
    try:
        message = services.attempt_log(
            message=message, version=data["version"], by=request.user, result=data["result"],
            note=data["note"].strip(), next_try_at=data["next_try_at"],
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message)
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
            message=message, version=data["version"], by=request.user, result=Attempt.Result.REACHED,
            note=data["note"].strip(), outcome=data["outcome"], follow_up_on=data["follow_up_on"],
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message)
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
            message=message, version=data["version"], by=request.user, to_user=target.user, to_team=to_team,
            reason=data["reason"].strip(),
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message)
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
            message=message, version=form.cleaned_data["version"], by=request.user,
            note=form.cleaned_data["note"].strip(),
        )
    except services.MessageChanged:
        return _changed_meanwhile(request, message)
    return _done(request, message, _("Noted that you checked back with the caller."))


@login_required
def callback_correct(request: HttpRequest, pk: int) -> HttpResponse:
    message = _visible_message(request, pk)
    if not selectors.can_correct(request.user, message):
        raise Http404
    if request.method == "POST":
        form = CorrectForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            version = values.pop("version")
            try:
                services.message_correct(message=message, version=version, by=request.user, values=values)
            except services.MessageChanged:
                return _changed_meanwhile(request, message)
            messages.success(request, _("The message was corrected."))
            return redirect("callbacks:detail", pk=message.pk)
    else:
        form = CorrectForm(initial={
            "version": message.version, "caller_name": message.caller_name,
            "caller_number": message.caller_number.as_national if message.caller_number else "",
            "caller_company": message.caller_company, "caller_email": message.caller_email,
            "reason": message.reason, "call_type": message.call_type, "tone": message.tone,
        })
    return render(request, "callbacks/correct.html", {"message": message, "form": form})


@login_required
@require_GET
def callback_badge(request: HttpRequest) -> HttpResponse:
    """The navigation badge, refreshed by htmx after an action on the page."""
    return render(request, "callbacks/partials/badge.html")


@login_required
def notification_inbox(request: HttpRequest) -> HttpResponse:
    """In-app notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("callbacks:inbox")
    return render(request, "callbacks/inbox.html", {"items": selectors.inbox_of(request.user)})
