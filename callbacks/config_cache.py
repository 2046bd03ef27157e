"""A short-lived memo, per process, of the office's configuration: who can take a message, each team's
business calendar, handling times and settings, and the phone-duty roster.

Every intake step needs these, and the navigation of every page names who is on phone duty; read from
the database they cost 10 to 20 queries a step. They change only when someone edits users, teams,
promise rules or the roster. Such a change clears this process's memo at once
(model signals, and again after the commit, so a read racing the write cannot keep the old rows); the
other processes (the second gunicorn worker, the Celery worker) see it within MAX_AGE_SECONDS. Absences
and messages are never memoised: they are read live.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

MAX_AGE_SECONDS = 30

T = TypeVar("T")
_lock = threading.Lock()
_entries: dict[object, tuple[float, object]] = {}
_generation = 0


def remembered(key: object, build: Callable[[], T]) -> T:
    """The memoised value for ``key``, built (outside the lock) when missing or older than MAX_AGE_SECONDS."""
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and now - entry[0] < MAX_AGE_SECONDS:
        return entry[1]  # type: ignore[return-value]
    generation = _generation
    value = build()
    with _lock:
        if generation == _generation:  # no change was written while this was being read
            _entries[key] = (now, value)
    return value


def forget_all() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def configuration_changed(**_signal_kwargs: object) -> None:
    """Signal receiver: forget now, and again once the writing transaction has committed."""
    forget_all()
    transaction.on_commit(forget_all)
