"""One read of the office's configuration per request (accounts/configuration_cache.py `read_once`)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.backends import permissions_key
from accounts.configuration_cache import read_once
from accounts.selectors import presence_key
from callbacks.models.querysets import team_ids_key
from callbacks.selectors.dashboard import on_duty_key
from callbacks.selectors.intake import RECIPIENTS_KEY
from callbacks.selectors.open_figures import owed_totals_keys
from callbacks.selectors.worklist import follow_ups_keys, member_teams_key, owed_first_keys_keys

RECIPIENT_PAGES = frozenset({"callbacks:call_step", "callbacks:detail"})


class ConfigurationReadsMiddleware:
    """Reads the configuration version once per request, with the entries the navigation of every page
    asks for (permissions, team ids, teams, who is on phone duty) and the badge's figures in the same round
    trip: against a shared Redis each entry read on its own is a round trip of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def navigation_keys() -> list[str]:
            # Called at the first configuration read, by when the user is loaded: a request that reads no
            # configuration does not load its user for this.
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return []
            # The roster's entry in the office's time zone, as on_phone_duty reads it; a key not asked for
            # later (the office closed) costs nothing but its bytes. Everyone a message can be for: every
            # intake step validates the first step's choice, and a message's page offers to pass it on.
            route = request.resolver_match
            names_recipients = route is not None and route.view_name in RECIPIENT_PAGES
            return [
                permissions_key(user),
                team_ids_key(user),
                member_teams_key(user),
                on_duty_key(timezone.localtime()),
                *([RECIPIENTS_KEY] if names_recipients else []),
            ]

        def navigation_figures() -> list[str]:
            # The badge's figures, kept with the messages' generations (and on "My callbacks" its first
            # keys and follow-ups): a person without callbacks finds none of them, at no cost but the keys.
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return []
            route = request.resolver_match
            on_the_list = route is not None and route.view_name == "callbacks:list"
            listed = [*owed_first_keys_keys(user), *follow_ups_keys(user)] if on_the_list else []
            return [presence_key(user.pk), *owed_totals_keys(user), *listed]

        with read_once(navigation_keys, navigation_figures):
            return self.get_response(request)
