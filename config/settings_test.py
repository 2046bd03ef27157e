"""Settings for the test suite: the real settings in development mode, Celery eager.

Importing them starts nothing. With TERUGBEL_TEST_DB=postgres the suite runs on the PostgreSQL
server that pytest-postgresql starts for the session; tests/conftest.py points the database
settings at it (the `django_db_modify_db_settings` fixture) before Django creates the test database.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_EAGER_PROPAGATES = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory default: tests that run a worker or requests in
    # threads need SQLite's real locking (WAL, busy timeout), which shared cache does not honour.
    # One file per test process, so two pytest runs in one checkout never share it; Django deletes it
    # at the end of the run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405

# The test processes' own memory: two xdist workers must not share (or clear) each other's entries.
# Tests that need a shared cache use the `redis_server` fixture.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
