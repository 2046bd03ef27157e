import pytest
from django.contrib.auth.models import Group
from django.db import connection

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import role_groups_ensure
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("codename", flat=True))


def test_it_creates_the_role_groups_in_a_migration():
    groups = {group.name: _codenames(group) for group in Group.objects.all()}
    assert groups == {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    assert set(groups) == {r.value for r in Role}


def test_it_gives_a_user_with_several_roles_the_union():
    user = make_user("robin", Role.RECEPTIONIST, Role.COLLEAGUE)
    assert user.has_perm("accounts.take_messages")
    assert user.has_perm("accounts.handle_callbacks")
    assert not user.has_perm("accounts.view_dashboard")


def test_it_gives_a_user_without_a_role_nothing(outsider):
    assert not outsider.has_perm("accounts.take_messages")
    assert not outsider.has_perm("accounts.handle_callbacks")


def test_it_repairs_role_groups_and_is_idempotent():
    Group.objects.filter(name=Role.MANAGER).delete()
    receptionist = Group.objects.get(name=Role.RECEPTIONIST)
    receptionist.permissions.clear()
    role_groups_ensure()
    role_groups_ensure()
    assert _codenames(Group.objects.get(name=Role.MANAGER)) == set(ROLE_PERMISSIONS[Role.MANAGER])
    assert _codenames(Group.objects.get(name=Role.RECEPTIONIST)) == {"take_messages"}
    assert Group.objects.count() == len(Role)


def test_it_runs_on_the_database_of_this_pass():
    import os

    expected = "postgresql" if os.environ.get("TERUGBEL_TEST_DB") == "postgres" else "sqlite"
    assert connection.vendor == expected
