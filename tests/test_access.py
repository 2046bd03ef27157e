"""Who may see and do what, over every URL of the callback log. Anything not allowed answers 404."""

from datetime import timedelta

import pytest

from accounts.roles import Role
from tests.conftest import make_user
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

ALLOWED, HIDDEN, LOGIN = "allowed", 404, "login"

# Per URL: what each person gets. POSTs send an empty form, so "allowed" means the form came back
# with errors (200) and nothing changed.
MATRIX = {
    ("GET", "/callbacks/"): {
        "anna": HIDDEN,
        "bram": ALLOWED,
        "daan": ALLOWED,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("GET", "/callbacks/{pk}/"): {
        "anna": ALLOWED,
        "bram": ALLOWED,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("POST", "/callbacks/{pk}/attempt/"): {
        "anna": HIDDEN,
        "bram": ALLOWED,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("POST", "/callbacks/{pk}/handle/"): {
        "anna": HIDDEN,
        "bram": ALLOWED,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("POST", "/callbacks/{pk}/reassign/"): {
        "anna": HIDDEN,
        "bram": ALLOWED,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("GET", "/callbacks/{pk}/correct/"): {
        "anna": ALLOWED,
        "bram": HIDDEN,
        "daan": HIDDEN,
        "mira": HIDDEN,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("POST", "/callbacks/{pk}/correct/"): {
        "anna": ALLOWED,
        "bram": HIDDEN,
        "daan": HIDDEN,
        "mira": HIDDEN,
        "olaf": HIDDEN,
        "rita": HIDDEN,
    },
    ("GET", "/callbacks/desk/"): {
        "anna": ALLOWED,
        "bram": HIDDEN,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": ALLOWED,
    },
    ("GET", "/callbacks/new/"): {
        "anna": 303,
        "bram": HIDDEN,
        "daan": HIDDEN,
        "mira": 303,
        "olaf": HIDDEN,
        "rita": 303,
    },  # a new call of one's own, at its first step
    ("GET", "/callbacks/new/status/?recipient=Bram"): {
        "anna": ALLOWED,
        "bram": HIDDEN,
        "daan": HIDDEN,
        "mira": ALLOWED,
        "olaf": HIDDEN,
        "rita": ALLOWED,
    },
}
CASES = [(method, url, who, expected) for (method, url), people in MATRIX.items() for who, expected in people.items()]


@pytest.fixture
def office(clock, receptionist, colleague, other_colleague, manager, outsider):
    rita = make_user("rita", Role.RECEPTIONIST)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=3))
    people = {user.username: user for user in (receptionist, colleague, other_colleague, manager, outsider, rita)}
    return people, message


@pytest.mark.parametrize("method, url, who, expected", CASES, ids=[f"{m} {u} {w}" for m, u, w, _ in CASES])
def test_access_matrix(client, office, method, url, who, expected):
    people, message = office
    client.force_login(people[who])
    address = url.format(pk=message.pk)
    response = client.get(address) if method == "GET" else client.post(address, {})
    if expected == ALLOWED:
        assert response.status_code == 200, response.status_code
    else:
        assert response.status_code == expected
    message.refresh_from_db()
    assert message.version == 1 and message.attempt_count == 0


@pytest.mark.parametrize("method, url", list(MATRIX))
def test_anonymous_visitors_are_sent_to_log_in(client, office, method, url):
    _people, message = office
    address = url.format(pk=message.pk)
    response = client.get(address) if method == "GET" else client.post(address, {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_message_that_does_not_exist_is_a_404_not_a_500(client, colleague):
    client.force_login(colleague)
    assert client.get("/callbacks/999999/").status_code == 404
    assert client.post("/callbacks/999999/handle/", {}).status_code == 404
