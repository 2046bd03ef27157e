"""The office's configuration, kept in Django's cache: who can take a message (users, roles, teams and
their members), each team's promise rules and the phone-duty roster.

Every intake step and the navigation of every page need these; read from the database they cost 10 to
20 queries a step, and they change only when someone edits users, teams, roles, promise rules or the
roster. Every entry is kept with the configuration version it was read under; the version itself is kept
in the cache, and is fetched together with the entry (one round trip). Whatever
changes the configuration (the services, the admin, and model signals as a belt) calls
`configuration_changed()`, which moves the version on: every process (the web workers, the Celery
worker) sharing the cache reads the new rows on its next request. Absences and messages are never kept
here; they are read live.

This lives in accounts, the app below callbacks, because users, teams and roles are part of the
configuration and accounts must not import callbacks.
"""

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.db import transaction

logger = logging.getLogger(__name__)

# A belt for writes that bypass configuration_changed() (raw SQL, loaddata, a database console): after
# this they show anyway.
MAX_AGE_SECONDS = 300
VERSION_KEY = "configuration:version"

# A key the request's first round trip asked for and the cache did not hold (a value may be None).
NOT_HELD = object()

# After a failed cache call this process reads the database for a while instead of asking the cache
# again: against a Redis that accepts but never answers, every call waits for the socket timeout, and an
# intake step asks for several entries. The database stays the source of truth; this only says "do not
# wait for the cache again yet".
BYPASS_SECONDS = 30
_bypass_until = 0.0

T = TypeVar("T")


@dataclass
class _RequestReads:
    """What one request has read of the configuration: the version once, each entry once.

    A page asks for several entries (permissions, teams, the roster; the intake's save asks for some of
    them two or three times), each a round trip to a shared cache. Within one request the version
    read first stands for all of them: a change made by this same request clears what was read
    (configuration_changed), one made by another process shows on this person's next request.
    """

    prefetch: Callable[[], list[str]] | None
    # Cache keys of figures kept outside the configuration (callbacks/models/generations.py) that this
    # request will most likely ask for: read in the same first round trip, as they are.
    prefetch_kept: Callable[[], list[str]] | None = None
    version: str | None = None
    values: dict[str, object] = field(default_factory=dict)
    # Entry keys the prefetch asked for and the cache did not hold under the version: built, not asked again.
    missing: set[str] = field(default_factory=set)
    # What the first round trip found under prefetch_kept's keys (NOT_HELD: nothing), and what was kept since.
    kept: dict[str, object] = field(default_factory=dict)

    def forget(self) -> None:
        self.version = None
        self.values.clear()
        self.missing.clear()
        self.kept.clear()


# Set by a middleware for the duration of one request (a context variable, so one request's reads are
# never seen by another thread's request); None outside requests (tasks, the shell): each call then
# reads the version with its entry, as before.
_request_reads: ContextVar[_RequestReads | None] = ContextVar("configuration_request_reads", default=None)


@contextlib.contextmanager
def read_once(
    prefetch: Callable[[], list[str]] | None = None, prefetch_kept: Callable[[], list[str]] | None = None
) -> Iterator[None]:
    """Within the block, the configuration version is read once and each entry at most once.

    ``prefetch``: the keys (as given to remembered) this request will most likely ask for, read together
    with the version in the first round trip; called then, not before, so a request that reads no
    configuration (the bare view, static files) costs nothing more. An entry asked again within the block
    is the same object, not a new copy from the cache: callers do not change what they are given.
    ``prefetch_kept``: cache keys of other kept figures read in that round trip too (kept_in_request).
    """
    token = _request_reads.set(_RequestReads(prefetch=prefetch, prefetch_kept=prefetch_kept))
    try:
        yield
    finally:
        _request_reads.reset(token)


def remembered(key: str, build: Callable[[], T], *, using: str = "default") -> T:
    """The value kept for ``key`` under the current configuration version, built and kept when missing.

    ``using``: the alias of the cache the value is kept in; the version is always the default cache's.
    Markup drawn from the configuration goes to "fragments", where each process keeps its own copy first.

    A cache that cannot be reached is skipped (and logged): the pages then read the database, as
    without a cache; a broken cache must not stop the office from taking messages.
    """
    if time.monotonic() < _bypass_until:
        return build()
    entry_key = f"configuration:{key}"
    reads = _request_reads.get()
    if reads is not None and entry_key in reads.values:
        return reads.values[entry_key]
    store = cache if using == "default" else caches[using]
    try:
        version, kept = _read(entry_key, reads) if using == "default" else _read_apart(store, entry_key, reads)
    except Exception:
        _bypass_for_a_while()
        logger.warning("Configuration %s read from the database: the cache is unreachable", key, exc_info=True)
        return build()
    if kept is not None and kept[0] == version:
        value = kept[1]
    else:
        # Built under the version read above: a change landing meanwhile moves the version on, so this
        # value, possibly read before the change, is kept with a version that no longer matches.
        value = build()
        try:
            store.set(entry_key, (version, value), MAX_AGE_SECONDS)
        except Exception:
            _bypass_for_a_while()
            logger.warning("Configuration %s not kept: the cache is unreachable", key, exc_info=True)
    if reads is not None and reads.version == version:
        reads.values[entry_key] = value
    return value


