from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import AVAILABLE, LanguageForm, LocalizedPasswordResetForm, PresenceForm, ProfileForm
from accounts.lockout import client_ip, login_failures_forget
from accounts.roles import HANDLE_CALLBACKS, MANAGE_OFFICE
from accounts.throttle import throttle_allow


@login_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = request.user
    absences = list(selectors.absences_current_and_upcoming(now=now))
    context = {
        "roles": selectors.role_names(user=user),
        "teams": selectors.teams_of(user=user),
        "my_absence": selectors.absence_current(user=user, now=now),
        "standing_in_for": [a for a in absences if a.stand_in_id == user.pk and a.starts_at <= now],
        "absences": absences,
        "now": now,
    }
    return render(request, "accounts/home.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.cleaned_data["preferred_language"])
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        _remember_language(response, form.cleaned_data["preferred_language"])
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; for a logged-in user it is remembered on the account."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=language)
        _remember_language(response, language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link: limited per address (a clear 429 page); the form limits per account."""

    form_class = LocalizedPasswordResetForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        window = settings.PASSWORD_RESET_WINDOW_MINUTES
        allowed = throttle_allow(
            scope="password-reset-address",
            key=client_ip(request) or "unknown",
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window_seconds=window * 60,
        )
        if not allowed:
            return render(request, "registration/password_reset_throttled.html", {"minutes": window}, status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the emailed link also lifts a login lockout of that user."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_failures_forget(username=self.user.get_username())
        return response


@require_POST
@login_required
def login_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """A manager lifts the login delay of a user (the button on the user's admin page)."""
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):
        raise Http404
    user = get_object_or_404(selectors.users_administrable_by(user=request.user), pk=user_id)
    count = login_failures_forget(username=user.get_username())
    messages.success(
        request,
        ngettext(
            "%(count)d failed login of %(name)s forgotten: %(name)s can log in again at once.",
            "%(count)d failed logins of %(name)s forgotten: %(name)s can log in again at once.",
            count,
        )
        % {"count": count, "name": user.get_username()},
    )
    return redirect("admin:accounts_user_change", user.pk)


@login_required
@require_POST
def presence_update(request: HttpRequest) -> HttpResponse:
    """The navigation's status control: set or clear the colleague's status, then back to the page they were on.

    Only colleagues who take callbacks have a status the receptionist reads; for anyone else the page does not exist.
    """
    if not request.user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        raise Http404
    now = timezone.now()
    form = PresenceForm(request.POST, now=now)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    elif form.cleaned_data["state"] == AVAILABLE:
        services.presence_clear(user=request.user)
        messages.success(request, _("Your status is cleared: available."))
    else:
        services.presence_set(
            user=request.user, state=form.cleaned_data["state"], until=form.cleaned_data["until"], now=now
        )
        messages.success(request, _("Your status is set."))
    return HttpResponseRedirect(target)
