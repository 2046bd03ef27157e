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


def test_it_links_no_page_that_does_not_exist_yet(client, manager):
    html = _nav(client, manager)
    assert 'href="/callbacks/' not in html
    assert 'href="/dashboard/' not in html
    assert client.get("/callbacks/").status_code == 404


def test_it_shows_each_user_their_roles_and_teams(client, colleague, manager):
    html = _nav(client, colleague)
    assert "Collega" in html
    assert "Verkoop" in html


def test_it_shows_messages_from_django(client, colleague):
    client.force_login(colleague)
    response = client.post("/accounts/profile/", {"full_name": "Bram", "email": "b@example.test",
                                                  "phone_extension": "", "preferred_language": "nl"}, follow=True)
    assert "Je profiel is opgeslagen." in response.content.decode()
