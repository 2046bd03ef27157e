"""The unfiltered list's first keys, kept in the cache (selectors/worklist.py, _owed_first_keys): read once, kept
while no message changes, and after a new message of the colleague's own brought up to date from the messages
the recount of his figure read one by one. Whatever happens, the list must show what reading it afresh shows.
"""

import importlib
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Team
from callbacks import selectors
from callbacks.models import Message, Status
from callbacks.models.generations import kept_while_true, messages_changed, owner_generation_key
from callbacks.selectors import LATER, OVERDUE, TODAY
from callbacks.selectors import open_figures as open_figures_module
from callbacks.selectors.open_figures import due_groups
from tests.conftest import SMALL_CAPS
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _listed(colleague, now) -> dict[str, list[int]]:
    worklist = selectors.worklist(user=colleague, now=now, work_filter=selectors.WorkFilter())
    return {due: [row.pk for row in getattr(worklist, due)] for due in (OVERDUE, TODAY, LATER)}


def _read_afresh(colleague, now) -> dict[str, list[int]]:
    """Each group's first rows as the groups define them, straight from the database."""
    owed = Message.objects.owned_by(colleague).open()
    return {
        due: list(owed.filter(condition).order_by("deadline", "pk").values_list("pk", flat=True)[: SMALL_CAPS[due]])
        for due, condition in due_groups(now).items()
    }


def _one_by_one(statements: list[str]) -> list[str]:
    """The recount's read of the messages written since its settled part, one by one (open_figures._recent)."""
    return [sql for sql in statements if 'AS "next_soon"' in sql and "COUNT(" not in sql]


def _entering_reads(statements: list[str]) -> list[str]:
    """Reads of the new messages that can enter the kept keys (selectors.worklist._entering)."""
    return [sql for sql in statements if '"recorded_at" >=' in sql and 'AS "due"' in sql and "ORDER BY" not in sql]


def _message_reads(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/callbacks/").status_code == 200
    return [query["sql"] for query in queries if '"callbacks_message"' in query["sql"]]


def _key_reads(statements: list[str]) -> list[str]:
    """The reads of the open groups' first keys (selectors.worklist._first_keys): the rows' keys in deadline
    order, LIMITed (not the follow-ups', nor the recount's read one by one, nor a read of whole rows by pk)."""
    return [
        sql
        for sql in statements
        if '"version" AS "version"' in sql and "ORDER BY" in sql and " LIMIT " in sql and 'follow_up_on" <=' not in sql
    ]


@pytest.mark.parametrize("news", ["read one by one", "read for the keys"])
def test_the_list_always_shows_what_reading_it_afresh_shows(
    clock, receptionist, colleague, small_caps, news, monkeypatch
):
    """Two hundred steps of new messages (his, his team's without anyone), messages ticked off, the clock moving
    on by minutes or hours, or nothing: after each, the groups' first rows are exactly those read afresh. Kept
    keys brought up to date, kept keys served and keys read anew are each taken many times. The new messages
    come from the recount of his figure, or (when it leaves them to the database) from a read of their own."""
    if news == "read for the keys":
        monkeypatch.setattr(open_figures_module, "MOST_RECENT_READ", 0)
    sales = Team.objects.get(name="Verkoop")
    shuffled = random.Random(20261208)
    ways = {"caught up": 0, "kept": 0, "read": 0}
    for step in range(200):
        now = clock.now()
        action = shuffled.choice(["new", "new", "new", "team", "tick off", "minutes", "hours", "again", "again"])
        opened = list(Message.objects.filter(status=Status.OPEN).order_by("pk"))
        if action in ("new", "team") or not opened:
            deadline = now + timedelta(minutes=shuffled.randint(-180, 2 * 24 * 60))
            owner = colleague if action != "team" else None
            MessageFactory(taken_by=receptionist, owner=owner, team=sales, deadline=deadline)
        elif action == "tick off":
            message = shuffled.choice(opened)
            message.status = Status.HANDLED
            message.save()
        elif action != "again":
            clock.shift(minutes=shuffled.randint(1, 25) * (30 if action == "hours" else 1))
        with CaptureQueriesContext(connection) as queries:
            listed = _listed(colleague, clock.now())
        statements = [query["sql"] for query in queries if '"callbacks_message"' in query["sql"]]
        caught_up = any('"recorded_at" >=' in sql and "COUNT(" not in sql for sql in statements)
        ways["read" if _key_reads(statements) else "caught up" if caught_up else "kept"] += 1
        assert listed == _read_afresh(colleague, clock.now()), (step, action)
    assert min(ways.values()) > 20, ways


def test_a_new_message_is_merged_into_the_kept_keys_without_reading_the_groups(bram, receptionist, colleague):
    """After a new message of his own, the list's only read of messages is the recount of his figure, one by
    one (and the new row for drawing it): the groups' first keys are not read again."""
    for hours in (-2, 1, 2, 30):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=hours))
    assert _key_reads(_message_reads(bram))
    assert not _message_reads(bram)  # nothing changed: the figure and the keys are kept, the rows cached
    new = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=90))
    statements = _message_reads(bram)
    assert not _key_reads(statements)
    (recount,) = [sql for sql in statements if '"recorded_at" >=' in sql]
    assert "COUNT(" not in recount
    assert _listed(colleague, NOW)[TODAY][1] == new.pk


