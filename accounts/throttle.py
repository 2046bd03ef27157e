"""Fixed-window request limits in Django's cache (docs/SECURITY.md, "Password reset")."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def throttle_allow(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key` in the current window; False once it is over `limit`.

    A cache that cannot be reached lets the attempt through (and says so in the log): the limit
    stops floods, it must not stop every colleague from resetting a password.
    """
    name = f"throttle:{scope}:{key}:{int(time.time() // window_seconds)}"
    try:
        cache.add(name, 0, timeout=window_seconds)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=window_seconds)
            count = 1
    except Exception:
        logger.warning("Throttle %s not counted: the cache is unreachable", scope, exc_info=True)
        return True
    return count <= limit
