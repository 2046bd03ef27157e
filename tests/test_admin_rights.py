"""Admin rights cannot be climbed: what a manager may do to other accounts and to the teams' rules.

The full grid of admin URLs per role and account is in tests/test_access_complete.py; these tests check
what each refused request leaves in the database, and the admin log.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Absence, Team
from accounts.roles import Role
from callbacks.models import ClosureDay, TeamSettings
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Een-heel-nieuw-wachtwoord-42"


@pytest.fixture
def root(db):
    return make_user("root", is_superuser=True, is_staff=True, preferred_language="en")


@pytest.fixture
def staff(db):
    return make_user("stefan", is_staff=True)


@pytest.fixture
def all_teams_holder(db):
    """A manager to whom the superuser granted the office-wide rules role."""
    return make_user("otto", Role.MANAGER, Role.ALL_TEAMS_RULES)


@pytest.fixture
def planning(db):
    """A team that mira does not manage."""
    team = Team.objects.create(name="Planning")
    team.managers.add(make_user("max", Role.MANAGER))
    return team


def _user_url(user, page: str = "change") -> str:
    return f"/admin/accounts/user/{user.pk}/{page}/"


def _change_form(user, **overrides) -> dict:
    """The admin change form of `user` as the page fills it in."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone_extension": user.phone_extension,
        "preferred_language": user.preferred_language,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("target", ["root", "staff", "all_teams_holder"])
