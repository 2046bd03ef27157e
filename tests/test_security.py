"""Login lockout, idle sessions and security headers (docs/SECURITY.md)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.lockout import Refusal, client_ip, login_attempt_start, username_delay
from accounts.middleware import IdleTimeoutMiddleware
from accounts.models import LoginFailure
from tests.conftest import PASSWORD
from tests.test_settings import PRODUCTION, _run

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
LOGIN = "/accounts/login/"
OFFICE, HOME, PROXY = "192.0.2.10", "198.51.100.7", "10.0.0.2"
LOCKED = "Te veel inlogpogingen"

# Lockouts and idle sessions are timed: their tests run on the clock, from T0 (tests/clock.py).
pytestmark = pytest.mark.clock(at=T0)


def _log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _fail(client, username: str = "anna", times: int = 3, **extra) -> list[int]:
    return [_log_in(client, username, "wrong", **extra).status_code for _ in range(times)]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Delays per username, locks per address -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_after_three_wrong_passwords_the_next_attempt_waits_even_with_the_right_one(client, receptionist):
    assert _fail(client, REMOTE_ADDR=OFFICE) == [200, 200, 200]
    response = _log_in(client, "anna", REMOTE_ADDR=OFFICE)
    body = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in body and "volgende poging wordt aangenomen vanaf 09:00:05" in body
    assert 'id="main"' in body and reverse("password_reset") in body  # the site's layout, a way out
    assert not _logged_in(client)
    assert LoginFailure.objects.filter(username="anna").count() == 3  # the refused attempt is not counted


def test_the_delay_doubles_from_five_seconds_up_to_the_cap():
    delays = [username_delay(failures).total_seconds() for failures in range(14)]
    assert delays == [0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    assert username_delay(10_000) == timedelta(minutes=15)


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_delay_grows_with_each_failure_and_attempts_meanwhile_do_not_extend_it(clock, client, receptionist):
    _fail(client, REMOTE_ADDR=OFFICE)
    clock.shift(seconds=5)
    assert _fail(client, times=1, REMOTE_ADDR=OFFICE) == [200]  # the fourth failure: now 10 seconds
    clock.shift(seconds=9)
    assert _fail(client, times=3, REMOTE_ADDR=OFFICE) == [429, 429, 429]
    clock.shift(seconds=1)
    assert _log_in(client, "anna", REMOTE_ADDR=OFFICE).status_code == 302
    assert _logged_in(client)
    assert not LoginFailure.objects.exists()  # a login forgets the failures


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_colleague_mistyping_a_name_five_times_costs_its_owner_seconds_not_a_quarter_hour(
    clock, client, receptionist
):
    # The defect: five wrong passwords for anna from the office's one NAT address locked her for 15 minutes.
    assert _fail(client, times=5, REMOTE_ADDR=OFFICE) == [200, 200, 200, 429, 429]
    clock.shift(seconds=5)
    assert _log_in(client, "anna", REMOTE_ADDR=OFFICE).status_code == 302


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_the_delay_follows_the_username_to_every_address(client, receptionist):
    _fail(client, REMOTE_ADDR=OFFICE)
    assert _log_in(client, "anna", REMOTE_ADDR=HOME).status_code == 429


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_colleague_behind_the_same_address_is_not_held_up(clock, client, receptionist, colleague):
    for _ in range(8):  # far into anna's delays
        _fail(client, "anna", times=1, REMOTE_ADDR=OFFICE)
        clock.shift(minutes=15)
    assert _log_in(client, "anna", "wrong", REMOTE_ADDR=OFFICE).status_code == 200
    assert _log_in(client, "bram", REMOTE_ADDR=OFFICE).status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
@pytest.mark.postgres
def test_an_address_is_locked_only_once_ten_different_usernames_failed_from_it(clock, client, colleague):
    for number in range(9):
        _fail(client, f"guess{number}", times=1, REMOTE_ADDR=OFFICE)
        clock.shift(seconds=10)
    assert _log_in(client, "bram", REMOTE_ADDR=OFFICE).status_code == 302
    client.post(reverse("logout"))
    _fail(client, "guess9", times=1, REMOTE_ADDR=OFFICE)
    response = _log_in(client, "bram", REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    assert "inloggen vanaf dit netwerk weer mogelijk vanaf 09:15:00" in response.content.decode()
    assert _log_in(client, "bram", REMOTE_ADDR=HOME).status_code == 302  # elsewhere bram gets in
    client.post(reverse("logout"))
    clock.move_to(T0 + timedelta(minutes=15, seconds=1))  # the first of the ten no longer counts
    assert _log_in(client, "bram", REMOTE_ADDR=OFFICE).status_code == 302


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_a_success_resets_the_count_so_mistakes_do_not_add_up_over_days(client, receptionist):
    _fail(client, times=2)
    assert _log_in(client, "anna").status_code == 302
    client.post(reverse("logout"))
    assert _fail(client, times=4) == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_the_lockout_page_escapes_the_username(client):
    response = _log_in(client, "<b>x</b>", "wrong")
    for _ in range(3):
        response = _log_in(client, "<b>x</b>", "wrong")
    body = response.content.decode()
    assert response.status_code == 429
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_the_lockout_page_speaks_english_to_an_english_browser(client, receptionist):
    _fail(client)
    response = _log_in(client, "anna", headers={"accept-language": "en"})
    assert "Too many login attempts" in response.content.decode()


@pytest.mark.django_db
def test_guesses_sent_at_the_same_moment_wait_like_guesses_sent_one_by_one(clock, client, receptionist):
    """Each attempt is counted before its password is checked: a second guess in flight is refused."""
    _fail(client, REMOTE_ADDR=OFFICE)
    clock.shift(seconds=6)  # the wait after three failures is over
    first = login_attempt_start(username="anna", ip_address=HOME)
    second = login_attempt_start(username="anna", ip_address=OFFICE)
    assert isinstance(first, LoginFailure) and isinstance(second, Refusal)
    assert LoginFailure.objects.filter(username="anna").count() == 4  # the refused one is not counted


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_a_delayed_user_can_reset_the_password_which_lifts_the_delay(
    client, receptionist, django_capture_on_commit_callbacks
):
    _fail(client, REMOTE_ADDR=OFFICE)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers once the request commits
        response = client.post(reverse("password_reset"), {"email": receptionist.email}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True, REMOTE_ADDR=OFFICE).redirect_chain[-1][0]
    new = "fresh start 2026!"
    response = client.post(set_url, {"new_password1": new, "new_password2": new}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="anna").exists()
    assert _log_in(client, "anna", new, REMOTE_ADDR=OFFICE).status_code == 302


# --- Client address behind a proxy ----------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.5", PROXY),  # no proxy configured: the header is the client's word only
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a forged entry on the left is ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (2, "203.0.113.5", PROXY),  # fewer hops than proxies: did not come through them
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_it_takes_the_client_address_from_the_trusted_proxy_hop(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers={"x-forwarded-for": forwarded})
    assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_x_forwarded_for_is_ignored_without_the_proxy_setting(client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # development default
    for number, forwarded in enumerate([OFFICE, HOME, "6.6.6.6"]):
        _fail(client, f"guess{number}", times=1, REMOTE_ADDR=PROXY, headers={"x-forwarded-for": forwarded})
    # A made-up header does not get an attacker a fresh address for the count per address.
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {PROXY}


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_x_forwarded_for_is_honoured_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, "guess0", times=1, REMOTE_ADDR=PROXY, headers={"x-forwarded-for": OFFICE})
    _fail(client, "guess1", times=1, REMOTE_ADDR=PROXY, headers={"x-forwarded-for": f"{HOME}, {OFFICE}"})
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {OFFICE}


# --- Unlocking from the admin ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
def test_a_manager_lifts_the_delay_from_the_users_admin_page(client, receptionist, colleague, manager):
    _fail(client, "anna")
    _fail(client, "bram", times=1)
    client.force_login(manager)
    page = client.get(f"/admin/accounts/user/{receptionist.pk}/change/").content.decode()
    unlock = reverse("login_unlock", args=[receptionist.pk])
    assert f'action="{unlock}"' in page and "Inlogvertraging opheffen" in page
    response = client.post(unlock, follow=True)
    assert response.redirect_chain[0] == (f"/admin/accounts/user/{receptionist.pk}/change/", 302)
    assert "3 mislukte inlogpogingen van anna vergeten" in response.content.decode()
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["bram"]
    client.post(reverse("logout"))
    assert _log_in(client, "anna").status_code == 302


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "outsider"])
def test_only_managers_lift_a_delay(client, request, fixture, manager):
    _fail(client, "mira")
    client.force_login(request.getfixturevalue(fixture))
    assert client.post(reverse("login_unlock", args=[manager.pk])).status_code == 404
    assert LoginFailure.objects.filter(username="mira").count() == 3


# --- Idle sessions --------------------------------------------------------------------------------


def _htmx(current: str) -> dict:
    return {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current}"}


@pytest.mark.django_db
@pytest.mark.postgres
def test_it_logs_out_after_an_hour_without_activity(clock, client, colleague):
    client.force_login(colleague)
    assert client.get("/callbacks/").status_code == 200
    clock.shift(timedelta(minutes=61, seconds=1))
    response = client.get("/callbacks/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fcallbacks%2F%3Fpage%3D2"
    assert not _logged_in(client)
    login_page = client.get(response["Location"]).content.decode()
    assert "Je bent uitgelogd na 60 minuten zonder activiteit." in login_page


@pytest.mark.django_db
@pytest.mark.postgres
def test_activity_keeps_the_session_going(clock, client, colleague):
    client.force_login(colleague)
    for _ in range(6):
        assert client.get("/callbacks/").status_code == 200
        clock.shift(timedelta(minutes=50))
    assert _logged_in(client)


@pytest.mark.django_db
@pytest.mark.postgres
def test_dashboard_polling_is_not_activity_and_ends_with_a_client_redirect(clock, client, manager):
    client.force_login(manager)
    assert client.get("/dashboard/").status_code == 200
    for _ in range(120):  # an hour of polls every 30 seconds
        clock.shift(timedelta(seconds=30))
        assert client.get("/dashboard/live/", headers=_htmx("/dashboard/")).status_code == 200
    clock.shift(timedelta(minutes=1, seconds=1))
    response = client.get("/dashboard/live/", headers=_htmx("/dashboard/"))
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fdashboard%2F"
    assert not _logged_in(client)


@pytest.mark.django_db
@pytest.mark.postgres
def test_an_htmx_post_is_activity(clock, client, manager):
    client.force_login(manager)
    client.get("/")
    clock.shift(timedelta(minutes=50))
    client.post(reverse("language_set"), {"language": "nl", "next": "/"}, headers=_htmx("/"))
    clock.shift(timedelta(minutes=50))
    assert client.get("/").status_code == 200
    assert _logged_in(client)


@pytest.mark.django_db
@pytest.mark.postgres
def test_it_records_activity_at_most_once_a_minute(clock, client, colleague):
    key = IdleTimeoutMiddleware.SESSION_KEY
    client.force_login(colleague)
    client.get("/")
    first = client.session[key]
    clock.shift(timedelta(seconds=59))
    client.get("/")
    assert client.session[key] == first
    clock.shift(timedelta(seconds=1))
    client.get("/")
    assert client.session[key] == first + 60


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_idle_period_comes_from_the_settings(clock, client, colleague, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(colleague)
    client.get("/")
    clock.shift(timedelta(minutes=5, seconds=59))
    assert client.get("/").status_code == 200  # still in, and active again
    clock.shift(timedelta(minutes=6))
    response = client.get("/", follow=True)
    assert "Je bent uitgelogd na 5 minuten zonder activiteit." in response.content.decode()


# --- Headers and cookies --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.postgres
def test_responses_carry_the_security_headers_in_development(client):
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # HSTS only in production
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and not csrf["secure"]
    # htmx takes the CSRF token from the page, not from the (HttpOnly) cookie.
    assert """data-hx-headers='{"X-CSRFToken": \"""" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_session_cookie_is_http_only(client, receptionist):
    response = _log_in(client, "anna")
    assert response.cookies["sessionid"]["httponly"]


