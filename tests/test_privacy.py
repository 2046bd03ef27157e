"""Privacy rights for a manager (issue 17): export one caller's data, erase one caller, set the retention."""

import json
from io import StringIO
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from callbacks import tasks
from callbacks.domain.figures import Period
from callbacks.models import (
    Attempt,
    CallDraft,
    Caller,
    CallerLinkEvent,
    CallerNumber,
    CallLog,
    Heartbeat,
    Message,
    MessageEvent,
    Notification,
    PrivacyRecord,
    RetentionSetting,
    Status,
)
from callbacks.selectors import statistics
from callbacks.selectors.privacy import next_retention_run, number_fingerprint, retention_days
from callbacks.selectors.privacy_export import _label
from callbacks.services.privacy import caller_erase
from callbacks.services.callers import caller_number_link
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=AMS)
NUMBER, OTHER_NUMBER = "+31612345678", "+31201234567"
# Every trace of the caller the fixture below leaves; none may survive an erasure anywhere in the database.
TRACES = ("Pieter", "deboer", "De Boer", "612345678", "12345678", "vrouw", "ziek")
DECEMBER = Period(start=date(2026, 11, 1), end=date(2026, 12, 1))

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


@pytest.fixture
def caller(receptionist, colleague, manager, clock):
    """Pieter, with a handled message, an open one from his second number, and a call in progress about him."""
    now = clock.now()
    handled = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        taken_at=now - timedelta(days=3),
        handled_at=now - timedelta(days=1),
        deadline=now - timedelta(days=2),
        handled_by=colleague,
        outcome="solved",
        caller_company="De Boer Bouw",
        caller_email="pieter@deboer.example",
        handled_note="Pieter belt zijn vrouw terug",
        later_reason="Pieter is op vakantie",
        promise_exception_reason="Pieter vroeg om de avond",
        call_type="complaint",
        tone="angry",
        attempt_count=1,
    )
    CallLog.objects.filter(message=handled).update(note="Pieter klonk ziek")
    Attempt.objects.create(
        message=handled,
        made_by=colleague,
        made_at=now - timedelta(days=1),
        result=Attempt.Result.REACHED,
        note="Voicemail van Pieter",
        exception_reason="Pieter werkt 's avonds",
    )
    MessageEvent.objects.create(
        message=handled,
        actor=receptionist,
        at=now - timedelta(days=3),
        kind=MessageEvent.Kind.CORRECTED,
        note="Naam van Pieter verbeterd",
        changes={
            "caller_name": ["Piet", "Pieter de Boer"],
            "tone": ["Calm", "Angry"],
            "caller_number": ["", "06 12345678"],
        },
    )
    Notification.objects.create(
        recipient=colleague,
        message=handled,
        kind=Notification.Kind.NEW_MESSAGE,
        channel=Notification.Channel.IN_APP,
        created_at=now - timedelta(days=3),
    )
    open_one = MessageFactory(
        taken_by=receptionist, owner=colleague, caller_number=OTHER_NUMBER, reason="Pieter wil zijn offerte bespreken"
    )
    draft = CallDraft.objects.create(
        taken_by=receptionist, data={"caller": {"name": "Pieter de Boer", "number": "06-12345678"}}
    )
    someone_else = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        caller_name="Sanne Jansen",
        caller_number="+31687654321",
        reason="Levering",
    )
    return {"handled": handled, "open": open_one, "draft": draft, "someone_else": someone_else}


def _caller_url(name: str, *numbers: str) -> str:
    return reverse(name) + "?" + "&".join(f"number={number}" for number in numbers)


def _database_text() -> str:
    """Every row of every model, as JSON: what an erasure must leave without the caller."""
    return "".join(
        serializers.serialize("json", model.objects.all())
        for model in apps.get_models()
        if model._meta.app_label in {"callbacks", "accounts", "admin"}
    )


