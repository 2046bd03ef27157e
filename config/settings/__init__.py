"""Settings for Terugbel, read from the environment (DJANGO_SETTINGS_MODULE=config.settings).

Development needs DJANGO_DEBUG=true (the Makefile sets it); anything else is treated as
production, which refuses to start without a real secret key and allowed hosts, so a
forgotten variable can never ship the development defaults. Reading them creates no files or folders.

    base.py      paths, apps, middleware, database, accounts, languages, static files
    security.py  headers, cookies, login throttling, CSP, and production's refusals
    services.py  email, Celery and its beat schedule, caches, logging, health, error reporting
"""

from config.settings.base import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.services import *  # noqa: F403
