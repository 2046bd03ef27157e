"""Counts of messages kept in the cache (callbacks/models/generations.py): the navigation's badge and the
dashboard's counts per colleague are served from the cache only while no message changed, the
configuration is the same and no deadline passed; every write path moves the messages generation on."""

import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Absence, Team
from callbacks import services
from callbacks.models import Message, Outcome, Status
from callbacks.models import generations
from callbacks.models.generations import GENERATION_KEY
from callbacks.selectors import navigation_counts
from callbacks.selectors.dashboard import open_counts
from callbacks.services.overdue import overdue_sweep
from callbacks.services.retention import message_batch_anonymise
from callbacks.services.work import messages_route_to_stand_ins
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _badge(page: str) -> tuple[int, int]:
    badge = page[page.index('id="callbacks-badge"') :]
    badge = badge[: badge.index("</a>")]
    overdue = re.search(r"(\d+) te laat", badge)
    return int(re.search(r">(\d+)</span>", badge).group(1)), int(overdue.group(1)) if overdue else 0


def _listed(page: str) -> tuple[int, int]:
    """How many messages "My callbacks" lists in all, and in its overdue group."""

    def group(name: str) -> set[str]:
        if f'data-test="group-{name}"' not in page:
            return set()  # an empty group is not drawn
        start = page.index(f'data-test="group-{name}"')
        return set(re.findall(r'data-message="(\d+)"', page[start : page.index("</section>", start)]))

    overdue, today, later = group("overdue"), group("today"), group("later")
    return len(overdue | today | later), len(overdue)


def _badge_and_list(client) -> tuple[tuple[int, int], tuple[int, int]]:
    page = client.get("/callbacks/").content.decode()
    return _badge(page), _listed(page)


def _owed(user, now: datetime = NOW) -> tuple[int, int]:
    counts = navigation_counts(user=user, now=now)
    return counts.open, counts.overdue


def _owed_queries(user) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        navigation_counts(user=user, now=NOW)
    return [q["sql"] for q in queries]


# --- Every write to messages moves the generation on ---------------------------------------------


def _save(message, **_):
    message.caller_name = "Anders"
    message.save()


def _update(message, **_):
    Message.objects.filter(pk=message.pk).update(caller_name="Anders")  # bypasses save()


def _delete(message, **_):
    Message.objects.filter(pk=message.pk).delete()


def _delete_one(message, **_):
    message.delete()


def _bulk_create(message, receptionist, colleague):
    Message.objects.bulk_create(
        [MessageFactory.build(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))]
    )


def _bulk_update(message, **_):
    message.caller_name = "Anders"
    Message.objects.bulk_update([message], ["caller_name"])


def _sweep(message, **_):
    overdue_sweep(now=NOW + timedelta(days=1))  # raw SQL


def _anonymise(message, **_):
    message_batch_anonymise(ids=[message.pk], now=NOW)


@pytest.mark.parametrize("write", [_save, _update, _delete, _delete_one, _bulk_update, _sweep, _anonymise])
def test_every_write_to_messages_moves_the_generation_on(receptionist, colleague, write):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    navigation_counts(user=colleague, now=NOW)  # something kept under the generation of now
    before = cache.get(GENERATION_KEY)
    assert before is not None
    write(message, receptionist=receptionist, colleague=colleague)
    assert cache.get(GENERATION_KEY) != before


def _take(message, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))


@pytest.mark.parametrize("add", [_take, _bulk_create])
def test_a_new_message_moves_on_its_owners_generation_and_leaves_others_counts_kept(
    receptionist, colleague, other_colleague, add
):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    assert _owed(colleague) == (1, 0) and _owed(other_colleague) == (0, 0)
    assert open_counts(now=NOW).per_colleague[0]["open"] == 1
    owner_generation = cache.get(generations.owner_generation_key(colleague.pk))
    add(message, receptionist=receptionist, colleague=colleague)
    assert cache.get(generations.owner_generation_key(colleague.pk)) != owner_generation
    # The owner's figures are counted anew, everyone's on the dashboard too; another colleague's stay kept.
    assert _owed(colleague) == (2, 0)
    assert [(row["owner_user"], row["open"]) for row in open_counts(now=NOW).per_colleague] == [(colleague.pk, 2)]
    assert not any("callbacks_message" in sql for sql in _owed_queries(other_colleague))  # only their unread notices
    MessageFactory(taken_by=receptionist, owner=other_colleague, deadline=NOW - timedelta(minutes=1))
    assert _owed(other_colleague) == (1, 1)
    assert {row["owner_user"]: row["overdue"] for row in open_counts(now=NOW).per_colleague} == {
        colleague.pk: 0,
        other_colleague.pk: 1,
    }