def _erase(client, *numbers: str, confirm: str = "WISSEN"):
    return client.post(
        _caller_url("dashboard:privacy_caller", *numbers),
        {"reason": "Verzoek per e-mail van 1 december", "confirm": confirm},
    )


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard:privacy", "dashboard:privacy_caller", "dashboard:privacy_export"])
def test_it_shows_the_privacy_pages_to_managers_only(client, caller, receptionist, colleague, outsider, manager, name):
    url = _caller_url(name, NUMBER)
    for person in (receptionist, colleague, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert _erase(client, NUMBER).status_code == 404
    assert Message.objects.filter(caller_number=NUMBER).exists()
    assert not PrivacyRecord.objects.exists()
    client.force_login(manager)
    assert client.get(url).status_code == 200


# --- the right of access ----------------------------------------------------------------------------------


def test_it_exports_every_field_of_every_message_in_any_written_form(client, manager, caller):
    client.force_login(manager)
    response = client.get(_caller_url("dashboard:privacy_export", "06-12345678", "020 123 4567"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="gegevens-beller-2026-12-01')
    body = response.content.decode()
    for field in Message._meta.concrete_fields:
        assert f">{_label(field)}</th>" in body, field.name
    for text in (
        "De Boer Bouw",
        "pieter@deboer.example",
        "Pieter klonk ziek",
        "Voicemail van Pieter",
        "Pieter werkt &#x27;s avonds",
        "Naam van Pieter verbeterd",
        "Pieter wil zijn offerte bespreken",
        "06 12345678",
        "020 123 4567",
        "Klacht",
        "Bericht ",
        str(caller["handled"].intake_token),
    ):
        assert text in body, text
    assert "Sanne" not in body
    assert body.count("<caption>Bericht ") == 2  # both numbers' messages, not the other caller's
    assert "Gesprek in behandeling" in body  # the call in progress that holds the number


def test_it_logs_an_export_without_the_data(client, manager, caller):
    client.force_login(manager)
    client.get(_caller_url("dashboard:privacy_export", NUMBER))
    record = PrivacyRecord.objects.get()
    assert (record.kind, record.by, record.message_count) == (PrivacyRecord.Kind.EXPORT, manager, 1)
    assert record.number_hashes == [number_fingerprint(NUMBER)]
    assert "612345678" not in json.dumps(serializers.serialize("json", [record]))


def test_the_caller_page_reads_a_constant_number_of_queries(client, manager, caller, receptionist, colleague):
    client.force_login(manager)
    url = _caller_url("dashboard:privacy_caller", NUMBER)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        message = MessageFactory(taken_by=receptionist, owner=colleague)
        Attempt.objects.create(message=message, made_by=colleague, result=Attempt.Result.NO_ANSWER)
    client.get(url)  # the navigation's cached counts moved on with the new messages; read them again first
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "6 berichten" in response.content.decode()
    assert len(many) == len(few)


# --- the right to erasure ---------------------------------------------------------------------------------


def test_it_erases_the_caller_from_every_table_and_keeps_the_statistics(client, manager, caller, clock):
    call_command("rebuild_statistics", stdout=StringIO())  # the statistics read the rollup
    before = statistics.statistics_for(period=DECEMBER, team=None, now=clock.now())
    assert before.total.taken
    assert "Pieter" in _database_text()
    client.force_login(manager)
    response = _erase(client, "06 12345678", "+31 20 123 4567")
    assert response.status_code == 302
    text = _database_text()
    for trace in TRACES:
        assert trace not in text, trace
    handled, open_one = caller["handled"], caller["open"]
    for message in (handled, open_one):
        message.refresh_from_db()
        assert (message.caller_name, str(message.caller_number), message.caller_email, message.caller_company) == (
            "",
            "",
            "",
            "",
        )
        assert message.anonymised_at == clock.now()
    assert open_one.status == Status.OPEN and handled.status == Status.HANDLED
    assert not CallLog.objects.exclude(note="").exists()
    assert not Attempt.objects.exclude(note="").exists() and not Attempt.objects.exclude(exception_reason="").exists()
    event = MessageEvent.objects.get(kind=MessageEvent.Kind.CORRECTED)
    assert event.note == "" and event.changes["tone"] == ["Calm", "Angry"]
    assert not CallDraft.objects.filter(pk=caller["draft"].pk).exists()
    assert Notification.objects.filter(message=handled).count() == 1  # ids only: kept for the inbox's counts
    caller["someone_else"].refresh_from_db()
    assert caller["someone_else"].caller_name == "Sanne Jansen"
    call_command("rebuild_statistics", stdout=StringIO())  # rebuilt from the anonymised messages
    after = statistics.statistics_for(period=DECEMBER, team=None, now=clock.now())
    # The repeat-callers list is left out on purpose: it names numbers, and an erased number must leave it.
    for part in ("total", "teams", "colleagues", "call_types", "hours"):
        assert getattr(after, part) == getattr(before, part), part
    export = client.get(_caller_url("dashboard:privacy_export", NUMBER, OTHER_NUMBER)).content.decode()
    assert "<caption>" not in export and "Pieter" not in export


def test_the_erasure_is_logged_without_the_number(client, manager, caller):
    client.force_login(manager)
    _erase(client, NUMBER, OTHER_NUMBER)
    record = PrivacyRecord.objects.get()
    assert (record.kind, record.by, record.message_count, record.reason) == (
        PrivacyRecord.Kind.ERASURE,
        manager,
        2,
        "Verzoek per e-mail van 1 december",
    )
    assert sorted(record.number_hashes) == sorted([number_fingerprint(NUMBER), number_fingerprint(OTHER_NUMBER)])
    assert "12345678" not in serializers.serialize("json", [record])


def test_erasing_twice_changes_nothing_more(manager, caller, clock):
    assert caller_erase(by=manager, numbers=[NUMBER], reason="verzoek", now=clock.now()) == 1
    first = _database_text()
    clock.shift(timedelta(hours=1))
    assert caller_erase(by=manager, numbers=[NUMBER], reason="verzoek", now=clock.now()) == 0
    assert _database_text() == first
    assert PrivacyRecord.objects.count() == 1


@pytest.mark.parametrize("confirm", ["", "wissen", "ja"])
def test_it_erases_nothing_without_the_word(client, manager, caller, confirm):
    client.force_login(manager)
    response = _erase(client, NUMBER, confirm=confirm)
    assert response.status_code == 200
    assert "WISSEN" in response.content.decode()
    assert Message.objects.filter(caller_number=NUMBER, anonymised_at__isnull=True).exists()
    assert not PrivacyRecord.objects.exists()


def test_a_get_never_erases(client, manager, caller):
    client.force_login(manager)
    client.get(_caller_url("dashboard:privacy_caller", NUMBER) + "&reason=x&confirm=WISSEN")
    assert Message.objects.filter(caller_number=NUMBER).exists()


def test_a_text_that_is_no_number_finds_nothing(client, manager, caller):
    client.force_login(manager)
    response = client.get(_caller_url("dashboard:privacy_caller", "Pieter"))
    assert 'data-test="no-number"' in response.content.decode()
    assert _erase(client, "Pieter").status_code == 200
    assert Message.objects.filter(caller_number=NUMBER, anonymised_at__isnull=True).exists()


# --- retention ----------------------------------------------------------------------------------------------


@override_settings(RETENTION_DAYS=180)
def test_without_a_setting_the_environment_decides(db):
    assert retention_days() == 180


def test_a_manager_sets_the_retention_and_it_is_logged(client, manager):
    client.force_login(manager)
    response = client.post(reverse("dashboard:privacy"), {"days": "30"})
    assert response.status_code == 302
    assert RetentionSetting.objects.get().days == 30 and retention_days() == 30
    record = PrivacyRecord.objects.get()
    assert (record.kind, record.by, record.days_after) == (PrivacyRecord.Kind.RETENTION, manager, 30)
    assert client.post(reverse("dashboard:privacy"), {"days": "0"}).status_code == 200
    assert retention_days() == 30


@override_settings(RETENTION_DAYS=180)
def test_the_nightly_task_uses_the_period_set_by_the_manager(client, manager, receptionist, colleague, clock):
    old = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        handled_by=colleague,
        taken_at=clock.now() - timedelta(days=42),
        handled_at=clock.now() - timedelta(days=40),
        deadline=clock.now() - timedelta(days=41),
    )
    clock.shift(timedelta(hours=12))  # 02:00 the next night
    assert tasks.messages_anonymise_task() == 0  # 40 days is within the 180 of the environment
    client.force_login(manager)
    client.post(reverse("dashboard:privacy"), {"days": "30"})
    assert tasks.messages_anonymise_task() == 1
    old.refresh_from_db()
    assert old.caller_name == "" and old.anonymised_at == clock.now()
    beat = Heartbeat.objects.get(name=Heartbeat.RETENTION)
    assert (beat.last_run_at, beat.last_count) == (clock.now(), 1)


def test_the_page_shows_the_next_run_and_what_it_will_anonymise(client, manager, receptionist, colleague, clock):
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        handled_by=colleague,
        taken_at=clock.now() - timedelta(days=400),
        handled_at=clock.now() - timedelta(days=399),
        deadline=clock.now() - timedelta(days=399),
    )
    client.force_login(manager)
    page = client.get(reverse("dashboard:privacy")).content.decode()
    assert "woensdag 2 december 2026, 01:00" in page
    assert "1 bericht wordt geanonimiseerd" in page
    assert "Nog niet gedraaid" in page


def test_the_next_run_is_the_coming_night_or_this_hour_during_the_night(clock):
    assert next_retention_run(now=clock.now()) == datetime(2026, 12, 2, 1, 0, tzinfo=AMS)
    at_night = datetime(2026, 12, 2, 3, 30, tzinfo=AMS)
    assert next_retention_run(now=at_night) == at_night
    assert next_retention_run(now=datetime(2026, 12, 2, 0, 30, tzinfo=AMS)) == datetime(2026, 12, 2, 1, 0, tzinfo=AMS)
    # The night the clocks go back (25 October 2026): still 01:00 local.
    assert next_retention_run(now=datetime(2026, 10, 24, 22, 0, tzinfo=AMS)) == datetime(2026, 10, 25, 1, 0, tzinfo=AMS)


@override_settings(RETENTION_DAYS=180)
def test_the_command_defaults_to_the_period_set_by_the_manager(manager, receptionist, colleague, clock):
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        handled_by=colleague,
        taken_at=clock.now() - timedelta(days=42),
        handled_at=clock.now() - timedelta(days=40),
        deadline=clock.now() - timedelta(days=41),
    )
    out = StringIO()
    call_command("anonymise_messages", "--dry-run", stdout=out)
    assert "Would anonymise 0 message(s) handled more than 180 days ago" in out.getvalue()
    RetentionSetting.objects.create(days=30, changed_by=manager, changed_at=clock.now())
    call_command("anonymise_messages", stdout=out)
    assert "Anonymised 1 message(s) handled more than 30 days ago" in out.getvalue()


def test_erasing_a_caller_removes_the_caller_pages_links_of_the_numbers(client, manager, caller, clock):
    linked = caller_number_link(number=NUMBER, other=OTHER_NUMBER, actor=manager, now=clock.now())
    kept = caller_number_link(number="+31687654321", other="+31201112233", actor=manager, now=clock.now())
    client.force_login(manager)
    _erase(client, "06 12345678", "+31 20 123 4567")
    assert not CallerNumber.objects.filter(number__in=[NUMBER, OTHER_NUMBER]).exists()
    assert not CallerLinkEvent.objects.filter(number__in=[NUMBER, OTHER_NUMBER]).exists()
    assert not Caller.objects.filter(pk=linked.pk).exists()
    assert CallerNumber.objects.filter(caller=kept).count() == 2  # another caller's links stay
