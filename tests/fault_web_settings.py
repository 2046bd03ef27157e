"""Settings for the gunicorn process of tests/test_faults.py.

The real settings read with the development defaults (key, hosts, plain-HTTP cookies, static files
from the finders, so no collectstatic), then DEBUG off: errors are answered as in production, by
templates/500.html. The database comes from DATABASE_URL, with the production persistent connections.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402,F403

DEBUG = False

# TERUGBEL_FAULT_NO_HEALTH_CHECKS=1 shows what CONN_HEALTH_CHECKS buys (docs/RELIABILITY.md).
if os.environ.get("TERUGBEL_FAULT_NO_HEALTH_CHECKS"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
