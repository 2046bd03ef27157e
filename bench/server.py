"""Shared by the HTTP benchmarks (bench/pages.py, bench/load.py) and bench/dashboard.py.

`office()` starts a throw-away PostgreSQL and Redis (bench/servers.py), fills one data profile of
bench/fill.py (the office history unless told "backlog") and collects the static files; `Gunicorn` runs the production server on it, the way the
Procfile does (`gunicorn config.wsgi --workers 2`), with production settings over plain HTTP.
"""

import contextlib
import gc
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import port_for
import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fill import create_database, fill, settle  # noqa: E402
from bench.servers import postgres_server, postgres_url, redis_server, redis_url  # noqa: E402

PASSWORD = "bench-password-not-a-secret"  # nosec B105: throw-away users in a throw-away database
# Production refuses a short or development key; this one is only ever used against the throw-away database.
SECRET_KEY = "bench-only-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2  # nosec B105
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Variables the bench sets itself, never taken from the shell that runs it.
SET_BY_THE_BENCH = {"DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "FRAGMENT_CACHE_URL"}


def production_env(tmp: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files, login delays, secure headers) minus TLS."""
    env = {k: v for k, v in os.environ.items() if k not in SET_BY_THE_BENCH}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_BEHIND_TLS_PROXY="false",
        DJANGO_SECURE_HSTS_SECONDS="0",
        TERUGBEL_VAR_DIR=f"{tmp}/var",
        TERUGBEL_BENCH_STATIC_ROOT=f"{tmp}/static",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The bench logs in with passwords only; its managers have no authenticator app.
        TWO_FACTOR_REQUIRED_FOR_MANAGERS="false",
        **extra,
    )
    return env


def django_prepare() -> None:
    """Migrate the empty database and collect the static files the manifest storage needs."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


@contextlib.contextmanager
def office(rows: int, profile: str = "office", shared_fragments: bool = True, **people: int):
    """PostgreSQL + Redis with `rows` messages of one profile of bench/fill.py; yields the environment
    for gunicorn. "office": two years of office history (``span_days=730``); "backlog": the sweep's
    data (20 % open, all taken in the last 290 days at 1,000,000 rows). As compose.yaml does, the page
    fragments are shared between the workers through a Redis database of their own (FRAGMENT_CACHE_URL),
    unless `shared_fragments` is false: then each worker keeps its own only.

    This process sets the same environment and sets Django up against the database, so the benchmark
    can check the data afterwards through the ORM.
    """
    span_days = {"office": 730, "backlog": None}[profile]
    with (
        tempfile.TemporaryDirectory(prefix="terugbel-bench-") as tmp,
        postgres_server() as postgres,
        redis_server() as redis,
    ):
        create_database(postgres.port)
        urls = {"DATABASE_URL": postgres_url(postgres), "REDIS_URL": redis_url(redis)}
        if shared_fragments:
            urls["FRAGMENT_CACHE_URL"] = redis_url(redis, database=1)
        env = production_env(tmp, **urls)
        for name in SET_BY_THE_BENCH:
            os.environ.pop(name, None)
        os.environ.update(env)
        django_prepare()
        from django.db import connection
        from django.utils import timezone

        started = time.perf_counter()
        fill(connection, timezone.now().replace(microsecond=0), rows, span_days=span_days, password=PASSWORD, **people)
        settle(connection)
        what = "office history" if profile == "office" else "the backlog profile"
        print(f"filled {rows:,} messages of {what} on PostgreSQL in {time.perf_counter() - started:.0f} s")
        connection.close()  # the server gets every connection slot it wants
        yield env


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"server on port {port} did not start within {timeout} s")


class Gunicorn:
    """`gunicorn config.wsgi --workers 2` as in the Procfile, on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int = 2, root: Path = ROOT) -> None:
        self.port = port_for.select_random()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=root,
            env=env,
        )
        _wait_for_port(self.port, self.process, timeout=60)

    def __enter__(self) -> "Gunicorn":
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def login(base: str, username: str) -> requests.Session:
    """A browser-like session logged in through the real login page (CSRF token from the form)."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    response = session.post(
        f"{base}/accounts/login/",
        allow_redirects=False,
        data={"csrfmiddlewaretoken": csrf_of(page.text), "username": username, "password": PASSWORD},
    )
    if response.status_code != 302:  # failures add delays (accounts/lockout.py): stop at the first one
        raise RuntimeError(f"login of {username} failed with {response.status_code}")
    return session


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


@contextlib.contextmanager
def client_collector_between_requests():
    """Keeps this process's own garbage collection out of the timings: it filled the database through Django,
    and a full collection of all that pauses for 100-300 ms, landing on whichever request is being timed (one
    such stall per run was seen on every page of a round). What exists is frozen, and the collector runs only
    when the caller calls the function yielded, between timed requests."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield gc.collect
    finally:
        gc.enable()
        gc.unfreeze()


def timed(session: requests.Session, method: str, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.perf_counter()
    response = session.request(method, url, allow_redirects=False, **kwargs)
    return response, (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {model}"
