"""A receptionist's open page offers the intake within a second or two of her answering a call; a colleague who
called a caller is asked on the next page to tick the message off (issue 18)."""

import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Team
from callbacks.models import Status
from telephony.models import CallResult, CallState, Direction, PhoneCall
from telephony.services.offers import incoming_call_answered
from telephony.services.outgoing import outgoing_call_ended
from tests.browser_helpers import log_in
from tests.factories import MessageFactory
from tests.phone_helpers import make_phone_system
from tests.test_browser_intake import CALL_STEP, _press_accesskey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

# The brief asks for the offer within 2 s; a machine shared by many test runs gets half a second more.
WITHIN_SECONDS = 2.5


def test_the_answered_call_pops_up_and_one_key_starts_the_intake_with_its_number(
    clock, page: Page, live_server, receptionist, colleague
):
    receptionist.phone_extension = "214"
    receptionist.save(update_fields=["phone_extension"])
    MessageFactory(taken_by=receptionist, owner=colleague, caller_company="Bakkerij De Boer")
    system, _token = make_phone_system(team=Team.objects.get_or_create(name="Receptie")[0])
    log_in(page, live_server.url, "anna")
    search = page.locator("#nav-search-q")
    search.focus()
    page.keyboard.type("jan")  # she is typing something when the phone rings

    call = PhoneCall.objects.create(
        phone_system=system,
        call_id=uuid.uuid4().hex,
        direction=Direction.IN,
        from_number="0612345678",
        party_number="+31612345678",
        agent=receptionist,
        state=CallState.ANSWERED,
        started_at=clock.now(),
        answered_at=clock.now(),
    )
    incoming_call_answered(call=call)
    answered = time.monotonic()
    offer = page.locator("[data-test=phone-offer]")
    expect(offer).to_be_visible(timeout=15_000)
    shown_after = time.monotonic() - answered
    print(f"\nThe offer appeared {shown_after:.2f} s after the call was answered.")
    assert shown_after <= WITHIN_SECONDS

    expect(offer).to_contain_text("Gesprek van 06 12345678")
    expect(offer).to_contain_text("Pieter de Boer")
    expect(offer).to_contain_text("Bakkerij De Boer")
    expect(page.locator("[data-test=phone-offers]")).to_have_attribute("aria-live", "polite")
    expect(search).to_be_focused()  # the pop-up took nothing from what she was typing
    expect(search).to_have_value("jan")

    _press_accesskey(page, "t")
    expect(page).to_have_url(CALL_STEP, timeout=15_000)
    expect(page.locator("[data-test=history]")).to_contain_text("Vraag over de offerte")
    page.wait_for_load_state("load")
    page.keyboard.type("Bram")
    page.keyboard.press("Enter")
    expect(page.locator("#id_caller-number")).to_have_value("06 12345678", timeout=15_000)
    expect(page.locator("[data-test=phone-offer]")).to_have_count(0)  # taken: it is gone


def test_after_calling_a_caller_the_colleague_is_asked_to_tick_off_on_the_next_page(
    clock, page: Page, live_server, receptionist, colleague
):
    message = MessageFactory(taken_by=receptionist, owner=colleague)
    system, _token = make_phone_system(team=Team.objects.get_or_create(name="Receptie")[0])
    call = PhoneCall.objects.create(
        phone_system=system,
        call_id=uuid.uuid4().hex,
        direction=Direction.OUT,
        party_number="+31612345678",
        agent=colleague,
        state=CallState.ENDED,
        started_at=clock.now(),
        answered_at=clock.now(),
        ended_at=clock.now(),
        cause="normalClearing",
        result=CallResult.TALKED,
    )
    outgoing_call_ended(call=call)
    log_in(page, live_server.url, "bram")
    question = page.locator("[data-test=phone-question]")
    expect(question).to_contain_text("Je belde Pieter de Boer (06 12345678)", timeout=15_000)

    page.get_by_text("Niet nu").click()
    expect(question).to_have_count(0, timeout=15_000)
    page.goto(f"{live_server.url}/callbacks/")  # asked again on the next page view
    expect(question).to_be_visible(timeout=15_000)

    question.locator("[data-test=question-tick-off]").click()
    question.get_by_role("button", name="Afvinken").click()
    expect(page.locator("[data-test=question-done]")).to_contain_text("Afgevinkt", timeout=15_000)
    message.refresh_from_db()
    assert message.status == Status.HANDLED
