"""Issue 15, point 7, measured in Chromium: a message taken with the keyboard only, every key press counted
as the caller's words (names, number, reason) or as a key the intake asks for (Enter, Tab, Space, Alt+key),
and every form submission counted. Each test prints its figures ("FIGURE keyboard: ...").

Before (the formtools wizard of commit 27aa613, the same calls counted the same way): a plain message took
6 submits and 8 keys besides the caller's words; a known caller with the dinner-time wish took 6 submits and
26 (the name typed again, 10 Tabs to reach "Not between", 8 digits for 17:30-19:00)."""

import re
from collections import Counter

import pytest
from playwright.sync_api import Page, Request, expect

from callbacks.models import Message, Status
from tests.conftest import PASSWORD
from tests.factories import MessageFactory
from tests.test_browser_intake import _press_accesskey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

INTAKE = "/callbacks/new/"
CALL_STEP = re.compile(r"/callbacks/call/[0-9a-f-]+/(\w+)/$")
MAX_SUBMITS, MAX_OTHER_KEYS, MAX_REPEAT_SUBMITS = 6, 10, 3


class Keyboard:
    """The receptionist's hands: every key press goes through here and is counted by kind."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keys: Counter[str] = Counter()
        self.submits: list[str] = []
        page.on("request", self._count_submit)

    def _count_submit(self, request: Request) -> None:
        if request.method == "POST" and request.is_navigation_request() and (found := CALL_STEP.search(request.url)):
            self.submits.append(found.group(1))

    def words(self, text: str) -> None:
        """The caller's words: typed character by character, each a key press."""
        self.page.keyboard.type(text)
        self.keys["words"] += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys[key] += 1

    def accesskey(self, letter: str) -> None:
        _press_accesskey(self.page, letter)
        self.keys[f"Alt+{letter.upper()}"] += 1

    @property
    def other(self) -> int:
        return sum(count for kind, count in self.keys.items() if kind != "words")

    def figure(self, what: str) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.keys.items()) if kind != "words")
        line = (
            f"FIGURE keyboard: {what}: {len(self.submits)} submits, {sum(self.keys.values())} keys in all, "
            f"{self.keys['words']} of them words, {self.other} other ({kinds})"
        )
        print(line)
        return line


def _log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{INTAKE}")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(CALL_STEP)
    page.wait_for_load_state("load")  # htmx and terugbel.js are bound before the first key


def _at(page: Page, step: str, focused: str) -> None:
    expect(page.locator(f"form.intake-form[data-step={step}]")).to_be_visible()
    expect(page.locator(focused)).to_be_focused()
    # The step's shortcuts (Alt+M) and its htmx requests need its scripts, which a loaded machine may not
    # have run yet when the field is focused; keys typed before them are kept (test_browser_intake_unsent.py).
    page.wait_for_load_state("load")


def test_a_plain_message_takes_six_submits_and_eight_keys_besides_the_callers_words(
    clock, page: Page, live_server, receptionist, colleague
):
    _log_in(page, live_server.url)
    keys = Keyboard(page)

    _at(page, "recipient", "#id_recipient-recipient")
    keys.words("Bram")
    expect(page.locator("#recipient-status [data-test=status]")).to_contain_text("Bram")
    keys.press("Enter")  # "take a message" is the pre-selected outcome

    _at(page, "caller", "#id_caller-number")
    keys.words("06-12345678")
    keys.press("Tab")
    _at(page, "caller", "#id_caller-name")
    keys.words("Pieter de Boer")
    keys.press("Enter")

    _at(page, "reason", "#id_reason-reason")
    keys.words("Vraag over de offerte")
    keys.press("Enter")  # question, calm and "wants a callback" are the defaults

    _at(page, "promise", "#id_promise-not_between_start")
    keys.press("Enter")  # no wishes: the team's promise

    _at(page, "readback", "#id_readback-confirmed")
    keys.press("Space")
    keys.press("Enter")

    _at(page, "close", "button[data-test=next]")
    keys.press("Enter")
    expect(page.locator(".messages [role=status]")).to_contain_text("Bericht voor Bram opgeslagen.")

    keys.figure("plain message (after)")
    assert keys.submits == ["recipient", "caller", "reason", "promise", "readback", "close"]
    assert len(keys.submits) <= MAX_SUBMITS
    assert keys.other == 8 <= MAX_OTHER_KEYS
    message = Message.objects.get()
    assert (message.caller_name, str(message.caller_number), message.owner_user) == (
        "Pieter de Boer",
        "+31612345678",
        colleague,
    )


def test_a_known_caller_with_the_dinner_time_wish_stays_within_ten_keys(
    clock, page: Page, live_server, receptionist, colleague
):
    """The number first brings the caller's name (Alt+K fills it); the commonest wish is one key (Alt+M)."""
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        caller_name="Pieter de Boer",
        caller_company="Bakkerij De Boer",
        status=Status.HANDLED,
    )
    _log_in(page, live_server.url)
    keys = Keyboard(page)

    _at(page, "recipient", "#id_recipient-recipient")
    keys.words("Bram")
    keys.press("Enter")

    _at(page, "caller", "#id_caller-number")
    keys.words("06-12345678")
    keys.press("Tab")
    expect(page.locator("[data-test=known-name]")).to_have_text("Pieter de Boer", timeout=15_000)
    keys.accesskey("k")
    expect(page.locator("#id_caller-name")).to_have_value("Pieter de Boer")
    expect(page.locator("button[data-test=next]")).to_be_focused()  # nothing left that must be typed
    keys.press("Enter")

    _at(page, "reason", "#id_reason-reason")
    keys.words("Offerte klopt niet")
    keys.press("Enter")

    _at(page, "promise", "#id_promise-not_between_start")
    keys.accesskey("m")
    expect(page.locator("[data-test=proposal-wish]")).to_have_text(
        "“U wordt niet gebeld tussen 17:30 en 19:00.”", timeout=15_000
    )  # the live sentence is redrawn by htmx: slow on a loaded machine
    expect(page.locator("button[data-test=next]")).to_be_focused()
    keys.press("Enter")

    _at(page, "readback", "#id_readback-confirmed")
    expect(page.locator("[data-test=readback-wish]")).to_contain_text("17:30 en 19:00")
    keys.press("Space")
    keys.press("Enter")
    _at(page, "close", "button[data-test=next]")
    keys.press("Enter")
    expect(page.locator(".messages [role=status]")).to_contain_text("Bericht voor Bram opgeslagen.")

    keys.figure("known caller, dinner-time wish (after)")
    assert len(keys.submits) == MAX_SUBMITS
    assert keys.other <= MAX_OTHER_KEYS
    message = Message.objects.get(reason="Offerte klopt niet")
    assert (message.caller_name, message.caller_company) == ("Pieter de Boer", "Bakkerij De Boer")
    assert (message.window_not_between_start.strftime("%H:%M"), message.window_not_between_end.strftime("%H:%M")) == (
        "17:30",
        "19:00",
    )
