"""Login lockout helpers for django-axes (settings AXES_CLIENT_IP_CALLABLE, AXES_LOCKOUT_CALLABLE).

Five wrong passwords for one username from one address lock that pair for AXES_COOLOFF_TIME;
docs/SECURITY.md explains the choices.
"""

import ipaddress

from axes.utils import reset as axes_reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: REMOTE_ADDR, or the one our nearest trusted proxy saw.

    Each of the TRUSTED_PROXY_COUNT proxies appends the address it was contacted from to
    X-Forwarded-For, so the client is that many entries from the right. Entries further left
    come from the client itself and are never trusted; a header too short or unreadable for the
    proxy count means the request did not pass our proxies, so REMOTE_ADDR is used.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a locked-out login gets instead of the login form: 429, in the site's layout."""
    context = {
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def lockout_lift(*, username: str) -> int:
    """Forget the failed logins of a username from every address (after a password reset)."""
    return axes_reset(username=username)