_SECURITY_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, "
    "s.TRUSTED_PROXY_COUNT, s.LOGIN_LOCK_TIME, s.SESSION_IDLE_MINUTES, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY)"
)


def test_production_makes_cookies_secure_and_sends_hsts():
    result = _run(_SECURITY_SETTINGS, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "1",
        "0:15:00",
        "60",
        "DENY",
        "same-origin",
    ]


def test_development_has_no_hsts_no_secure_cookies_and_no_proxy():
    result = _run(_SECURITY_SETTINGS.replace("s.SECURE_PROXY_SSL_HEADER, ", ""), DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "False",
        "True",
        "0",
        "False",
        "False",
        "0",
        "0:15:00",
        "60",
        "DENY",
        "same-origin",
    ]


def test_lockout_idle_and_proxy_settings_come_from_the_environment():
    overrides = {"TRUSTED_PROXY_COUNT": "2", "LOGIN_LOCK_MINUTES": "30", "SESSION_IDLE_MINUTES": "20"}
    result = _run(_SECURITY_SETTINGS, **PRODUCTION, **overrides)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[9:12] == ["2", "0:30:00", "20"]


@pytest.mark.parametrize(
    "name, value", [("TRUSTED_PROXY_COUNT", "-1"), ("LOGIN_LOCK_MINUTES", "0"), ("SESSION_IDLE_MINUTES", "soon")]
)
def test_unreadable_security_settings_stop_the_start(name, value):
    result = _run("import django; django.setup()", DJANGO_DEBUG="true", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_a_production_response_over_https_carries_hsts_and_the_other_headers():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/accounts/logout/', secure=True, headers={'host': 'terugbel.example.nl'}); "
        "print(r.status_code); print(r['Strict-Transport-Security']); print(r['X-Frame-Options']); "
        "print(r['X-Content-Type-Options']); print(r['Referrer-Policy'])"
    )
    result = _run(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "405",
        "max-age=31536000; includeSubDomains; preload",
        "DENY",
        "nosniff",
        "same-origin",
    ]


@pytest.mark.postgres
def test_an_overlong_username_is_a_failed_login_not_a_500(client, receptionist):
    client.raise_request_exception = False
    response = client.post(LOGIN, {"username": "a" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()
