"""Figures counted from messages, kept in Django's cache for as long as they are true.

A count of open or overdue messages changes only when (a) a message row changes, (b) the office's
configuration changes (who is in which team, a renamed colleague: accounts/configuration_cache.py), or
(c) the clock passes a deadline. So each kept figure carries three things, and is served only while all
three still hold:

- the "messages generation": a random value in the cache that every write to Message rows moves on
  (Message.save()/delete() and MessageQuerySet.update()/delete()/bulk_create() call messages_changed(),
  bulk_update() writes through update(); the overdue sweep's raw UPDATE calls it itself). A write that
  only adds open messages (a new message from the intake, bulk_create) moves on the generations of the new
  rows' owners instead (owner_user, None for a team's message no one person owns): a figure that names
  the owners it counts (``owners``) carries their generations too, so a new message for one colleague
  leaves the figures of every other colleague standing. A changed or deleted message moves the one
  generation that every figure carries: its owner before the change is not known without reading it;
- the configuration version;
- the moment the figure stops being true by the clock alone (the first deadline still to come among the
  messages it counts), computed in the same query as the figure.

A figure whose owners only added messages since it was counted can be brought up to date from those
(kept_while_true's catch_up) instead of counted again. Figures kept per owner, and in two parts (what was
written before a moment, which a new message does not change, and what was written since), are in
callbacks/models/kept_per_owner.py.

A cache that cannot be reached is skipped: the figures are then counted from the database. Three cases
are bounded by MAX_AGE_SECONDS only: a generation that could not be moved on (the cache failed just at
that write), a figure counted inside a writing transaction that then rolled back (no view counts
inside its own write: services commit before the page is drawn), and a message whose write committed
longer than MAX_AGE_SECONDS after it was made, missing from a settled part counted meanwhile.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from accounts.configuration_cache import VERSION_KEY as CONFIGURATION_VERSION_KEY
from accounts.configuration_cache import (
    cache_unreachable_lately,
    forget_kept_in_request,
    kept_in_request,
    note_cache_unreachable,
    remember_in_request,
)

logger = logging.getLogger(__name__)

GENERATION_KEY = "messages:generation"
# The generation of one owner's messages (a user's pk, or None: the teams' messages no one person owns).
OWNER_GENERATION_KEY = "messages:generation:owner:{}"
# Moved on with every owner's generation: what a figure over all owners carries.
ALL_OWNERS_KEY = "messages:generation:any-owner"
# What every kept figure carries.
COMMON_KEYS = [GENERATION_KEY, CONFIGURATION_VERSION_KEY]
# A belt for a write that moved no generation (a database console): after this it shows anyway.
MAX_AGE_SECONDS = 300

T = TypeVar("T")


def messages_changed(*, new_rows_of: Iterable[int | None] | None = None) -> None:
    """Move the generation on now, and again once the writing transaction has committed.

    Now, so that a read later in the same transaction does not get the figures kept before the write;
    after the commit, because another process may have counted the old rows in between and kept them
    under the generation set now. ``new_rows_of``: the write only added open messages, owned by these
    owner_user ids (None: a team's); then only those owners' generations move on.
    """
    keys = [GENERATION_KEY] if new_rows_of is None else sorted({owner_generation_key(o) for o in new_rows_of})
    _bump(keys)
    transaction.on_commit(lambda: _bump(keys))


def owner_generation_key(owner_user_id: int | None) -> str:
    return OWNER_GENERATION_KEY.format(owner_user_id)


def kept_while_true(
    key: str,
    count: Callable[[], tuple[T, datetime | None]],
    *,
    now: datetime,
    owners: Iterable[int | None] | None = None,
    catch_up: Callable[[T, set[int | None], datetime], tuple[T, datetime | None] | None] | None = None,
) -> T:
    """The figure kept under ``key``, or ``count()`` kept anew.

    ``count`` returns the figure and the moment it stops being true by the clock (None: not before a
    message changes). Served only while no message changed, the configuration is the same and ``now``
    is before that moment. ``owners``: the figure counts only messages of these owner_user ids (None: a
    team's message no one person owns), so a new message of another owner leaves it standing; without
    it (None) any new message moves it on. ``catch_up(figure, moved, counted_at)``: for a figure whose owners
    only added messages since (their generations alone moved on), the figure brought up to date from what was
    written since ``counted_at`` with its moment, or None to count it anew.
    """
    # After a failed cache call (here or for the configuration) this process counts from the database for
    # a while instead of asking again: a Redis that accepts but never answers makes every call wait.
    if cache_unreachable_lately():
        return count()[0]
    *stamp_keys, entry_key = kept_while_true_keys(key, owners)
    try:
        found = read_kept([*stamp_keys, entry_key])
        stamp = tuple(found.get(stamp_key) or generation_value(stamp_key) for stamp_key in stamp_keys)
    except Exception:
        note_cache_unreachable()
        logger.warning("%s counted from the database: the cache is unreachable", key, exc_info=True)
        return count()[0]
    kept = _entry(found, entry_key)
    kept_stamp, until, value, counted_at = kept
    if kept_stamp == stamp and (until is None or now < until):
        return value
    moved = _added_to(kept, stamp, stamp_keys, owners, now) if catch_up is not None else None
    caught = catch_up(value, moved, counted_at) if moved else None
    # Stamped with what was read before counting: a write landing meanwhile moves the generation on, so
    # a figure that may predate it is never asked for again.
    value, until = caught if caught is not None else count()
    try:
        keep_kept({entry_key: (stamp, until, value, now)})
    except Exception:
        note_cache_unreachable()
        logger.warning("%s not kept: the cache is unreachable", key, exc_info=True)
    return value


def catching_up(key: str, *, now: datetime, owners: Iterable[int | None]) -> bool:
    """Whether kept_while_true would offer the figure kept under ``key`` to its catch_up now: kept with its
    moment, true by the clock, and only owners' generations moved on since (from this request's reads)."""
    *stamp_keys, entry_key = kept_while_true_keys(key, owners)
    try:
        found = {} if cache_unreachable_lately() else read_kept([*stamp_keys, entry_key])
    except Exception:
        return False
    return bool(_added_to(_entry(found, entry_key), tuple(map(found.get, stamp_keys)), stamp_keys, owners, now))


def _entry(found: dict, entry_key: str) -> tuple:
    """A kept figure's stamp, moment, value and when it was counted; four Nones if there is none."""
    return found.get(entry_key) or (None, None, None, None)


def _added_to(
    kept: tuple, stamp: tuple, stamp_keys: list[str], owners: Iterable[int | None] | None, now: datetime
) -> set[int | None] | None:
    """The owners who only added messages since a kept figure was counted, if it is still true by the clock and
    knows when it was counted: what catch_up is offered. None (or nothing) otherwise."""
    kept_stamp, until, _, counted_at = kept
    if kept_stamp is None or counted_at is None or (until is not None and now >= until):
        return None
    return _owners_moved(kept_stamp, stamp, stamp_keys, owners)


def _owners_moved(
    kept: tuple, stamp: tuple, stamp_keys: list[str], owners: Iterable[int | None] | None
) -> set[int | None] | None:
    """The owners whose generations alone moved on between two stamps; None if anything else did too."""
    if owners is None or len(kept) != len(stamp) or kept[: len(COMMON_KEYS)] != stamp[: len(COMMON_KEYS)]:
        return None
    of_key = {owner_generation_key(owner): owner for owner in owners}
    return {of_key[k] for k, was, now_is in zip(stamp_keys, kept, stamp, strict=True) if was != now_is}


def read_kept(keys: list[str]) -> dict:
    """cache.get_many, or what this request read already: the navigation's figures come with the request's
    first read of the configuration (callbacks/middleware.py), in one round trip."""
    found = kept_in_request(keys)
    return found if found is not None else cache.get_many(keys)


def keep_kept(entries: dict) -> None:
    cache.set_many(entries, MAX_AGE_SECONDS)
    remember_in_request(entries)


def kept_while_true_keys(key: str, owners: Iterable[int | None] | None = None) -> list[str]:
    """The cache keys kept_while_true reads for this figure, its own entry last: to read them with others."""
    # Under "kept:": each entry holds when it was counted too, where a release before kept three values under
    # messages:{key}; two releases share the cache while one replaces the other.
    return [*COMMON_KEYS, *_owner_keys(owners), f"messages:kept:{key}"]


def _owner_keys(owners: Iterable[int | None] | None) -> list[str]:
    # Every owner when the figure does not say: an owners' generation moves on without the common one.
    if owners is None:
        return [ALL_OWNERS_KEY]
    return sorted({owner_generation_key(owner) for owner in owners})


def generation_value(key: str) -> str:
    """A value for a key the cache lost (new, or evicted): the one another process just started wins.

    Random, never a counter, so a restarted one cannot meet entries kept under an old value."""
    cache.add(key, uuid.uuid4().hex, timeout=None)
    return cache.get(key)


def _bump(keys: list[str]) -> None:
    # Every save of a message comes here: against a Redis that accepts but never answers, trying again at
    # each would hold every save for the socket timeout. So after a failure this process neither reads
    # kept figures nor moves the generation for a while; what other processes kept meanwhile lasts at
    # most MAX_AGE_SECONDS (counts, no caller data).
    forget_kept_in_request()
    if cache_unreachable_lately():
        return
    try:
        # A figure over every owner carries ALL_OWNERS_KEY, which moves with any owner's generation.
        if keys != [GENERATION_KEY]:
            keys = [*keys, ALL_OWNERS_KEY]
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
    except Exception:
        note_cache_unreachable()
        logger.error("Messages generation not moved on: the cache is unreachable", exc_info=True)
