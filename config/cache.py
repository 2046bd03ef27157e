"""The project's cache backends.

LayeredCache (the page fragments with FRAGMENT_CACHE_URL): each process's own copies in front of copies
all processes share; release_fingerprint keeps one release's fragments from another's.

SharedClientRedisCache: Django's RedisCache, keeping one redis-py client per connection pool instead of
making one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call; building one sets up its
table of reply handlers, which costs more than a short reply from Redis itself, and every page makes
several cache calls (configuration, counts, status). A redis-py client holds no connection of its own
(each command borrows one from the pool) and may be shared between threads, so one per pool is enough.
The pools stay Django's own, created on first use as before, so the timeouts in OPTIONS still apply.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


class LayeredCache(BaseCache):
    """Rendered page fragments: each process's own copy in local memory, in front of a copy all processes
    share (OPTIONS["SHARED"], the alias of a Redis cache).

    A gunicorn worker that did not serve a page for a while would otherwise draw anew every row that the
    other workers drew meanwhile (the worklist's new messages, the tables of each new minute). Fragments
    are keyed by the versions of what they show, so a copy never goes stale; each is kept no longer than
    its template's timeout in either place, the remaining lifetime travelling with the shared copy.

    A fragment drawn goes to the shared cache when the request has finished (close()), so no page waits for
    that write. The shared copy is an optimisation only: after it fails (stopped, or a Redis that never answers and
    costs one socket timeout) this process uses its local memory alone for RETRY_SECONDS, and pages draw
    as before.
    """

    RETRY_SECONDS = 30
    # Fragments drawn outside a request (a script) are sent once this many wait, not only at close().
    MOST_UNSENT = 200

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._shared_alias = options["SHARED"]
        # Processes of another release (a deploy, the old and new workers side by side) draw other markup.
        self._release = options["RELEASE"]
        self._local = LocMemCache(location, {"OPTIONS": {"MAX_ENTRIES": options.get("MAX_ENTRIES", 300)}})
        self._shared_down_until = 0.0
        self._unsent: dict[tuple, dict[str, tuple]] = {}

    def _shared(self, operation: Callable[[BaseCache], T], failed: T) -> T:
        if time.monotonic() < self._shared_down_until:
            return failed
        try:
            return operation(caches[self._shared_alias])
        except (RedisError, OSError) as error:
            self._shared_down_until = time.monotonic() + self.RETRY_SECONDS
            logger.warning("Shared fragment cache unavailable, local only for %s s: %s", self.RETRY_SECONDS, error)
            return failed

    def _shared_key(self, key: str) -> str:
        return f"fragment:{self._release}:{key}"

    def get(self, key, default=None, version=None):
        value = self._local.get(key, self._missing_key, version=version)
        if value is not self._missing_key:
            return value
        kept = self._shared(lambda shared: shared.get(self._shared_key(key), version=version), None)
        if kept is None:
            return default
        expires_at, value = kept
        seconds_left = None if expires_at is None else expires_at - time.time()
        if seconds_left is not None and seconds_left <= 0:
            return default
        self._local.set(key, value, seconds_left, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        self._local.set(key, value, timeout, version=version)
        if timeout is not None and timeout <= 0:  # not kept at all
            return
        expires_at = None if timeout is None else time.time() + timeout
        self._unsent.setdefault((timeout, version), {})[self._shared_key(key)] = (expires_at, value)
        if sum(map(len, self._unsent.values())) >= self.MOST_UNSENT:
            self.close()

    def close(self, **kwargs):
        """Sends the fragments drawn since the last call to the shared cache, one round trip per timeout.

        Django closes every cache when a request has finished (request_finished, after the response went
        out; Celery after each task), so a page never waits for these writes; other processes find them from
        the next request on."""
        unsent, self._unsent = self._unsent, {}
        for (timeout, version), entries in unsent.items():
            self._shared(lambda shared: shared.set_many(entries, timeout, version=version), None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version=version):
            return False
        self.set(key, value, timeout, version=version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, self._missing_key, version=version)
        if value is self._missing_key:
            return False
        self.set(key, value, timeout, version=version)
        return True

    def delete(self, key, version=None):
        for entries in self._unsent.values():
            entries.pop(self._shared_key(key), None)
        deleted_here = self._local.delete(key, version=version)
        deleted_there = self._shared(lambda shared: shared.delete(self._shared_key(key), version=version), False)
        return deleted_here or deleted_there

    def clear(self):
        """This process's copies and the shared cache, which must be the fragments' own (its whole database
        is cleared)."""
        self._unsent = {}
        self._local.clear()
        self._shared(lambda shared: shared.clear(), None)


RELEASE_FILES = ("accounts", "callbacks", "config", "telephony", "templates", "locale")
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".mo"}


def release_fingerprint(base_dir: Path, *more: Path) -> str:
    """A digest of what a fragment's markup is made from: the code, the templates, the compiled translations
    and `more` files (the static files' manifest, the locked requirements). Read once when the settings load;
    a few hundred small files."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for folder in RELEASE_FILES
        for path in (base_dir / folder).rglob("*")
        if path.suffix in RELEASE_SUFFIXES and path.is_file()
    )
    for path in [*files, *(path for path in more if path.is_file())]:
        digest.update(str(path.relative_to(base_dir) if path.is_relative_to(base_dir) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
