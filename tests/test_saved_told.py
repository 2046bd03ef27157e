"""The receptionist's save screen says who was told and how, read from the notification rows the save wrote."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Absence, Team
from callbacks.models import Notification
from callbacks.selectors.notified import notified_by_save
from callbacks.services.delivery import notification_deliver
from tests.conftest import login_across_time, make_user
from tests.intake_helpers import CALLER, RECIPIENT, post_step, saved, start_call, take_message, token_of

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
TUESDAY_EARLY = datetime(2026, 12, 1, 7, 15, tzinfo=AMS)  # the office opens at 08:30
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _saved_text(responses) -> str:
    page = responses[-1].content.decode()
    return re.search(r'<div class="alert alert-success" role="status">([^<]*)</div>', page).group(1)


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_in_hours_the_colleague_is_told_in_the_app_and_by_mail_now(client, receptionist, colleague):
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client))
    assert text == "Bericht voor Bram opgeslagen. Bram is op de hoogte gebracht (in Terugbel nu; per mail nu)."


@pytest.mark.clock(at=TUESDAY_EARLY)
def test_before_opening_the_mail_waits_for_the_opening(client, receptionist, colleague):
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client))
    assert text.endswith("Bram is op de hoogte gebracht (in Terugbel nu; per mail om 08:30 bij opening).")


@pytest.mark.clock(at=FRIDAY_EVENING)
def test_on_friday_evening_the_mail_waits_for_monday(client, receptionist, colleague):
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client))
    assert text.endswith("(in Terugbel nu; per mail op maandag om 08:30 bij opening).")


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_a_colleague_away_is_named_with_the_stand_in_who_was_told(
    client, clock, receptionist, colleague, other_colleague
):
    now = clock.now()
    Absence.objects.create(
        user=colleague, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2), stand_in=other_colleague
    )
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client, recipient=RECIPIENT))
    assert text.endswith(
        "Daan is op de hoogte gebracht (in Terugbel nu; per mail nu); Bram is afwezig, Daan neemt waar."
    )
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"daan"}


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_without_an_address_no_mail_is_promised(client, receptionist, colleague):
    colleague.email = ""
    colleague.save(update_fields=["email"])
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client))
    assert text.endswith("Bram is op de hoogte gebracht (in Terugbel nu).")


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_a_team_message_names_its_members_and_counts_the_rest(client, receptionist, colleague):
    sales = Team.objects.get(name="Verkoop")
    for name in ("carla", "evi", "fleur"):
        sales.members.add(make_user(name, "colleague"))
    login_across_time(client, receptionist)
    text = _saved_text(take_message(client, recipient={"recipient": "Verkoop", "decision": "message"}))
    assert text.endswith("Bram, Carla, Evi en 1 andere zijn op de hoogte gebracht (in Terugbel nu; per mail nu).")


@pytest.mark.clock(at=TUESDAY_EARLY)
def test_the_selector_reads_what_delivery_did_with_the_rows(client, clock, receptionist, colleague):
    login_across_time(client, receptionist)
    start_call(client)
    token = uuid.UUID(token_of(client))
    take_message(client, start=False)
    mail = Notification.objects.get(channel=Notification.Channel.EMAIL)

    assert notification_deliver(notification_id=mail.pk, now=clock.now()) is False  # held by quiet hours
    (told,) = notified_by_save(message=mail.message, token=token, now=clock.now()).told
    opening = datetime(2026, 12, 1, 8, 30, tzinfo=AMS)
    assert told.recipient == colleague and told.mail_held and told.mail_at == opening

    clock.shift(timedelta(hours=1, minutes=30))  # 08:45: open, the held mail goes out
    assert notification_deliver(notification_id=mail.pk, now=clock.now()) is True
    (told,) = notified_by_save(message=mail.message, token=token, now=clock.now()).told
    assert not told.mail_held and told.mail_at == clock.now()


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_a_repeat_call_says_who_was_told_again(client, receptionist, colleague):
    login_across_time(client, receptionist)
    take_message(client)
    start_call(client)
    post_step(client, "recipient", RECIPIENT)
    message_id = Notification.objects.first().message_id
    post_step(client, "caller", {**CALLER, "add_to": str(message_id)})
    response = post_step(client, "repeat", {"note": "Belt weer"})
    assert saved(response)
    text = _saved_text([response])
    assert text.startswith("Dit gesprek is toegevoegd aan het open bericht")
    assert text.endswith("Bram is op de hoogte gebracht (in Terugbel nu; per mail nu).")


@pytest.mark.clock(at=TUESDAY_EARLY)
def test_the_rows_a_save_wrote_say_what_reading_them_back_says(clock, receptionist, colleague):
    """The save screen is told from the rows the save just wrote (services.Taken): the same as reading the
    outbox, for a team with a member without an address and mails held until the opening."""
    from callbacks import services

    sales = Team.objects.get(name="Verkoop")
    for name in ("evi", "carla"):
        sales.members.add(make_user(name, "colleague"))
    evi = sales.members.get(username="evi")
    evi.email = ""
    evi.save(update_fields=["email"])
    token, now = uuid.uuid4(), clock.now()
    taken = services.message_take(
        token=token,
        taken_by=receptionist,
        intended_user=None,
        owner_user=None,
        owner_team=sales,
        caller=services.CallerDetails("Pieter de Boer", "+31612345678"),
        reason="Storing",
        call_type="question",
        tone="calm",
        promise=services.Promise(deadline=now + timedelta(hours=4), policy_deadline=now + timedelta(hours=4)),
    )
    written = notified_by_save(message=taken.message, token=token, now=now, written=taken.notifications)
    read = notified_by_save(message=taken.message, token=token, now=now)
    assert written == read
    assert [(str(told.recipient), told.mail_held) for told in written.told] == [
        ("Bram", True),
        ("Carla", True),
        ("Evi", False),
    ]
    assert written.told[2].mail_at is None  # no address, no mail


@pytest.mark.clock(at=TUESDAY_MORNING)
def test_the_save_does_not_read_back_the_rows_it_wrote(client, receptionist, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.intake_helpers import PROMISE, READBACK, REASON

    login_across_time(client, receptionist)
    start_call(client)
    for step, data in (("recipient", RECIPIENT), ("caller", CALLER), ("reason", REASON), ("promise", PROMISE)):
        post_step(client, step, data)
    post_step(client, "readback", READBACK)
    with CaptureQueriesContext(connection) as queries:
        save = post_step(client, "close", {"token": token_of(client)}, follow=False)
    assert save.status_code == 303 and Notification.objects.count() == 2  # in the app and by mail
    assert not [q for q in queries if q["sql"].startswith("SELECT") and '"callbacks_notification"' in q["sql"]]
    desk = client.get(save["Location"])
    assert _saved_text([desk]).endswith("Bram is op de hoogte gebracht (in Terugbel nu; per mail nu).")
