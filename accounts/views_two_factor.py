"""Sign-in in two steps (password, then code) and enrolment of a TOTP app; accounts/two_factor.py."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device

from accounts import two_factor
from accounts.forms import LoginForm
from accounts.lockout import Refusal, client_ip, login_attempt_passed, login_attempt_start, refusal_response
from accounts.models import User

PENDING = "two_factor_pending"  # the user whose password was right, waiting for the code
PENDING_SECONDS = 10 * 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class LoginView(auth_views.LoginView):
    """Django's login; a user with a second factor is asked for a code before being logged in."""

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not user_has_device(user):
            return super().form_valid(form)
        login_attempt_passed(self.request)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time())}
        next_url = self.get_redirect_url()
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("login_code") + query)


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app or a recovery code. Wrong codes slow down like passwords."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[PENDING]
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = login_attempt_start(username=user.get_username(), ip_address=client_ip(request))
        if isinstance(outcome, Refusal):  # wrong codes and passwords share the wait
            return refusal_response(request, outcome)
        device = two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])  # forgets this username's failures
            return redirect(_safe_next(request))
        form.add_error("code", _("This code is not right, or was used before."))
    return render(request, "registration/login_code.html", {"form": form, "next": request.GET.get("next", "")})


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target or reverse("home")
    return reverse("home")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: the secret as text and as a QR code, confirmed with a code; then ten recovery codes."""
    user = request.user
    if two_factor.two_factor_enrolled(user):
        # New recovery codes only with a code: a session left open at the desk must not hand them out.
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"]) is not None:
                codes = two_factor.recovery_codes_create(user=user)
                return render(request, "accounts/two_factor_codes.html", {"codes": codes})
            form.add_error("code", _("This code is not right, or was used before."))
        return render(request, "accounts/two_factor_on.html", {"form": form})
    device = two_factor.totp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_device_confirm(device=device, code="".join(form.cleaned_data["code"].split()))
        if codes is not None:
            messages.success(request, _("Two-factor sign-in is on."))
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
        form.add_error("code", _("This code is not right. Check the time on your phone and try the next code."))
    context = {
        "form": form,
        "secret": two_factor.totp_secret(device),
        "qr_code": two_factor.totp_qr_data_uri(device),
        "required": two_factor.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)
