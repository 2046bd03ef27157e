"""Notifications checked when they are delivered, to the right person, and one mail for what quiet hours held.

Every test queues on Friday 18:00 (after closing: the emails wait) and delivers on Monday 08:31, with what
happened over the weekend in between. Nothing is published here (no commit in these tests), so the rows
wait for the delivery sweep as they do when the broker is down.
"""

from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import Absence
from callbacks.models import Message, Notification, Status
from callbacks.services import delivery, notifications
from callbacks.services.delivery import emails_deliver_together, outbox_deliver
from callbacks.services.notifications import notification_queue
from callbacks.templatetags.phone_numbers import phone_display
from callbacks.services.work import message_correct, message_reassign
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY_18 = datetime(2026, 12, 4, 18, 0, tzinfo=AMS)
SATURDAY = datetime(2026, 12, 5, 11, 0, tzinfo=AMS)
MONDAY_0831 = datetime(2026, 12, 7, 8, 31, tzinfo=AMS)
Kind = Notification.Kind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.clock(at=FRIDAY_18)]


def _queue(message, kind, recipients=None, **extra):
    return notification_queue(message=message, recipients=recipients or [message.owner_user], kind=kind, **extra)


def _friday(clock, receptionist, owner, count=1, **fields):
    """Messages taken Friday after closing, their notifications queued, the in-app ones shown at once."""
    messages = [
        MessageFactory(
            taken_by=receptionist, owner=owner, caller_name=f"Beller {i}", caller_number=f"+3161234567{i}", **fields
        )
        for i in range(count)
    ]
    for message in messages:
        _queue(message, Kind.NEW_MESSAGE)
    outbox_deliver(now=clock.now(), grace=timedelta(0))
    assert mail.outbox == []  # held for the opening
    return messages


def _monday(clock) -> int:
    clock.move_to(MONDAY_0831)
    return outbox_deliver(now=MONDAY_0831)


def _email(message, **filters) -> Notification:
    return Notification.objects.get(message=message, channel="email", **filters)


def test_a_message_ticked_off_over_the_weekend_gets_no_mail(clock, receptionist, colleague):
    (message,) = _friday(clock, receptionist, colleague)
    clock.move_to(SATURDAY)
    Message.objects.filter(pk=message.pk).update(status=Status.HANDLED, handled_at=SATURDAY)
    _monday(clock)
    assert mail.outbox == []
    row = _email(message)
    assert (row.state, row.outcome) == ("dropped", "handled")
    assert Notification.objects.get(message=message, channel="in_app").state == "sent"  # true when it was shown


def test_a_message_passed_on_goes_to_nobody_twice_and_the_new_owner_hears_why(
    clock, receptionist, colleague, other_colleague
):
    (message,) = _friday(clock, receptionist, colleague)
    clock.move_to(SATURDAY)
    message_reassign(
        message=message,
        version=message.version,
        by=colleague,
        to_user=other_colleague,
        to_team=None,
        reason="Daan kent deze klant",
    )
    _monday(clock)
    assert (_email(message, recipient=colleague).state, _email(message, recipient=colleague).outcome) == (
        "dropped",
        "passed_on",
    )
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    assert "Waarom doorgegeven: Daan kent deze klant" in mail.outbox[0].body


def test_a_message_passed_on_without_telling_the_new_owner_goes_to_them_instead(
    clock, receptionist, colleague, other_colleague
):
    (message,) = _friday(clock, receptionist, colleague)
    Message.objects.filter(pk=message.pk).update(owner_user=other_colleague)
    _monday(clock)
    row = _email(message)
    assert (row.recipient, row.state, row.outcome) == (other_colleague, "sent", "to_new_owner")
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    assert "Het bericht is aan jou doorgegeven." in mail.outbox[0].body


def test_a_correction_over_the_weekend_is_what_the_mail_says(clock, receptionist, colleague):
    (message,) = _friday(clock, receptionist, colleague)
    clock.move_to(SATURDAY)
    message_correct(
        message=message,
        version=message.version,
        by=receptionist,
        values={"reason": "Factuur klopt niet", "caller_number": "+31201234567"},
    )
    _monday(clock)
    (sent,) = mail.outbox
    assert "Factuur klopt niet" in sent.body and "Vraag over de offerte" not in sent.body
    assert f"Nummer: {phone_display('+31201234567')}\n" in sent.body
    assert _email(message).outcome == "corrected"


def test_an_overdue_mail_is_dropped_once_the_message_is_no_longer_overdue(clock, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=FRIDAY_18 - timedelta(minutes=5))
    Message.objects.filter(pk=message.pk).update(overdue_level=1)
    _queue(message, Kind.OVERDUE)
    # A new promise made on Saturday: the callback is due next week.
    Message.objects.filter(pk=message.pk).update(overdue_level=0, deadline=MONDAY_0831 + timedelta(days=1))
    _monday(clock)
    assert mail.outbox == []
    assert _email(message).outcome == "no_longer_overdue"


