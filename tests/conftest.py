import os
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from accounts.middleware import IdleTimeoutMiddleware
from accounts.models import Team, User
from accounts.roles import Role
from accounts.services import role_groups_ensure
from tests.servers import RedisServer, ServerUnavailable, find_binary, running_under_ci

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery"


def skip_or_fail_under_ci(reason: str) -> None:
    """A missing server skips the test on a developer machine and fails it under CI."""
    if running_under_ci():
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)  # outside CI only


def pytest_configure(config: pytest.Config) -> None:
    unavailable = os.environ.get("TERUGBEL_PG_UNAVAILABLE")
    if os.environ.get("TERUGBEL_TEST_DB") == "postgres" and unavailable and running_under_ci():
        raise pytest.UsageError(f"PostgreSQL is required under CI: {unavailable}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unavailable = os.environ.get("TERUGBEL_PG_UNAVAILABLE")
    if os.environ.get("TERUGBEL_TEST_DB") == "postgres" and unavailable:
        marker = pytest.mark.skip(reason=f"PostgreSQL unavailable: {unavailable}")  # never reached under CI
        for item in items:
            item.add_marker(marker)


def login_across_time(client, user: User) -> None:
    """Log in with a session that outlives the days the tests travel ahead with time_machine.

    Its last activity is dated far ahead, so the idle timeout neither ends it nor rewrites it
    (which would add queries to the first request); tests/test_security.py covers the timeout.
    """
    client.force_login(user)
    session = client.session
    session.set_expiry(60 * 60 * 24 * 365)
    session[IdleTimeoutMiddleware.SESSION_KEY] = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
    session.save()


def make_user(username: str, *roles: str, **fields) -> User:
    role_groups_ensure()
    fields.setdefault("full_name", username.title())
    fields.setdefault("email", f"{username}@example.test")
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture(autouse=True)
def _broker_not_resting(monkeypatch):
    """A publish that failed in an earlier test must not make this one skip the broker."""
    from callbacks import notifications

    monkeypatch.setattr(notifications, "_broker_rest_until", 0.0)


@pytest.fixture(autouse=True)
def _fresh_configuration_memo():
    """Each test starts without memoised configuration: rolling a test's database back sends no signal."""
    from callbacks.config_cache import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture
def receptionist(db) -> User:
    return make_user("anna", Role.RECEPTIONIST)


@pytest.fixture
def manager(db) -> User:
    return make_user("mira", Role.MANAGER)


@pytest.fixture
def colleague(db, manager) -> User:
    user = make_user("bram", Role.COLLEAGUE)
    team, _ = Team.objects.get_or_create(name="Verkoop")
    team.members.add(user)
    team.managers.add(manager)
    return user


@pytest.fixture
def other_colleague(db, manager) -> User:
    user = make_user("daan", Role.COLLEAGUE)
    team, _ = Team.objects.get_or_create(name="Service")
    team.members.add(user)
    team.managers.add(manager)
    return user


@pytest.fixture
def outsider(db) -> User:
    return make_user("olaf")


@pytest.fixture(scope="session")
def redis_server():
    try:
        server = RedisServer()
    except ServerUnavailable as problem:
        skip_or_fail_under_ci(str(problem))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = find_binary("chromium") or find_binary("chromium-browser")
    if chromium is None:
        skip_or_fail_under_ci("Chromium is not installed (Debian package chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Dutch office: the browser asks for Dutch, as the receptionist's would.
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page