@pytest.mark.parametrize("bulk", [False, True])
def test_adding_anything_but_an_open_message_moves_the_common_generation_on(receptionist, colleague, bulk):
    """Only open messages are added under their owner's generation: what is kept without any owner's (the
    follow-ups of selectors.worklist) must see a handled message added with a follow-up."""
    common = cache.get(GENERATION_KEY) or generations.generation_value(GENERATION_KEY)
    handled = MessageFactory.build(
        taken_by=receptionist, owner=colleague, status=Status.HANDLED, outcome=Outcome.SOLVED
    )
    Message.objects.bulk_create([handled]) if bulk else handled.save()
    assert cache.get(GENERATION_KEY) != common


def test_a_team_message_no_one_owns_moves_on_the_badges_of_the_teams_members(receptionist, colleague):
    team = colleague.teams.get()
    assert _owed(colleague) == (0, 0)
    MessageFactory(taken_by=receptionist, owner=None, team=team, deadline=NOW - timedelta(minutes=1))
    assert _owed(colleague) == (1, 1)
    assert open_counts(now=NOW).overdue == 1


# --- The navigation's badge --------------------------------------------------------------------------


def test_the_owed_counts_are_kept_until_a_message_changes(receptionist, colleague):
    _owed(colleague)  # his teams, read once and kept on the user
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    MessageFactory(
        taken_by=receptionist, owner=None, team=Team.objects.get(name="Verkoop"), deadline=NOW + timedelta(hours=1)
    )
    missed = _owed_queries(colleague)
    kept = _owed_queries(colleague)
    assert len(missed) == 3  # each half of owned_by, the unread notices
    assert len(kept) == 1  # the unread notices only
    assert _owed(colleague) == (2, 1)
    Message.objects.filter(owner_user=colleague).update(status=Status.HANDLED)
    assert len(_owed_queries(colleague)) == 3
    assert _owed(colleague) == (1, 0)


def test_the_badge_equals_the_list_after_every_kind_of_change(
    bram, receptionist, colleague, other_colleague, manager, clock
):
    sales = Team.objects.get(name="Verkoop")
    own = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=2))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    teams = MessageFactory(taken_by=receptionist, owner=None, team=sales, deadline=NOW + timedelta(days=1))
    elsewhere = MessageFactory(taken_by=receptionist, owner=other_colleague, deadline=NOW + timedelta(days=1))

    def check(expected: tuple[int, int]) -> None:
        badge, listed = _badge_and_list(bram)
        assert badge == listed == expected
        assert _badge_and_list(bram)[0] == expected  # and again, now from the cache

    check((3, 1))
    # A deadline passes: no write at all, only the clock (within the kept entry's lifetime).
    clock.shift(minutes=3)
    check((3, 2))
    # Intake for bram.
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(days=2))
    check((4, 2))
    # Tick-off.
    own.refresh_from_db()
    services.attempt_log(message=own, version=own.version, by=colleague, result="reached", outcome=Outcome.SOLVED)
    check((3, 1))
    # Reassigned to him.
    services.message_reassign(
        message=elsewhere,
        version=elsewhere.version,
        by=manager,
        to_user=colleague,
        to_team=None,
        reason="Hij kent de klant",
    )
    check((4, 1))
    # The overdue sweep flags the late one: still owed, still overdue.
    overdue_sweep(now=clock.now())
    check((4, 1))
    # He leaves his team (the configuration): the team's message is no longer his.
    sales.members.remove(colleague)
    check((3, 1))
    sales.members.add(colleague)
    check((4, 1))
    # An absence starts and the routing hands his own messages to a stand-in (the team's stays).
    Absence.objects.create(
        user=colleague, starts_at=clock.now(), ends_at=clock.now() + timedelta(days=3), stand_in=other_colleague
    )
    assert messages_route_to_stand_ins(now=clock.now()) == 3
    check((1, 0))
    assert teams.pk  # the team's message, unowned by anyone, is what is left


def test_a_new_message_recounts_only_the_half_of_the_owed_callbacks_it_joins(receptionist, colleague):
    """Kept per half of owned_by (selectors.open_figures.owed_totals): his own messages, his teams' without anyone."""
    sales = Team.objects.get(name="Verkoop")
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    MessageFactory(taken_by=receptionist, owner=None, team=sales, deadline=NOW + timedelta(hours=1))
    assert _owed(colleague) == (2, 1)

    def counted() -> list[str]:
        return [sql for sql in _owed_queries(colleague) if "callbacks_message" in sql]

    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    (own,) = counted()
    assert f'"owner_user_id" IN ({colleague.pk})' in own  # his figure among selectors.open_figures' per owner
    assert _owed(colleague) == (3, 1)
    MessageFactory(taken_by=receptionist, owner=None, team=sales, deadline=NOW - timedelta(hours=2))
    (teams,) = counted()
    assert '"owner_user_id" IS NULL' in teams
    assert _owed(colleague) == (4, 2)
    assert counted() == []


