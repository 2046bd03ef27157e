"""Two people acting on one message at the same moment, on a real PostgreSQL: one wins, nothing is lost."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from callbacks import services
from callbacks.models import Attempt, Message, MessageEvent, Status
from tests.factories import MessageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(actions):
    """Run each action in its own thread and database connection, released together by a barrier."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as problem:  # the loser's MessageChanged is the point of the test
            results[index] = problem
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres_only  # concurrent connections: SQLite serialises them
def test_two_simultaneous_tick_offs_one_wins_and_the_other_is_told(clock, receptionist, colleague, manager):
    for _round in range(5):
        message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=2))
        seen = Message.objects.get(pk=message.pk)
        results = _at_once(
            [
                lambda: services.attempt_log(
                    message=seen,
                    version=seen.version,
                    by=colleague,
                    result="reached",
                    outcome="solved",
                    note="Bram belde",
                ),
                lambda: services.attempt_log(
                    message=seen,
                    version=seen.version,
                    by=manager,
                    result="reached",
                    outcome="forwarded",
                    note="Mira belde",
                ),
            ]
        )
        winners = [r for r in results if isinstance(r, Message)]
        losers = [r for r in results if isinstance(r, services.MessageChanged)]
        assert len(winners) == 1 and len(losers) == 1, results
        stored = Message.objects.get(pk=message.pk)
        assert stored.status == Status.HANDLED and stored.version == 2
        assert stored.handled_note == winners[0].handled_note
        assert Attempt.objects.filter(message=message).count() == 1
        assert MessageEvent.objects.filter(message=message, kind="handled").count() == 1


@pytest.mark.postgres_only  # concurrent connections: SQLite serialises them
def test_a_tick_off_and_the_sweep_at_the_same_moment_both_succeed_and_the_tick_off_stays(
    clock, receptionist, colleague
):
    from callbacks.services.overdue import overdue_sweep

    for _round in range(5):
        message = MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            deadline=clock.now() - timedelta(hours=3),
            escalate_at=clock.now() - timedelta(hours=1),
        )
        seen = Message.objects.get(pk=message.pk)
        results = _at_once(
            [
                lambda: services.attempt_log(
                    message=seen,
                    version=seen.version,
                    by=colleague,
                    result="reached",
                    outcome="solved",
                    note="Bram belde",
                ),
                lambda: overdue_sweep(now=clock.now()),
            ]
        )
        assert isinstance(results[0], Message), results  # the sweep never makes the tick-off fail
        stored = Message.objects.get(pk=message.pk)
        # Whatever the sweep claimed first, the tick-off stands; a later step finds the message handled.
        assert stored.status == Status.HANDLED and stored.handled_note == "Bram belde" and stored.version == 2
