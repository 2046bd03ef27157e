"""The manager's phone-system pages: the systems, adding one, its token (shown once), routes and extensions.

Only managers (accounts.manage_office) get here; anyone else gets a 404, as on the other manager's pages.
A token is shown on the page that answers the POST that made it, never put in a URL, never cached."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import MANAGE_OFFICE
from telephony.forms.manage import NAME_TAKEN, PhoneRouteForm, PhoneSystemForm
from telephony.models import PhoneSystem
from telephony.selectors import manage as selectors
from telephony.services.manage import phone_route_add, phone_route_remove, phone_system_update
from telephony.services.phone_systems import phone_system_create, phone_system_revoke, phone_system_token_renew


def require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):
        raise Http404


def _system(request: HttpRequest, system_id: int) -> PhoneSystem:
    require_manager(request)
    return get_object_or_404(PhoneSystem.objects.select_related("default_team"), pk=system_id)


def _settings_form(system: PhoneSystem) -> PhoneSystemForm:
    initial = {"name": system.name, "default_team": system.default_team, "allowed_addresses": system.allowed_addresses}
    return PhoneSystemForm(initial=initial, phone_system=system)


def _token_page(request: HttpRequest, system: PhoneSystem, token: str) -> HttpResponse:
    return render(request, "telephony/token.html", {"system": system, "token": token})


@login_required
@require_GET
def phone_index(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return render(request, "telephony/index.html", {"systems": selectors.phone_systems_overview(now=timezone.now())})


@login_required
@never_cache
def phone_system_new(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = PhoneSystemForm()
    if request.method == "POST":
        form = PhoneSystemForm(request.POST)
        if form.is_valid():
            try:
                system, token = phone_system_create(created_by=request.user, **form.cleaned_data)
            except IntegrityError:  # the same name saved a moment ago (a double click): the form says so
                form.add_error("name", NAME_TAKEN)
            else:
                return _token_page(request, system, token)
    return render(request, "telephony/system_form.html", {"form": form})


@login_required
def phone_system_detail(request: HttpRequest, system_id: int) -> HttpResponse:
    system = _system(request, system_id)
    form = _settings_form(system)
    if request.method == "POST":
        form = PhoneSystemForm(request.POST, phone_system=system)
        if form.is_valid():
            try:
                with transaction.atomic():
                    phone_system_update(phone_system=system, **form.cleaned_data)
            except IntegrityError:  # another system took the name since the form checked it
                form.add_error("name", NAME_TAKEN)
            else:
                messages.success(request, _("The phone system was saved."))
                return redirect("phone:system", system_id=system.pk)
    return _detail_page(request, system, form=form, route_form=PhoneRouteForm(phone_system=system))


def _detail_page(request: HttpRequest, system: PhoneSystem, *, form, route_form) -> HttpResponse:
    return render(
        request,
        "telephony/system.html",
        {
            "system": system,
            "form": form,
            "route_form": route_form,
            "routes": selectors.phone_system_routes(phone_system=system),
            "extensions": selectors.extensions(),
        },
    )


@login_required
@require_POST
@never_cache
def phone_system_renew(request: HttpRequest, system_id: int) -> HttpResponse:
    system = _system(request, system_id)
    return _token_page(request, system, phone_system_token_renew(phone_system=system))


@login_required
@never_cache
def phone_system_revoke_view(request: HttpRequest, system_id: int) -> HttpResponse:
    system = _system(request, system_id)
    if request.method == "POST":
        if phone_system_revoke(phone_system=system):
            messages.success(request, _("%(name)s is revoked: its events are refused from now on.") % {"name": system})
        else:
            messages.info(request, _("%(name)s was already revoked.") % {"name": system})
        return redirect("phone:system", system_id=system.pk)
    return render(request, "telephony/revoke.html", {"system": system})


@login_required
@require_POST
def phone_route_new(request: HttpRequest, system_id: int) -> HttpResponse:
    system = _system(request, system_id)
    route_form = PhoneRouteForm(request.POST, phone_system=system)
    if route_form.is_valid():
        if phone_route_add(phone_system=system, **route_form.cleaned_data):
            messages.success(request, _("The route was added."))
        else:
            messages.info(request, _("This number or queue already has a route."))
        return redirect("phone:system", system_id=system.pk)
    form = _settings_form(system)
    return _detail_page(request, system, form=form, route_form=route_form)


@login_required
@require_POST
def phone_route_delete(request: HttpRequest, system_id: int, route_id: int) -> HttpResponse:
    system = _system(request, system_id)
    if phone_route_remove(phone_system=system, route_id=route_id):
        messages.success(request, _("The route was removed."))
    else:
        messages.info(request, _("This route was removed already."))
    return redirect("phone:system", system_id=system.pk)
