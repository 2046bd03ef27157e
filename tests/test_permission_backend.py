"""accounts.backends.PermissionBackend answers exactly as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import PermissionBackend
from accounts.models import User
from accounts.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache from an earlier question


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_the_same_permissions_as_with_model_backend(role):
    user = make_user(f"user-{role}", role)
    direct = Permission.objects.get(codename="view_team")
    user.user_permissions.add(direct)  # a permission of the user's own besides the group's
    expected = ModelBackend().get_all_permissions(_fresh(user))
    asking = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        found = PermissionBackend().get_all_permissions(asking)
        assert PermissionBackend().has_perm(asking, next(iter(expected)))  # the set is kept for the request
    assert found == expected and "accounts.view_team" in found
    assert len(queries) == 1


def test_inactive_users_have_none_and_superusers_all():
    user = make_user("weg", Role.MANAGER)
    user.is_active = False
    user.save()
    assert PermissionBackend().get_all_permissions(_fresh(user)) == set()
    assert not _fresh(user).has_perm("accounts.take_messages")
    boss = User.objects.create_superuser("root", "root@example.com", "x-very-long-password")
    assert PermissionBackend().get_all_permissions(_fresh(boss)) == ModelBackend().get_all_permissions(_fresh(boss))


def test_a_role_taken_away_is_gone_at_the_next_request(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/new/").status_code == 200
    user.groups.set([Group.objects.create(name="Niets")])
    assert client.get("/callbacks/new/").status_code == 404


def test_a_role_changed_by_another_process_applies_within_the_maximum_age(monkeypatch):
    from callbacks import config_cache

    clock = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    user = make_user("anna", Role.RECEPTIONIST)
    assert _fresh(user).has_perm("accounts.take_messages")
    # Another process's change sends no signal here; a plain DELETE of the membership sends none either.
    User.groups.through.objects.filter(user_id=user.pk).delete()
    clock[0] += config_cache.MAX_AGE_SECONDS - 1
    assert _fresh(user).has_perm("accounts.take_messages")
    clock[0] += 1
    assert not _fresh(user).has_perm("accounts.take_messages")


def test_a_deactivated_user_is_refused_at_once_whatever_is_remembered(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/new/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: as from another process
    assert client.get("/callbacks/new/").status_code == 302  # logged out, to the login page
