"""Two-factor sign-in: enrolment, the code after the password, recovery codes, and wrong codes
slowing down like wrong passwords (accounts/two_factor.py, docs/SECURITY.md)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.two_factor import recovery_codes_create
from tests.browser_helpers import totp_code_for as _code_for
from tests.conftest import PASSWORD
from tests.test_settings import PRODUCTION, _run

WELCOME = "Fijn dat je er bent"


def _password_step(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")


def _code_step(page: Page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clock(tick=True)
def test_a_manager_enrols_signs_in_with_a_code_and_a_recovery_code_and_wrong_codes_wait(
    page: Page, live_server, clock, manager, settings
):
    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = True
    settings.LOGIN_FIRST_DELAY = timedelta(minutes=1)  # longer than a slow browser step on a busy machine
    base = live_server.url
    _password_step(page, base, "mira")
    expect(page).to_have_url(f"{base}/accounts/two-factor/")  # enrolment before any other page
    page.goto(f"{base}/callbacks/")
    expect(page).to_have_url(f"{base}/accounts/two-factor/")
    expect(page.get_by_role("img", name="QR-code voor je authenticator-app")).to_be_visible()
    secret = page.locator("[data-test=totp-secret]").inner_text()
    page.get_by_label("Code").fill(_code_for(secret))
    page.get_by_role("button", name="Aanzetten", exact=True).click()
    expect(page.locator("[data-test=recovery-codes] li")).to_have_count(10)  # the page after the click
    codes = page.locator("[data-test=recovery-codes] li").all_inner_texts()
    assert len(set(codes)) == 10
    _log_out(page)

    clock.shift(seconds=30)  # the app's next code: each code is accepted once
    _password_step(page, base, "mira")
    expect(page).to_have_url(f"{base}/accounts/login/code/")
    _code_step(page, _code_for(secret))
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
    _log_out(page)

    _password_step(page, base, "mira")
    _code_step(page, codes[0])
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
    _log_out(page)

    _password_step(page, base, "mira")
    _code_step(page, codes[0])  # used up
    expect(page.get_by_text("Deze code klopt niet, of is al gebruikt.")).to_be_visible()
    _code_step(page, "nope12")
    _code_step(page, "nope34")
    _code_step(page, codes[1])  # right, but within the wait after three wrong codes
    expect(page.locator("[data-test=locked-out]")).to_contain_text("de volgende poging wordt aangenomen vanaf")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")  # not logged in

    clock.shift(minutes=1)  # the wait is over; the refused code was not used up
    page.goto(f"{base}/accounts/login/code/")
    expect(page).to_have_url(f"{base}/accounts/login/code/")
    _code_step(page, codes[1])
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_only_managers_and_superusers_without_a_second_factor_are_sent_to_enrolment(
    client, settings, colleague, manager
):
    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = True
    client.force_login(colleague)
    assert client.get("/").status_code == 200
    client.force_login(manager)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor_setup")
    assert client.get(reverse("two_factor_setup")).status_code == 200
    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = False
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_the_enrolment_pages_own_fragments_do_not_send_it_to_itself_again(client, settings, manager):
    # The page loads the phone questions and polls the badge; a client redirect to itself would reload it forever.
    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = True
    client.force_login(manager)
    setup = reverse("two_factor_setup")
    from_enrolment = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{setup}"}
    assert client.get("/phone/questions/", headers=from_enrolment).status_code == 204
    from_elsewhere = {"HX-Request": "true", "HX-Current-URL": "http://testserver/callbacks/"}
    response = client.get("/phone/questions/", headers=from_elsewhere)
    assert response.status_code == 200 and response["HX-Redirect"] == setup


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_a_right_password_alone_does_not_log_in_a_user_with_a_second_factor(client, colleague):
    recovery_codes_create(user=colleague)
    response = client.post(reverse("login"), {"username": "bram", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_two_factor_is_required_for_managers_in_production_and_not_in_development():
    code = "import django; django.setup(); from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS)"
    assert _run(code, **PRODUCTION).stdout.strip() == "True"
    assert _run(code, DJANGO_DEBUG="true").stdout.strip() == "False"
    assert _run(code, **PRODUCTION, TWO_FACTOR_REQUIRED_FOR_MANAGERS="false").stdout.strip() == "False"


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_the_admin_login_page_is_no_way_around_the_second_step(client, manager):
    manager.is_staff = True  # the admin's own form logs staff in with a password alone
    manager.save(update_fields=["is_staff"])
    recovery_codes_create(user=manager)
    response = client.post("/admin/login/?next=/admin/", {"username": "mira", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_new_recovery_codes_need_a_code_so_an_open_session_cannot_take_them(client, colleague):
    TOTPDevice.objects.create(user=colleague, name="app", confirmed=True)
    first, *_ = recovery_codes_create(user=colleague)
    client.force_login(colleague)
    unattended = client.post(reverse("two_factor_setup"))
    assert unattended.status_code == 200 and 'data-test="recovery-codes"' not in unattended.content.decode()
    wrong = client.post(reverse("two_factor_setup"), {"code": "00000000"})
    assert "Deze code klopt niet" in wrong.content.decode()
    with_code = client.post(reverse("two_factor_setup"), {"code": first})
    assert 'data-test="recovery-codes"' in with_code.content.decode()
