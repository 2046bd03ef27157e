"""Retention: caller data of messages handled long ago is anonymised; the statistics keep their rows."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks import tasks
from callbacks.models import Attempt, CallLog, Message, MessageEvent, Status
from callbacks.selectors import caller_history
from callbacks.services.retention import MARKER, message_batch_anonymise, messages_anonymise
from config.env import env_int
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

DAYS = 180
NUMBER = "+31612345678"
STATISTICS_FIELDS = (
    "status",
    "call_type",
    "tone",
    "taken_at",
    "handled_at",
    "deadline",
    "attempt_count",
    "call_count",
    "outcome",
    "owner_user_id",
    "owner_team_id",
    "overdue_level",
    "flagged_at",
)


def _handled(taken_by, owner, *, days_ago: float, now: datetime = NOW, **fields) -> Message:
    """A message handled `days_ago` days before `now`, with caller data in every place it can hide."""
    handled_at = now - timedelta(days=days_ago)
    taken_at = handled_at - timedelta(days=2)
    message = MessageFactory(
        taken_by=taken_by,
        owner=owner,
        status=fields.pop("status", Status.HANDLED),
        taken_at=taken_at,
        handled_at=handled_at,
        deadline=taken_at + timedelta(days=1),
        handled_by=owner,
        outcome="solved",
        caller_company="De Boer Bouw",
        caller_email="pieter@deboer.example",
        caller_number=NUMBER,
        handled_note="Pieter belt zijn vrouw terug",
        later_reason="Pieter is op vakantie",
        attempt_count=2,
        call_type="complaint",
        tone="angry",
        **fields,
    )
    CallLog.objects.filter(message=message).update(note="Pieter klonk ziek")
    Attempt.objects.create(
        message=message,
        made_by=owner,
        made_at=handled_at - timedelta(hours=1),
        result=Attempt.Result.NO_ANSWER,
        note="Voicemail van Pieter",
    )
    Attempt.objects.create(
        message=message,
        made_by=owner,
        made_at=handled_at,
        result=Attempt.Result.REACHED,
        note="Pieter belt zijn vrouw terug",
    )
    MessageEvent.objects.create(
        message=message,
        actor=taken_by,
        at=taken_at,
        kind=MessageEvent.Kind.CORRECTED,
        changes={
            "caller_name": ["Piet", "Pieter de Boer"],
            "caller_email": ["", "pieter@deboer.example"],
            "tone": ["Calm", "Angry"],
        },
    )
    MessageEvent.objects.create(
        message=message,
        actor=owner,
        at=handled_at,
        kind=MessageEvent.Kind.HANDLED,
        note="Pieter belt zijn vrouw terug",
        changes={
            "attempt": ["", "Reached"],
            "handled_note": ["", "Pieter belt zijn vrouw terug"],
            "status": ["Open", "Handled"],
        },
    )
    return message


def _snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Message, CallLog, Attempt, MessageEvent)
    }


def _statistics(message: Message) -> dict[str, object]:
    return {name: getattr(message, name) for name in STATISTICS_FIELDS}


def test_it_anonymises_a_message_handled_more_than_n_days_ago(receptionist, colleague):
    message = _handled(receptionist, colleague, days_ago=DAYS + 1)
    assert messages_anonymise(now=NOW, older_than_days=DAYS) == 1
    message.refresh_from_db()
    assert (message.caller_name, message.caller_number, message.caller_company, message.caller_email) == ("",) * 4
    assert (message.reason, message.handled_note, message.later_reason) == (MARKER, "", "")
    assert message.anonymised_at == NOW and message.version == 2
    assert list(CallLog.objects.filter(message=message).values_list("note", flat=True)) == [""]
    assert list(Attempt.objects.filter(message=message).values_list("note", flat=True)) == ["", ""]
    events = {event.kind: event for event in message.events.all()}
    assert {event.note for event in events.values()} == {""}
    assert events["corrected"].changes == {
        "caller_name": [MARKER, MARKER],
        "caller_email": ["", MARKER],
        "tone": ["Calm", "Angry"],
    }
    assert events["handled"].changes == {
        "attempt": ["", "Reached"],
        "handled_note": ["", MARKER],
        "status": ["Open", "Handled"],
    }
    assert "Pieter" not in str(_snapshot()) and "deboer" not in str(_snapshot())


def test_it_keeps_what_the_statistics_need(receptionist, colleague):
    message = _handled(receptionist, colleague, days_ago=DAYS + 1)
    before = _statistics(message)
    messages_anonymise(now=NOW, older_than_days=DAYS)
    message.refresh_from_db()
    assert _statistics(message) == before
    assert message.handled_by == colleague and message.attempts.count() == 2 and message.calls.count() == 1


def test_it_leaves_recently_handled_and_open_messages_alone(receptionist, colleague):
    _handled(receptionist, colleague, days_ago=DAYS - 1)
    long_open = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        taken_at=NOW - timedelta(days=400),
        deadline=NOW - timedelta(days=399),
        handled_at=NOW - timedelta(days=400),
    )
    before = _snapshot()
    assert messages_anonymise(now=NOW, older_than_days=DAYS) == 0
    assert _snapshot() == before
    assert Message.objects.get(pk=long_open.pk).status == Status.OPEN


def test_exactly_n_days_is_not_yet_more_than_n_days(receptionist, colleague):
    exactly = _handled(receptionist, colleague, days_ago=DAYS)
    just_over = _handled(receptionist, colleague, days_ago=DAYS + 1 / 86_400)
    assert messages_anonymise(now=NOW, older_than_days=DAYS) == 1
    assert Message.objects.get(pk=exactly.pk).anonymised_at is None
    assert Message.objects.get(pk=just_over.pk).anonymised_at == NOW


def test_without_a_handled_moment_the_intake_moment_counts(receptionist, colleague):
    informational = _handled(receptionist, colleague, days_ago=DAYS + 1, status=Status.INFORMATIONAL)
    Message.objects.filter(pk=informational.pk).update(handled_at=None, taken_at=NOW - timedelta(days=DAYS + 1))
    # Helped at reception long ago, but its handled moment is recent: that one counts.
    helped = _handled(receptionist, colleague, days_ago=10, status=Status.HANDLED_AT_INTAKE)
    Message.objects.filter(pk=helped.pk).update(taken_at=NOW - timedelta(days=DAYS + 30))
    assert messages_anonymise(now=NOW, older_than_days=DAYS) == 1
    assert Message.objects.get(pk=informational.pk).anonymised_at == NOW
    assert Message.objects.get(pk=helped.pk).anonymised_at is None


def test_a_second_run_changes_nothing_more(receptionist, colleague):
    _handled(receptionist, colleague, days_ago=DAYS + 1)
    _handled(receptionist, colleague, days_ago=DAYS + 50, status=Status.HANDLED_AT_INTAKE)
    assert messages_anonymise(now=NOW, older_than_days=DAYS) == 2
    after_first = _snapshot()
    assert messages_anonymise(now=NOW + timedelta(hours=1), older_than_days=DAYS) == 0
    assert _snapshot() == after_first


def test_a_batch_another_run_got_to_first_changes_nothing(receptionist, colleague):
    message = _handled(receptionist, colleague, days_ago=DAYS + 1)
    messages_anonymise(now=NOW, older_than_days=DAYS)  # the other run
    after_other = _snapshot()
    assert message_batch_anonymise(ids=[message.pk], now=NOW + timedelta(minutes=5)) == 0
    assert _snapshot() == after_other


def test_it_works_through_every_batch(receptionist, colleague):
    messages = [_handled(receptionist, colleague, days_ago=DAYS + day) for day in range(1, 6)]
    assert messages_anonymise(now=NOW, older_than_days=DAYS, batch_size=2) == 5
    assert set(Message.objects.filter(anonymised_at=NOW).values_list("pk", flat=True)) == {m.pk for m in messages}


def test_the_number_of_queries_does_not_grow_with_the_messages(receptionist, colleague):
    _handled(receptionist, colleague, days_ago=DAYS + 1)
    with CaptureQueriesContext(connection) as one:
        assert messages_anonymise(now=NOW, older_than_days=DAYS) == 1
    for day in range(2, 7):
        _handled(receptionist, colleague, days_ago=DAYS + day)
    with CaptureQueriesContext(connection) as five:
        assert messages_anonymise(now=NOW, older_than_days=DAYS) == 5
    assert len(five) == len(one)


def test_the_caller_history_no_longer_finds_an_anonymised_message(receptionist, colleague):
    message = _handled(receptionist, colleague, days_ago=DAYS + 1)
    assert caller_history(number=NUMBER, now=NOW)[0] == [message]
    messages_anonymise(now=NOW, older_than_days=DAYS)
    assert caller_history(number=NUMBER, now=NOW) == ([], 0)


def test_a_dry_run_writes_nothing_and_tells_how_many(receptionist, colleague):
    old = _handled(receptionist, colleague, days_ago=DAYS + 1)
    _handled(receptionist, colleague, days_ago=DAYS - 1)
    before = _snapshot()
    assert messages_anonymise(now=NOW, older_than_days=DAYS, dry_run=True) == 1
    out = StringIO()
    call_command("anonymise_messages", "--dry-run", verbosity=2, stdout=out)
    assert _snapshot() == before
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Would anonymise 1 message(s) handled more than {DAYS} days ago."
    handled_on = (NOW - timedelta(days=DAYS + 1)).date().isoformat()
    assert lines[1:] == [f"{old.pk}\thandled {handled_on}"]
    assert "Pieter" not in out.getvalue() and "+316" not in out.getvalue()


def test_the_command_anonymises_with_the_days_given(receptionist, colleague):
    message = _handled(receptionist, colleague, days_ago=60)
    out = StringIO()
    call_command("anonymise_messages", stdout=out)
    assert Message.objects.get(pk=message.pk).anonymised_at is None
    call_command("anonymise_messages", "--days", "30", stdout=out)
    assert Message.objects.get(pk=message.pk).anonymised_at == NOW
    assert out.getvalue().splitlines() == [
        f"Anonymised 0 message(s) handled more than {DAYS} days ago.",
        "Anonymised 1 message(s) handled more than 30 days ago.",
    ]


def test_the_command_refuses_less_than_a_day(db):
    with pytest.raises(CommandError):
        call_command("anonymise_messages", "--days", "0", stdout=StringIO())


@pytest.mark.parametrize(("hour", "works"), [(0, False), (1, True), (3, True), (4, True), (5, False), (14, False)])
def test_the_task_works_only_at_night(clock, receptionist, colleague, hour, works):
    moment = datetime(2026, 3, 10, hour, 30 if hour == 4 else 0, tzinfo=AMS)
    clock.move_to(moment)
    message = _handled(receptionist, colleague, days_ago=DAYS + 1, now=moment)
    assert tasks.messages_anonymise_task.delay().get() == (1 if works else 0)
    assert (Message.objects.get(pk=message.pk).anonymised_at is not None) is works


def test_the_task_is_in_the_beat_schedule_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-old-messages"]
    assert entry == {"task": "callbacks.tasks.messages_anonymise_task", "schedule": timedelta(hours=1)}


def test_the_retention_is_180_days_unless_set_and_at_least_a_day(monkeypatch):
    assert settings.RETENTION_DAYS == 180
    monkeypatch.setenv("RETENTION_DAYS", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("RETENTION_DAYS", 180, minimum=1)