@pytest.mark.parametrize("his_own_too", [False, True])
def test_a_message_for_his_team_without_anyone_reads_the_keys_anew(bram, receptionist, colleague, his_own_too):
    """The recount reads his own new messages only: one for his team's without a colleague is not among them,
    whether or not one of his own came too."""
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    _message_reads(bram)
    team_message = MessageFactory(
        taken_by=receptionist, owner=None, team=Team.objects.get(name="Verkoop"), deadline=NOW + timedelta(hours=3)
    )
    if his_own_too:
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    assert _key_reads(_message_reads(bram))
    assert _listed(colleague, NOW)[TODAY][-1] == team_message.pk


def test_the_keys_are_read_anew_when_the_first_of_today_turns_overdue(bram, receptionist, colleague, clock):
    # Within the cache's timeout (generations.MAX_AGE_SECONDS), which the test's clock moves too.
    first = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=4))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    _message_reads(bram)
    clock.shift(minutes=3)
    assert not _key_reads(_message_reads(bram))
    clock.shift(minutes=1)
    assert _key_reads(_message_reads(bram))
    assert _listed(colleague, clock.now())[OVERDUE] == [first.pk]


def test_a_burst_of_new_messages_is_counted_by_the_database_and_read_whole(bram, receptionist, colleague, monkeypatch):
    """More messages written since than are read one by one (an import): the recount is left to the database,
    those that can enter the groups are read instead, and more of those than are merged read the groups again."""
    worklist_selectors = importlib.import_module("callbacks.selectors.worklist")
    monkeypatch.setattr(open_figures_module, "MOST_RECENT_READ", 2)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    _message_reads(bram)
    burst = [
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2, minutes=minutes))
        for minutes in range(3)
    ]
    statements = _message_reads(bram)
    assert any("COUNT(" in sql and '"recorded_at" >=' in sql for sql in statements)  # one by one overflowed
    assert _entering_reads(statements) and not _key_reads(statements)
    assert _listed(colleague, NOW)[TODAY][1:] == [message.pk for message in burst]

    monkeypatch.setattr(worklist_selectors, "MOST_ENTERING", 2)
    more = [
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3, minutes=minutes))
        for minutes in range(3)
    ]
    assert _key_reads(_message_reads(bram))
    assert _listed(colleague, NOW)[TODAY][4:] == [message.pk for message in more]


def test_keys_kept_from_before_what_the_recount_read_take_what_can_enter_them(bram, receptionist, colleague, clock):
    """The recount reads what was written since its settled part. Keys kept from longer ago (less
    SETTLED_AFTER, for a write still committing) could miss a message written in between: what was written
    since they were counted and can enter them is read instead."""
    due_in_an_hour = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=NOW + timedelta(minutes=62),
        recorded_at=NOW - timedelta(minutes=10),  # in the settled part of his figure
    )
    assert _key_reads(_message_reads(bram))  # the keys, kept until that message turns overdue
    clock.shift(minutes=3)  # it is due within the hour: his figure is counted anew, with a newer settled part
    assert bram.get("/accounts/profile/").status_code == 200
    new = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=2))
    statements = _message_reads(bram)
    assert _one_by_one(statements) and _entering_reads(statements) and not _key_reads(statements)
    assert _listed(colleague, clock.now())[TODAY] == [due_in_an_hour.pk, new.pk]


def test_a_figure_is_caught_up_only_when_its_owners_alone_added_messages(colleague, other_colleague):
    """generations.kept_while_true's catch_up: offered the figure, the owners whose generations moved and the
    moment it was counted; not offered when any message changed (the common generation moved)."""
    offered = []

    def catch_up(value, moved, counted_at):
        offered.append((value, moved, counted_at))
        return value + 1, None

    def kept() -> int:
        return kept_while_true("test-catch-up", lambda: (10, None), now=NOW, owners=owners, catch_up=catch_up)

    owners = [colleague.pk, None]
    assert kept() == 10 and not offered
    cache.set(owner_generation_key(colleague.pk), "moved on", timeout=None)
    assert kept() == 11 and offered == [(10, {colleague.pk}, NOW)]
    assert kept() == 11  # kept as caught up
    cache.set(owner_generation_key(other_colleague.pk), "not his", timeout=None)
    assert kept() == 11 and len(offered) == 1
    messages_changed()
    assert kept() == 10 and len(offered) == 1  # counted anew


def test_new_messages_are_read_one_by_one_only_for_kept_keys_that_can_take_them(bram, receptionist, colleague, clock):
    """Kept keys the clock has ended (the first of today turned overdue) are read anew anyway: the recount of
    his figure is then left to the database, as on every other page."""
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=4))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=3))
    _message_reads(bram)
    clock.shift(minutes=4)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    statements = _message_reads(bram)
    assert _key_reads(statements) and not _one_by_one(statements)


def test_more_written_since_than_are_read_one_by_one_go_to_the_database_at_once(
    bram, receptionist, colleague, monkeypatch, small_caps
):
    """A settled part counted with more messages written since its moment than are read one by one (an import,
    or bench/fill.py's backlog) keeps saying so: the next recounts do not try to read them one by one first."""
    monkeypatch.setattr(open_figures_module, "MOST_RECENT_READ", 2)
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=NOW + timedelta(hours=5),
        recorded_at=NOW - timedelta(minutes=10),  # settled
    )
    burst = [
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=minutes))
        for minutes in range(3)
    ]
    _message_reads(bram)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    statements = _message_reads(bram)
    assert not _one_by_one(statements) and _entering_reads(statements)
    assert _listed(colleague, NOW) == _read_afresh(colleague, NOW)
    assert _listed(colleague, NOW)[TODAY] == [message.pk for message in burst]
