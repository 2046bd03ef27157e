import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parent.parent


def _settings_env(**overrides: str) -> dict[str, str]:
    ours = (
        "DJANGO_",
        "DATABASE_URL",
        "REDIS_URL",
        "FRAGMENT_CACHE_URL",
        "TERUGBEL_",
        "CELERY_",
        "TRUSTED_PROXY_COUNT",
        "LOGIN_",
        "TWO_FACTOR_",
        "SESSION_",
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(overrides)
    return clean


def _run(code: str, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_settings_env(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "terugbel.example.nl",
}


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_it_rejects_unreadable_booleans(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG", False)


def test_it_reads_booleans_lists_and_numbers(monkeypatch):
    monkeypatch.setenv("A_FLAG", "Yes")
    monkeypatch.setenv("A_LIST", " a.nl, ,b.nl ")
    monkeypatch.setenv("A_NUMBER", "42")
    assert env.env_bool("A_FLAG", False) is True
    assert env.env_list("A_LIST") == ["a.nl", "b.nl"]
    assert env.env_int("A_NUMBER", 1) == 42
    assert env.env_bool("UNSET_FLAG_XYZ", True) is True


def test_it_rejects_bad_numbers_and_choices(monkeypatch):
    monkeypatch.setenv("A_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("A_NUMBER", 1)
    monkeypatch.setenv("A_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env.env_int("A_NUMBER", 1, minimum=0)
    monkeypatch.setenv("A_CHOICE", "fr")
    with pytest.raises(ImproperlyConfigured, match="A_CHOICE"):
        env.env_choice("A_CHOICE", "nl", {"nl", "en"})


def test_it_refuses_production_without_a_secret_key():
    result = _run("import django; django.setup()", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="terugbel.example.nl")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_production_with_a_short_or_development_key():
    short = _run("import django; django.setup()", **{**PRODUCTION, "DJANGO_SECRET_KEY": "short"})
    insecure = _run(
        "import django; django.setup()", **{**PRODUCTION, "DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60}
    )
    assert "DJANGO_SECRET_KEY" in short.stderr and short.returncode != 0
    assert "DJANGO_SECRET_KEY" in insecure.stderr and insecure.returncode != 0


def test_it_refuses_production_without_allowed_hosts():
    result = _run("import django; django.setup()", **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_it_starts_in_production_with_a_key_and_hosts():
    result = _run(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


@pytest.mark.parametrize(
    "extra",
    [
        {},
        # Without the TLS proxy (gunicorn serving TLS itself) and with the lockout and idle settings moved.
        {
            "DJANGO_BEHIND_TLS_PROXY": "false",
            "TRUSTED_PROXY_COUNT": "0",
            "LOGIN_LOCK_MINUTES": "30",
            "SESSION_IDLE_MINUTES": "20",
        },
    ],
)
def test_it_passes_the_deploy_check_under_production_settings(extra):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_settings_env(**PRODUCTION, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_it_uses_a_serverless_broker_without_redis_url_and_redis_with_it(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    # The broker's folders are made when Celery's configuration is first used (config/celery.py).
    embedded = _run(
        "import django; django.setup(); from config.celery import app; app.conf.broker_url; " + code,
        DJANGO_DEBUG="true",
        TERUGBEL_VAR_DIR=str(tmp_path),
    )
    redis = _run("import django; django.setup(); " + code, DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6390/0")
    assert embedded.stdout.strip().startswith("filesystem://"), embedded.stderr
    assert (tmp_path / "celery-broker" / "queue").is_dir()
    assert redis.stdout.strip() == "redis://127.0.0.1:6390/0", redis.stderr


def test_page_fragments_are_shared_only_with_a_fragment_cache_url():
    code = (
        "import django; django.setup(); from django.core.cache import caches; f = caches['fragments']; "
        "print(type(f).__name__, getattr(f, '_release', ''), caches['fragments_shared']._servers[0] if "
        "'fragments_shared' in django.conf.settings.CACHES else '')"
    )
    alone = _run(code, DJANGO_DEBUG="true")
    shared = _run(code, DJANGO_DEBUG="true", FRAGMENT_CACHE_URL="redis://127.0.0.1:6391/0")
    assert alone.stdout.split() == ["LocMemCache"], alone.stderr
    kind, release, server = shared.stdout.split()
    assert (kind, len(release), server) == ("LayeredCache", 16, "redis://127.0.0.1:6391/0"), shared.stderr


def test_it_reads_postgres_from_database_url_and_rejects_garbage():
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    postgres = _run(code, DJANGO_DEBUG="true", DATABASE_URL="postgres://u:p@127.0.0.1:5432/terugbel")
    garbage = _run(code, DJANGO_DEBUG="true", DATABASE_URL="nonsense://what")
    default = _run(code + "; print(settings.DATABASES['default']['OPTIONS']['init_command'])", DJANGO_DEBUG="true")
    assert postgres.stdout.strip() == "django.db.backends.postgresql", postgres.stderr
    assert garbage.returncode != 0 and "DATABASE_URL" in garbage.stderr
    assert "sqlite3" in default.stdout and "journal_mode=WAL" in default.stdout


def test_it_rejects_an_unknown_time_zone():
    result = _run("import django; django.setup()", DJANGO_DEBUG="true", TIME_ZONE="Europe/Atlantis")
    assert result.returncode != 0
    assert "TIME_ZONE" in result.stderr


def test_it_defaults_to_dutch_in_amsterdam(settings):
    assert settings.LANGUAGE_CODE == "nl"
    assert settings.TIME_ZONE == "Europe/Amsterdam"
