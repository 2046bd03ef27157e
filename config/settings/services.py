"""Email, Celery, caches, the beat schedule, logging, health thresholds and error reporting."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.cache import release_fingerprint
from config.settings.base import BASE_DIR, DEBUG, STATIC_ROOT, TIME_ZONE, VAR_DIR

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
# The caller's confirmation mail (callbacks/services/caller_mail.py): the office it names, the number the
# callback will come from (E.164, shown as the intake shows numbers; empty leaves the line out) and the
# sender, by default the app's own.
OFFICE_NAME = env_str("OFFICE_NAME", "Terugbel")
OFFICE_PHONE_NUMBER = env_str("OFFICE_PHONE_NUMBER")
CALLER_MAIL_FROM = env_str("CALLER_MAIL_FROM", DEFAULT_FROM_EMAIL)

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
    # Django's RedisCache with one client per pool (config/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "config.cache.SharedClientRedisCache",
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
# Rendered page fragments (the worklist's tables, a message's facts): HTML derived from rows whose versions
# are in the key, so a copy never goes stale. Each process keeps its own in local memory: no network round
# trip, and a Redis outage cannot break a page; the templates' short timeouts bound how long caller data stays.
# The worklist keeps each row (about a kilobyte) as well as each table: room for a few thousand, as the default
# 300 would be culled by the second or third colleague's page.
_LOCAL_FRAGMENTS = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}
CACHES["fragments"] = {**_LOCAL_FRAGMENTS, "OPTIONS": {"MAX_ENTRIES": 5000}}
# With FRAGMENT_CACHE_URL (a Redis database of their own, kept in memory only: compose.yaml's `fragments`)
# the processes also share what they drew (config/cache.py LayeredCache), so a worker that did not serve a
# page for a while does not draw again what another one drew meanwhile. Short timeouts: a fragment is only
# worth a wait shorter than drawing it.
FRAGMENT_CACHE_URL = env_str("FRAGMENT_CACHE_URL")
if FRAGMENT_CACHE_URL:
    CACHES["fragments_shared"] = {
        "BACKEND": "config.cache.SharedClientRedisCache",
        "LOCATION": FRAGMENT_CACHE_URL,
        "KEY_PREFIX": "terugbel",
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
    }
    CACHES["fragments"] = {
        **_LOCAL_FRAGMENTS,
        "BACKEND": "config.cache.LayeredCache",
        "OPTIONS": {
            "MAX_ENTRIES": 5000,
            "SHARED": "fragments_shared",
            # A new release draws new markup: its processes do not take the old one's fragments.
            "RELEASE": release_fingerprint(BASE_DIR, STATIC_ROOT / "staticfiles.json", BASE_DIR / "requirements.txt"),
        },
    }
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    # Its folders are made when Django starts (config/apps.py), not here: reading settings creates nothing.
    _broker_dir = VAR_DIR / "celery-broker"
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
    # The statistics' rollup: today, yesterday and the days that still have open messages, rebuilt from
    # the messages (callbacks.services.rollups). An interval: each run rebuilds whole days, so a late or
    # doubled run gives the same rows.
    "statistics-rollup": {
        "task": "callbacks.tasks.statistics_rollup_task",
        "schedule": timedelta(minutes=5),
    },
    # Phone calls whose hangup never came are closed (an unanswered incoming one is filed as missed).
    "close-unfinished-calls": {
        "task": "telephony.tasks.unfinished_calls_task",
        "schedule": timedelta(minutes=5),
    },
    # The call log's raw events and numbers go after the retention period; a repeat changes nothing.
    "expire-phone-events": {
        "task": "telephony.tasks.phone_events_expire_task",
        "schedule": timedelta(hours=1),
    },
}
# A call still ringing or answered this long without a hangup is closed by the sweep above as "no end
# reported": PBXs lose events, and a missed call must not wait for a hangup that never comes.
CTI_RINGING_LIMIT_MINUTES = env_int("CTI_RINGING_LIMIT_MINUTES", 15, minimum=1)
CTI_ANSWERED_LIMIT_HOURS = env_int("CTI_ANSWERED_LIMIT_HOURS", 4, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Health (config/health.py): /health/ready/ fails when the overdue sweep (every minute) last finished longer
# ago than this, or when this many notifications have waited longer than HEALTH_OUTBOX_MAX_AGE_MINUTES.
HEALTH_SWEEP_MAX_AGE_MINUTES = env_int("HEALTH_SWEEP_MAX_AGE_MINUTES", 5, minimum=1)
HEALTH_OUTBOX_MAX_AGE_MINUTES = env_int("HEALTH_OUTBOX_MAX_AGE_MINUTES", 10, minimum=1)
HEALTH_OUTBOX_MAX_LATE = env_int("HEALTH_OUTBOX_MAX_LATE", 20, minimum=1)

# Error reporting (config/sentry.py): only with SENTRY_DSN, and with caller data scrubbed before sending.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
if SENTRY_DSN:
    from config.sentry import sentry_start

    sentry_start(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
