"""Numbers as people write them, and shown as they are dialled from a Dutch desk (issue 15, point 5).

Dutch numbers in the national format, every other number in the international one, because the
national format of a Berlin number (030 1234567) is a number in Utrecht; tel: links in E.164.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from callbacks.domain import phone
from callbacks.forms.intake import normalise_number
from callbacks.forms.work import CorrectForm
from callbacks.models import Message, Notification
from callbacks.services import digests_send
from callbacks.services.notifications import notification_queue
from tests.conftest import login_across_time
from tests.factories import MessageFactory
from tests.intake_helpers import CALLER, REASON, RECIPIENT, post_step, start_call, take_message

AMS = ZoneInfo("Europe/Amsterdam")
NBSP = "\u00a0"

# What a receptionist types, what is stored and what a colleague reads to dial it.
ACCEPTED = [
    ("06-12345678", "+31612345678", "06 12345678"),
    ("06 1234 5678", "+31612345678", "06 12345678"),
    ("(06) 12345678", "+31612345678", "06 12345678"),
    ("06.12.34.56.78", "+31612345678", "06 12345678"),
    (f"{NBSP}06{NBSP}12345678 ", "+31612345678", "06 12345678"),
    ("06–12345678", "+31612345678", "06 12345678"),  # an en dash, as pasted from a document
    ("020-1234567", "+31201234567", "020 123 4567"),
    ("020 123 45 67", "+31201234567", "020 123 4567"),
    ("020/1234567", "+31201234567", "020 123 4567"),
    ("+31 6 12345678", "+31612345678", "06 12345678"),
    ("+31 (0)6 1234 5678", "+31612345678", "06 12345678"),
    ("+31(0)20-1234567", "+31201234567", "020 123 4567"),
    ("0031 6 12345678", "+31612345678", "06 12345678"),
    ("00 31 6 12345678", "+31612345678", "06 12345678"),
    ("0031 (0)6 12345678", "+31612345678", "06 12345678"),
    ("0800-1234", "+318001234", "0800 1234"),
    ("0800 0123456", "+318000123456", "0800 0123456"),
    ("0900-1234567", "+319001234567", "0900 1234567"),
    ("+32 2 555 12 12", "+3225551212", "+32 2 555 12 12"),
    ("0032 2 555 12 12", "+3225551212", "+32 2 555 12 12"),
    ("+32 (0)2 555 12 12", "+3225551212", "+32 2 555 12 12"),
    ("+49 30 1234567", "+49301234567", "+49 30 1234567"),
    ("+49 (0)30 1234567", "+49301234567", "+49 30 1234567"),
    ("0049 30 1234567", "+49301234567", "+49 30 1234567"),
    ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ("+44 (0)20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ("+1 212 555 0123", "+12125550123", "+1 212-555-0123"),
    ("+39 06 12345678", "+390612345678", "+39 06 1234 5678"),  # Italy keeps its 0
]

REFUSED = [
    ("", phone.Refusal.EMPTY),
    ("   ", phone.Refusal.EMPTY),
    ("112", phone.Refusal.SHORT_NUMBER),
    ("14020", phone.Refusal.SHORT_NUMBER),
    ("14 020", phone.Refusal.SHORT_NUMBER),
    ("+31 14020", phone.Refusal.SHORT_NUMBER),
    ("1212", phone.Refusal.SHORT_NUMBER),
    ("12345", phone.Refusal.SHORT_NUMBER),
    ("bel me", phone.Refusal.LETTERS),
    ("06-1234567a", phone.Refusal.LETTERS),
    ("0612345678 ext 12", phone.Refusal.LETTERS),
    ("06-1234", phone.Refusal.TOO_SHORT),
    ("06-1234567", phone.Refusal.TOO_SHORT),
    ("06-123456789", phone.Refusal.TOO_LONG),
    ("01-12345678", phone.Refusal.INVALID),
    ("020-12", phone.Refusal.TOO_SHORT),
    ("+31 6 1234", phone.Refusal.TOO_SHORT),
    ("0800-123", phone.Refusal.TOO_SHORT),
    ("06-123456789012", phone.Refusal.TOO_LONG),
    ("0" + "6" * 45, phone.Refusal.TOO_LONG),
    ("+999 123456", phone.Refusal.UNKNOWN_COUNTRY),
    ("+49 30", phone.Refusal.TOO_SHORT),
]


@pytest.mark.parametrize("typed, e164, shown", ACCEPTED)
def test_it_accepts_numbers_as_people_write_them_and_shows_them_as_dialled(typed, e164, shown):
    assert phone.parse(typed) == e164
    assert phone.display(e164) == shown
    assert phone.tel_uri(e164) == f"tel:{e164}"


@pytest.mark.parametrize("typed, refusal", REFUSED)
def test_it_refuses_what_cannot_be_dialled_and_says_why(typed, refusal):
    assert phone.parse(typed) is None
    with pytest.raises(phone.NumberRefused) as refused:
        phone.read(typed)
    assert refused.value.refusal == refusal
    assert "06-12345678" in str(refused.value.message)  # the formats that do work


def test_normalise_number_is_the_phone_modules_parse():
    assert normalise_number("+31 (0)6 1234 5678") == "+31612345678"
    assert normalise_number("112") == ""
    assert normalise_number(None) == ""


def test_a_stored_value_that_does_not_parse_is_shown_as_it_is_and_not_linked():
    assert phone.display("") == "" and phone.tel_uri("") == ""
    assert phone.display(None) == "" and phone.tel_uri(None) == ""
    assert phone.display("onbekend") == "onbekend" and phone.tel_uri("onbekend") == ""


def _example_numbers() -> list[str]:
    found = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            # A UAN (the Dutch 14 0xx town-hall numbers) is refused on purpose, like 112.
            if example is not None and phonenumbers.number_type(example) != phonenumbers.PhoneNumberType.UAN:
                found.add(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


@given(st.sampled_from(_example_numbers()))
def test_what_is_shown_dials_the_same_number_again(e164):
    assert phone.parse(phone.display(e164)) == e164
    assert phone.tel_uri(e164) == f"tel:{e164}"


def test_the_correction_form_reads_numbers_like_the_intake():
    data = {
        "version": 1,
        "caller_name": "Klaus Weber",
        "caller_number": "+49 (0)30 1234567",
        "reason": "Rückruf",
        "call_type": "question",
        "tone": "calm",
    }
    form = CorrectForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["caller_number"] == "+49301234567"
    refused = CorrectForm({**data, "caller_number": "112"})
    assert not refused.is_valid()
    assert refused.errors.as_data()["caller_number"][0].code == "short_number"


# --- Pages and mail ---------------------------------------------------------------------------------

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning


@pytest.fixture
def berlin(clock, receptionist, colleague):
    return MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        caller_name="Klaus Weber",
        caller_number="+49301234567",
        deadline=NOW.replace(hour=15),
    )


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_a_german_number_is_shown_international_in_the_list_and_the_detail(clock, bram, berlin):
    for url in ("/callbacks/", f"/callbacks/{berlin.pk}/"):
        page = bram.get(url).content.decode()
        assert "+49 30 1234567" in page
        assert 'href="tel:+49301234567"' in page
        assert "030 1234567" not in page


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_a_dutch_mobile_is_shown_national_with_an_e164_link(clock, bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31612345678")
    for url in ("/callbacks/", f"/callbacks/{message.pk}/"):
        page = bram.get(url).content.decode()
        assert "06 12345678" in page
        assert 'href="tel:+31612345678"' in page


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_correction_form_offers_a_foreign_number_as_it_is_dialled(clock, client, receptionist, berlin):
    login_across_time(client, receptionist)
    page = client.get(f"/callbacks/{berlin.pk}/correct/").content.decode()
    assert 'value="+49 30 1234567"' in page


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_new_message_email_shows_a_german_number_international(
    clock, berlin, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(message=berlin, recipients=[colleague], kind=Notification.Kind.NEW_MESSAGE)
    assert len(mail.outbox) == 1
    assert "+49 30 1234567" in mail.outbox[0].body
    assert "030 1234567" not in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.clock(at=datetime(2026, 12, 1, 9, 1, tzinfo=AMS))
def test_the_digest_shows_a_german_number_international(clock, berlin, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(now=clock.now()) == 1
    assert len(mail.outbox) == 1
    assert "+49 30 1234567" in mail.outbox[0].body
    assert "030 1234567" not in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_intake_takes_a_dutch_number_written_with_0_in_brackets(clock, client, receptionist, colleague):
    login_across_time(client, receptionist)
    take_message(client, caller={**CALLER, "number": "+31 (0)6 1234 5678"})
    assert str(Message.objects.get().caller_number) == "+31612345678"


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_intake_refuses_a_short_number_and_says_why(clock, client, receptionist, colleague):
    login_across_time(client, receptionist)
    start_call(client)
    post_step(client, "recipient", RECIPIENT)
    page = post_step(client, "caller", {**CALLER, "number": "112"}).content.decode()
    assert "Korte nummers zoals 112" in page
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_statistics_show_a_repeat_caller_from_berlin_international(clock, client, manager, receptionist, colleague):
    for days in (1, 2, 3):
        MessageFactory(
            taken_by=receptionist, owner=colleague, caller_number="+49301234567", taken_at=NOW - timedelta(days=days)
        )
    login_across_time(client, manager)
    page = client.get("/dashboard/statistics/").content.decode()
    assert '<a href="tel:+49301234567">+49 30 1234567</a>' in page


@pytest.mark.django_db
@pytest.mark.clock(at=NOW)
def test_the_read_back_gives_a_german_number_as_it_is_dialled(clock, client, receptionist, colleague):
    login_across_time(client, receptionist)
    start_call(client)
    post_step(client, "recipient", RECIPIENT)
    post_step(client, "caller", {**CALLER, "number": "0049 (0)30 1234567"})
    post_step(client, "reason", REASON)
    page = post_step(client, "promise", {}).content.decode()
    assert '<span class="fs-5" data-test="readback-number">+49 30 1234567</span>' in page
