"""My callbacks caches each group's table (templates/callbacks/partials/message_table.html); these tests hold
it to never showing a row as it was: every change a person or the system makes shows on the next load.
"""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Absence
from callbacks import selectors
from callbacks.models import Attempt, Message, Outcome
from callbacks.selectors.work_groups import MissedRows
from callbacks.services import intake, retention, work
from tests.conftest import fragments_asked, make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _row(page: str, message: Message) -> str:
    found = re.search(rf'<tr data-test="message-row" data-message="{message.pk}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    return found.group(1) if found else ""


def _two_overdue(receptionist, colleague) -> tuple[Message, Message]:
    return tuple(
        MessageFactory(
            taken_by=receptionist, owner=colleague, caller_name=f"Beller {i}", deadline=NOW - timedelta(hours=i)
        )
        for i in (1, 2)
    )


def test_the_table_is_cached_so_a_change_no_one_versions_does_not_show(bram, receptionist, colleague):
    """The control for the tests below: without a new version or owner, the cached table is served."""
    first, _ = _two_overdue(receptionist, colleague)
    assert "Beller 1" in _row(bram.get("/callbacks/").content.decode(), first)
    Message.objects.filter(pk=first.pk).update(caller_name="Niet door een mens veranderd")
    assert "Beller 1" in _row(bram.get("/callbacks/").content.decode(), first)


def test_a_message_ticked_off_leaves_the_cached_table(bram, receptionist, colleague):
    first, second = _two_overdue(receptionist, colleague)
    page = bram.get("/callbacks/").content.decode()
    assert _row(page, first) and _row(page, second)
    work.attempt_log(
        message=first, version=first.version, by=colleague, result=Attempt.Result.REACHED, outcome=Outcome.SOLVED
    )
    page = bram.get("/callbacks/").content.decode()
    assert not _row(page, first) and _row(page, second)


def test_a_repeat_call_shows_in_the_cached_table(bram, receptionist, colleague):
    first, _ = _two_overdue(receptionist, colleague)
    assert "1×" in _row(bram.get("/callbacks/").content.decode(), first)
    intake.message_add_call(token=uuid.uuid4(), message_id=first.pk, taken_by=receptionist, note="Belt opnieuw")
    assert "2×" in _row(bram.get("/callbacks/").content.decode(), first)


def test_an_anonymised_message_is_not_readable_in_the_cached_table(bram, receptionist, colleague, clock):
    first, _ = _two_overdue(receptionist, colleague)
    assert "Beller 1" in _row(bram.get("/callbacks/").content.decode(), first)
    retention.message_batch_anonymise(ids=[first.pk], now=clock.now())
    row = _row(bram.get("/callbacks/").content.decode(), first)
    assert row and "Beller 1" not in row and "Onbekende beller" in row


def test_routing_to_a_stand_in_shows_the_new_owner_in_the_cached_table(bram, receptionist, colleague, clock):
    """Routing leaves the version alone, so the owner is part of the key: the "My teams" tab shows it."""
    carla = make_user("carla", "colleague", full_name="Carla Visser")
    colleague.teams.get().members.add(carla)
    message = MessageFactory(
        taken_by=receptionist, owner=carla, team=colleague.teams.get(), deadline=NOW - timedelta(hours=1)
    )
    assert "Carla Visser" in _row(bram.get("/callbacks/?scope=teams").content.decode(), message)
    Absence.objects.create(
        user=carla, stand_in=colleague, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=1)
    )
    assert work.messages_route_to_stand_ins(now=clock.now()) == 1
    row = _row(bram.get("/callbacks/?scope=teams").content.decode(), message)
    assert "Carla Visser" not in row and str(colleague) in row


def test_the_time_left_moves_on_with_the_minute(bram, receptionist, colleague, clock):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=30))
    assert "nog 30\xa0minuten" in _row(bram.get("/callbacks/").content.decode(), message)
    clock.shift(minutes=5)
    assert "nog 25\xa0minuten" in _row(bram.get("/callbacks/").content.decode(), message)


