""" "Put through": the third outcome of step 1, saved once, owed by no one, counted in the statistics."""

import csv
import io
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callbacks import services
from callbacks.domain.figures import Period
from callbacks.models import CallLog, Message, MessageEvent, Notification, Status
from callbacks.selectors import statistics
from callbacks.services.rollups import rollup_range_rebuild
from tests.conftest import login_across_time
from tests.factories import MessageFactory
from tests.intake_helpers import RECIPIENT, post_step, saved, start_call, step_url

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)
NOVEMBER = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=MONDAY_10), pytest.mark.usefixtures("clock")]


@pytest.fixture
def desk(client, receptionist, colleague):
    login_across_time(client, receptionist)
    return client


def _put_through(token, receptionist, colleague):
    return services.message_record_put_through(
        token=token, taken_by=receptionist, intended_user=colleague, owner_team=colleague.teams.get()
    )


def test_put_through_is_saved_once_however_often_it_is_repeated(receptionist, colleague):
    token = uuid.uuid4()
    first = _put_through(token, receptionist, colleague)
    again = _put_through(token, receptionist, colleague)
    assert first.pk == again.pk and Message.objects.count() == 1
    assert (first.status, first.wants_callback, first.deadline) == (Status.PUT_THROUGH, False, None)
    assert CallLog.objects.filter(intake_token=token).count() == 1
    assert list(MessageEvent.objects.values_list("kind", flat=True)) == [MessageEvent.Kind.PUT_THROUGH]
    assert not Notification.objects.exists()


def test_put_through_is_nobodys_open_callback(receptionist, colleague):
    _put_through(uuid.uuid4(), receptionist, colleague)
    assert not Message.objects.open().exists()
    assert not Message.objects.owed_by(colleague).exists()
    assert Message.objects.visible_to(receptionist).count() == 1  # she still sees what she recorded


def test_the_intake_records_put_through_in_one_submit_and_a_repeated_post_changes_nothing(desk, colleague):
    start_call(desk)
    response = post_step(desk, "recipient", {**RECIPIENT, "decision": "put_through", "note": ""})
    assert saved(response) and "Opgeslagen: je hebt de beller doorverbonden." in response.content.decode()
    message = Message.objects.get()
    assert message.status == Status.PUT_THROUGH and message.intended_user == colleague
    payload = {"recipient-recipient": "Bram", "recipient-decision": "put_through"}
    again = desk.post(step_url(str(message.intake_token), "recipient"), payload, follow=True)
    assert saved(again) and "Dit gesprek was al opgeslagen." in again.content.decode()
    assert Message.objects.count() == 1 and CallLog.objects.count() == 1


def test_the_first_step_offers_put_through(desk):
    page = start_call(desk).content.decode()
    assert 'value="put_through"' in page and "Doorverbonden met de collega" in page


def _office(receptionist, colleague):
    def at(day):
        return datetime(2026, 11, day, 10, 0, tzinfo=AMS)

    MessageFactory(taken_by=receptionist, owner=colleague, taken_at=at(3), deadline=at(4))
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        taken_at=at(3),
        status=Status.HANDLED_AT_INTAKE,
        handled_at=at(3),
        wants_callback=False,
    )
    for day in (5, 6):
        MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            taken_at=at(day),
            status=Status.PUT_THROUGH,
            handled_at=at(day),
            wants_callback=False,
        )


def test_put_through_is_counted_in_the_statistics(receptionist, colleague):
    _office(receptionist, colleague)
    rollup_range_rebuild(start=NOVEMBER.start, end=NOVEMBER.end, now=MONDAY_10)  # as the beat keeps it
    total = statistics.statistics_for(period=NOVEMBER, team=None, now=MONDAY_10).total
    assert (total.taken, total.helped_at_intake, total.put_through, total.called_back) == (4, 1, 2, 0)
    assert (total.promise_due, total.within_promise) == (1, 0)  # only the open message promised anything


def test_the_statistics_page_and_csv_show_put_through(client, manager, receptionist, colleague):
    _office(receptionist, colleague)
    rollup_range_rebuild(start=NOVEMBER.start, end=NOVEMBER.end, now=MONDAY_10)  # as the beat keeps it
    login_across_time(client, manager)
    query = {"start": "2026-11-01", "end": "2026-11-30"}
    page = client.get("/dashboard/statistics/", query).content.decode()
    assert 'data-test="put-through">2<' in page
    rows = list(
        csv.reader(
            io.StringIO(client.get("/dashboard/statistics.csv", query).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][2:5] == ["Aangenomen berichten", "Direct geholpen", "Doorverbonden"]
    assert rows[1][2:5] == ["4", "1", "2"]


def test_put_through_falls_under_the_retention_rules_like_helped_directly(clock, receptionist, colleague):
    from datetime import timedelta

    from callbacks.services.retention import messages_anonymise

    old = _put_through(uuid.uuid4(), receptionist, colleague)
    recent = _put_through(uuid.uuid4(), receptionist, colleague)
    Message.objects.filter(pk=old.pk).update(
        handled_at=clock.now() - timedelta(days=200), taken_at=clock.now() - timedelta(days=200)
    )
    assert messages_anonymise(now=clock.now(), older_than_days=180) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymised_at == clock.now() and recent.anonymised_at is None
