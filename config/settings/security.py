"""Security settings, and the refusals that keep development defaults out of production.

Production (DJANGO_DEBUG off) checks everything first and then raises one ImproperlyConfigured naming
every problem, so a deployment is fixed in one round instead of one variable per restart.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int
from config.settings.base import ALLOWED_HOSTS, DEBUG, DEV_SECRET_KEY, SECRET_KEY

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


def production_problems() -> list[str]:
    """What keeps these settings from running in production; empty when DEBUG is on."""
    if DEBUG:
        return []
    problems = []
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        problems.append("DJANGO_SECRET_KEY must be set to a long random value")
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("DJANGO_SECRET_KEY must be at least 50 characters with 5 distinct ones")
    if not ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must list the host names")
    # Eager tasks run inside the web request: a slow mail server would hold up the receptionist's save,
    # and the retry and outbox guarantees would not apply. Only the test settings may turn it on.
    if env_bool("CELERY_TASK_ALWAYS_EAGER", False):
        problems.append("CELERY_TASK_ALWAYS_EAGER must not be set (tasks would run inside web requests)")
    return problems


if _problems := production_problems():
    raise ImproperlyConfigured(
        "Production settings (DJANGO_DEBUG is off) cannot start: "
        + "; ".join(_problems)
        + ". For development, set DJANGO_DEBUG=true."
    )
