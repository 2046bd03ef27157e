"""Production settings refuse what only development and the tests may use, and reading settings makes nothing."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "terugbel.example.nl",
}


def _settings(code: str, **environment: str) -> subprocess.CompletedProcess:
    """Python with only these variables of ours set (none inherited from the test run)."""
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "TERUGBEL_", "CELERY_", "SENTRY_")
    clean = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **environment})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


IMPORT = "import config.settings"


def test_it_refuses_eager_tasks_in_production():
    refused = _settings(IMPORT, **PRODUCTION, CELERY_TASK_ALWAYS_EAGER="true")
    allowed = _settings(IMPORT, **PRODUCTION, CELERY_TASK_ALWAYS_EAGER="false")
    assert refused.returncode != 0
    assert "CELERY_TASK_ALWAYS_EAGER" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_it_names_every_missing_production_variable_in_one_line():
    result = _settings(IMPORT, DJANGO_DEBUG="false", CELERY_TASK_ALWAYS_EAGER="true")
    assert result.returncode != 0
    error = [line for line in result.stderr.splitlines() if line.startswith("django.core.exceptions")]
    assert len(error) == 1, result.stderr
    for variable in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CELERY_TASK_ALWAYS_EAGER"):
        assert variable in error[0]


def test_reading_settings_creates_no_folders(tmp_path):
    var = tmp_path / "var"
    code = "import django; django.setup(); from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    development = _settings(code, DJANGO_DEBUG="true", TERUGBEL_VAR_DIR=str(var))
    production = _settings(code, **PRODUCTION, TERUGBEL_VAR_DIR=str(var))
    assert development.returncode == 0, development.stderr
    assert production.returncode == 0, production.stderr
    assert development.stdout.strip().startswith("filesystem://")
    assert not var.exists()


def test_the_filesystem_broker_makes_its_folders_when_celery_is_first_used(tmp_path):
    var = tmp_path / "var"
    code = "import django; django.setup(); from config.celery import app; print(app.conf.broker_url)"
    result = _settings(code, DJANGO_DEBUG="true", TERUGBEL_VAR_DIR=str(var))
    assert result.returncode == 0, result.stderr
    assert sorted(folder.name for folder in (var / "celery-broker").iterdir()) == ["control", "processed", "queue"]


def test_the_test_settings_still_run_tasks_eagerly():
    result = _settings(
        "import django; django.setup(); from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        DJANGO_SETTINGS_MODULE="config.settings_test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