def test_it_keeps_a_manager_from_setting_the_password_of_a_higher_account(client, request, manager, target):
    account = request.getfixturevalue(target)
    client.force_login(manager)
    assert client.get(_user_url(account, "password")).status_code == 404
    response = client.post(
        _user_url(account, "password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 404
    account.refresh_from_db()
    assert account.check_password(PASSWORD) and not account.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("target", ["root", "staff", "all_teams_holder"])
def test_it_keeps_a_manager_from_editing_or_deactivating_a_higher_account(client, request, manager, target):
    account = request.getfixturevalue(target)
    client.force_login(manager)
    for page in ("change", "delete", "history"):
        assert client.get(_user_url(account, page)).status_code == 404, page
    response = client.post(_user_url(account), _change_form(account, is_active=None, full_name="Overgenomen"))
    assert response.status_code == 404
    assert client.post(_user_url(account, "delete"), {"post": "yes"}).status_code == 404
    account.refresh_from_db()
    assert account.is_active and account.full_name != "Overgenomen"


def test_it_leaves_higher_accounts_out_of_a_managers_user_list(client, manager, colleague, root, staff):
    client.force_login(manager)
    listed = client.get("/admin/accounts/user/").context["cl"].result_list
    assert set(listed) == {manager, colleague}


def test_the_bulk_delete_never_touches_a_higher_account(client, manager, colleague, root, staff):
    client.force_login(manager)
    response = client.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [root.pk, staff.pk, colleague.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    root.refresh_from_db()
    staff.refresh_from_db()
    assert not type(colleague).objects.filter(pk=colleague.pk).exists()


def test_a_manager_cannot_grant_staff_superuser_or_permissions(client, manager, colleague):
    permission = Permission.objects.get(codename="view_all_callbacks")
    client.force_login(manager)
    response = client.post(
        _user_url(colleague),
        _change_form(
            colleague,
            is_staff="on",
            is_superuser="on",
            user_permissions=[permission.pk],
            full_name="Bram J.",
        ),
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.full_name == "Bram J."  # the form was saved, without the technical rights
    assert not colleague.is_staff and not colleague.is_superuser
    assert not colleague.user_permissions.exists()


def test_a_manager_assigns_the_office_roles_but_not_the_office_wide_rules(client, manager, colleague):
    client.force_login(manager)
    manager_role, all_teams = Group.objects.get(name=Role.MANAGER), Group.objects.get(name=Role.ALL_TEAMS_RULES)
    response = client.post(_user_url(colleague), _change_form(colleague, groups=[all_teams.pk]))
    assert response.status_code == 200  # "select a valid choice"
    assert set(colleague.groups.values_list("name", flat=True)) == {Role.COLLEAGUE}
    response = client.post(_user_url(colleague), _change_form(colleague, groups=[manager_role.pk]))
    assert response.status_code == 302
    assert set(colleague.groups.values_list("name", flat=True)) == {Role.MANAGER}


def test_the_superuser_still_reaches_every_account(client, root, staff, all_teams_holder):
    client.force_login(root)
    for account in (staff, all_teams_holder, root):
        assert client.get(_user_url(account, "password")).status_code == 200
    response = client.post(
        _user_url(staff, "password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


def test_a_manager_edits_only_the_rules_of_the_teams_they_manage(client, manager, colleague, planning):
    client.force_login(manager)
    url = reverse("dashboard:team_policy", args=[planning.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "rules", "escalation_minutes": "5"})
    assert response.status_code == 404
    assert not TeamSettings.objects.filter(team=planning).exists()
    teams = client.get(reverse("dashboard:policies")).context["teams"]
    assert list(teams) == [Team.objects.get(name="Verkoop")]


def test_the_office_wide_role_edits_the_rules_of_every_team(client, all_teams_holder, colleague, planning):
    client.force_login(all_teams_holder)
    assert client.get(reverse("dashboard:team_policy", args=[planning.pk])).status_code == 200
    assert set(client.get(reverse("dashboard:policies")).context["teams"]) == {
        planning,
        Team.objects.get(name="Verkoop"),
    }


def test_a_manager_cannot_make_themselves_manager_of_another_team(client, manager, planning):
    client.force_login(manager)
    response = client.post(
        f"/admin/accounts/team/{planning.pk}/change/",
        {"name": "Planning", "managers": [manager.pk, *planning.managers.values_list("pk", flat=True)]},
    )
    assert response.status_code == 403
    assert manager not in planning.managers.all()


def test_the_superuser_reads_every_change_in_the_admin_log(client, root, manager, colleague):
    client.force_login(manager)
    client.post(_user_url(colleague), _change_form(colleague, full_name="Bram J."))
    team = Team.objects.get(name="Verkoop")
    client.post(
        reverse("dashboard:team_policy", args=[team.pk]),
        {"action": "add_closure", "date": "2027-01-04", "description": "Inventaris"},
    )
    closure = ClosureDay.objects.get(team=team)
    client.post(reverse("dashboard:team_policy", args=[team.pk]), {"action": "remove_closure", "closure": closure.pk})
    client.post(reverse("dashboard:team_policy", args=[team.pk]), {"action": "remove_closure", "closure": closure.pk})
    client.post(reverse("dashboard:phone_duty"), {})
    entries = LogEntry.objects.filter(user=manager).order_by("pk")
    assert [entry.object_repr for entry in entries] == ["Bram J.", "Verkoop", "Verkoop", "phone-duty roster"]
    assert client.get("/admin/admin/logentry/").status_code == 403
    client.force_login(root)
    page = client.get("/admin/admin/logentry/")
    assert page.status_code == 200
    assert "Added closure day “2027-01-04 Inventaris”." in page.content.decode()
    assert "Deleted closure day “2027-01-04 Inventaris”." in page.content.decode()


def test_an_account_with_admin_history_is_deactivated_not_deleted(client, root, manager, colleague):
    """Deleting a user would delete their admin log with them; the log admin allows no deletion."""
    client.force_login(root)
    client.post(_user_url(colleague), _change_form(colleague, groups=[Group.objects.get(name=Role.MANAGER).pk]))
    Team.objects.get(name="Verkoop").managers.add(colleague)  # mira's team: she is within his reach
    client.force_login(colleague)  # now a manager, whose change goes into the log
    client.post(_user_url(manager), _change_form(manager, full_name="Mira E."))
    assert LogEntry.objects.filter(user=colleague).exists()
    for who in (manager, root):
        client.force_login(who)
        assert client.post(_user_url(colleague, "delete"), {"post": "yes"}).status_code == 403
        client.post(
            "/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [colleague.pk], "post": "yes"}
        )
        colleague.refresh_from_db()
    assert LogEntry.objects.filter(user=colleague).exists()


def test_a_manager_sets_no_absence_for_an_account_out_of_reach(clock, client, manager, colleague, root):
    """Absence routing hands the absent person's callbacks to the stand-in: not a way to reach a superuser's."""
    Absence.objects.create(user=root, starts_at=clock.now(), ends_at=clock.now() + timedelta(days=1))
    client.force_login(manager)
    assert "Root" not in client.get("/admin/accounts/absence/").content.decode()
    form = {
        "user": root.pk,
        "stand_in": manager.pk,
        "starts_at_0": "2026-12-02",
        "starts_at_1": "09:00",
        "ends_at_0": "2026-12-03",
        "ends_at_1": "17:00",
        "note": "",
    }
    response = client.post("/admin/accounts/absence/add/", form)
    assert response.status_code == 200 and Absence.objects.filter(stand_in=manager).count() == 0
    assert client.post("/admin/accounts/absence/add/", {**form, "user": colleague.pk}).status_code == 302


def test_a_manager_cannot_take_over_the_manager_of_another_team(client, manager, colleague, planning):
    """Setting a fellow manager's password would reach the rules of the teams that manager runs."""
    other = make_user("piet", Role.MANAGER)
    planning.managers.set([other])
    client.force_login(manager)
    assert client.get(_user_url(other, "password")).status_code == 404
    peer = make_user("sara", Role.MANAGER)
    Team.objects.get(name="Verkoop").managers.add(peer)  # the same team as mira: within reach
    assert client.get(_user_url(peer, "password")).status_code == 200
