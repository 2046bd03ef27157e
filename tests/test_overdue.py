"""The overdue engine and the notification outbox, with frozen time."""

from datetime import datetime, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from callbacks.models import Heartbeat, Message, Notification, Status, TeamSettings
from callbacks.services import delivery
from callbacks.services.overdue import overdue_sweep
from tests.conftest import make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
FRIDAY_16 = datetime(2026, 12, 4, 16, 0, tzinfo=AMS)

pytestmark = [pytest.mark.postgres, pytest.mark.clock(at=TUESDAY_10), pytest.mark.usefixtures("clock")]


def _rows(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("recipient__username", "channel"))


@pytest.fixture
def overdue(db, receptionist, colleague):
    return MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=TUESDAY_10 - timedelta(minutes=1),
        escalate_at=TUESDAY_10 + timedelta(hours=2),
    )


def test_a_passed_deadline_is_flagged_once_and_the_owner_told(overdue, receptionist, colleague):
    not_yet = MessageFactory(taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(minutes=1))
    handled = MessageFactory(
        taken_by=receptionist, owner=colleague, status=Status.HANDLED, deadline=TUESDAY_10 - timedelta(hours=1)
    )
    first = overdue_sweep(now=TUESDAY_10)
    second = overdue_sweep(now=TUESDAY_10 + timedelta(seconds=30))
    assert (first.flagged, first.escalated, first.notifications) == (1, 0, 2)
    assert (second.flagged, second.notifications) == (0, 0)
    overdue.refresh_from_db()
    # No new version: a flag is no change a colleague has to redo (tests/test_work_conflicts.py).
    assert overdue.overdue_level == 1 and overdue.flagged_at == TUESDAY_10 and overdue.version == 1
    assert Message.objects.get(pk=not_yet.pk).overdue_level == 0
    assert Message.objects.get(pk=handled.pk).overdue_level == 0
    assert _rows(kind="overdue") == [("bram", "email"), ("bram", "in_app")]
    assert set(Notification.objects.filter(kind="overdue").values_list("message_id", flat=True)) == {overdue.pk}


def test_a_run_that_comes_after_another_claimed_the_message_does_nothing(overdue):
    Message.objects.filter(pk=overdue.pk).update(overdue_level=1)  # the other run got there first
    result = overdue_sweep(now=TUESDAY_10)
    assert (result.flagged, result.notifications) == (0, 0)
    assert not Notification.objects.exists()


def test_a_team_message_tells_every_active_member(db, receptionist, colleague):
    team = colleague.teams.get()
    gone = make_user("gijs", "colleague", is_active=False, email="")
    quiet = make_user("quinten", "colleague", email="")
    team.members.add(gone, quiet)
    MessageFactory(taken_by=receptionist, owner=None, team=team, deadline=TUESDAY_10 - timedelta(minutes=5))
    overdue_sweep(now=TUESDAY_10)
    assert _rows(kind="overdue") == [("bram", "email"), ("bram", "in_app"), ("quinten", "in_app")]


def test_a_message_still_open_later_is_escalated_to_the_manager_once(overdue, manager):
    overdue_sweep(now=TUESDAY_10)
    assert overdue_sweep(now=TUESDAY_10 + timedelta(hours=1)).escalated == 0
    result = overdue_sweep(now=TUESDAY_10 + timedelta(hours=2))
    again = overdue_sweep(now=TUESDAY_10 + timedelta(hours=3))
    assert (result.escalated, result.notifications, again.escalated) == (1, 2, 0)
    overdue.refresh_from_db()
    assert overdue.overdue_level == 2 and overdue.escalated_at == TUESDAY_10 + timedelta(hours=2)
    assert _rows(kind="escalated") == [("mira", "email"), ("mira", "in_app")]


def test_a_sweep_that_finds_both_steps_due_does_both(overdue):
    result = overdue_sweep(now=TUESDAY_10 + timedelta(hours=5))
    assert (result.flagged, result.escalated) == (1, 1)


def test_a_ticked_off_message_is_never_escalated(overdue):
    overdue_sweep(now=TUESDAY_10)
    Message.objects.filter(pk=overdue.pk).update(status=Status.HANDLED)
    assert overdue_sweep(now=TUESDAY_10 + timedelta(hours=5)).escalated == 0


@pytest.mark.clock(at=FRIDAY_16)
def test_the_escalation_moment_comes_from_the_team_in_business_hours(db, desk_taking_message):
    message = desk_taking_message
    # Taken Friday 16:00, a complaint: deadline Friday 17:30 + 0.5 h Monday = 09:00; escalation 2
    # business hours later, on Monday 11:00 (not Friday evening).
    assert message.deadline == datetime(2026, 12, 7, 9, 0, tzinfo=AMS)
    assert message.escalate_at == datetime(2026, 12, 7, 11, 0, tzinfo=AMS)


