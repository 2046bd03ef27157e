"""The container files, checked as far as this machine can (no container runtime here, README "Docker").

hadolint lints the Dockerfile, the compose-spec JSON schema validates compose.yaml, and the start sequence the
image and compose run (compilemessages, collectstatic, migrate, gunicorn, a Celery worker and beat) runs
here against a real PostgreSQL and Redis until /health/ready/ answers 200.
"""

import json
import re
import os
import secrets
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import port_for
import psycopg
import pytest
import yaml

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_dockerfile_passes_hadolint():
    result = _run(str(BIN / "hadolint"), "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_yaml_follows_the_compose_specification():
    result = _run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_app_with_its_servers_health_checks_and_volumes():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis", "fragments"}
    assert "/health/" in json.dumps(services["web"]["healthcheck"]["test"])
    assert "/health/ready/" in json.dumps(services["beat"]["healthcheck"]["test"])
    for name in ("worker", "beat", "db", "redis", "fragments"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["FRAGMENT_CACHE_URL"] == "redis://fragments:6379/0"
    # Callers' names and numbers in rendered fragments never reach a disk.
    assert "volumes" not in services["fragments"]
    assert services["fragments"]["command"][1:5] == ["--save", "", "--appendonly", "no"]
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}


def test_every_variable_compose_sets_is_in_the_readme():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in compose["services"]["web"]["environment"] if f"`{name}`" not in readme]
    assert missing == []


def test_the_image_builds_from_the_lock_and_runs_without_rights():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements.txt" in dockerfile
    assert "USER 10001" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "node_modules", "var", ".env"} <= set(ignored)


def _answer(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.postgres_only  # the image's database; runs in the PostgreSQL pass
@pytest.mark.timeout(300)
def test_the_images_start_sequence_runs_here_until_ready(request, redis_server, tmp_path):
    server = request.getfixturevalue("postgresql_proc")
    database = f"terugbel_image_{os.getpid()}"
    admin = dict(host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    port = port_for.select_random()
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "FRAGMENT_CACHE_URL", "TERUGBEL_", "CELERY_", "SENTRY_")
    environment = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"postgres://{server.user}@{server.host}:{server.port}/{database}",
        REDIS_URL=redis_server.url,
        FRAGMENT_CACHE_URL=redis_server.url.removesuffix("/0") + "/1",  # compose's own Redis for them
        DJANGO_STATIC_ROOT=str(tmp_path / "staticfiles"),
        TERUGBEL_VAR_DIR=str(tmp_path / "var"),
    )
    python = str(BIN / "python")
    steps = [
        [python, "manage.py", "compilemessages", "--locale", "nl", "--verbosity", "0"],
        [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        [python, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
    ]
    for step in steps:
        done = subprocess.run(step, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"
    services = {
        "web": [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        "worker": [str(BIN / "celery"), "--app", "config", "worker", "--pool", "solo", "--loglevel", "INFO"],
        "beat": [str(BIN / "celery"), "--app", "config", "beat", "--loglevel", "INFO"],
    }
    running = {}
    try:
        for name, command in services.items():
            log = (tmp_path / f"{name}.log").open("w")
            running[name] = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answer(f"{base}/health/") == 200, 60, "gunicorn answering /health/")
        assert _answer(f"{base}/accounts/login/") == 200
        # Beat's first overdue sweep comes one interval (a minute) after it starts; until then not ready.
        wait_until(lambda: _answer(f"{base}/health/ready/") == 200, 150, "/health/ready/ answering 200")
        assert all(process.poll() is None for process in running.values())
    except AssertionError:
        logs = "\n".join(f"--- {name}\n{(tmp_path / f'{name}.log').read_text()[-3000:]}" for name in running)
        raise AssertionError(logs) from None
    finally:
        for process in running.values():
            process.terminate()
        for process in running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _pins(lock: str) -> dict[str, str]:
    """Each package of a pip-compile lock and the text of its entry (the pin and its hashes)."""
    entries = re.split(r"\n(?=[a-z0-9])", (ROOT / lock).read_text())
    return {entry.split("==")[0]: entry for entry in entries if "==" in entry}


def test_the_locks_pin_everything_with_hashes_and_keep_dev_tools_out_of_the_runtime():
    runtime, test = _pins("requirements.txt"), _pins("requirements-test.txt")
    assert all("--hash=sha256:" in entry for entry in [*runtime.values(), *test.values()])
    assert {"honcho", "pytest", "ruff", "pip-tools"}.isdisjoint(runtime)
    assert {"honcho", "pytest", "ruff", "pip-tools", "django", "celery"} <= set(test)
    # The same versions in both, so pip accepts the two files in one install.
    assert {name: runtime[name].split()[0] for name in runtime} == {name: test[name].split()[0] for name in runtime}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {re.split(r"[\[<>=]", requirement)[0].lower() for requirement in declared} <= set(runtime)


def test_gunicorn_reads_its_settings_file_whose_workers_freeze_what_they_loaded():
    """gunicorn.conf.py (read from the working directory by every `gunicorn` the Procfile, the image and the
    benchmarks start) moves what a worker loaded out of the garbage collector's full collections."""
    import gc
    import runpy

    from gunicorn.config import Config

    assert Config().settings["config"].default == "./gunicorn.conf.py"
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    # And once more after the worker's first requests, for what Django loads on first use; only then.
    survivors = []  # what each request leaves alive: a later freeze would take it along
    try:
        for served in range(1, 2 * hooks["FREEZE_AGAIN_AFTER_REQUESTS"]):
            survivors.append([served])
            hooks["post_request"](worker=SimpleNamespace(nr=served), req=None, environ={}, resp=None)
            frozen = gc.get_freeze_count()
            assert (frozen > 0) == (served >= hooks["FREEZE_AGAIN_AFTER_REQUESTS"]), served
            if served == hooks["FREEZE_AGAIN_AFTER_REQUESTS"]:
                frozen_then = frozen
            elif frozen:
                # Once, not after every request: no later request's survivors join (frozen objects that
                # lose their last reference are still freed, so the count may drop).
                assert frozen <= frozen_then, served
    finally:
        gc.unfreeze()
