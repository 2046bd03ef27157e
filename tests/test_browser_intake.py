"""The receptionist takes a whole message without touching the mouse, and several calls at once."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, Request, expect

from accounts.models import Absence
from callbacks.models import Message, Notification, Status
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

INTAKE = "/callbacks/new/"
CALL_STEP = re.compile(r"/callbacks/call/[0-9a-f-]+/(\w+)/$")
ALT = 1  # the DevTools protocol's modifier bit for Alt


def _focused(page: Page, selector: str) -> None:
    """The step put the cursor where the receptionist starts typing: no click needed."""
    expect(page.locator(selector)).to_be_focused()


def _press_accesskey(page: Page, key: str) -> None:
    """Alt+<key>, the way Chromium on Linux receives it from the keyboard.

    page.keyboard.press("Alt+b") sends a raw key-down without the unmodified text "b", and Chromium looks
    access keys up by exactly that text, so it never fires accesskeys. The same key press is sent here over
    the DevTools protocol with the text a real keyboard supplies.
    """
    alt = {"modifiers": ALT, "key": "Alt", "code": "AltLeft", "windowsVirtualKeyCode": 18, "location": 1}
    letter = {"modifiers": ALT, "key": key, "code": f"Key{key.upper()}", "windowsVirtualKeyCode": ord(key.upper())}
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **alt})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", **letter, "unmodifiedText": key})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **letter})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **alt, "modifiers": 0})
    finally:
        cdp.detach()


def _step(page: Page, name: str) -> None:
    expect(page.locator(f"form.intake-form[data-step={name}]")).to_be_visible()


def test_the_receptionist_takes_a_whole_message_with_the_keyboard_only(
    clock, page: Page, live_server, receptionist, colleague
):
    submits: list[str] = []

    def count_submit(request: Request) -> None:
        if request.method == "POST" and request.is_navigation_request() and CALL_STEP.search(request.url):
            back = "goto=" in (request.post_data or "")
            submits.append("back" if back else "next")

    # Log in: Django's login form focuses the username field.
    page.goto(f"{live_server.url}{INTAKE}")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={INTAKE}")
    _focused(page, "#id_username")
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(CALL_STEP)  # a new call of its own, at its first step
    page.wait_for_load_state("load")  # htmx has bound the status lookup before the first keystroke
    page.on("request", count_submit)

    # 1. For whom: the name field has a datalist and an htmx status lookup; Enter must still move on.
    _step(page, "recipient")
    _focused(page, "#id_recipient-recipient")
    page.keyboard.type("Bram")
    expect(page.locator("#recipient-status [data-test=status]")).to_contain_text("Bram")
    page.keyboard.press("Enter")

    # 2. Caller: number, Tab, name, Enter (the number first: a known caller's name is then proposed).
    _step(page, "caller")
    expect(page.locator("[data-test=owner]")).to_have_text("Bram")
    _focused(page, "#id_caller-number")
    page.keyboard.type("06-12345678")
    page.keyboard.press("Tab")
    _focused(page, "#id_caller-name")
    page.keyboard.type("Pieter de Boer")
    page.keyboard.press("Enter")

    # 3. Reason: type it, then go back once with Alt+B (the Back button's accesskey in Chromium on Linux).
    _step(page, "reason")
    _focused(page, "#id_reason-reason")
    page.keyboard.type("Vraag over de offerte")
    _press_accesskey(page, "b")
    _step(page, "caller")
    expect(page.locator("#id_caller-name")).to_have_value("Pieter de Boer")
    expect(page.locator("#id_caller-number")).to_have_value("06-12345678")
    _focused(page, "#id_caller-number")
    page.keyboard.press("Enter")
    _step(page, "reason")
    expect(page.locator("#id_reason-reason")).to_have_value("Vraag over de offerte")
    _focused(page, "#id_reason-reason")
    page.keyboard.press("Enter")  # call type "question" and tone "calm" are the defaults

    # 4. Promise: the team's handling time is fine; leave the wishes empty.
    _step(page, "promise")
    expect(page.locator("[data-test=proposal]")).to_contain_text("Bram")
    _focused(page, "#id_promise-not_between_start")  # the wish callers voice most
    page.keyboard.press("Enter")

    # 5. Read back, then tick the confirmation with Space.
    _step(page, "readback")
    expect(page.locator("[data-test=readback-name]")).to_have_text("Pieter de Boer")
    expect(page.locator("[data-test=readback-reason]")).to_have_text("Vraag over de offerte")
    checkbox = page.locator("#id_readback-confirmed")
    _focused(page, "#id_readback-confirmed")
    expect(checkbox).not_to_be_checked()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.keyboard.press("Enter")

    # 6. Close: say the closing line; Enter saves.
    _step(page, "close")
    expect(page.locator("[data-test=closing-line]")).not_to_be_empty()
    _focused(page, "button[data-test=next]")  # "Opslaan": there is nothing to type on this step
    page.keyboard.press("Enter")

    expect(page.locator(".messages [role=status]")).to_have_text(
        re.compile(r"^Bericht voor Bram opgeslagen\. Bram is op de hoogte gebracht \(in Terugbel nu; per mail .+\)\.$")
    )
    expect(page).to_have_url(f"{live_server.url}/callbacks/desk/")  # the phone desk: Enter starts the next call
    _focused(page, "[data-test=new-call]")
    page.keyboard.press("Enter")
    _step(page, "recipient")
    _focused(page, "#id_recipient-recipient")

    # One submit per step: six for the whole message, plus the Back key and re-submitting the caller step.
    assert submits == ["next", "next", "back", "next", "next", "next", "next", "next"]
    assert len(submits) - 2 <= 6

    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.caller_name == "Pieter de Boer"
    assert str(message.caller_number) == "+31612345678"
    assert message.owner_user == colleague and message.intended_user == colleague
    assert message.taken_by == receptionist
    assert message.reason == "Vraag over de offerte"
    assert message.status == Status.OPEN
    assert message.deadline > clock.now()
    assert Notification.objects.filter(recipient=colleague, message=message).exists()


def test_the_colleagues_status_arriving_never_moves_the_next_button(
    clock, page: Page, live_server, receptionist, colleague
):
    """The status comes in while the receptionist reaches for Next; a button that jumps swallows the click."""
    away = make_user("daan", "colleague", full_name="Daan de Vries")
    now = clock.now()
    Absence.objects.create(
        user=away, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2), stand_in=colleague
    )
    page.goto(f"{live_server.url}/accounts/login/?next={INTAKE}")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    _step(page, "recipient")
    page.wait_for_load_state("load")
    next_button = page.locator("button[data-test=next]")
    before = next_button.bounding_box()

    page.locator("#id_recipient-recipient").fill("Daan de Vries")
    expect(page.locator("[data-test=unavailable-line]")).to_be_visible()  # the longest status there is
    assert next_button.bounding_box() == before
    page.locator("#id_recipient-recipient").fill("Bram")
    expect(page.locator("#recipient-status [data-test=status]")).to_have_text(re.compile(r"^Bram"))
    assert next_button.bounding_box() == before
    next_button.click()
    _step(page, "caller")


def _take(page: Page, *, name: str, reason: str) -> None:
    """The rest of a call whose caller step is shown: the mouse is fine here, the data is what counts."""
    page.locator("#id_caller-name").fill(name)
    page.locator("button[data-test=next]").click()
    _step(page, "reason")
    page.locator("#id_reason-reason").fill(reason)
    page.locator("button[data-test=next]").click()
    _step(page, "promise")
    page.locator("button[data-test=next]").click()
    _step(page, "readback")
    expect(page.locator("[data-test=readback-name]")).to_have_text(name)
    page.locator("#id_readback-confirmed").check()
    page.locator("button[data-test=next]").click()
    _step(page, "close")
    page.locator("button[data-test=next]").click()
    expect(page).to_have_url(re.compile(r"/callbacks/desk/$"))


def _recipient(page: Page, who: str, number: str = "") -> None:
    _step(page, "recipient")
    page.locator("#id_recipient-recipient").fill(who)
    page.locator("button[data-test=next]").click()
    _step(page, "caller")
    if number:
        page.locator("#id_caller-number").fill(number)


def test_two_calls_in_two_tabs_and_a_caller_id_pop_up_each_keep_their_own_data(
    clock, page: Page, live_server, receptionist, colleague, other_colleague
):
    page.goto(f"{live_server.url}/accounts/login/?next={INTAKE}")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    _recipient(page, "Bram", "06-12345678")
    second = page.context.new_page()
    second.goto(f"{live_server.url}{INTAKE}")
    _recipient(second, "Daan", "020-1234567")
    pop_up = page.context.new_page()  # the phone system opens the caller's number
    pop_up.goto(f"{live_server.url}{INTAKE}?number=0301234567&for=Bram")
    expect(pop_up.locator("#id_recipient-recipient")).to_have_value("Bram")
    pop_up.locator("button[data-test=next]").click()
    _step(pop_up, "caller")
    expect(pop_up.locator("#id_caller-number")).to_have_value("030 123 4567")  # as it is read back
    _take(page, name="Eerste Beller", reason="Eerste tabblad")
    _take(pop_up, name="Derde Beller", reason="Nummerherkenning")
    _take(second, name="Tweede Beller", reason="Tweede tabblad")
    rows = {(m.caller_name, m.reason, m.owner_user.username, str(m.caller_number)) for m in Message.objects.all()}
    assert rows == {
        ("Eerste Beller", "Eerste tabblad", "bram", "+31612345678"),
        ("Tweede Beller", "Tweede tabblad", "daan", "+31201234567"),
        ("Derde Beller", "Nummerherkenning", "bram", "+31301234567"),
    }
    expect(second.locator("[data-test=drafts]")).to_contain_text("Geen gesprekken in behandeling")
