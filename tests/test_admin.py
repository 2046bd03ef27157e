import pytest

from accounts.models import Absence, Team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/team/add/", "/admin/accounts/absence/add/"]
)
def test_it_lets_managers_manage_the_office_without_a_staff_flag(client, manager, url):
    assert not manager.is_staff
    client.force_login(manager)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "outsider"])
def test_it_keeps_everyone_else_out_of_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_requires_a_manager_for_every_team(client, manager, colleague):
    client.force_login(manager)
    response = client.post("/admin/accounts/team/add/", {"name": "Planning", "members": [colleague.pk]})
    assert response.status_code == 200
    assert not Team.objects.filter(name="Planning").exists()
    response = client.post(
        "/admin/accounts/team/add/", {"name": "Planning", "members": [colleague.pk], "managers": [manager.pk]}
    )
    assert response.status_code == 302
    assert list(Team.objects.get(name="Planning").managers.all()) == [manager]


def test_it_records_an_absence_with_a_stand_in(client, manager, colleague, other_colleague):
    client.force_login(manager)
    response = client.post(
        "/admin/accounts/absence/add/",
        {
            "user": colleague.pk,
            "stand_in": other_colleague.pk,
            "note": "Vakantie",
            "starts_at_0": "2026-12-01",
            "starts_at_1": "08:00",
            "ends_at_0": "2026-12-05",
            "ends_at_1": "08:00",
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get(user=colleague)
    assert absence.stand_in == other_colleague
