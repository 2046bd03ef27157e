"""Slowing down password guessing without letting one office colleague lock out another.

Two rules, both counted in LoginFailure rows (docs/SECURITY.md explains the choices):

- Per username, from any address: after LOGIN_FREE_FAILURES wrong passwords or sign-in codes the
  next attempt is accepted only after a delay that doubles with each further failure, from
  LOGIN_FIRST_DELAY up to LOGIN_LOCK_TIME. Failures older than LOGIN_FAILURE_MEMORY no longer count.
- Per address: once LOGIN_ADDRESS_USERNAMES different usernames failed from one address within
  LOGIN_LOCK_TIME (credential stuffing), that address may not log in until that is no longer so.

An attempt that is refused is not counted, so a wait ends when the page says it does. A login
(password and, when the user has a device, code) forgets the failures of that username.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import LoginFailure

USERNAME_LENGTH = LoginFailure._meta.get_field("username").max_length


@dataclass(frozen=True)
class Refusal:
    username: str
    until: datetime
    address_locked: bool  # many usernames from this address, rather than one username's delay


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


def username_delay(failures: int) -> timedelta:
    """How long after the last of `failures` failures the next attempt for that username waits."""
    if failures < settings.LOGIN_FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - settings.LOGIN_FREE_FAILURES, 32)
    return min(settings.LOGIN_FIRST_DELAY * 2**doublings, settings.LOGIN_LOCK_TIME)


def login_refusal(*, username: str, ip_address: str | None, excluding: int | None = None) -> Refusal | None:
    """Why an attempt to log in as `username` from `ip_address` is refused now, or None.

    `excluding` is the row of the attempt being decided (login_attempt_start), which does not count against itself.
    """
    now = timezone.now()
    username = username[:USERNAME_LENGTH]
    failures = LoginFailure.objects.exclude(pk=excluding) if excluding is not None else LoginFailure.objects.all()
    if ip_address:
        window = failures.filter(ip_address=ip_address, failed_at__gt=now - settings.LOGIN_LOCK_TIME)
        latest_per_username = window.values("username").annotate(last=Max("failed_at")).order_by("-last")
        nth = list(latest_per_username[settings.LOGIN_ADDRESS_USERNAMES - 1 : settings.LOGIN_ADDRESS_USERNAMES])
        if nth:
            return Refusal(username, nth[0]["last"] + settings.LOGIN_LOCK_TIME, address_locked=True)
    recent = failures.filter(username=username, failed_at__gt=now - settings.LOGIN_FAILURE_MEMORY)
    summary = recent.aggregate(count=Count("pk"), last=Max("failed_at"))
    if summary["last"] is not None:
        until = summary["last"] + username_delay(summary["count"])
        if until > now:
            return Refusal(username, until, address_locked=False)
    return None


def login_failure_record(*, username: str, ip_address: str | None) -> LoginFailure:
    now = timezone.now()
    failure = LoginFailure.objects.create(username=username[:USERNAME_LENGTH], ip_address=ip_address, failed_at=now)
    LoginFailure.objects.filter(failed_at__lt=now - settings.LOGIN_FAILURE_MEMORY).delete()
    return failure


def login_attempt_start(*, username: str, ip_address: str | None) -> LoginFailure | Refusal:
    """Count an attempt as failed before its password or code is checked, then decide whether it may be checked.

    Attempts sent at the same moment see each other's rows, so guesses sent in parallel cannot all slip
    through before the first failure is written. A refused attempt is taken back (it does not extend the
    wait); an attempt that proves right is forgotten by the login (or by login_attempt_passed).
    """
    attempt = login_failure_record(username=username, ip_address=ip_address)
    refusal = login_refusal(username=username, ip_address=ip_address, excluding=attempt.pk)
    if refusal is not None:
        attempt.delete()
        return refusal
    return attempt


def login_attempt_passed(request: HttpRequest) -> None:
    """The password was right, and a second step follows: this attempt was no failure."""
    attempt = getattr(request, "login_attempt", None)
    if attempt is not None:
        LoginFailure.objects.filter(pk=attempt.pk).delete()


def login_failures_forget(*, username: str) -> int:
    """Forget the failures of a username from every address (a login, a password reset, a manager)."""
    return LoginFailure.objects.filter(username=username[:USERNAME_LENGTH]).delete()[0]


class LoginThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: stops authenticate() before any password is checked, and
    leaves a note for LoginRefusalMiddleware to show the wait.

    It has no get_user(), so that the test client's force_login() picks the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials) -> None:
        if request is None or username is None:
            return None
        outcome = login_attempt_start(username=username, ip_address=client_ip(request))
        if isinstance(outcome, Refusal):
            request.login_refusal = outcome
            raise PermissionDenied
        request.login_attempt = outcome  # stays a failure unless the password proves right
        return None


@receiver(user_logged_in)
def _forget_failures(sender, request: HttpRequest | None, user, **kwargs) -> None:
    login_failures_forget(username=user.get_username())


class LoginRefusalMiddleware:
    """Turns a refused login (LoginThrottleBackend) into the page that says until when, with status 429."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refusal = getattr(request, "login_refusal", None)
        return response if refusal is None else refusal_response(request, refusal)


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The page that says until when an attempt waits, in the site's layout, with status 429."""
    return render(request, "registration/locked_out.html", {"refusal": refusal}, status=429)
