import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect


class PreferredLanguageMiddleware:
    """After login the user's own language wins over the browser's Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Nothing shown to a logged-in person stays in the browser's cache: pages, htmx fragments and
    exports carry caller data, and a shared reception desk must not show them again after logout
    (the Back button, the history). Anonymous pages and static files (served by WhiteNoise before
    this runs) keep their headers, and so does a view that chose its own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


class IdleTimeoutMiddleware:
    """Log a session out after SESSION_IDLE_MINUTES without activity: the reception desk is shared.

    Background htmx GETs are not activity (the dashboard polls every 30 seconds; an open dashboard
    would otherwise never time out), but they do end an idle session. The last activity is written
    at most once a minute, so a busy user causes no session write per request; a session therefore
    ends between SESSION_IDLE_MINUTES and one minute more after the last real activity.
    """

    SESSION_KEY = "last_activity"
    WRITE_INTERVAL = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            if last is not None and now - last >= settings.SESSION_IDLE_MINUTES * 60 + self.WRITE_INTERVAL:
                return self._log_out(request)
            if last is None or (now - last >= self.WRITE_INTERVAL and not _is_background(request)):
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)

    def _log_out(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.SESSION_IDLE_MINUTES
        back_to = _page_of(request)
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were logged out after %(minutes)d minute without activity.",
                "You were logged out after %(minutes)d minutes without activity.",
                minutes,
            )
            % {"minutes": minutes},
        )
        login = resolve_url(settings.LOGIN_URL)
        if back_to:
            login = f"{login}?{urlencode({REDIRECT_FIELD_NAME: back_to})}"
        if request.htmx:
            # A fragment request must not swap the login page into the page; htmx navigates instead.
            return HttpResponseClientRedirect(login)
        return HttpResponseRedirect(login)


def _is_background(request: HttpRequest) -> bool:
    """An htmx GET the page made by itself (polling, refreshes), as opposed to a click or a form."""
    return bool(request.htmx) and request.method == "GET" and not request.htmx.boosted


def _page_of(request: HttpRequest) -> str | None:
    """The page to come back to after logging in again: the page shown, for htmx the page around it."""
    if request.htmx:
        return request.htmx.current_url_abs_path
    return request.get_full_path() if request.method == "GET" else None