def _read(entry_key: str, reads: _RequestReads | None) -> tuple[str, tuple | None]:
    """The version and what the cache keeps under ``entry_key``: one round trip, or none when this request
    already knows the version and found the entry missing."""
    if reads is None:
        # The version and the entry in one round trip: the navigation of every page asks for entries.
        found = cache.get_many([VERSION_KEY, entry_key])
        return found.get(VERSION_KEY) or _version(), found.get(entry_key)
    if reads.version is not None:
        if entry_key in reads.missing:
            return reads.version, None
        return reads.version, cache.get(entry_key)
    found = _first_read(reads, [entry_key])
    return reads.version, found.get(entry_key)


def _read_apart(store: BaseCache, entry_key: str, reads: _RequestReads | None) -> tuple[str, tuple | None]:
    """The version and what another cache than the version's keeps under ``entry_key``."""
    if reads is None:
        version = cache.get(VERSION_KEY) or _version()
    else:
        if reads.version is None:
            _first_read(reads, [])
        version = reads.version
    return version, store.get(entry_key)


def _first_read(reads: _RequestReads, keys: list[str]) -> dict[str, object]:
    """The request's first round trip: the version, ``keys``, and what the prefetches name."""
    # Once: a second first read follows a change.
    prefetch, reads.prefetch = reads.prefetch, None
    prefetch_kept, reads.prefetch_kept = reads.prefetch_kept, None
    wanted = [f"configuration:{key}" for key in (prefetch() if prefetch else [])]
    kept_keys = prefetch_kept() if prefetch_kept else []
    found = cache.get_many([VERSION_KEY, *keys, *wanted, *kept_keys])
    version = found.get(VERSION_KEY) or _version()
    reads.version = version
    for key in wanted:
        kept = found.get(key)
        if kept is not None and kept[0] == version:
            reads.values[key] = kept[1]
        else:
            reads.missing.add(key)
    reads.kept.update({key: found.get(key, NOT_HELD) for key in kept_keys}, **{VERSION_KEY: version})
    return found


def kept_in_request(keys: list[str]) -> dict[str, object] | None:
    """What this request's first round trip (read_once's prefetch_kept) or a later remember_in_request holds
    for ``keys``, as cache.get_many answers (keys the cache did not hold are left out); None when it did not
    read all of them, or outside a request. Makes the first round trip now if none was made yet.
    """
    reads = _request_reads.get()
    if reads is None or time.monotonic() < _bypass_until:
        return None
    if reads.version is None:
        _first_read(reads, [])
    if not all(key in reads.kept for key in keys):
        return None
    return {key: reads.kept[key] for key in keys if reads.kept[key] is not NOT_HELD}


def remember_in_request(values: dict[str, object]) -> None:
    """Values just written to the cache, for kept_in_request later in this request."""
    if (reads := _request_reads.get()) is not None:
        reads.kept.update(values)


def forget_kept_in_request() -> None:
    """Something this request wrote moved kept figures on: ask the cache for them again."""
    if (reads := _request_reads.get()) is not None:
        reads.kept.clear()


# Saves of a user that change nothing kept here: every login writes last_login, the language switch the
# preferred language. Moving the version on for those would empty every process's cache at each login.
UNKEPT_USER_FIELDS = frozenset({"last_login", "preferred_language", "password"})


def configuration_changed(*, update_fields: frozenset[str] | None = None, **_signal_kwargs: object) -> None:
    """Move the version on now, and again once the writing transaction has committed.

    The second move is for a process that read the old rows between the first move and the commit:
    what it kept then is under a version nobody asks for again. Usable as a signal receiver.
    """
    if update_fields and set(update_fields) <= UNKEPT_USER_FIELDS:
        return
    _version_bump()
    transaction.on_commit(_version_bump)


def _version() -> str:
    """A version for a cache that has none (new, or evicted): the one another process just started wins.

    A random value, never a counter: a version evicted from the cache and started again at 1 could meet
    entries kept under the old 1."""
    cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    return cache.get(VERSION_KEY)


def _version_bump() -> None:
    # What this request read before its own change is not true any more; its next read asks the cache.
    if (reads := _request_reads.get()) is not None:
        reads.forget()
    # Tried even while reads bypass the cache: another process whose cache answers must not keep the old
    # configuration (a role taken away) until MAX_AGE_SECONDS. A failure costs one socket timeout.
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        _bypass_for_a_while()
        # Nothing kept can be read while the cache is unreachable; MAX_AGE_SECONDS covers what follows.
        logger.error("Configuration version not moved on: the cache is unreachable", exc_info=True)


def cache_unreachable_lately() -> bool:
    """Whether this process found the cache unreachable less than BYPASS_SECONDS ago: other kept figures
    (callbacks/models/generations.py) skip it too, so a hung Redis costs one socket timeout, not one each."""
    return time.monotonic() < _bypass_until


def note_cache_unreachable() -> None:
    _bypass_for_a_while()


def _bypass_for_a_while() -> None:
    global _bypass_until
    _bypass_until = time.monotonic() + BYPASS_SECONDS
