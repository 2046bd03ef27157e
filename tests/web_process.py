"""The web app as production runs it, for tests that need a server of its own: gunicorn's sync workers in their
own processes (the Procfile's `web`), on the test database of the PostgreSQL pass.

pytest-django's live server runs in the test's process, so every request there shares one interpreter lock with
the test's own threads; a test that sends load from threads measures that lock, not the server.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import port_for
import requests
from django.db import connection

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
# The pytest process's own settings choices, which the server must not inherit: it reads config.settings
# (tests.fault_web_settings) and the test database from DATABASE_URL.
NOT_INHERITED = frozenset({"DJANGO_SETTINGS_MODULE", "TERUGBEL_TEST_DB", "DATABASE_URL"})


def shared_database_url() -> str:
    """The live test database, for processes that share it with the test."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_environment(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(DATABASE_URL=shared_database_url(), PYTHONPATH=str(ROOT), **overrides)
    return env


@contextmanager
def gunicorn_serving(workdir: Path, *, workers: int = 2, **environment: str) -> Iterator[str]:
    """Start gunicorn on a free port with tests.fault_web_settings (DEBUG off); yield its base URL, then stop it.
    ``environment`` adds settings by their environment variables."""
    port = port_for.select_random()
    env = process_environment(
        DJANGO_SETTINGS_MODULE="tests.fault_web_settings", TERUGBEL_VAR_DIR=str(workdir / "var"), **environment
    )
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--workers", str(workers)]
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: _answers(f"{url}/accounts/login/") or process.poll() is not None, 60, "gunicorn start")
            assert process.poll() is None, log_path.read_text()[-3000:]
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
