"""Figures counted from messages, kept in Django's cache for as long as they are true.

A count of open or overdue messages changes only when (a) a message row changes, (b) the office's
configuration changes (who is in which team, a renamed colleague: accounts/configuration_cache.py), or
(c) the clock passes a deadline. So each kept figure carries three things, and is served only while all
three still hold:

- the "messages generation": a random value in the cache that every write to Message rows moves on
  (Message.save()/delete() and MessageQuerySet.update()/delete()/bulk_create() call messages_changed(),
  bulk_update() writes through update(); the overdue sweep's raw UPDATE calls it itself);
- the configuration version;
- the moment the figure stops being true by the clock alone (the first deadline still to come among the
  messages it counts), computed in the same query as the figure.

A cache that cannot be reached is skipped: the figures are then counted from the database. Two cases
are bounded by MAX_AGE_SECONDS only: a generation that could not be moved on (the cache failed just at
that write), and a figure counted inside a writing transaction that then rolled back (no view counts
inside its own write: services commit before the page is drawn).
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from accounts.configuration_cache import VERSION_KEY as CONFIGURATION_VERSION_KEY
from accounts.configuration_cache import cache_unreachable_lately, note_cache_unreachable

logger = logging.getLogger(__name__)

GENERATION_KEY = "messages:generation"
# A belt for a write that moved no generation (a database console): after this it shows anyway.
MAX_AGE_SECONDS = 300

T = TypeVar("T")


def messages_changed() -> None:
    """Move the generation on now, and again once the writing transaction has committed.

    Now, so that a read later in the same transaction does not get the figures kept before the write;
    after the commit, because another process may have counted the old rows in between and kept them
    under the generation set now.
    """
    _bump()
    transaction.on_commit(_bump)


def kept_while_true(key: str, count: Callable[[], tuple[T, datetime | None]], *, now: datetime) -> T:
    """The figure kept under ``key``, or ``count()`` kept anew.

    ``count`` returns the figure and the moment it stops being true by the clock (None: not before a
    message changes). Served only while no message changed, the configuration is the same and ``now``
    is before that moment.
    """
    # After a failed cache call (here or for the configuration) this process counts from the database for
    # a while instead of asking again: a Redis that accepts but never answers makes every call wait.
    if cache_unreachable_lately():
        return count()[0]
    entry_key = f"messages:{key}"
    try:
        found = cache.get_many([GENERATION_KEY, CONFIGURATION_VERSION_KEY, entry_key])
        stamp = (found.get(GENERATION_KEY) or _started(GENERATION_KEY),
                 found.get(CONFIGURATION_VERSION_KEY) or _started(CONFIGURATION_VERSION_KEY))
    except Exception:
        note_cache_unreachable()
        logger.warning("%s counted from the database: the cache is unreachable", key, exc_info=True)
        return count()[0]
    kept = found.get(entry_key)
    if kept is not None:
        kept_stamp, until, value = kept
        if kept_stamp == stamp and (until is None or now < until):
            return value
    # Stamped with what was read before counting: a write landing meanwhile moves the generation on, so
    # a figure that may predate it is never asked for again.
    value, until = count()
    try:
        cache.set(entry_key, (stamp, until, value), MAX_AGE_SECONDS)
    except Exception:
        note_cache_unreachable()
        logger.warning("%s not kept: the cache is unreachable", key, exc_info=True)
    return value


def _started(key: str) -> str:
    """A value for a key the cache lost (new, or evicted): the one another process just started wins.

    Random, never a counter, so a restarted one cannot meet entries kept under an old value."""
    cache.add(key, uuid.uuid4().hex, timeout=None)
    return cache.get(key)


def _bump() -> None:
    # Every save of a message comes here: against a Redis that accepts but never answers, trying again at
    # each would hold every save for the socket timeout. So after a failure this process neither reads
    # kept figures nor moves the generation for a while; what other processes kept meanwhile lasts at
    # most MAX_AGE_SECONDS (counts, no caller data).
    if cache_unreachable_lately():
        return
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        note_cache_unreachable()
        logger.error("Messages generation not moved on: the cache is unreachable", exc_info=True)
