"""Settings for Terugbel, read from the environment.

Development needs DJANGO_DEBUG=true (the Makefile sets it); anything else is treated as
production, which refuses to start without a real secret key and allowed hosts, so a
forgotten variable can never ship the development defaults.
"""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TERUGBEL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

# Only with DEBUG on: production refuses this key below (bandit B105, docs/SECURITY.md).
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # nosec B105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off "
            "(for development, set DJANGO_DEBUG=true)."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters with 5 distinct ones.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names when DJANGO_DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.TerugbelAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "callbacks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on whatever a logged-in user is shown (caller data; docs/SECURITY.md).
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After HtmxMiddleware (tells polling from activity) and MessageMiddleware (says why).
    "accounts.middleware.IdleTimeoutMiddleware",
    # Sends a manager without a second factor to enrolment (TWO_FACTOR_REQUIRED_FOR_MANAGERS).
    "accounts.two_factor.TwoFactorRequiredMiddleware",
    # Turns a refused login (accounts/lockout.py) into the page that says until when.
    "accounts.lockout.LoginRefusalMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "callbacks.context_processors.navigation",
            ],
        },
    },
]

# Database: a SQLite file in the project unless DATABASE_URL names another (PostgreSQL in production).
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        _database = dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {error}") from None
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {
            # WAL lets the web server, the worker and beat read while one of them writes;
            # IMMEDIATE takes the write lock up front so concurrent writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a login that has to wait (accounts/lockout.py) before any password is checked.
    "accounts.lockout.LoginThrottleBackend",
    # Django's ModelBackend with the permission set kept under the configuration version
    # (accounts/backends.py): a role taken away applies on the next request in every process.
    "accounts.backends.ConfiguredPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Dutch by default, English available.
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "nl", {"nl", "en"})
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone.") from None
USE_I18N = True
USE_TZ = True

# Static files: our own in static/, third-party ones straight from the npm packages.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# In development the files come from the finders; staticfiles/ exists only after collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG

PHONENUMBER_DEFAULT_REGION = "NL"
PHONENUMBER_DB_FORMAT = "E164"

# Retention: the caller's personal data of messages handled more than this many days ago is
# anonymised each night (callbacks.services.retention); the rows stay for the statistics.
RETENTION_DAYS = env_int("RETENTION_DAYS", 180, minimum=1)
# A call left unfinished at the intake (a draft) is deleted after this many hours untouched:
# a working day, so a call interrupted by lunch can still be resumed.
CALL_DRAFT_HOURS = env_int("CALL_DRAFT_HOURS", 24, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console in development.
# Links in emails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# A notification claimed this long ago by a worker that never finished (killed mid-send) is handed out
# again by the delivery sweep. Longer than any send can take, or a slow send would go out twice.
NOTIFICATION_STALE_CLAIM_SECONDS = env_int("NOTIFICATION_STALE_CLAIM_SECONDS", 600, minimum=1)
if NOTIFICATION_STALE_CLAIM_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured("NOTIFICATION_STALE_CLAIM_SECONDS must be longer than EMAIL_TIMEOUT.")
# Password reset (docs/SECURITY.md): mails go through the notification outbox; at most this many
# requests per account and per client address in each window. Over the account's limit the page says
# nothing (no enumeration); over the address's limit it answers 429.
PASSWORD_RESET_MAIL_QUEUE = "callbacks.services.notifications.password_reset_queue"
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 5, minimum=1)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 20, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Terugbel <terugbel@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production values are the defaults whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# A reception desk is shared: sessions end after a working day.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 3600, minimum=300)
# Database sessions; a lost connection while writing one is the friendly 500 page, not a 400.
SESSION_ENGINE = "accounts.sessions"
# ...and after this long without activity (accounts.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60, minimum=1)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
_BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", not DEBUG)
if _BEHIND_TLS_PROXY:
    # gunicorn runs behind a reverse proxy that terminates TLS and sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of gunicorn append to X-Forwarded-For. The client's address is
# the entry that many places from the right; anything further left is whatever the client sent.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if _BEHIND_TLS_PROXY else 0, minimum=0)

