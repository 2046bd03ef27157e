"""Who gets what on EVERY URL of the project, for every role, by GET and by POST.

The table below is checked against the URL configuration itself: a new URL pattern without a row
here fails `test_every_url_pattern_has_a_row`, so nobody adds a page without deciding who may see it.
Static files are left out. Django's admin answers with its own codes (a 302 to its login page for those
without admin access, 403 for a model they may not touch); its pages for user accounts are in ADMIN_EXPECTED
below, for each role against a superuser, a staff, a manager's and an ordinary account (test_admin_rights.py).

POSTs send an empty form, so 200 on a POST means "the form came back with its errors" and nothing
changed. Anything a role may not see is a 404, never a 403, so its existence does not leak.
A 405 is the method check, which runs before the role check and is the same for every message.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from accounts.models import Team
from callbacks.models import CallDraft, Caller, CallerNumber
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a 302 to the login page
REDIRECT = "redirect"  # a 302 anywhere else
ROLES = ("anonymous", "anna", "bram", "daan", "mira", "olaf")

# Columns:    anonymous  anna (receptionist)  bram (colleague, owner, Verkoop)  daan (colleague, Service)
#             mira (manager)  olaf (no role)
# The message is bram's and was taken by anna; <team_id> is Verkoop.
EXPECTED: dict[str, dict[str, tuple]] = {
    "home": {"GET": (LOGIN, 200, 200, 200, 200, 200), "POST": (LOGIN, 200, 200, 200, 200, 200)},
    # The icon's old address (config/urls.py), a permanent redirect to the static file for everyone.
    "favicon": {"GET": (301,) * 6, "POST": (301,) * 6},
    # --- accounts ---------------------------------------------------------------------------------
    "login": {"GET": (200, *[REDIRECT] * 5), "POST": (200, *[REDIRECT] * 5)},
    "logout": {"GET": (405,) * 6, "POST": (LOGIN,) * 6},
    # The code after the password: without a right password first, back to the login page.
    "login_code": {"GET": (LOGIN, *[REDIRECT] * 5), "POST": (LOGIN, *[REDIRECT] * 5)},
    # Enrolment in two-factor sign-in, for everyone logged in; an empty POST shows the form again.
    "two_factor_setup": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[200] * 5)},
    "profile": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[200] * 5)},
    "language_set": {"GET": (405,) * 6, "POST": (REDIRECT,) * 6},
    # Lifting a login delay of <user_id> (anna): managers only, from the user's admin page.
    # The navigation's status control, for colleagues who take callbacks; an empty POST says why and goes back.
    "presence_update": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, REDIRECT, REDIRECT, REDIRECT, 404)},
    "login_unlock": {"GET": (405,) * 6, "POST": (LOGIN, 404, 404, 404, REDIRECT, 404)},
    "password_change": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[200] * 5)},
    "password_change_done": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[405] * 5)},
    "password_reset": {"GET": (200,) * 6, "POST": (200,) * 6},
    "password_reset_done": {"GET": (200,) * 6, "POST": (405,) * 6},
    "password_reset_confirm": {"GET": (200,) * 6, "POST": (200,) * 6},  # a bad token: "this link is invalid"
    "password_reset_complete": {"GET": (200,) * 6, "POST": (405,) * 6},
    # --- the colleague's and the receptionist's pages -----------------------------------------------
    "callbacks:list": {"GET": (LOGIN, 404, 200, 200, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "callbacks:badge": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[405] * 5)},
    "callbacks:inbox": {"GET": (LOGIN, *[200] * 5), "POST": (LOGIN, *[REDIRECT] * 5)},
    # Search (issue 17): whoever takes messages or calls back; each finds only what they may see (tests/test_search.py).
    "callbacks:search": {"GET": (LOGIN, 200, 200, 200, 200, 404), "POST": (LOGIN, *[405] * 5)},
    # The phone desk; a GET of /new/ starts a call (a draft) and redirects to its first step.
    "callbacks:desk": {"GET": (LOGIN, 200, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "callbacks:intake": {"GET": (LOGIN, 303, 404, 404, 303, 404), "POST": (LOGIN, 405, 404, 404, 405, 404)},
    # <call_token> is anna's call in progress: nobody else's, not even a manager's (an empty POST: errors shown).
    "callbacks:call_step": {"GET": (LOGIN, 200, 404, 404, 404, 404), "POST": (LOGIN, 200, 404, 404, 404, 404)},
    # Discarding someone else's call finds nothing of the caller's own to discard.
    "callbacks:call_discard": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, REDIRECT, 404, 404, REDIRECT, 404)},
    "callbacks:intake_status": {"GET": (LOGIN, 200, 404, 404, 200, 404), "POST": (LOGIN, 200, 404, 404, 200, 404)},
    "callbacks:intake_promise_sentence": {"GET": (LOGIN, 200, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    # The caller known by the number typed at intake: for those who take messages; GET only.
    "callbacks:caller_known": {"GET": (LOGIN, 200, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "callbacks:detail": {"GET": (LOGIN, 200, 200, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "callbacks:attempt": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 200, 404, 200, 404)},
    "callbacks:handle": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 200, 404, 200, 404)},
    "callbacks:reassign": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 200, 404, 200, 404)},
    "callbacks:follow_up": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 200, 404, 200, 404)},
    # Only the receptionist who took the message corrects it; the manager sees it but may not.
    "callbacks:correct": {"GET": (LOGIN, 200, 404, 404, 404, 404), "POST": (LOGIN, 200, 404, 404, 404, 404)},
    # --- the caller page: <caller_id> links the message's number (<number>) and another; a number of a linked
    # caller leads to its page. Whoever sees none of the caller's messages gets 404. An empty link POST shows
    # the page with the form's error; an empty unlink POST names no number and goes back.
    "callers:detail": {"GET": (LOGIN, 200, 200, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "callers:by_number": {"GET": (LOGIN, REDIRECT, REDIRECT, 404, REDIRECT, 404), "POST": (LOGIN, *[405] * 5)},
    "callers:link": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 200, 200, 404, 200, 404)},
    "callers:unlink": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, REDIRECT, REDIRECT, 404, REDIRECT, 404)},
    # --- the manager's pages ----------------------------------------------------------------------------
    "dashboard:index": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "dashboard:live": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "dashboard:statistics": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "dashboard:statistics_csv": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    # The statistics page's missed-call section (telephony, loaded by htmx) and its CSV: as the page itself.
    "phonestats:section": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "phonestats:missed_calls_csv": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "dashboard:messages_csv": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "dashboard:policies": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    # An empty POST names no action: the page is shown again.
    "dashboard:team_policy": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    # Every roster cell is optional, so an empty POST is a valid (empty) roster and redirects.
    "dashboard:phone_duty": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, REDIRECT, 404)},
    # Privacy (AVG): managers only. Without ?number= the caller page says so, an empty erasure form comes back
    # with its errors, and the export sends the manager back to the privacy page.
    "dashboard:privacy": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "dashboard:privacy_caller": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "dashboard:privacy_export": {"GET": (LOGIN, 404, 404, 404, REDIRECT, 404), "POST": (LOGIN, *[405] * 5)},
    # The phone systems (issue 18): managers only. An empty POST of a form shows it again with its errors; renew
    # answers with the new token's page; revoke asks first, then revokes and goes back; an empty route removal
    # (no such route) says so and goes back.
    "phone:index": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "phone:system_new": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "phone:system": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "phone:system_renew": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "phone:system_revoke": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, 404, 404, 404, REDIRECT, 404)},
    "phone:route_new": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 404, 404, 200, 404)},
    "phone:route_delete": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, 404, 404, 404, REDIRECT, 404)},
    "phone:calls": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    "phone:call": {"GET": (LOGIN, 404, 404, 404, 200, 404), "POST": (LOGIN, *[405] * 5)},
    # --- the phone system's live fragments (telephony/urls_live.py) -----------------------------------
    # The pop-up poll for those who take messages (204: nothing new) and the questions about outgoing calls for
    # those who handle callbacks; <pk> is no call of theirs, so acting on it is a 404 for everyone.
    "phonelive:offers": {"GET": (LOGIN, 204, 404, 404, 204, 404), "POST": (LOGIN, *[405] * 5)},
    "phonelive:offer_take": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, *[404] * 5)},
    "phonelive:offer_dismiss": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, *[404] * 5)},
    "phonelive:questions": {"GET": (LOGIN, 404, 204, 204, 204, 404), "POST": (LOGIN, *[405] * 5)},
    "phonelive:question_tick_off": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, *[404] * 5)},
    "phonelive:question_note": {"GET": (LOGIN, *[405] * 5), "POST": (LOGIN, *[404] * 5)},
    "phonelive:question_later": {"GET": (LOGIN, *[404] * 5), "POST": (LOGIN, *[405] * 5)},
    # The phone system's webhook (Zammad's CTI API): no login, a POST with the system's token; a wrong one is a 404
    # for everybody, signed in or not.
    "telephony:webhook": {"GET": (405,) * 6, "POST": (404,) * 6},
    "telephony:webhook_sipgate": {"GET": (405,) * 6, "POST": (404,) * 6},
}


def _url_patterns(patterns=None, namespace: str = "", urlconf=None) -> dict[str, list[str]]:
    """Every route of the project: its name (or route when unnamed) and the names of its URL arguments."""
    found = {}
    for entry in get_resolver(urlconf).url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            found.update(
                _url_patterns(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            )
        elif isinstance(entry, URLPattern):
            route = str(entry.pattern)
            if route.lstrip("^").startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = f"{namespace}{entry.name}" if entry.name else route
            found[name] = list(entry.pattern.converters) or [*entry.pattern.regex.groupindex]
    return found


def test_every_url_pattern_has_a_row():
    routes = set(_url_patterns())
    missing, stale = routes - set(EXPECTED), set(EXPECTED) - routes
    assert not missing, f"URL patterns without a row in EXPECTED (decide who may see them): {sorted(missing)}"
    assert not stale, f"rows in EXPECTED for URL patterns that no longer exist: {sorted(stale)}"


def test_a_new_pattern_without_a_row_would_be_noticed():
    class WithANewPage:
        urlpatterns = [path("", include("config.urls")), path("export/everything/", lambda request: None)]

    assert set(_url_patterns(urlconf=WithANewPage)) - set(EXPECTED) == {"export/everything/"}


def test_every_row_names_each_role_for_get_and_post():
    for name, methods in EXPECTED.items():
        assert set(methods) == {"GET", "POST"}, name
        assert all(len(outcomes) == len(ROLES) for outcomes in methods.values()), name


@pytest.fixture
def office(clock, receptionist, colleague, other_colleague, manager, outsider):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=3))
    people = {user.username: user for user in (receptionist, colleague, other_colleague, manager, outsider)}
    caller = Caller.objects.create()
    CallerNumber.objects.bulk_create(
        [CallerNumber(caller=caller, number=message.caller_number), CallerNumber(caller=caller, number="+31201234567")]
    )
    arguments = {
        "pk": message.pk,
        "team_id": Team.objects.get(name="Verkoop").pk,
        "user_id": receptionist.pk,
        "uidb64": "MQ",
        "token": "not-a-real-token",
        "step": "recipient",
        "call_token": CallDraft.objects.create(taken_by=receptionist).token,
        "caller_id": caller.pk,
        "number": str(message.caller_number),
        **_phone_arguments(),
    }
    return people, message, arguments


def _phone_arguments() -> dict:
    """A phone system with a route and a call, for the phone-system pages' arguments."""
    from telephony.models import PhoneCall, PhoneRoute
    from tests.phone_helpers import make_phone_system

    system, _ = make_phone_system(team=Team.objects.get(name="Verkoop"))
    route = PhoneRoute.objects.create(phone_system=system, kind="queue", value="sales", team=system.default_team)
    call = PhoneCall.objects.create(phone_system=system, call_id="c1", direction="in")
    return {"system_id": system.pk, "route_id": route.pk, "phone_call_id": call.pk}