@pytest.mark.parametrize("kind", [Kind.OVERDUE, Kind.ESCALATED, Kind.CALLED_AGAIN, Kind.REASSIGNED])
def test_every_kind_about_a_handled_message_is_dropped(clock, receptionist, colleague, manager, kind):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=FRIDAY_18 - timedelta(hours=3))
    Message.objects.filter(pk=message.pk).update(overdue_level=2)
    recipients = [manager] if kind == Kind.ESCALATED else [colleague]
    _queue(message, kind, recipients, call=message.calls.first() if kind == Kind.CALLED_AGAIN else None)
    Message.objects.filter(pk=message.pk).update(status=Status.HANDLED)
    _monday(clock)
    assert mail.outbox == []
    assert set(Notification.objects.values_list("state", "outcome")) == {("dropped", "handled")}
    assert Notification.objects.get(channel="in_app").read_at == MONDAY_0831  # kept in the list, read


def test_a_digest_lists_only_what_is_still_owed_and_none_when_nothing_is(
    clock, receptionist, colleague, other_colleague
):
    first, second = (
        MessageFactory(taken_by=receptionist, owner=colleague, caller_name=name)
        for name in ("Anne Open", "Henk Handled")
    )
    notification_queue(message=None, recipients=[colleague], kind=Kind.DIGEST, message_ids=[first.pk, second.pk])
    gone = MessageFactory(taken_by=receptionist, owner=other_colleague)
    notification_queue(message=None, recipients=[other_colleague], kind=Kind.DIGEST, message_ids=[gone.pk])
    Message.objects.filter(pk__in=[second.pk, gone.pk]).update(status=Status.HANDLED)
    _monday(clock)
    (sent,) = mail.outbox
    assert sent.to == [colleague.email] and sent.subject == "1 open terugbelverzoek"
    assert "Anne Open" in sent.body and "Henk Handled" not in sent.body
    assert Notification.objects.get(recipient=other_colleague, channel="email").outcome == "nothing_open"


def test_someone_away_from_monday_gets_no_mail_their_stand_in_does(clock, receptionist, colleague, other_colleague):
    (message,) = _friday(clock, receptionist, colleague)
    # Reported sick on Saturday, after the mail was queued: decided when it is delivered.
    Absence.objects.create(
        user=colleague, stand_in=other_colleague, starts_at=SATURDAY, ends_at=MONDAY_0831 + timedelta(days=2)
    )
    _monday(clock)
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    assert "Je vervangt een collega die afwezig is." in mail.outbox[0].body
    assert (_email(message).recipient, _email(message).outcome) == (other_colleague, "to_stand_in")
    # The in-app notice was shown on Friday, before the absence began: it stays where it was.
    assert Notification.objects.get(message=message, channel="in_app").recipient == colleague


def test_a_stand_in_told_already_by_the_routing_gets_no_second_mail(clock, receptionist, colleague, other_colleague):
    (message,) = _friday(clock, receptionist, colleague)
    Absence.objects.create(
        user=colleague, stand_in=other_colleague, starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=5)
    )
    clock.move_to(SATURDAY)
    notifications.notification_queue(message=message, recipients=[other_colleague], kind=Kind.REASSIGNED)
    _monday(clock)
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    assert _email(message, recipient=colleague).outcome == "away"


def test_someone_away_without_a_stand_in_gets_the_mail_when_back_at_opening(clock, receptionist, colleague):
    (message,) = _friday(clock, receptionist, colleague)
    back = datetime(2026, 12, 8, 0, 0, tzinfo=AMS)
    Absence.objects.create(user=colleague, starts_at=SATURDAY, ends_at=back)
    _monday(clock)
    assert mail.outbox == []
    assert _email(message).not_before == back
    clock.move_to(back + timedelta(hours=1))
    assert outbox_deliver(now=back + timedelta(hours=1)) == 0  # back, but the office opens at 08:30
    tuesday = datetime(2026, 12, 8, 8, 30, tzinfo=AMS)
    clock.move_to(tuesday)
    assert outbox_deliver(now=tuesday) == 1
    assert [m.to for m in mail.outbox] == [[colleague.email]]


def test_a_team_member_away_gets_nothing_for_a_team_message(clock, receptionist, colleague):
    team = colleague.teams.get()
    message = MessageFactory(taken_by=receptionist, owner=None, team=team)
    _queue(message, Kind.NEW_MESSAGE, [colleague])
    Absence.objects.create(user=colleague, starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=5))
    _monday(clock)
    assert mail.outbox == []
    assert _email(message).outcome == "away"


