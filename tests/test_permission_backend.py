"""Permissions come from Django's own ModelBackend, read per request: a role taken away, in this process or
another, is refused on the next request; nothing keeps permissions between requests."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_roles_set
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # a new request: no permission set kept from an earlier question


def test_the_stock_backend_answers_after_the_login_throttle():
    assert settings.AUTHENTICATION_BACKENDS == [
        "accounts.lockout.LoginThrottleBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_the_permission_set_is_read_once_per_request():
    user = _fresh(make_user("anna", Role.RECEPTIONIST))
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("accounts.take_messages")
        assert not user.has_perm("accounts.view_dashboard")
    assert len(queries) == 2  # the user's own permissions and their groups'


def test_a_role_taken_away_is_refused_at_the_next_request(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/new/").status_code == 200
    user_roles_set(user=user, roles=[])
    assert client.get("/callbacks/new/").status_code == 404


def test_a_role_taken_away_by_another_process_applies_at_once():
    user = make_user("anna", Role.RECEPTIONIST)
    assert _fresh(user).has_perm("accounts.take_messages")
    # Another process's change sends no signal here; a plain DELETE of the membership sends none either.
    User.groups.through.objects.filter(user_id=user.pk).delete()
    assert not _fresh(user).has_perm("accounts.take_messages")
    User.groups.through.objects.create(user_id=user.pk, group_id=Group.objects.get(name=Role.RECEPTIONIST).pk)
    assert _fresh(user).has_perm("accounts.take_messages")


def test_inactive_users_have_none(client):
    user = make_user("weg", Role.MANAGER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _fresh(user).has_perm("accounts.take_messages")


def test_a_deactivated_user_is_refused_at_once(client):
    user = make_user("anna", Role.RECEPTIONIST)
    client.force_login(user)
    assert client.get("/callbacks/new/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: as from another process
    assert client.get("/callbacks/new/").status_code == 302  # logged out, to the login page


def test_accounts_never_imports_callbacks():
    """callbacks builds on accounts, never the reverse (also an import-linter contract where CI runs one)."""
    import re
    from pathlib import Path

    importing = re.compile(r"^\s*(from|import)\s+callbacks\b", re.MULTILINE)
    accounts = Path(settings.BASE_DIR) / "accounts"
    assert [path.name for path in accounts.rglob("*.py") if importing.search(path.read_text())] == []
