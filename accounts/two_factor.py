"""Two-factor sign-in with a TOTP app (django-otp) and ten single-use recovery codes.

A user with a confirmed TOTP device is asked for a code after the password (accounts/views_two_factor.py);
wrong codes count toward the login delays of accounts/lockout.py. With TWO_FACTOR_REQUIRED_FOR_MANAGERS
a manager or superuser without one is sent to enrolment before any other page. docs/SECURITY.md.
"""

from base64 import b32encode
from collections.abc import Callable
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import MANAGE_OFFICE

RECOVERY_CODE_COUNT = 10


def two_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user: User) -> bool:
    return settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS and (
        user.is_superuser or user.has_perm(f"accounts.{MANAGE_OFFICE}")
    )


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed device enrolment shows; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app; returns the new recovery codes, or None if wrong."""
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_create(user=device.user)


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Ten new single-use codes, replacing any earlier ones; they are shown once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts the code (an app's code, or a recovery code, used up), or None."""
    return match_token(user, "".join(code.split()).lower())


class TwoFactorRequiredMiddleware:
    """Sends a manager or superuser without a second factor to enrolment before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path not in _open_paths()
            and two_factor_required(user)
            and not two_factor_enrolled(user)
        ):
            target = reverse("two_factor_setup")
            if not request.htmx:
                return redirect(target)
            if urlsplit(request.htmx.current_url_abs_path or "").path == target:
                # A fragment the enrolment page loads itself (the badge, the phone questions): sending the page
                # to itself again would reload it in a loop. 204: htmx leaves the page as it is.
                return HttpResponse(status=204)
            return HttpResponseClientRedirect(target)
        return self.get_response(request)


def _open_paths() -> set[str]:
    return {reverse("two_factor_setup"), reverse("logout"), reverse("language_set")}
