"""Shared steps of the browser tests."""

from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in through the real form, the way a person does, and land on the home page."""
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fijn dat je er bent")
    page.wait_for_load_state("load")  # the scripts that bind the page's controls have run


def totp_code_for(secret: str) -> str:
    """The code an authenticator app shows now for a key as the enrolment page shows it: on the
    test's clock, which the live server reads too."""
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"
