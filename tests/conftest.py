import atexit
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from shutil import which as find_binary

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_redis.executor import RedisExecutor

from accounts.middleware import IdleTimeoutMiddleware
from accounts.models import Team, User
from accounts.roles import Role
from tests.clock import _clock_before_everything_else, clock  # noqa: F401 (the one clock, tests/clock.py)
from tests.factories import PASSWORD, UserFactory  # noqa: F401 (PASSWORD is imported from here)

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The servers: pytest-postgresql and pytest-redis start the real binaries through these wrappers (PostgreSQL
# as the `postgres` account when we are root, Redis without libfaketime); see the comments in them.
HARNESS_BIN = Path(__file__).parent / "bin"
POSTGRES_UNAVAILABLE = pytest.StashKey[str | None]()


def running_under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail_under_ci(reason: str) -> None:
    """A missing server skips the test on a developer machine and fails it under CI."""
    if running_under_ci():
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)  # outside CI only


def _postgres_unavailable() -> str | None:
    """Why tests/bin/pg_ctl cannot run (no PostgreSQL installed, no `postgres` account under root), or None."""
    try:
        subprocess.run(
            [str(HARNESS_BIN / "pg_ctl"), "--version"], check=True, capture_output=True, text=True, timeout=60
        )
    except subprocess.CalledProcessError as failed:
        return failed.stderr.strip() or f"tests/bin/pg_ctl --version exited with {failed.returncode}"
    except (OSError, subprocess.TimeoutExpired) as problem:
        return str(problem)
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Unless given on the command line (--postgresql-exec, --redis-exec): the wrappers, by absolute path.
    config.option.postgresql_exec = config.option.postgresql_exec or str(HARNESS_BIN / "pg_ctl")
    config.option.redis_exec = config.option.redis_exec or str(HARNESS_BIN / "redis-server")
    if os.environ.get("TERUGBEL_TEST_DB") == "postgres":
        unavailable = _postgres_unavailable()
        if unavailable and running_under_ci():
            raise pytest.UsageError(f"PostgreSQL is required under CI: {unavailable}")
        config.stash[POSTGRES_UNAVAILABLE] = unavailable


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TERUGBEL_TEST_DB") != "postgres":
        # Deselected, not skipped: they are not meant for this pass, and the PostgreSQL pass runs them.
        elsewhere = [item for item in items if item.get_closest_marker("postgres_only")]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
    unavailable = config.stash.get(POSTGRES_UNAVAILABLE, None)
    if unavailable:
        marker = pytest.mark.skip(reason=f"PostgreSQL unavailable: {unavailable}")  # never reached under CI
        for item in items:
            item.add_marker(marker)


@pytest.fixture
def bram(client, colleague):
    """The test client, logged in as the colleague (bram)."""
    login_across_time(client, colleague)
    return client


# My callbacks with caps small enough to fill (callbacks.selectors.WORKLIST_CAPS).
SMALL_CAPS = {"overdue": 3, "today": 3, "later": 2, "follow_up": 2}


@pytest.fixture
def small_caps(monkeypatch):
    from callbacks import selectors

    for due, cap in SMALL_CAPS.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)


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


def count_configuration_cache_calls(monkeypatch) -> list[str]:
    """The names of the cache methods accounts/configuration_cache.py calls from now on, in order."""
    from accounts import configuration_cache

    return count_cache_calls(monkeypatch, configuration_cache)


def count_cache_calls(monkeypatch, module) -> list[str]:
    """The names of the cache methods ``module`` (which imported Django's ``cache``) calls from now on, in order."""
    calls: list[str] = []
    real = module.cache

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real, name)

    monkeypatch.setattr(module, "cache", Counting())
    return calls


