"""Two beat processes across the 2027 DST changes, minute by minute: nothing flagged, escalated or
digested twice, nothing late by an hour, nothing skipped.

28 March 2027 (02:00 CET -> 03:00 CEST) is Easter Sunday, so the next day is Easter Monday, a holiday:
the first business day is Tuesday. 31 October 2027 (03:00 CEST -> 02:00 CET) is followed by Monday 1
November, an ordinary business day. Each minute both "beats" run the overdue sweep and the digests;
on PostgreSQL as two threads at once, on SQLite one after the other. The services are called
directly (the beat tasks only add delivery, which claims each row once).
"""

import os
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import Team
from accounts.roles import Role
from callbacks.models import CheckMoment, DigestSent, Message, Notification, OpeningHours, TeamSettings
from callbacks.services import digests_send, notifications
from callbacks.services.overdue import overdue_sweep
from tests.conftest import make_user
from tests.factories import MessageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AMS = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
# The on-call desk checks in the night as well, on and around the changed hour.
ON_CALL_MOMENTS = (time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(9, 0))


def local(day: tuple[int, int, int], hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(*day, hour, minute, tzinfo=AMS, fold=fold).astimezone(UTC)


def minutes(start: datetime, end: datetime) -> list[datetime]:
    return [start + MINUTE * index for index in range((end - start) // MINUTE + 1)]


# The nights are stepped every minute. The business days every minute from five before to five after
# each moment that matters (opening, check moments) and every 15 minutes in between: digests_send costs
# a few milliseconds a run. TERUGBEL_DST_FULL=1 steps every minute of the business days too (~50 s).
FULL = os.environ.get("TERUGBEL_DST_FULL") == "1"
BUSINESS_MOMENTS = (time(8, 30), time(9, 0), time(13, 0), time(16, 0))


def business_day(day: tuple[int, int, int], start: datetime, end: datetime) -> list[datetime]:
    every = minutes(start, end)
    if FULL:
        return every
    close = [local(day, at.hour, at.minute) for at in BUSINESS_MOMENTS]
    return [
        tick
        for index, tick in enumerate(every)
        if index % 15 == 0 or any(abs(tick - moment) <= 5 * MINUTE for moment in close)
    ]


SPRING, EASTER_MONDAY, TUESDAY = (2027, 3, 28), (2027, 3, 29), (2027, 3, 30)
AUTUMN, MONDAY = (2027, 10, 31), (2027, 11, 1)
NIGHTS = {"spring": SPRING, "autumn": AUTUMN}
# Stepped minute by minute: the Sunday night across the change, then the business day(s) after it.
WINDOWS = {
    "spring": [
        (local(SPRING, 0), local(SPRING, 4)),
        (local(EASTER_MONDAY, 7), local(EASTER_MONDAY, 18)),
        (local(TUESDAY, 7), local(TUESDAY, 18)),
    ],
    "autumn": [(local(AUTUMN, 0), local(AUTUMN, 4)), (local(MONDAY, 7), local(MONDAY, 18))],
}
# Exactly these digests, once each.
EXPECTED_DIGESTS = {
    "spring": {
        "sanne": [
            local(SPRING, 1, 30),
            # 02:00 and 02:30 do not exist that night and 03:00 CEST is the same instant as "02:00":
            # one digest when the clock jumps, not three, and none an hour late.
            local(SPRING, 3, 0),
            # Beat stepped from 04:00 Sunday to 07:00 Monday: one catch-up digest for Monday's night moments.
            local(EASTER_MONDAY, 3, 0),
            local(EASTER_MONDAY, 9, 0),
            local(TUESDAY, 3, 0),
            local(TUESDAY, 9, 0),
        ],
        # Closed on Easter Sunday and Easter Monday.
        "bram": [local(TUESDAY, 9), local(TUESDAY, 13), local(TUESDAY, 16)],
    },
    "autumn": {
        "sanne": [
            local(AUTUMN, 1, 30),
            local(AUTUMN, 2, 0, fold=0),
            local(AUTUMN, 2, 30, fold=0),  # the first 02:00-03:00 only
            local(AUTUMN, 3, 0),  # 03:00 CET, after the repeated hour
            local(MONDAY, 3, 0),
            local(MONDAY, 9, 0),
        ],
        "bram": [local(MONDAY, 9), local(MONDAY, 13), local(MONDAY, 16)],
    },
}


@pytest.fixture
def offices(colleague, manager, receptionist):
    """Verkoop (bram) keeps office hours; the on-call desk (sanne) is open day and night, all year."""
    sanne = make_user("sanne", Role.COLLEAGUE)
    on_call = Team.objects.create(name="Storingsdienst")
    on_call.members.add(sanne)
    on_call.managers.add(manager)
    TeamSettings.objects.create(team=on_call, observed_holidays=[])
    OpeningHours.objects.bulk_create(
        OpeningHours(team=on_call, weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)
    )
    CheckMoment.objects.bulk_create(CheckMoment(team=on_call, at=at) for at in ON_CALL_MOMENTS)
    return {"sanne": sanne, "bram": colleague}


def _messages(season: str, people, receptionist) -> list[Message]:
    """Deadlines every 7 minutes through the night and every 20 through the business days, plus some
    that pass between the windows (beat catches them up); escalation 20 or 45 minutes later."""
    night, *days = WINDOWS[season]
    made = []
    for deadline in minutes(night[0] + 3 * MINUTE, night[1] - 10 * MINUTE)[::7]:
        made.append(
            MessageFactory(
                taken_by=receptionist, owner=people["sanne"], deadline=deadline, escalate_at=deadline + 20 * MINUTE
            )
        )
    between = [night[1] + timedelta(hours=hours) for hours in (2, 9)]  # Sunday, while beat was not stepped
    for deadline in between + [d for start, end in days for d in minutes(start + 30 * MINUTE, end - 30 * MINUTE)[::37]]:
        made.append(
            MessageFactory(
                taken_by=receptionist, owner=people["bram"], deadline=deadline, escalate_at=deadline + 45 * MINUTE
            )
        )
    return made


def _two_beats(clock, ticks: list[datetime], step) -> None:
    """Both beats run `step` at every simulated minute, the clock standing on it; on PostgreSQL truly at once."""
    if connection.vendor != "postgresql":
        for now in ticks:
            clock.move_to(now)
            step(now)
            step(now)
        return
    start, done = threading.Barrier(3), threading.Barrier(3)
    failures: list[BaseException] = []

    def beat():
        try:
            for now in ticks:
                start.wait(timeout=30)
                try:
                    step(now)
                finally:
                    done.wait(timeout=30)
        except BaseException as problem:  # noqa: BLE001 - reported below
            failures.append(problem)
        finally:
            connection.close()

    beats = [threading.Thread(target=beat) for _ in range(2)]
    for thread in beats:
        thread.start()
    for now in ticks:
        clock.move_to(now)
        start.wait(timeout=30)
        done.wait(timeout=30)
    for thread in beats:
        thread.join(timeout=30)
    assert not failures, failures


# The clock starts at the first stepped minute, midnight before the change: the messages are taken then.
@pytest.mark.parametrize(
    "season",
    [pytest.param(season, marks=pytest.mark.clock(at=WINDOWS[season][0][0])) for season in ("spring", "autumn")],
)
def test_two_beats_across_a_dst_change_act_once_on_time(clock, season, offices, receptionist, manager, monkeypatch):
    published: list[int] = []
    lock = threading.Lock()

    def publish(ids):
        with lock:
            published.extend(ids)

    monkeypatch.setattr(notifications, "_publish", publish)  # count, do not deliver: delivery claims once
    made = _messages(season, offices, receptionist)
    (night_start, night_end), *days = WINDOWS[season]
    ticks = minutes(night_start, night_end) + [
        tick for (start, end) in days for tick in business_day(start.astimezone(AMS).timetuple()[:3], start, end)
    ]

    def step(now):
        overdue_sweep(now=now)
        digests_send(now=now)

    _two_beats(clock, ticks, step)

    def first_tick_at_or_after(moment):
        return next((tick for tick in ticks if tick >= moment), None)

    for message in Message.objects.filter(pk__in=[m.pk for m in made]):
        # Flagged and escalated at the first beat minute after the moment passed: not an hour off.
        assert message.flagged_at == first_tick_at_or_after(message.deadline), message.deadline
        assert message.escalated_at == first_tick_at_or_after(message.escalate_at), message.escalate_at
    per_row = (
        Notification.objects.exclude(kind="digest")
        .values("message_id", "kind", "recipient_id", "channel")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in per_row} == {1}
    flagged = Message.objects.filter(overdue_level__gte=1).count()
    escalated = Message.objects.filter(overdue_level=2).count()
    assert Notification.objects.filter(kind="overdue").count() == 2 * flagged  # in the app and by email
    assert Notification.objects.filter(kind="escalated", recipient=manager).count() == 2 * escalated
    assert flagged == len(made)

    for name, person in offices.items():
        sent = sorted(DigestSent.objects.filter(user=person).values_list("moment", flat=True))
        assert sent == sorted(EXPECTED_DIGESTS[season][name]), [m.astimezone(AMS).isoformat() for m in sent]
        digests = Notification.objects.filter(recipient=person, kind="digest")
        assert digests.count() == 2 * len(sent)
    digest_ids = list(Notification.objects.filter(kind="digest").values_list("pk", flat=True))
    assert sorted(published) == sorted(digest_ids)  # each digest row handed to delivery once
