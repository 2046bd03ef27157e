"""The shapes of the worklist's groups as the page draws them: each row's cache key and "Call back" fields,
read with the group's first keys, and the whole message read only for a row that misses the page's cache
(templates/callbacks/partials/message_table.html)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from callbacks.domain.time_said import time_said_moment
from callbacks.models import Message, Status
from callbacks.models.querysets import MessageQuerySet
from callbacks.selectors.open_figures import LATER, OVERDUE, TODAY

# What a cached row of a table (callbacks/partials/message_table.html) depends on: the message's version,
# bumped by every change a person makes, and its owners, which the routing to a stand-in changes without a
# new version.
ROW_KEY_FIELDS = ("pk", "version", "owner_user_id", "owner_team_id")
# What the row's "Call back" cell shows. The row is cached under these with its key (WorkRow.due_key); only the
# time left changes with the minute, and it is said afresh from these, read with the keys.
DUE_FIELDS = ("status", "deadline", "follow_up_on")
KEYS = (*ROW_KEY_FIELDS, *DUE_FIELDS)
# Rows per cached stretch of a group's table on average (WorkGroup.stretches), and at most.
ROWS_PER_STRETCH = 10
MOST_ROWS_PER_STRETCH = 3 * ROWS_PER_STRETCH


def _ends_stretch(pk: int) -> bool:
    """Whether a stretch ends after this message's row: for one pk in ROWS_PER_STRETCH, spread by Knuth's
    multiplicative hash so that consecutive pks (a day's messages, in deadline order) do not end every
    stretch at once or none."""
    return (pk * 2654435761) % 2**32 % ROWS_PER_STRETCH == 0


class MissedRows:
    """The whole messages of the rows that miss the page's cache, read when the template asks for one.

    Usually one row misses (a new or changed message) and only it is read. Each further miss is read with more
    of the rows after it in the page's order (READ_SIZES): new messages come together, due one after the other,
    and a process meets several at once when the other workers drew the page meanwhile (one new row for each
    time it did). After those reads the cache is likely cold (the first view, expired rows, another language),
    so every row not read yet is read at once. At most four queries, and no more messages built than the page
    may draw: a read of every row builds a hundred messages, so it waits until the growing reads have missed.
    """

    READ_SIZES = (1, 4, 16)

    def __init__(self, messages: MessageQuerySet, pks: list[int]) -> None:
        self._messages = messages.order_by()  # read by pk: the list's order is the keys'
        self._pks = pks
        self._read: dict[int, Message | None] = {}
        self._reads = 0

    def _wanted(self, pk: int) -> list[int]:
        unread = [other for other in self._pks if other not in self._read]
        if self._reads < len(self.READ_SIZES) and pk in unread:
            start = unread.index(pk)
            return unread[start : start + self.READ_SIZES[self._reads]]
        return unread

    def get(self, pk: int) -> Message | None:
        if pk not in self._read:
            wanted = self._wanted(pk)
            self._reads += 1
            found = self._messages.in_bulk(wanted)
            # A message deleted since its key was read is remembered as None, not asked for again.
            self._read.update({other: found.get(other) for other in wanted})
        return self._read.get(pk)


class WorkRow:
    """One row of a group: its cache key and its "Call back" cell's fields, read with the group's keys.

    The whole message (message) is read only when the row's cached cells miss the page's cache.
    """

    def __init__(self, values: tuple, read: Callable[[int], Message | None]) -> None:
        self.key = values[: len(ROW_KEY_FIELDS)]
        self.status, self.deadline, self.follow_up_on = values[len(ROW_KEY_FIELDS) :]
        self._read = read

    @property
    def pk(self) -> int:
        return self.key[0]

    @property
    def cache_key(self) -> str:
        return ".".join(map(str, self.key))

    @property
    def due_key(self) -> str:
        """The row's key with what its "Call back" cell shows besides the time left."""
        return f"{self.cache_key}.{self.status}.{self.deadline and self.deadline.timestamp()}.{self.follow_up_on}"

    @property
    def message(self) -> Message | None:
        """None only if the message was deleted after its key was read: the row then shows empty, cached
        under a key that no later request asks for."""
        return self._read(self.pk)

    def get_status_display(self) -> str:
        return Status(self.status).label

    def time_said_moment(self, now: datetime) -> tuple[int, ...] | None:
        """While this stays equal, so does the time left or overdue the row says (None: it says none)."""
        return time_said_moment(self.deadline, now) if self.status == Status.OPEN and self.deadline else None


class WorkGroup:
    """The first rows of one group of the worklist, and how many messages the whole group holds.

    The page caches each group's table under cache_key, and each row's cells but "Call back" under the
    row's, so the messages themselves are read only when a row is drawn anew: for rows cached, never.
    """

    def __init__(self, rows: list[WorkRow], total: int) -> None:
        self.rows = rows
        self.total = total

    @classmethod
    def of(cls, messages: list[Message], total: int) -> "WorkGroup":
        """Messages already read (a "Show all" page)."""
        by_pk = {message.pk: message for message in messages}
        fields = ROW_KEY_FIELDS + DUE_FIELDS
        return cls([WorkRow(tuple(getattr(m, field) for field in fields), by_pk.get) for m in messages], total)

    def __iter__(self) -> Iterator[WorkRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def capped(self) -> bool:
        return self.total > len(self)

    @property
    def stretches(self) -> list["WorkGroup"]:
        """The rows in stretches, each cached whole by the table's template, so that a new message redraws the
        stretch it joins rather than every row's lookup.

        A stretch ends at a message (_ends_stretch), not at a place: a message added or taken away changes its
        own stretch, where stretches of ten by place would all shift after it: a new message due between the
        others (in an office with work due later than the intake's promise) would redraw every row after it."""
        stretches, rows = [], []
        for row in self.rows:
            rows.append(row)
            if _ends_stretch(row.pk) or len(rows) == MOST_ROWS_PER_STRETCH:
                stretches.append(WorkGroup(rows, 0))
                rows = []
        return [*stretches, WorkGroup(rows, 0)] if rows else stretches

    @property
    def cache_key(self) -> str:
        return " ".join(row.cache_key for row in self.rows)

    def times_said_key(self, now: datetime) -> str:
        """What the rows' times left and overdue say at now, as a key: the table and its stretches are drawn
        again when one of theirs changes, not every minute (a row due next week says the same for an hour)."""
        return " ".join(str(row.time_said_moment(now)) for row in self.rows)


@dataclass(frozen=True)
class Worklist:
    overdue: WorkGroup
    today: WorkGroup
    later: WorkGroup
    follow_ups: WorkGroup

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.later or self.follow_ups)

    @property
    def owed_totals(self) -> dict[str, int]:
        """The totals of the open groups: without filters, exactly owed_totals (the navigation's badge)."""
        return {OVERDUE: self.overdue.total, TODAY: self.today.total, LATER: self.later.total}
