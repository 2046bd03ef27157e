"""Permissions come from Django's ModelBackend, kept under the office's configuration version
(accounts/backends.py): a role taken away through the services, the admin or the m2m managers, in this
process or another (tests/test_config_cache.py, two processes on one Redis), is refused on the next request;
a write that bypasses them all applies after the configuration's maximum age."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import configuration_cache
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_roles_set
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # a new request: no permission set kept from an earlier question


def test_the_kept_model_backend_answers_after_the_login_throttle():
    assert settings.AUTHENTICATION_BACKENDS == [
        "accounts.lockout.LoginThrottleBackend",
        "accounts.backends.ConfiguredPermissionBackend",
    ]


def test_the_permission_set_is_read_once_then_kept_for_later_requests():
    user = make_user("anna", Role.RECEPTIONIST)
    with CaptureQueriesContext(connection) as queries:
        first = _fresh(user)
        assert first.has_perm("accounts.take_messages")
        assert not first.has_perm("accounts.view_dashboard")
    assert len(queries) == 1 + 2  # the user row, then the user's own permissions and their groups'
    with CaptureQueriesContext(connection) as queries:
        assert _fresh(user).has_perm("accounts.take_messages")
    assert len(queries) == 1  # the user row only: the set was kept


def test_a_permission_taken_from_a_role_applies_at_the_next_request():
    user = make_user("anna", Role.RECEPTIONIST)
    assert _fresh(user).has_perm("accounts.take_messages")
    Group.objects.get(name=Role.RECEPTIONIST).permissions.clear()  # the m2m manager moves the version on
    assert not _fresh(user).has_perm("accounts.take_messages")


def test_superuser_status_applies_at_once_even_without_a_signal():
    user = make_user("anna", Role.RECEPTIONIST)
    assert "accounts.view_dashboard" not in _fresh(user).get_all_permissions()
    User.objects.filter(pk=user.pk).update(is_superuser=True)  # no signal, no version moved
    assert "accounts.view_dashboard" in _fresh(user).get_all_permissions()


def test_a_role_taken_away_is_refused_at_the_next_request(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/desk/").status_code == 200
    user_roles_set(user=user, roles=[])
    assert client.get("/callbacks/desk/").status_code == 404


def test_a_membership_written_outside_the_services_applies_after_the_maximum_age(clock):
    user = make_user("anna", Role.RECEPTIONIST)
    assert _fresh(user).has_perm("accounts.take_messages")
    # Django sends no signal for rows of an automatic m2m table deleted or created directly.
    User.groups.through.objects.filter(user_id=user.pk).delete()
    assert _fresh(user).has_perm("accounts.take_messages")
    clock.shift(seconds=configuration_cache.MAX_AGE_SECONDS + 1)
    assert not _fresh(user).has_perm("accounts.take_messages")
    User.groups.through.objects.create(user_id=user.pk, group_id=Group.objects.get(name=Role.RECEPTIONIST).pk)
    user_roles_set(user=user, roles=[Role.RECEPTIONIST])  # the service moves the version on
    assert _fresh(user).has_perm("accounts.take_messages")


def test_inactive_users_have_none(client):
    user = make_user("weg", Role.MANAGER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _fresh(user).has_perm("accounts.take_messages")


def test_a_deactivated_user_is_refused_at_once(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/desk/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: as from another process
    assert client.get("/callbacks/desk/").status_code == 302  # logged out, to the login page


def test_accounts_never_imports_callbacks():
    """callbacks builds on accounts, never the reverse (also an import-linter contract where CI runs one)."""
    import re
    from pathlib import Path

    importing = re.compile(r"^\s*(from|import)\s+callbacks\b", re.MULTILINE)
    accounts = Path(settings.BASE_DIR) / "accounts"
    assert [path.name for path in accounts.rglob("*.py") if importing.search(path.read_text())] == []