@pytest.fixture
def desk_taking_message(client, receptionist, colleague):
    from tests.conftest import login_across_time
    from tests.intake_helpers import REASON, take_message

    login_across_time(client, receptionist)
    take_message(client, reason={**REASON, "call_type": "complaint"})  # on the test's clock: Friday 16:00
    return Message.objects.get()


def test_the_sweep_leaves_a_heartbeat_and_the_commands_report(overdue):
    out = StringIO()
    call_command("flag_overdue", stdout=out)
    call_command("flag_overdue", stdout=out)
    call_command("outbox_status", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "flagged=1 escalated=0 notifications=2 delivered=2"
    assert lines[1] == "flagged=0 escalated=0 notifications=0 delivered=0"
    assert lines[2].startswith("overdue sweep: last run 2026-12-01T10:00:00")
    assert lines[-1] == "pending notifications: 0"
    assert Heartbeat.objects.get(name="overdue-sweep").last_count == 0


# --- Delivery ---------------------------------------------------------------------------------------


def test_email_waits_for_business_hours_but_the_app_shows_it_at_once(db, receptionist, colleague):
    evening = datetime(2026, 12, 1, 19, 0, tzinfo=AMS)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=evening - timedelta(minutes=1))
    overdue_sweep(now=evening)
    assert delivery.outbox_deliver(now=evening, grace=timedelta(0)) == 1
    email = Notification.objects.get(channel="email")
    assert email.state == "pending" and email.not_before == datetime(2026, 12, 2, 8, 30, tzinfo=AMS)
    assert Notification.objects.get(channel="in_app").state == "sent"
    assert delivery.outbox_deliver(now=evening + timedelta(hours=2)) == 0
    assert mail.outbox == []
    assert delivery.outbox_deliver(now=datetime(2026, 12, 2, 8, 31, tzinfo=AMS)) == 1
    assert len(mail.outbox) == 1 and "Te laat: bel Pieter de Boer terug" in mail.outbox[0].subject


def test_a_team_that_opts_out_of_quiet_hours_gets_email_at_once(db, receptionist, colleague):
    TeamSettings.objects.create(team=colleague.teams.get(), hold_email_outside_hours=False)
    evening = datetime(2026, 12, 1, 19, 0, tzinfo=AMS)
    MessageFactory(taken_by=receptionist, owner=colleague, deadline=evening - timedelta(minutes=1))
    overdue_sweep(now=evening)
    assert delivery.outbox_deliver(now=evening, grace=timedelta(0)) == 2
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_with_backoff_and_never_sent_twice(overdue):
    overdue_sweep(now=TUESDAY_10)
    with mock.patch("callbacks.services.delivery.send_mail", side_effect=OSError("smtp down")):
        assert delivery.outbox_deliver(now=TUESDAY_10, grace=timedelta(0)) == 1  # in-app only
    email = Notification.objects.get(channel="email")
    assert (email.state, email.failures) == ("pending", 1)
    assert email.not_before == TUESDAY_10 + timedelta(minutes=1)
    with mock.patch("callbacks.services.delivery.send_mail", side_effect=OSError("smtp down")):
        delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=1))
    email.refresh_from_db()
    assert email.failures == 2 and email.not_before == TUESDAY_10 + timedelta(minutes=3)
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=2)) == 0  # still backing off
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=3)) == 1
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=10)) == 0
    assert len(mail.outbox) == 1


def test_a_row_left_sending_by_a_dead_worker_is_handed_out_again(overdue):
    overdue_sweep(now=TUESDAY_10)
    Notification.objects.update(state="sending", claimed_at=TUESDAY_10)
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=5)) == 0
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=11)) == 2


def test_the_sweep_leaves_fresh_rows_to_their_own_task(overdue):
    overdue_sweep(now=TUESDAY_10)
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(seconds=30)) == 0
    assert delivery.outbox_deliver(now=TUESDAY_10 + timedelta(minutes=1)) == 2


def test_the_beat_schedule_flags_on_an_interval_not_a_crontab():
    from django.conf import settings

    for name in ("flag-overdue", "deliver-outbox"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["schedule"] == timedelta(minutes=1)


def test_the_sweep_flags_exactly_what_the_queryset_calls_overdue(clock, receptionist, colleague):
    """The sweep's claim restates the overdue rule in SQL; it must agree with Message.objects.overdue_at."""
    now = clock.now()
    for minutes, status in [
        (-60, Status.OPEN),
        (-1, Status.OPEN),
        (0, Status.OPEN),
        (1, Status.OPEN),
        (-30, Status.HANDLED),
        (60, Status.OPEN),
    ]:
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=now + timedelta(minutes=minutes), status=status)
    expected = set(Message.objects.overdue_at(now).values_list("pk", flat=True))
    assert len(expected) == 3  # an hour, a minute and exactly now: the deadline has come
    assert overdue_sweep(now=now).flagged == 3
    assert set(Message.objects.filter(overdue_level=1).values_list("pk", flat=True)) == expected