def fragments_asked(monkeypatch, fragment: str) -> dict[str, bool]:
    """Each ``{% cache %}`` fragment of that name the next pages ask the fragments cache for, in order, and
    whether it was there."""
    from django.core.cache import caches

    fragments = caches["fragments"]
    asked: dict[str, bool] = {}
    real_get = fragments.get

    def get(key, *args, **kwargs):
        found = real_get(key, *args, **kwargs)
        if f".{fragment}." in key:
            asked[key] = found is not None
        return found

    monkeypatch.setattr(fragments, "get", get)
    return asked


def postgres_plan(statement: str) -> str:
    """PostgreSQL's plan for a statement over a handful of rows, with sequential and bitmap scans off so that
    the planner shows the index it would use on a full table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def postgres_plan_vacuumed(statement: str, table: str) -> str:
    """postgres_plan after a VACUUM of the table, as autovacuum keeps a real one: only then does an index-only
    scan skip the table, so only then is it the plan PostgreSQL picks. For tests with transaction=True (a
    VACUUM cannot run inside a transaction)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    with transaction.atomic():
        return postgres_plan(statement)


def make_user(username: str, *roles: str, **fields) -> User:
    return UserFactory(username=username, roles=roles, **fields)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Request limits (accounts/throttle.py) and the office's configuration (accounts/configuration_cache.py)
    live in the cache; one test's counts and rows must not reach the next (rolling a test's database back
    moves no configuration version on)."""
    from django.core.cache import caches

    from accounts import configuration_cache

    configuration_cache._bypass_until = 0.0  # a test that broke the cache must not slow the next one
    for configured in caches.all(initialized_only=False):
        configured.clear()
    yield
    for configured in caches.all(initialized_only=False):
        configured.clear()
    configuration_cache._bypass_until = 0.0


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
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix) -> None:
    """pytest-django's hook: in the PostgreSQL pass the database is pytest-postgresql's server.

    The settings are those config/settings.py makes of a DATABASE_URL (persistent, health-checked
    connections, as in production); Django creates test_terugbel on the server and drops it at the end.
    """
    if os.environ.get("TERUGBEL_TEST_DB") != "postgres":
        return
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    from config.env import env_int

    server: PostgreSQLExecutor = request.getfixturevalue("postgresql_proc")
    # The fixture's teardown stops the server; this covers a teardown cut short (a second Ctrl-C), with a
    # clean shutdown that runs before mirakuru's own atexit hook kills what it started with SIGKILL.
    atexit.register(_postgres_stop_if_running, server)
    database = settings.DATABASES["default"]  # changed in place: django.db.connections holds this dict
    database.update(
        {
            "OPTIONS": {},
            **dj_database_url.parse(
                f"postgres://{server.user}@{server.host}:{server.port}/{server.dbname}",
                conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
                conn_health_checks=True,
            ),
        }
    )
    database.setdefault("TEST", {})["NAME"] = None  # Django's test_ name, not settings_test's SQLite file
    # Django made a (never connected) SQLite wrapper while it defined the models; the next use makes a new one.
    connections["default"].close()
    del connections["default"]


def _postgres_stop_if_running(server: PostgreSQLExecutor) -> None:
    if server.running():
        server.stop()


@dataclass(frozen=True)
class RedisServer:
    """The session's redis-server (pytest-redis's executor) as the tests use it: a URL, and an outage."""

    executor: RedisExecutor

    @property
    def port(self) -> int:
        return self.executor.port

    @property
    def url(self) -> str:
        return f"redis://{self.executor.host}:{self.executor.port}/0"

    def halt(self) -> None:
        """Stop the server, as in an outage; `start()` brings it back on the same port."""
        self.executor.stop()

    def start(self) -> None:
        self.executor.start()


@pytest.fixture(scope="session")
def redis_server(request) -> RedisServer:
    """pytest-redis's `redis_proc`, started for the first test that needs it and stopped at the end."""
    if find_binary("redis-server") is None:
        skip_or_fail_under_ci("redis-server is not installed (Debian package redis-server)")
    return RedisServer(request.getfixturevalue("redis_proc"))


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