def test_what_quiet_hours_held_goes_out_as_one_mail_and_the_app_keeps_one_notice_each(clock, receptionist, colleague):
    messages = _friday(
        clock, receptionist, colleague, count=4, window_between_start=time(13, 0), window_between_end=time(15, 0)
    )
    overdue = messages[0]
    Message.objects.filter(pk=overdue.pk).update(overdue_level=1, deadline=FRIDAY_18)
    _queue(overdue, Kind.OVERDUE)
    assert _monday(clock) == 6  # five emails in one mail, and the overdue notice in the app
    (sent,) = mail.outbox
    assert sent.to == [colleague.email] and sent.subject == "4 terugbelverzoeken wachten op je"
    for message in messages:
        assert message.caller_name in sent.body and f"/callbacks/{message.pk}/" in sent.body
    assert "06 12345670" in sent.body  # the number as the intake shows it
    assert "Nieuw bericht, Terugbelverzoek te laat: Beller 0" in sent.body
    assert "Wensen van de beller:" in sent.body and "Vraag over de offerte" in sent.body
    assert set(Notification.objects.filter(channel="email").values_list("state", flat=True)) == {"sent"}
    assert Notification.objects.filter(channel="in_app", state="sent").count() == 5
    assert outbox_deliver(now=MONDAY_0831 + timedelta(minutes=5), grace=timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_the_one_mail_is_in_the_recipients_language(clock, receptionist, colleague):
    colleague.preferred_language = "en"
    colleague.save()
    _friday(clock, receptionist, colleague, count=2)
    _monday(clock)
    (sent,) = mail.outbox
    assert sent.subject == "2 callbacks wait for you" and "New message: Beller 1" in sent.body


def test_rows_another_sweep_claimed_first_are_never_in_a_second_mail(clock, receptionist, colleague):
    messages = _friday(clock, receptionist, colleague, count=3)
    clock.move_to(MONDAY_0831)
    ids = list(Notification.objects.filter(channel="email").order_by("pk").values_list("pk", flat=True))
    assert delivery.notification_deliver(notification_id=ids[0], now=MONDAY_0831)  # a retried task, alone
    assert emails_deliver_together(ids=ids, now=MONDAY_0831) == 2
    assert emails_deliver_together(ids=ids, now=MONDAY_0831) == 0
    assert len(mail.outbox) == 2
    assert messages[0].caller_name in mail.outbox[0].body and messages[0].caller_name not in mail.outbox[1].body


def test_a_failed_send_of_the_one_mail_backs_off_every_row_and_sends_once_later(clock, receptionist, colleague):
    _friday(clock, receptionist, colleague, count=2)
    clock.move_to(MONDAY_0831)
    with mock.patch("callbacks.services.delivery.send_mail", side_effect=OSError("smtp down")):
        assert outbox_deliver(now=MONDAY_0831) == 0
    rows = Notification.objects.filter(channel="email")
    assert set(rows.values_list("state", "failures")) == {("pending", 1)}
    assert outbox_deliver(now=MONDAY_0831 + timedelta(minutes=1)) == 2
    assert outbox_deliver(now=MONDAY_0831 + timedelta(minutes=2)) == 0
    assert len(mail.outbox) == 1


def test_with_the_broker_down_all_weekend_each_mail_goes_out_once(clock, receptionist, colleague, other_colleague):
    with mock.patch("callbacks.tasks.notifications_deliver_task.apply_async", side_effect=OSError("broker down")):
        messages = [
            MessageFactory(taken_by=receptionist, owner=owner) for owner in (colleague, colleague, other_colleague)
        ]
        for message in messages:
            notifications._publish([row.pk for row in _queue(message, Kind.NEW_MESSAGE)])
    _monday(clock)
    outbox_deliver(now=MONDAY_0831 + timedelta(minutes=1))
    assert sorted(m.to[0] for m in mail.outbox) == [colleague.email, other_colleague.email]
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


def test_an_escalation_for_a_manager_away_goes_to_their_stand_in(
    clock, receptionist, colleague, manager, other_colleague
):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=FRIDAY_18 - timedelta(hours=3))
    Message.objects.filter(pk=message.pk).update(overdue_level=2)
    _queue(message, Kind.ESCALATED, [manager])
    Absence.objects.create(
        user=manager, stand_in=other_colleague, starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=5)
    )
    _monday(clock)
    assert [m.to for m in mail.outbox] == [[other_colleague.email]]
    assert "Geëscaleerd" in mail.outbox[0].subject
    assert _email(message).outcome == "to_stand_in"


def test_a_reset_link_is_never_held_or_dropped(clock, colleague):
    Absence.objects.create(user=colleague, starts_at=FRIDAY_18 - timedelta(hours=1), ends_at=SATURDAY)
    row = notifications.password_reset_queue(user_id=colleague.pk)
    assert delivery.notification_deliver(notification_id=row.pk, now=FRIDAY_18)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
