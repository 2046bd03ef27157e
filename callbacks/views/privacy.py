"""The manager's privacy page (AVG/GDPR): the retention period, and one caller's data to export or erase.

A caller is named by ?number=… (repeatable: the numbers the office knows for one person, in any written
form). Only managers get here; anyone else gets a 404, as on the other manager's pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts.roles import MANAGE_OFFICE
from callbacks.forms.privacy import CallerNumberForm, ErasureForm, RetentionForm
from callbacks.selectors import privacy as privacy_selectors
from callbacks.selectors.privacy_export import caller_export
from callbacks.services import privacy as privacy_services


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):
        raise Http404


def _caller_url(name: str, numbers: list[str]) -> str:
    return f"{reverse(name)}?{urlencode([('number', number) for number in numbers])}"


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    now = timezone.now()
    form = RetentionForm(initial={"days": privacy_selectors.retention_days()})
    if request.method == "POST":
        form = RetentionForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["days"]
            privacy_services.retention_period_set(by=request.user, days=days, now=now)
            messages.success(
                request, _("Caller data is now kept for %(days)s days after a message is closed.") % {"days": days}
            )
            return redirect("dashboard:privacy")
    return render(
        request,
        "callbacks/dashboard/privacy.html",
        {
            "form": form,
            "search_form": CallerNumberForm(),
            "retention": privacy_selectors.retention_overview(now=now),
        },
    )


@login_required
def privacy_caller(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    numbers = privacy_selectors.numbers_from(request.GET.getlist("number"))
    form = ErasureForm()
    if request.method == "POST":
        form = ErasureForm(request.POST)
        if numbers and form.is_valid():
            erasure = privacy_services.caller_erasure(
                by=request.user, numbers=numbers, reason=form.cleaned_data["reason"], now=timezone.now()
            )
            messages.success(request, _erasure_text(erasure))
            return redirect(_caller_url("dashboard:privacy_caller", numbers))
    return render(
        request,
        "callbacks/dashboard/privacy_caller.html",
        {
            "numbers": numbers,
            "asked": request.GET.getlist("number"),
            "form": form,
            "data": privacy_selectors.caller_data(numbers=numbers) if numbers else None,
            "export_url": _caller_url("dashboard:privacy_export", numbers),
        },
    )


def _erasure_text(erasure: privacy_services.Erasure) -> str:
    if not (erasure.messages or erasure.elsewhere):
        return _("Nothing left to erase for these numbers.")
    said = []
    if erasure.messages:
        said.append(
            ngettext("%(count)s message erased.", "%(count)s messages erased.", erasure.messages)
            % {"count": erasure.messages}
        )
    if erasure.elsewhere:
        said.append(
            ngettext(
                "%(count)s record of the phone system erased.",
                "%(count)s records of the phone system erased.",
                erasure.elsewhere,
            )
            % {"count": erasure.elsewhere}
        )
    return " ".join(said)


@login_required
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    numbers = privacy_selectors.numbers_from(request.GET.getlist("number"))
    if not numbers:
        messages.error(request, _("Give a phone number to export."))
        return redirect("dashboard:privacy")
    now = timezone.now()
    data = privacy_selectors.caller_data(numbers=numbers)
    privacy_services.caller_export_log(by=request.user, numbers=numbers, message_count=len(data.messages), now=now)
    body = render_to_string(
        "callbacks/dashboard/privacy_export.html",
        {
            "numbers": numbers,
            "now": now,
            "sections": caller_export(data),
            "by": request.user,
        },
        request=request,
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    filename = f"gegevens-beller-{timezone.localdate(now).isoformat()}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