def test_the_page_after_the_list_takes_the_badge_from_the_lists_own_totals(bram, receptionist, colleague):
    """The worklist keeps its totals under the badge's key (selectors.open_figures.owed_totals): after the list
    (and a new message before it), the detail page counts no owed callbacks."""
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    bram.get("/callbacks/")
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    assert _badge_and_list(bram)[0] == (2, 1)  # counted by the list
    with CaptureQueriesContext(connection) as queries:
        page = bram.get(f"/callbacks/{message.pk}/").content.decode()
    assert _badge(page) == (2, 1)
    assert not [q["sql"] for q in queries if 'COUNT("callbacks_message"."deadline")' in q["sql"]]


def test_the_lists_totals_move_at_midnight_without_any_write(bram, receptionist, colleague, clock):
    """A deadline tomorrow morning is "later" tonight and "today" after midnight: the kept totals end then."""
    clock.move_to(datetime(2026, 12, 1, 23, 58, tzinfo=AMS))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=datetime(2026, 12, 2, 10, 0, tzinfo=AMS))
    tonight = bram.get("/callbacks/").content.decode()
    assert 'data-test="group-later"' in tonight and 'data-test="group-today"' not in tonight
    clock.shift(minutes=3)  # within the kept entry's lifetime (MAX_AGE_SECONDS)
    after_midnight = bram.get("/callbacks/")
    assert after_midnight.wsgi_request.worklist_totals == {"overdue": 0, "today": 1, "later": 0}
    assert 'data-test="group-today"' in after_midnight.content.decode()


def test_the_dashboard_takes_a_colleagues_figure_counted_for_his_own_list(bram, receptionist, colleague, manager):
    """One figure per owner (selectors.open_figures): counted for his list, it serves the manager's dashboard."""
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    open_counts(now=NOW)  # every owner counted and kept
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=30))
    bram.get("/callbacks/")  # his own figure counted again, for his list
    with CaptureQueriesContext(connection) as queries:
        counts = open_counts(now=NOW)
    assert [(row["owner_user"], row["open"], row["overdue"]) for row in counts.per_colleague] == [(colleague.pk, 2, 1)]
    assert counts.due_soon == 1
    assert not [q["sql"] for q in queries if "callbacks_message" in q["sql"]]


def test_a_message_exactly_an_hour_away_is_kept_out_of_due_soon_until_just_after(receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    assert open_counts(now=NOW).due_soon == 0
    with CaptureQueriesContext(connection) as queries:
        assert open_counts(now=NOW).due_soon == 0  # kept: true until just after this moment
    assert not [q["sql"] for q in queries if "callbacks_message" in q["sql"]]
    assert open_counts(now=NOW + timedelta(microseconds=1)).due_soon == 1


def test_the_badge_is_counted_from_the_database_when_the_cache_is_unreachable(receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    navigation_counts(user=colleague, now=NOW)  # kept: (1, 1)
    with (
        mock.patch.object(generations.cache, "get_many", side_effect=ConnectionError("down")),
        mock.patch.object(generations.cache, "set", side_effect=ConnectionError("down")),
    ):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
        assert _owed(colleague) == (2, 1)
        assert len(_owed_queries(colleague)) == 3


# --- The dashboard's counts per colleague --------------------------------------------------------


def test_the_dashboard_counts_follow_writes_and_the_clock(receptionist, colleague, clock):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=2))
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(minutes=63))

    def counted() -> tuple[int, int, int]:
        counts = open_counts(now=clock.now())
        return counts.per_colleague[0]["open"], counts.overdue, counts.due_soon

    assert counted() == (2, 0, 1)
    with CaptureQueriesContext(connection) as kept:
        assert counted() == (2, 0, 1)
    assert len(kept) == 0
    # Shifts well within the kept entries' lifetime: only their deadlines can tell.
    clock.shift(minutes=3)  # the first falls overdue
    assert counted() == (2, 1, 0)
    clock.shift(minutes=1)  # the second comes within the hour
    assert counted() == (2, 1, 1)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=5))
    assert counted() == (3, 1, 2)


def test_a_renamed_colleague_shows_on_the_dashboard_at_once(receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(days=1))
    assert open_counts(now=NOW).per_colleague[0]["owner_user__full_name"] == colleague.full_name
    colleague.full_name = "Bram de Vries"
    colleague.save()
    assert open_counts(now=NOW).per_colleague[0]["owner_user__full_name"] == "Bram de Vries"


def test_the_owner_of_a_kept_badge_sees_only_their_own_counts(receptionist, colleague, other_colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
    assert _owed(colleague) == (1, 0)
    assert _owed(other_colleague) == (0, 0)
    assert _owed(colleague) == (1, 0)


def test_a_figure_counted_while_a_message_changed_is_not_served_afterwards(receptionist, colleague):
    """Another process's write landing between reading the generation and keeping the figure: the figure
    may predate the write, so it is kept under the generation read before, which no reader asks for again."""
    calls = []

    def count():
        calls.append(1)
        if len(calls) == 1:
            MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=1))
        return len(calls), None

    assert generations.kept_while_true("race", count, now=NOW) == 1
    assert generations.kept_while_true("race", count, now=NOW) == 2  # counted again
    assert generations.kept_while_true("race", count, now=NOW) == 2  # and now kept
