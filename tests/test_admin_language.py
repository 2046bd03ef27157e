"""The admin speaks the user's language: in Dutch every text, the roles' names included."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# English words that are not Dutch as well ("Manager" and "Receptionist" are both), and the roles' stored names.
ENGLISH = [
    "Search",
    "Colleague",
    "Rules of all teams",
    "colleague",
    "all_teams_rules",
    "Pagination",
    "Filter",
    "Add",
    "Select",
    "Change",
    "Home",
    "Log out",
    "Groups",
    "Periodic",
    "Users",
    "role",
]


def _visible_text(html: str) -> str:
    """What a reader sees or hears: text between tags and the alt, title, placeholder and value attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = re.findall(r'\b(?:alt|title|placeholder|aria-label|value)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join([text, *attributes])


@pytest.fixture
def superuser(db, client):
    user = make_user("sam", Role.MANAGER, is_superuser=True, is_staff=True, preferred_language="nl")
    make_user("anna", Role.RECEPTIONIST)
    make_user("bram", Role.COLLEAGUE)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/admin/accounts/user/", "/admin/auth/group/", "/admin/auth/group/add/"])
def test_the_user_and_group_pages_are_dutch(client, superuser, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert [word for word in ENGLISH if re.search(rf"\b{word}\b", text)] == []


def test_the_roles_are_named_in_dutch_in_the_list_the_filter_and_the_user_form(client, superuser):
    groups = client.get("/admin/auth/group/").content.decode()
    users = client.get("/admin/accounts/user/").content.decode()
    form = client.get(f"/admin/accounts/user/{superuser.pk}/change/").content.decode()
    for page in (groups, users, form):
        assert "Collega" in page and "Manager" in page
    assert "gebruikers zoeken" in users.lower()


def test_an_english_user_sees_english_names(client, superuser):
    superuser.preferred_language = "en"
    superuser.save(update_fields=["preferred_language"])
    groups = client.get("/admin/auth/group/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Colleague" in groups and "Collega" not in groups


def test_a_group_made_by_hand_keeps_its_name(client, superuser):
    Group.objects.create(name="Nachtdienst")
    assert "Nachtdienst" in client.get("/admin/auth/group/").content.decode()
