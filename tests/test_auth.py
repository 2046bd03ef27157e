import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_shows_the_login_page_in_dutch_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert "Inloggen" in response.content.decode()


def test_it_shows_the_login_page_in_english_when_the_browser_asks(client):
    response = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert "Log in" in response.content.decode()


def test_it_logs_in_and_lands_on_the_overview(client, receptionist):
    response = client.post("/accounts/login/", {"username": "anna", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == receptionist


def test_it_keeps_the_username_and_explains_a_wrong_password(client, receptionist):
    response = client.post("/accounts/login/", {"username": "anna", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="anna"' in body
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in body
    assert "_auth_user_id" not in client.session


def test_it_logs_out_only_by_post(client, receptionist):
    client.force_login(receptionist)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, colleague):
    client.force_login(colleague)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much better secret 42",
            "new_password2": "a much better secret 42",
        },
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password("a much better secret 42")


def test_it_keeps_the_old_password_when_the_new_ones_differ(client, colleague):
    client.force_login(colleague)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a much better secret 42", "new_password2": "another one 43"},
    )
    assert response.status_code == 200
    assert "De twee wachtwoordvelden komen niet overeen" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD)


def test_it_resets_a_password_by_email_in_the_users_language(client, colleague, django_capture_on_commit_callbacks):
    colleague.preferred_language = "en"
    colleague.save()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers once the request commits
        response = client.post(reverse("password_reset"), {"email": colleague.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Choose a new password for Terugbel"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "fresh start 2026!", "new_password2": "fresh start 2026!"})
    assert done.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password("fresh start 2026!")


def test_it_writes_the_reset_email_in_dutch_for_dutch_users(client, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": colleague.email}, headers={"accept-language": "en"})
    assert mail.outbox[0].subject == "Kies een nieuw wachtwoord voor Terugbel"


def test_it_does_not_reveal_whether_an_address_exists(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_switches_language_and_remembers_it_on_the_account(client, colleague):
    client.force_login(colleague)
    response = client.post(reverse("language_set"), {"language": "en", "next": "/accounts/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    colleague.refresh_from_db()
    assert colleague.preferred_language == "en"
    page = client.get("/", headers={"accept-language": "nl"})
    assert page["Content-Language"] == "en"
    assert "Overview" in page.content.decode()


def test_it_switches_language_for_anonymous_visitors_with_a_cookie(client):
    response = client.post(reverse("language_set"), {"language": "en", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "en"
    assert client.get("/accounts/login/")["Content-Language"] == "en"


def test_it_ignores_an_unknown_language_and_a_foreign_redirect(client, colleague):
    client.force_login(colleague)
    response = client.post(reverse("language_set"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    colleague.refresh_from_db()
    assert colleague.preferred_language == "nl"


def test_it_saves_the_profile_and_keeps_input_on_errors(client, colleague):
    client.force_login(colleague)
    bad = client.post(
        reverse("profile"),
        {"full_name": "Bram J.", "email": "bram@example.test", "phone_extension": "12a", "preferred_language": "nl"},
    )
    assert bad.status_code == 200
    assert 'value="Bram J."' in bad.content.decode()
    assert "Gebruik alleen cijfers" in bad.content.decode()
    good = client.post(
        reverse("profile"),
        {"full_name": "Bram J.", "email": "bram@example.test", "phone_extension": "214", "preferred_language": "nl"},
    )
    assert good.status_code == 302
    assert User.objects.get(pk=colleague.pk).phone_extension == "214"
