"""Figures kept per owner, and in two parts, on the generations of callbacks/models/generations.py.

kept_per_owner keeps one figure per owner (an owner_user id, None for the teams' messages no one person owns)
under its owner's generation. kept_settled keeps a figure's settled part: the owner's messages written before a
moment, which a new message does not change, so that only what was written since is counted again.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from accounts.configuration_cache import cache_unreachable_lately, note_cache_unreachable
from callbacks.models.generations import (
    COMMON_KEYS,
    generation_value,
    keep_kept,
    owner_generation_key,
    read_kept,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def kept_per_owner(
    key: str, owners: list[int | None], count: Callable[[list[int | None]], dict], *, now: datetime
) -> dict[int | None, T]:
    """One figure per owner (an owner_user id, None for the teams' messages no one person owns), each kept
    as kept_while_true keeps one, under its owner's generation: after a new message only its owner's figure
    is counted again.

    ``count(owners)`` returns {owner: (figure, the moment it stops being true by the clock)} for every
    owner asked, all counted together.
    """
    if cache_unreachable_lately():
        return {owner: figure for owner, (figure, _) in count(owners).items()}
    entries = {owner: _entry_key(key, owner) for owner in owners}
    try:
        found = read_kept(kept_per_owner_keys(key, owners))
        common_stamp = _common_stamp(found)
        stamps = {
            owner: (
                *common_stamp,
                found.get(owner_generation_key(owner)) or generation_value(owner_generation_key(owner)),
            )
            for owner in owners
        }
    except Exception:
        note_cache_unreachable()
        logger.warning("%s counted from the database: the cache is unreachable", key, exc_info=True)
        return {owner: figure for owner, (figure, _) in count(owners).items()}
    figures, stale = {}, []
    for owner in owners:
        kept = found.get(entries[owner])
        if kept is not None and kept[0] == stamps[owner] and (kept[1] is None or now < kept[1]):
            figures[owner] = kept[2]
        else:
            stale.append(owner)
    if stale:
        # Stamped with what was read before counting, as in kept_while_true.
        counted = count(stale)
        figures.update({owner: figure for owner, (figure, _) in counted.items()})
        try:
            keep_kept({entries[owner]: (stamps[owner], until, figure) for owner, (figure, until) in counted.items()})
        except Exception:
            note_cache_unreachable()
            logger.warning("%s not kept: the cache is unreachable", key, exc_info=True)
    return figures


def kept_per_owner_keys(key: str, owners: list[int | None]) -> list[str]:
    """The cache keys kept_per_owner reads for these owners' figures: to read them with others at once."""
    return [
        *COMMON_KEYS,
        *map(owner_generation_key, owners),
        *(_entry_key(key, owner) for owner in owners),
    ]


def _entry_key(key: str, owner: int | None) -> str:
    return f"messages:{key}:{owner}"


def kept_settled(key: str, owners: list[int | None], *, now: datetime) -> tuple[tuple | None, dict[int | None, T]]:
    """The settled parts kept for these owners that still hold, and the stamp to keep newly counted ones under
    (None: the cache is unreachable, keep nothing).

    A settled part of a figure counts only the owner's messages written before a moment (Message.recorded_at),
    so, unlike the figure itself, it does not carry its owner's generation: a new message, written after, is
    not in it and leaves it true. Like a figure, it holds while no message changed, the configuration is the
    same and the clock has not passed the moment it names; read the stamp before counting, as kept_while_true.
    """
    if cache_unreachable_lately():
        return None, {}
    try:
        found = read_kept(kept_settled_keys(key, owners))
        stamp = _common_stamp(found)
    except Exception:
        note_cache_unreachable()
        logger.warning("%s counted whole: the cache is unreachable", key, exc_info=True)
        return None, {}
    parts = {}
    for owner in owners:
        kept = found.get(_settled_key(key, owner))
        if kept is not None and kept[0] == stamp and (kept[1] is None or now < kept[1]):
            parts[owner] = kept[2]
    return stamp, parts


def keep_settled(key: str, stamp: tuple | None, parts: dict[int | None, tuple[T, datetime | None]]) -> None:
    """Keep the settled parts just counted ({owner: (part, the moment it stops being true by the clock)})
    under the stamp kept_settled gave before counting. For MAX_AGE_SECONDS at most, as every kept figure: a
    message written before the part's moment but committed after it was counted is missing for that long."""
    if stamp is None or not parts:
        return
    try:
        keep_kept({_settled_key(key, owner): (stamp, until, part) for owner, (part, until) in parts.items()})
    except Exception:
        note_cache_unreachable()
        logger.warning("%s not kept: the cache is unreachable", key, exc_info=True)


def kept_settled_keys(key: str, owners: list[int | None]) -> list[str]:
    """The cache keys kept_settled reads: to read them with others at once."""
    return [*COMMON_KEYS, *(_settled_key(key, owner) for owner in owners)]


def _common_stamp(found: dict) -> tuple:
    """What every figure carries, from a read of COMMON_KEYS among others: the messages generation and the
    configuration version."""
    return tuple(found.get(stamp_key) or generation_value(stamp_key) for stamp_key in COMMON_KEYS)


def _settled_key(key: str, owner: int | None) -> str:
    return f"messages:{key}:settled:{owner}"
