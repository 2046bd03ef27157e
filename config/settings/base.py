"""Core settings: paths, apps, middleware, templates, database, accounts, languages, static files."""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Created by whatever first writes there (the file cache, the filesystem broker in config/apps.py), never
# by reading these settings.
VAR_DIR = Path(env_str("TERUGBEL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

# Only with DEBUG on: production refuses this key (config/settings/security.py; bandit B105, docs/SECURITY.md).
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # nosec B105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

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
    "telephony",
]

MIDDLEWARE = [
    # /health/ and /health/ready/ first: no HTTPS redirect, no host check, no session (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The configuration's version read once per request, with the navigation's entries (callbacks/middleware.py).
    "callbacks.middleware.ConfigurationReadsMiddleware",
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
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
