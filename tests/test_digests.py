"""Digests at fixed check moments: exactly once per person per moment, only when the office is open."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import Absence
from callbacks.models import CheckMoment, ClosureDay, DigestSent, Notification, Status
from callbacks.services import digests_send
from callbacks.services.digests import check_moment_due
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = datetime(2026, 12, 1, tzinfo=AMS)
# The clock starts as the office opens, before the first check moment; a test moves it to each moment it sends at.
OPENING = datetime(2026, 12, 1, 8, 30, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=OPENING), pytest.mark.usefixtures("clock")]


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def open_message(receptionist, colleague):
    return MessageFactory(taken_by=receptionist, owner=colleague, deadline=at(TUESDAY, 15))


def _digests(user):
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.DIGEST)


def test_a_digest_goes_out_once_per_moment_however_often_the_task_runs(
    clock, colleague, open_message, django_capture_on_commit_callbacks
):
    # Delivery reads the clock too (quiet hours), so travel there rather than only passing `now`.
    clock.move_to(at(TUESDAY, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(now=at(TUESDAY, 9, 1)) == 1
        assert digests_send(now=at(TUESDAY, 9, 1)) == 0
        assert digests_send(now=at(TUESDAY, 12, 59)) == 0
    assert _digests(colleague).count() == 2  # in the app and by email
    assert list(_digests(colleague).values_list("message_ids", flat=True).distinct()) == [[open_message.pk]]
    assert len(mail.outbox) == 1
    assert "1 open terugbelverzoek" in mail.outbox[0].subject
    assert "Pieter de Boer" in mail.outbox[0].body
    clock.move_to(at(TUESDAY, 13, 0))
    assert digests_send(now=at(TUESDAY, 13, 0)) == 1
    assert DigestSent.objects.filter(user=colleague).count() == 2


def test_a_late_run_still_sends_the_moment_it_missed(clock, colleague, open_message):
    clock.move_to(at(TUESDAY, 11, 30))
    assert digests_send(now=at(TUESDAY, 11, 30)) == 1
    assert DigestSent.objects.get(user=colleague).moment == at(TUESDAY, 9)


def test_before_the_first_moment_nothing_is_due(clock, colleague, open_message):
    clock.move_to(at(TUESDAY, 8, 45))
    assert check_moment_due(user=colleague, now=at(TUESDAY, 8, 45)) is None
    assert digests_send(now=at(TUESDAY, 8, 45)) == 0


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 5, 9, 5, tzinfo=AMS),  # Saturday
        datetime(2026, 12, 25, 9, 5, tzinfo=AMS),  # Christmas
        datetime(2027, 4, 27, 9, 5, tzinfo=AMS),  # King's Day
        datetime(2026, 12, 1, 18, 0, tzinfo=AMS),  # after closing: the 16:00 digest is not sent late at night
    ],
)
def test_never_on_weekends_holidays_or_outside_business_hours(clock, colleague, open_message, moment):
    clock.move_to(moment)
    assert digests_send(now=moment) == 0
    assert not _digests(colleague).exists()


def test_never_on_a_team_closure_day(clock, colleague, open_message):
    ClosureDay.objects.create(team=colleague.teams.get(), date=TUESDAY.date())
    clock.move_to(at(TUESDAY, 9, 5))
    assert digests_send(now=at(TUESDAY, 9, 5)) == 0


def test_never_while_the_person_is_away(clock, colleague, other_colleague, open_message):
    Absence.objects.create(user=colleague, stand_in=other_colleague, starts_at=at(TUESDAY, 8), ends_at=at(TUESDAY, 12))
    clock.move_to(at(TUESDAY, 9, 5))
    assert digests_send(now=at(TUESDAY, 9, 5)) == 0
    clock.move_to(at(TUESDAY, 13, 5))
    assert digests_send(now=at(TUESDAY, 13, 5)) == 1


def test_only_people_with_open_callbacks_get_one(clock, colleague, other_colleague, receptionist):
    MessageFactory(taken_by=receptionist, owner=other_colleague, status=Status.HANDLED)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=at(TUESDAY, 15))
    clock.move_to(at(TUESDAY, 9, 5))
    assert digests_send(now=at(TUESDAY, 9, 5)) == 1
    assert not _digests(other_colleague).exists()


def test_team_messages_without_a_colleague_reach_every_member(clock, colleague, receptionist):
    team = colleague.teams.get()
    message = MessageFactory(taken_by=receptionist, owner=None, team=team, deadline=at(TUESDAY, 15))
    clock.move_to(at(TUESDAY, 9, 5))
    assert digests_send(now=at(TUESDAY, 9, 5)) == 1
    assert _digests(colleague).first().message_ids == [message.pk]


def test_a_team_sets_its_own_check_moments(clock, colleague, open_message):
    CheckMoment.objects.create(team=colleague.teams.get(), at=time(10, 30))
    clock.move_to(at(TUESDAY, 9, 5))
    assert digests_send(now=at(TUESDAY, 9, 5)) == 0
    clock.move_to(at(TUESDAY, 10, 31))
    assert digests_send(now=at(TUESDAY, 10, 31)) == 1


def test_the_digest_lists_messages_by_deadline(clock, colleague, receptionist):
    later = MessageFactory(taken_by=receptionist, owner=colleague, deadline=at(TUESDAY, 16))
    sooner = MessageFactory(taken_by=receptionist, owner=colleague, deadline=at(TUESDAY, 11))
    clock.move_to(at(TUESDAY, 9, 5))
    digests_send(now=at(TUESDAY, 9, 5))
    assert _digests(colleague).first().message_ids == [sooner.pk, later.pk]


def test_the_beat_schedule_sends_digests_on_an_interval():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["send-digests"]
    assert entry["task"] == "callbacks.tasks.digests_send_task"
    assert isinstance(entry["schedule"], timedelta)
