"""The intake's other paths in Chromium: a repeat call for another colleague in three submits, the closing
line of the paths that end at step 1, and reload and Back at every step losing nothing."""

import re

import pytest
from playwright.sync_api import Page, expect

from callbacks.models import CallLog, Message, Notification, Status
from tests.factories import MessageFactory
from tests.test_browser_intake_keyboard import CALL_STEP, MAX_REPEAT_SUBMITS, Keyboard, _at, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def test_a_caller_with_an_open_message_for_bram_calling_for_daan_adds_the_call_in_three_submits(
    clock, page: Page, live_server, receptionist, colleague, other_colleague
):
    open_for_bram = MessageFactory(
        taken_by=receptionist, owner=colleague, caller_name="Pieter de Boer", reason="Offerte voor de verbouwing"
    )
    _log_in(page, live_server.url)
    keys = Keyboard(page)

    _at(page, "recipient", "#id_recipient-recipient")
    keys.words("Daan")
    keys.press("Enter")

    _at(page, "caller", "#id_caller-number")
    keys.words("06-12345678")
    keys.press("Tab")  # leaving the number shows the caller and the open message, whoever it is for
    expect(page.locator("[data-test=known-open]")).to_contain_text("voor Bram")
    keys.accesskey("k")
    expect(page.locator("#id_caller-name")).to_have_value("Pieter de Boer")
    keys.accesskey("a")  # "add this call" to Bram's message: the caller step's one submit

    _at(page, "repeat", "#id_repeat-note")
    expect(page.locator("[data-test=repeat-reason]")).to_have_text("Offerte voor de verbouwing")
    expect(page.locator("[data-test=repeat-promise]")).to_contain_text("Bram")  # the promise already made
    expect(page.locator("[data-test=closing-line]")).to_contain_text("dat u opnieuw hebt gebeld")
    keys.words("Belt opnieuw, wil Daan of Bram spreken")
    keys.press("Enter")
    expect(page.locator(".messages [role=status]")).to_contain_text("2 keer")

    keys.figure("repeat call for another colleague (after)")
    assert keys.submits == ["recipient", "caller", "repeat"]
    assert len(keys.submits) <= MAX_REPEAT_SUBMITS
    assert Message.objects.get() == open_for_bram
    open_for_bram.refresh_from_db()
    assert (open_for_bram.call_count, open_for_bram.owner_user, open_for_bram.status) == (2, colleague, Status.OPEN)
    assert CallLog.objects.filter(message=open_for_bram, note="Belt opnieuw, wil Daan of Bram spreken").count() == 1
    told = Notification.objects.filter(message=open_for_bram, kind=Notification.Kind.CALLED_AGAIN)
    assert {n.recipient for n in told} == {colleague}  # the owner hears it, on each of their channels, once
    assert len({n.channel for n in told}) == told.count() >= 1


@pytest.mark.parametrize(
    ("choice", "line", "status"),
    [
        ("input[name=recipient-decision][value=helped]", "Fijn dat ik u kon helpen", Status.HANDLED_AT_INTAKE),
        ("input[name=recipient-decision][value=put_through]", "Ik verbind u nu door", Status.PUT_THROUGH),
    ],
)
def test_the_paths_that_end_at_the_first_step_show_their_closing_line_before_saving(
    clock, page: Page, live_server, receptionist, colleague, choice, line, status
):
    _log_in(page, live_server.url)
    closing = page.locator("[data-closing-for]:visible [data-test=closing-line]")
    page.locator("#id_recipient-recipient").fill("Bram")
    expect(closing).to_have_count(0)  # taking a message says its goodbye at the end
    page.locator(choice).check()
    expect(closing).to_have_count(1)
    expect(closing).to_contain_text(line)
    page.locator("#id_recipient-note").fill("Adres doorgegeven")
    page.locator("button[data-test=next]").click()
    expect(page).to_have_url(re.compile(r"/callbacks/desk/$"))
    assert Message.objects.get().status == status


def _reload_and_back(page: Page, step: str, previous: str, kept: dict[str, str]) -> None:
    """At `step`: a reload shows the same step; Back shows the previous step with what was stored there;
    Forward returns to `step`."""
    url = page.url
    page.reload()
    expect(page).to_have_url(url)
    expect(page.locator(f"form.intake-form[data-step={step}]")).to_be_visible()
    page.go_back()
    expect(page.locator(f"form.intake-form[data-step={previous}]")).to_be_visible()
    for selector, value in kept.items():
        expect(page.locator(selector)).to_have_value(value)
    page.go_forward()
    expect(page).to_have_url(url)
    expect(page.locator(f"form.intake-form[data-step={step}]")).to_be_visible()


def test_reload_and_back_at_every_step_keep_what_was_stored_and_save_one_message(
    clock, page: Page, live_server, receptionist, colleague
):
    _log_in(page, live_server.url)
    first = page.url
    page.reload()
    expect(page).to_have_url(first)  # a repeated GET of the call's URL is the same call
    page.locator("#id_recipient-recipient").fill("Bram")
    page.keyboard.press("Enter")
    _at(page, "caller", "#id_caller-number")
    _reload_and_back(page, "caller", "recipient", {"#id_recipient-recipient": "Bram"})

    page.locator("#id_caller-number").fill("06-12345678")
    page.locator("#id_caller-name").fill("Pieter de Boer")
    page.keyboard.press("Enter")
    _at(page, "reason", "#id_reason-reason")
    _reload_and_back(
        page, "reason", "caller", {"#id_caller-number": "06-12345678", "#id_caller-name": "Pieter de Boer"}
    )

    page.locator("#id_reason-reason").fill("Vraag over de offerte")
    page.keyboard.press("Enter")
    _at(page, "promise", "#id_promise-not_between_start")
    _reload_and_back(page, "promise", "reason", {"#id_reason-reason": "Vraag over de offerte"})

    page.locator("#id_promise-not_between_start").fill("17:30")
    page.locator("#id_promise-not_between_end").fill("19:00")
    page.locator("button[data-test=next]").click()
    _at(page, "readback", "#id_readback-confirmed")
    _reload_and_back(
        page, "readback", "promise", {"#id_promise-not_between_start": "17:30", "#id_promise-not_between_end": "19:00"}
    )
    expect(page.locator("[data-test=readback-name]")).to_have_text("Pieter de Boer")
    expect(page.locator("[data-test=readback-wish]")).to_contain_text("17:30 en 19:00")

    page.locator("#id_readback-confirmed").check()
    page.keyboard.press("Enter")
    _at(page, "close", "button[data-test=next]")
    _reload_and_back(page, "close", "readback", {})
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/callbacks/desk/$"))

    # Back to the saved call's last step and Save again: the call was saved once, and says so.
    page.go_back()
    if CALL_STEP.search(page.url):
        page.locator("button[data-test=next]").click()
        expect(page).to_have_url(re.compile(r"/callbacks/desk/$"))
    message = Message.objects.get()
    assert (message.caller_name, str(message.caller_number), message.reason) == (
        "Pieter de Boer",
        "+31612345678",
        "Vraag over de offerte",
    )
    assert (message.window_not_between_start.strftime("%H:%M"), message.window_not_between_end.strftime("%H:%M")) == (
        "17:30",
        "19:00",
    )