def _outcome(response) -> object:
    if response.status_code != 302:
        return response.status_code
    return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_access(office, name):
    people, message, arguments = office
    url = reverse(name, kwargs={key: arguments[key] for key in _url_patterns()[name]})
    wrong = []
    for method, outcomes in EXPECTED[name].items():
        for who, expected in zip(ROLES, outcomes):
            client = Client()
            client.raise_request_exception = False  # a 500 is reported as a 500, next to the other mismatches
            if who != "anonymous":
                client.force_login(people[who])
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = _outcome(response)
            if got != expected:
                wrong.append(f"{method} {url} as {who}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
    message.refresh_from_db()
    assert message.version == 1 and message.attempt_count == 0 and message.owner_user == people["bram"]


def test_a_team_that_does_not_exist_is_a_404_for_the_manager(client, manager):
    client.force_login(manager)
    assert client.get(reverse("dashboard:team_policy", kwargs={"team_id": 999_999})).status_code == 404
    assert client.post(reverse("dashboard:team_policy", kwargs={"team_id": 999_999}), {}).status_code == 404


# --- the admin's pages for user accounts ------------------------------------------------------------------
ADMIN_LOGIN = "admin login"  # a 302 to the admin's login page: no admin access at all
ADMIN_ROLES = ("anonymous", "anna", "bram", "olaf", "mira", "root")  # root is a superuser
ADMIN_TARGETS = ("root", "stefan", "max", "bram")  # a superuser, a staff account, a manager, a colleague


def _admin_row(mira, root) -> tuple:
    return (ADMIN_LOGIN,) * 4 + (mira, root)


OUT_OF_REACH = {"GET": _admin_row(404, 200), "POST": _admin_row(404, 200)}
WITHIN_REACH = {"GET": _admin_row(200, 200), "POST": _admin_row(200, 200)}  # an empty POST: the form again
# Per account: a manager never reaches a superuser or a staff account, and reaches a fellow manager's and a
# colleague's. The empty POST of the delete page is its confirmation page, so nothing is deleted.
ADMIN_EXPECTED: dict[str, dict[str, dict[str, tuple]]] = {
    page: {"root": OUT_OF_REACH, "stefan": OUT_OF_REACH, "max": WITHIN_REACH, "bram": WITHIN_REACH}
    for page in ("accounts_user_change", "auth_user_password_change", "accounts_user_delete", "accounts_user_history")
}
ADMIN_LISTS = {
    "accounts_user_changelist": {"GET": _admin_row(200, 200), "POST": _admin_row(200, 200)},
    "accounts_user_add": {"GET": _admin_row(200, 200), "POST": _admin_row(200, 200)},
    "admin_logentry_changelist": {"GET": _admin_row(403, 200), "POST": _admin_row(403, 200)},
}


def test_every_user_admin_page_has_a_row():
    from django.contrib import admin

    from accounts.models import User

    names = {pattern.name for pattern in admin.site._registry[User].get_urls() if pattern.name}
    assert names == set(ADMIN_EXPECTED) | {name for name in ADMIN_LISTS if name.startswith("accounts_user")}


@pytest.fixture
def admin_office(office):
    from tests.conftest import make_user

    people, _message, _arguments = office
    people["root"] = make_user("root", is_superuser=True, is_staff=True)
    people["stefan"] = make_user("stefan", is_staff=True)
    people["max"] = make_user("max", "manager")
    return people


def _admin_outcomes(people, url: str, expected: dict[str, tuple]) -> list[str]:
    wrong = []
    for method, outcomes in expected.items():
        for who, outcome in zip(ADMIN_ROLES, outcomes):
            client = Client()
            client.raise_request_exception = False
            if who != "anonymous":
                client.force_login(people[who])
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            if got == 302 and response["Location"].startswith(reverse("admin:login")):
                got = ADMIN_LOGIN
            if got != outcome:
                wrong.append(f"{method} {url} as {who}: expected {outcome}, got {got}")
    return wrong


@pytest.mark.parametrize("name", sorted(ADMIN_EXPECTED))
def test_admin_access_to_each_account(admin_office, name):
    people = admin_office
    wrong = []
    for target, expected in ADMIN_EXPECTED[name].items():
        wrong += _admin_outcomes(people, reverse(f"admin:{name}", args=[people[target].pk]), expected)
    assert not wrong, "\n".join(wrong)
    for target in ADMIN_TARGETS:
        people[target].refresh_from_db()  # none deleted
        assert people[target].is_active


@pytest.mark.parametrize("name", sorted(ADMIN_LISTS))
def test_admin_access_to_the_lists(admin_office, name):
    wrong = _admin_outcomes(admin_office, reverse(f"admin:{name}"), ADMIN_LISTS[name])
    assert not wrong, "\n".join(wrong)