def test_a_cached_table_is_not_served_in_another_language(bram, receptionist, colleague):
    first, _ = _two_overdue(receptionist, colleague)
    assert "te laat" in _row(bram.get("/callbacks/").content.decode(), first)
    colleague.preferred_language = "en"
    colleague.save(update_fields=["preferred_language"])
    english = bram.get("/callbacks/").content.decode()
    assert "overdue" in _row(english, first) and "te laat" not in _row(english, first)


def test_when_the_minute_turns_only_the_call_back_cells_are_drawn_again(bram, receptionist, colleague, clock):
    """Each row's other cells stay cached under the row's key, so the new minute reads no message; the cell
    with the time left shows the new minute all the same."""
    message = MessageFactory(
        taken_by=receptionist, owner=colleague, caller_name="Beller 1", deadline=NOW + timedelta(minutes=30)
    )
    bram.get("/callbacks/")
    with CaptureQueriesContext(connection) as cached:
        bram.get("/callbacks/")
    Message.objects.filter(pk=message.pk).update(caller_name="Niet door een mens veranderd")  # the control
    clock.shift(minutes=1)
    with CaptureQueriesContext(connection) as turned:
        row = _row(bram.get("/callbacks/").content.decode(), message)
    assert "nog 29\xa0minuten" in row and "Beller 1" in row
    # The control is a write: the open groups' totals are counted again (once per half of owned_by), their first
    # keys and the follow-ups read again; the navigation's badge takes the totals from the worklist. No message
    # is read whole.
    assert len(turned) == len(cached) + 4
    assert not [q for q in turned.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]


def test_a_new_message_in_a_group_draws_only_its_own_row(bram, receptionist, colleague, monkeypatch):
    """The new row changes its group's table; the rows already drawn come from the cache but for their time
    left, which is said again from the fields read with the keys. Only the new message is read."""
    earlier = [
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=hours))
        for hours in (1, 2, 3)
    ]
    bram.get("/callbacks/")
    new = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=30))
    asked = fragments_asked(monkeypatch, "worklist_row")
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/callbacks/").content.decode()
    assert "nog 30\xa0minuten" in _row(page, new)
    assert "nog 1\xa0uur" in _row(page, earlier[0]) and "nog 3\xa0uur" in _row(page, earlier[2])
    # The new row missed; the others of its stretch were there. Which others share its stretch depends on the
    # messages' pks (WorkGroup.stretches), so this asks only that it was the one miss.
    assert sorted(asked.values()) == [False] + [True] * (len(asked) - 1) and len(asked) <= 4
    read = [q["sql"] for q in queries.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]
    assert len(read) == 1 and f"({new.pk})" in read[0]


def test_the_deadline_drawn_with_the_row_follows_the_deadline(bram, receptionist, colleague, clock):
    """The deadline shown under the time left is cached with the row's other cells, under a key that holds
    it: a deadline moved without a new version shows once the minute's table is gone."""
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    assert "di 1 Dec 12:00" in _row(bram.get("/callbacks/").content.decode(), message)
    Message.objects.filter(pk=message.pk).update(deadline=NOW + timedelta(hours=3))
    clock.shift(minutes=1)
    row = _row(bram.get("/callbacks/").content.decode(), message)
    assert "di 1 Dec 13:00" in row and "nog 2\xa0uur, 59\xa0minuten" in row


def test_the_follow_ups_are_kept_past_a_new_message_and_follow_a_new_follow_up(bram, receptionist, colleague):
    """A new open message cannot be a follow-up: it leaves the kept follow-ups standing. Anything else added (a
    handled message with a follow-up due) moves the common generation on and shows at once."""
    handled = {"status": "handled", "outcome": Outcome.SOLVED, "follow_up_on": NOW.date()}
    first = MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Eerste", **handled)
    assert "Eerste" in bram.get("/callbacks/").content.decode()
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    with CaptureQueriesContext(connection) as queries:
        bram.get("/callbacks/")
    assert not [q["sql"] for q in queries if '"follow_up_on" <=' in q["sql"]]
    second = MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Tweede", **handled)
    page = bram.get("/callbacks/").content.decode()
    assert f'data-message="{first.pk}"' in page and f'data-message="{second.pk}"' in page


