"""Production settings for the benchmarks: the project's own, plus a bare view, over plain HTTP.

Used by bench/dashboard.py (in-process test Client) and bench/pages.py and bench/load.py (gunicorn)
through DJANGO_SETTINGS_MODULE=bench.settings_bench, with DJANGO_DEBUG unset like production.
"""

from config.env import env_str
from config.settings import *  # noqa: F403
from config.settings import STATIC_ROOT

# The product's URLs plus /bench/bare/, the floor every page is compared with (bench/bench_urls.py).
ROOT_URLCONF = "bench.bench_urls"

# The benchmarks talk plain HTTP to 127.0.0.1, so Secure cookies would never be sent back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# collectstatic writes the manifest here (a temporary folder), not into the shared tree.
STATIC_ROOT = env_str("TERUGBEL_BENCH_STATIC_ROOT", str(STATIC_ROOT))
