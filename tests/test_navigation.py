import re

import pytest

pytestmark = pytest.mark.django_db


def _nav(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_admin_link_to_managers_only(client, receptionist, colleague, manager, outsider):
    assert 'data-nav="admin"' in _nav(client, manager)
    for user in (receptionist, colleague, outsider):
        assert 'data-nav="admin"' not in _nav(client, user)


@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "manager", "outsider"])
def test_every_navigation_link_opens_a_real_page(client, request, fixture):
    html = _nav(client, request.getfixturevalue(fixture))
    navigation = html[html.index("<nav"):html.index("</nav>")]
    links = set(re.findall(r'href="(/[^"]*)"', navigation))
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_it_shows_the_intake_to_receptionists_and_managers_only(client, receptionist, colleague, manager, outsider):
    for user in (receptionist, manager):
        assert 'href="/callbacks/new/"' in _nav(client, user)
    for user in (colleague, outsider):
        assert 'href="/callbacks/new/"' not in _nav(client, user)


def test_it_shows_each_user_their_roles_and_teams(client, colleague, manager):
    html = _nav(client, colleague)
    assert "Collega" in html
    assert "Verkoop" in html


def test_it_shows_messages_from_django(client, colleague):
    client.force_login(colleague)
    response = client.post("/accounts/profile/", {"full_name": "Bram", "email": "b@example.test",
                                                  "phone_extension": "", "preferred_language": "nl"}, follow=True)
    assert "Je profiel is opgeslagen." in response.content.decode()
