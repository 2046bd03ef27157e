"""Throw-away PostgreSQL and Redis for the benchmarks, started outside pytest.

The executors of pytest-postgresql and pytest-redis (on mirakuru) through the wrappers the tests use,
tests/bin/pg_ctl (PostgreSQL as the `postgres` account when we are root) and tests/bin/redis-server, on a
free loopback port and a private temporary directory; PostgreSQL with the tests' fast options for data
that need not survive (pyproject.toml's postgresql_postgres_options). Each is stopped and its directory
removed when the `with` block ends, also on Ctrl-C; mirakuru kills what is left when Python exits.
"""

import contextlib
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import port_for
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_redis.executor import RedisExecutor

ROOT = Path(__file__).resolve().parent.parent
HARNESS_BIN = ROOT / "tests" / "bin"
HOST = "127.0.0.1"


def _postgres_options() -> str:
    with (ROOT / "pyproject.toml").open("rb") as pyproject:
        return tomllib.load(pyproject)["tool"]["pytest"]["ini_options"]["postgresql_postgres_options"]


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgreSQLExecutor]:
    """A new cluster; the superuser `postgres` connects without a password (`postgres_url`)."""
    # The wrapper hands this directory (data, log, socket) to `postgres` when we are root.
    directory = Path(tempfile.mkdtemp(prefix="terugbel-bench-pg-"))
    port = port_for.select_random()
    server = PostgreSQLExecutor(
        executable=str(HARNESS_BIN / "pg_ctl"),
        host=HOST,
        port=port,
        datadir=str(directory / "data"),
        unixsocketdir=str(directory),
        logfile=str(directory / "postgresql.log"),
        startparams="-w",
        dbname="terugbel",
        postgres_options=_postgres_options(),
    )
    try:
        with server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def postgres_url(server: PostgreSQLExecutor, database: str = "terugbel") -> str:
    """DATABASE_URL for a database on the server (bench/fill.py's create_database makes it)."""
    return f"postgres://{server.user}@{server.host}:{server.port}/{database}"


@contextlib.contextmanager
def redis_server() -> Iterator[RedisExecutor]:
    """A redis-server that keeps nothing on disk."""
    directory = Path(tempfile.mkdtemp(prefix="terugbel-bench-redis-"))
    server = RedisExecutor(
        executable=str(HARNESS_BIN / "redis-server"),
        databases=16,
        redis_timeout=0,
        loglevel="warning",
        host=HOST,
        port=port_for.select_random(),
        datadir=directory,
    )
    try:
        with server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def redis_url(server: RedisExecutor, database: int = 0) -> str:
    return f"redis://{server.host}:{server.port}/{database}"