# Login throttling (accounts/lockout.py, docs/SECURITY.md): per username a delay that doubles from
# the third failure on, from 5 seconds up to LOGIN_LOCK_TIME; per address a lock only once ten
# different usernames failed from it within LOGIN_LOCK_TIME. Never a lock of the office's address
# because one colleague mistyped.
LOGIN_LOCK_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 15, minimum=1))
LOGIN_FREE_FAILURES = 3
LOGIN_FIRST_DELAY = timedelta(seconds=5)
LOGIN_FAILURE_MEMORY = timedelta(hours=24)
LOGIN_ADDRESS_USERNAMES = 10
# Managers and superusers must sign in with a second factor (TOTP); off in development so the
# demo logins work. accounts/two_factor.py.
TWO_FACTOR_REQUIRED_FOR_MANAGERS = env_bool("TWO_FACTOR_REQUIRED_FOR_MANAGERS", not DEBUG)
# Our own delays (accounts/lockout.py) count wrong codes; django-otp's per-device throttle would
# add a second, unexplained one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "Terugbel"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Bootstrap draws some icons (select arrows, toggler) as data: SVG backgrounds.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Celery. Without REDIS_URL a filesystem broker needs no server, so `make run` works anywhere.
REDIS_URL = env_str("REDIS_URL")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A save must never hang on the broker. The outbox publishes once, without retry, after the commit
# (callbacks/services/notifications.py); against a Redis that accepts but never answers that attempt
# gives up after socket_timeout (1 s) and the rows wait for the delivery sweep. A stopped Redis refuses
# at once; an unreachable host gives up after socket_connect_timeout. A connection left stale by a
# Redis restart is replaced when redis-py takes it from its pool. The retry policy below is for the
# other publishes (the sweeps queueing from a worker), where a short wait harms nobody.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Named so tests/test_faults.py can run a hung Redis against exactly these values.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    # Connecting (a cold process, or after a restart) is tried once: no 2 s pause for a second attempt.
    "max_retries": 0,
}
# The cache holds the request limits (accounts/throttle.py) and the office's configuration
# (accounts/configuration_cache.py), so every process must share it: Redis when there is one, with the
# broker's short timeouts; without Redis files under var/, which the web server, the worker and beat of
# `make run` on one machine share.
# Named so tests/test_faults.py can run a hung Redis against exactly these values.
REDIS_CACHE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "terugbel",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": "terugbel",
        }
    }
# Rendered page fragments (the worklist's tables): HTML derived from rows whose versions are in the key,
# so each process may keep its own copy. In local memory a fragment costs no network round trip, and a
# Redis outage cannot break a page; the templates' short timeouts bound how long caller data stays.
# The worklist keeps each row (about a kilobyte) as well as each table: room for a few thousand, as the default
# 300 would be culled by the second or third colleague's page.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    # kombu ignores the host of this transport; naming one keeps it from warning on every publish.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (control) messages would otherwise land in ./control of whatever cwd.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives here, in code; the DatabaseScheduler copies it into its tables at start.
CELERY_BEAT_SCHEDULE = {
    # Every 6 hours: drop expired login sessions so the session table stays small.
    "clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired_task",
        "schedule": timedelta(hours=6),
    },
    # The overdue engine: compares stored UTC deadlines with now. An interval, never a crontab.
    "flag-overdue": {
        "task": "callbacks.tasks.overdue_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # The outbox safety net: anything still pending after a minute (lost publish, broker outage).
    "deliver-outbox": {
        "task": "callbacks.tasks.outbox_deliver_task",
        "schedule": timedelta(minutes=1),
    },
    # Digests at the teams' check moments. An interval, not a crontab: each run works out which
    # moment is due itself, so a late or doubled run still sends each digest exactly once.
    "send-digests": {
        "task": "callbacks.tasks.digests_send_task",
        "schedule": timedelta(minutes=2),
    },
    # While someone is away, their open messages move to their stand-in.
    "route-to-stand-ins": {
        "task": "callbacks.tasks.messages_route_to_stand_ins_task",
        "schedule": timedelta(minutes=5),
    },
    # Retention: every hour, but the task works only between 01:00 and 05:00 local time. An interval,
    # not a crontab (crontabs misbehave across DST); a repeat in the same night changes nothing.
    # The same task deletes the intake's abandoned calls (CALL_DRAFT_HOURS) every hour.
    "anonymise-old-messages": {
        "task": "callbacks.tasks.messages_anonymise_task",
        "schedule": timedelta(hours=1),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