def test_a_new_message_between_the_others_redraws_only_the_stretch_it_joins(bram, receptionist, colleague, monkeypatch):
    """The rows come in stretches of about ten, each cached whole (WorkGroup.stretches), that end at messages:
    a message due between the others joins one stretch, and the stretches after it come whole, not composed
    again from their rows as stretches of ten by place would be."""

    def stretches() -> list[tuple[int, ...]]:
        today = selectors.worklist(user=colleague, now=NOW, work_filter=selectors.WorkFilter()).today
        return [tuple(row.pk for row in stretch) for stretch in today.stretches]

    for minutes in range(40):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=minutes))
    bram.get("/callbacks/")
    before = stretches()
    new = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, seconds=270))
    asked = fragments_asked(monkeypatch, "worklist_row")
    page = bram.get("/callbacks/").content.decode()
    assert _row(page, new) and page.count('data-test="message-row"') == 41

    # The stretch it joins changes, and the one after it too if the new message ends its stretch.
    changed = [stretch for stretch in stretches() if stretch not in before]
    assert len(changed) <= 2 and new.pk in changed[0]
    assert sorted(asked.values()) == [False] + [True] * (sum(map(len, changed)) - 1)


@pytest.mark.parametrize("apart", [False, True])
def test_two_new_messages_are_read_by_themselves_not_with_every_row(bram, receptionist, colleague, apart):
    """Two messages new since this process last drew the page (two intakes, or two workers taking turns) are
    read alone or with the few rows after the second (MissedRows.READ_SIZES), not with all thirty others;
    a cold cache is read whole by the fourth miss (test_a_cold_cache_is_read_in_four_reads_however_many_rows)."""
    for minutes in range(30):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=minutes))
    bram.get("/callbacks/")
    first = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, seconds=90))
    later = timedelta(hours=1, minutes=20, seconds=30) if apart else timedelta(hours=1, seconds=100)
    second = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + later)
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/callbacks/").content.decode()
    assert _row(page, first) and _row(page, second) and page.count('data-test="message-row"') == 32
    reads = [q["sql"] for q in queries.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]
    read_pks = [re.search(r'"id" IN \(([^)]*)\)', sql).group(1).split(", ") for sql in reads]
    assert read_pks[0] == [str(first.pk)] and read_pks[1][0] == str(second.pk)
    assert len(reads) == 2 and len(read_pks[1]) <= MissedRows.READ_SIZES[1]


def test_several_new_messages_are_read_in_growing_reads_not_with_every_row(bram, receptionist, colleague):
    """A worker that meets the page after the other workers drew it for a while finds one new message for each
    of those times, due close together among the others (intakes promise by the same handling time). They are
    read with a few rows, then more rows, after each: three reads of 21 rows at most, not the forty others."""
    for minutes in range(40):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=minutes))
    bram.get("/callbacks/")
    # Each new message two rows after the one before it.
    new = [
        MessageFactory(
            taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=2 * k, seconds=30)
        )
        for k in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/callbacks/").content.decode()
    assert all(_row(page, message) for message in new) and page.count('data-test="message-row"') == 45
    reads = [q["sql"] for q in queries.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]
    read_pks = [re.search(r'"id" IN \(([^)]*)\)', sql).group(1).split(", ") for sql in reads]
    assert [pks[0] for pks in read_pks] == [str(new[0].pk), str(new[1].pk), str(new[3].pk)]
    assert sum(map(len, read_pks)) <= sum(MissedRows.READ_SIZES)


def test_a_cold_cache_is_read_in_four_reads_however_many_rows(bram, receptionist, colleague):
    """Every row misses (the first view, another language): after the growing reads, one read takes the rest."""
    for minutes in range(45):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1, minutes=minutes))
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/callbacks/").content.decode()
    assert page.count('data-test="message-row"') == 45
    reads = [q["sql"] for q in queries.captured_queries if '"callbacks_message"."id" IN (' in q["sql"]]
    read_sizes = [len(re.search(r'"id" IN \(([^)]*)\)', sql).group(1).split(", ")) for sql in reads]
    assert read_sizes == [*MissedRows.READ_SIZES, 45 - sum(MissedRows.READ_SIZES)]
