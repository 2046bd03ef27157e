"""The open figures' settled part (selectors/open_figures.py): an owner's messages written longer ago than
SETTLED_AFTER are counted once and kept, so a new message counts only what was written since; the figure
is always the sum of both parts, whatever was written, changed or passed by the clock in between."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Team
from callbacks.models import Message, Status
from callbacks.selectors.open_figures import DUE_SOON, SETTLED_AFTER, News, day_bounds, open_figures
from tests.conftest import postgres_plan_vacuumed
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW)]


def _counted_by_hand(owners: list, now: datetime) -> dict:
    """The figures as the groups define them, from every open row: what the kept parts must add up to."""
    _, end_of_today = day_bounds(now)
    figures = dict.fromkeys(owners)
    for owner, deadline in Message.objects.filter(status=Status.OPEN).values_list("owner_user", "deadline"):
        if owner not in figures:
            continue
        figure = figures[owner] or {"open": 0, "overdue": 0, "today": 0, "later": 0, "soon": 0}
        figures[owner] = figure
        figure["open"] += 1
        figure["overdue" if deadline <= now else "today" if deadline < end_of_today else "later"] += 1
        figure["soon"] += now < deadline < now + DUE_SOON
    return figures


def _figures(owners: list, now: datetime, one_by_one: bool = False) -> dict:
    """The figures as open_figures keeps them; ``one_by_one``: the messages written since a settled part read
    row by row and summed (as for the worklist, News) rather than counted by the database."""
    kept = open_figures(owners=owners, now=now, news=News(fields=("pk",)) if one_by_one else None)
    return {
        owner: kept[owner] and {name: kept[owner][name] for name in ("open", "overdue", "today", "later", "soon")}
        for owner in owners
    }


def _count_statements(owners: list, now: datetime, one_by_one: bool = False) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        open_figures(owners=owners, now=now, news=News(fields=("pk",)) if one_by_one else None)
    return [query["sql"] for query in captured if '"callbacks_message"' in query["sql"]]


@pytest.mark.postgres
@pytest.mark.parametrize("one_by_one", [False, True])
def test_the_figures_always_equal_a_count_of_every_row_whatever_happens_in_between(
    clock, receptionist, colleague, other_colleague, one_by_one
):
    """Two hundred steps of new messages (his, hers, a team's), changes, reassignments and the clock moving
    on by minutes or hours: after each, the kept parts add up to what a count of every open row gives, whether
    the messages written since the settled part are counted by the database or read one by one."""
    sales = Team.objects.get(name="Verkoop")
    owners = [colleague.pk, other_colleague.pk, None]
    shuffled = random.Random(20261201)
    kinds = {"whole": 0, "since": 0}
    for step in range(200):
        now = clock.now()
        action = shuffled.choice(["new", "new", "new", "change", "reassign", "minutes", "hours"])
        opened = list(Message.objects.filter(status=Status.OPEN).order_by("pk"))
        if action == "new" or not opened:
            owner = shuffled.choice([colleague, other_colleague, None])
            deadline = now + timedelta(minutes=shuffled.randint(-180, 3 * 24 * 60))
            MessageFactory(taken_by=receptionist, owner=owner, team=None if owner else sales, deadline=deadline)
        elif action == "change":
            message = shuffled.choice(opened)
            message.status = Status.HANDLED
            message.save()
        elif action == "reassign":
            message = shuffled.choice(opened)
            message.owner_user = other_colleague if message.owner_user_id == colleague.pk else colleague
            message.save()
        else:
            clock.shift(minutes=shuffled.randint(1, 25) * (30 if action == "hours" else 1))
        statements = _count_statements(owners, clock.now(), one_by_one)
        for statement in statements:
            kinds["since" if '"recorded_at" >=' in statement else "whole"] += 1
        assert _figures(owners, clock.now(), one_by_one) == _counted_by_hand(owners, clock.now()), (step, action)
    # Both ways of counting were taken, many times: the check above covers each.
    assert kinds["whole"] > 20 and kinds["since"] > 20, kinds


def test_a_new_message_counts_only_what_was_written_since_the_settled_part(clock, receptionist, colleague):
    for minutes in (30, 90, 24 * 60):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=minutes))
    clock.shift(SETTLED_AFTER + timedelta(minutes=1))
    (whole,) = _count_statements([colleague.pk], clock.now())  # parts counted together, the older one kept
    assert '"recorded_at" <' in whole and '"recorded_at" >=' not in whole

    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=2))
    (since,) = _count_statements([colleague.pk], clock.now())
    assert '"recorded_at" >=' in since
    assert _figures([colleague.pk], clock.now()) == _counted_by_hand([colleague.pk], clock.now())

    # What the settled part holds is not read again: a row slipped in under an old moment, as a write
    # committing later than SETTLED_AFTER would (none does), is missing until any message changes.
    late = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=3))
    Message.objects.filter(pk=late.pk).update(recorded_at=NOW)  # an update: every figure is counted again
    assert _figures([colleague.pk], clock.now())[colleague.pk]["open"] == 5
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=4), recorded_at=NOW)
    assert _figures([colleague.pk], clock.now())[colleague.pk]["open"] == 5  # the one written "before" is missing
    late.caller_name = "Anders"
    late.save()
    assert _figures([colleague.pk], clock.now())[colleague.pk]["open"] == 6  # counted whole again: now it shows


def test_a_settled_part_ends_when_the_clock_moves_one_of_its_messages(clock, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=20))
    clock.shift(SETTLED_AFTER + timedelta(minutes=1))
    assert _figures([colleague.pk], clock.now())[colleague.pk]["overdue"] == 0
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=5))
    clock.shift(minutes=15)  # the first deadline passes: the settled part no longer holds
    (statement,) = _count_statements([colleague.pk], clock.now())
    assert '"recorded_at" >=' not in statement
    assert _figures([colleague.pk], clock.now())[colleague.pk] == {
        "open": 2,
        "overdue": 1,
        "today": 1,
        "later": 0,
        "soon": 0,
    }


@pytest.mark.postgres
@pytest.mark.parametrize("one_by_one", [False, True])
def test_the_messages_written_since_fall_in_the_same_groups_as_counted_whole(
    clock, receptionist, colleague, one_by_one
):
    """The part written since is counted on its own and added to the kept settled part: at each bound of the
    groups (the deadline now, in an hour, at midnight) the sum must be what counting everything gives, the
    part counted by the database or read one by one."""
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(days=2))
    clock.shift(SETTLED_AFTER + timedelta(minutes=1))
    now = clock.now()
    _, midnight = day_bounds(now)
    assert _figures([colleague.pk], now)[colleague.pk]["open"] == 1  # the settled part is kept
    tick = timedelta(microseconds=1)
    for deadline in (now - tick, now, now + tick, now + DUE_SOON - tick, now + DUE_SOON, midnight - tick, midnight):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=deadline)
    (since,) = _count_statements([colleague.pk], now, one_by_one)
    assert '"recorded_at" >=' in since and ("COUNT(" not in since) == one_by_one
    written_since = _figures([colleague.pk], now, one_by_one)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=now + timedelta(days=3)).delete()  # a change
    (whole,) = _count_statements([colleague.pk], now)
    assert '"recorded_at" >=' not in whole
    assert written_since == _figures([colleague.pk], now) == _counted_by_hand([colleague.pk], now)
    assert written_since[colleague.pk] == {"open": 8, "overdue": 2, "today": 4, "later": 2, "soon": 2}


@pytest.mark.postgres
@pytest.mark.postgres_only  # PostgreSQL's plans
@pytest.mark.django_db(transaction=True)
def test_both_counts_read_an_index_alone(clock, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=1))
    clock.shift(SETTLED_AFTER + timedelta(minutes=1))
    (whole,) = _count_statements([colleague.pk], clock.now())
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=2))
    (since,) = _count_statements([colleague.pk], clock.now())
    whole_plan = postgres_plan_vacuumed(whole, "callbacks_message")
    assert "Index Only Scan using msg_open_owner_recorded" in whole_plan, whole_plan
    since_plan = postgres_plan_vacuumed(since, "callbacks_message")
    assert "Index Only Scan using msg_open_owner_recorded" in since_plan, since_plan
    assert "recorded_at >=" in since_plan.split("Index Cond:")[1], since_plan  # a range of the index, not a filter
