"""Settings for the test suite: the real settings in development mode, Celery eager.

With TERUGBEL_TEST_DB=postgres the suite runs against a PostgreSQL server that
tests/servers.py starts from the installed binaries.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

if os.environ.get("TERUGBEL_TEST_DB") == "postgres":
    from tests.servers import postgres_url_for_session

    os.environ["DATABASE_URL"] = postgres_url_for_session()

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
