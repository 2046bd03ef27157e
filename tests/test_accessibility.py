"""Every page, for every role, through axe-core: no serious or critical violations, at desktop width and at 360 px.

axe-core comes bundled inside the axe-playwright-python package (axe.min.js) and is injected into the page over the
DevTools protocol; the browser must never fetch anything from anywhere but the live server. At 360 px the page must not
scroll sideways and its main action (the intake's Next button, the tick-off button, ...) must be on screen and usable.
"""

import io
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Locator, Page, expect

from accounts.models import Absence, User
from callbacks.models import Attempt, DayPart, Message, Notification, Outcome, PhoneDuty, Status
from tests.browser_helpers import totp_code_for
from tests.clock import Clock
from tests.conftest import PASSWORD, make_user
from tests.factories import MessageFactory

# The clock runs from an office morning (a Tuesday at 10:00): the office is open, and the groups "overdue",
# "due today" and "later" all have room.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock(tick=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "360px"])
BLOCKING = {"serious", "critical"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REPEAT_NUMBER = "+31612345678"

SCREENSHOTS = os.environ.get("AXE_SCREENSHOTS")
_AXE = Axe()  # reads the axe.min.js shipped in the package once; nothing is downloaded


@dataclass
class Audit:
    """Runs axe on each page state and gathers what is wrong, so one run reports every page at once."""

    page: Page
    base_url: str
    phone: bool
    problems: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    pages: int = 0
    foreign_requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._only_local)

    def _only_local(self, request) -> None:
        if not (request.url.startswith(self.base_url) or request.url.startswith(("data:", "about:"))):
            self.foreign_requests.append(request.url)

    def check(self, name: str, main: Locator | None = None) -> None:
        self.page.wait_for_load_state("load")
        self.pages += 1
        if SCREENSHOTS:  # to look at what axe saw: AXE_SCREENSHOTS=/some/folder pytest tests/test_accessibility.py
            width = self.page.viewport_size["width"]
            slug = "".join(c if c.isalnum() else "-" for c in name)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{width}-{self.pages:02d}-{slug}.png"), full_page=True)
        results = _AXE.run(self.page)
        for violation in results.response["violations"]:
            targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:6])
            first = violation["nodes"][0] if violation["nodes"] else {}
            why = " ".join(check["message"] for check in first.get("any", []) + first.get("all", []))
            line = f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} -> {targets} [{why}]"
            (self.problems if violation["impact"] in BLOCKING else self.minor).append(line)
        if self.phone:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                self.problems.append(f"{name}: scrolls sideways at 360 px (scrollWidth {width})")
        if main is not None:
            self._usable(name, main)

    def _usable(self, name: str, main: Locator) -> None:
        """The main action is visible, inside the viewport's width and takes a click (nothing covers it)."""
        try:
            expect(main).to_be_visible()
            expect(main).to_be_enabled()
            main.scroll_into_view_if_needed()
            box = main.bounding_box()
            viewport = self.page.viewport_size
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, box
            main.click(trial=True)
        except AssertionError as problem:
            self.problems.append(f"{name}: main action not usable: {problem}")

    def finish(self) -> None:
        for line in self.minor:
            print(f"[axe, not blocking] {line}")
        assert self.pages > 0
        assert self.foreign_requests == [], "the browser reached beyond the live server"
        assert not self.problems, "\n".join([f"{len(self.problems)} accessibility problems:", *self.problems])


def _audit(page: Page, live_server, viewport: dict) -> Audit:
    page.set_viewport_size(viewport)
    page.emulate_media(reduced_motion="reduce")  # no half-finished colour transitions under axe's contrast check
    return Audit(page=page, base_url=live_server.url, phone=viewport["width"] <= PHONE["width"])


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fijn dat je er bent")


def _submit(page: Page, form: str = "main form[method=post]") -> Locator:
    return page.locator(form).last.locator("button[type=submit]").last


def _office(clock: Clock, receptionist: User, colleague: User, manager: User) -> dict[str, Message]:
    """An office mid-morning: bram owes callbacks in every group, mira's dashboard has something to show."""
    now = clock.local()
    daan = make_user("daan", "colleague", full_name="Daan de Vries")
    colleague.teams.first().members.add(daan)
    Absence.objects.create(
        user=daan, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2), stand_in=colleague
    )
    PhoneDuty.objects.create(weekday=now.weekday(), day_part=DayPart.MORNING, user=receptionist)
    later = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=now + timedelta(days=3),
        caller_number=REPEAT_NUMBER,
        caller_company="Bakkerij De Boer",
    )
    overdue = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=now - timedelta(hours=2),
        caller_name="Henk Dekker",
        caller_number="+31201234567",
        reason="Storing aan de kassa",
        overdue_level=1,
        priority="urgent",
        call_count=3,
    )
    MessageFactory(
        taken_by=receptionist,
        owner=daan,
        deadline=now - timedelta(hours=5),
        caller_name="Fatima Yilmaz",
        caller_number="+31687654321",
        overdue_level=2,
        tone="angry",
    )
    today = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=now + timedelta(minutes=40),
        caller_name="Jan Hendriks",
        caller_number="+31301234567",
        reason="Wil een offerte",
    )
    handled = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        deadline=now - timedelta(days=2),
        taken_at=now - timedelta(days=3),
        caller_name="Marloes Vermeulen",
        caller_number=REPEAT_NUMBER,
        outcome=Outcome.SOLVED,
        handled_by=colleague,
        handled_at=now - timedelta(days=2, hours=1),
        handled_note="Nieuwe factuur gestuurd",
        attempt_count=1,
        follow_up_on=now.date(),
    )
    Attempt.objects.create(
        message=handled,
        made_by=colleague,
        made_at=handled.handled_at,
        result=Attempt.Result.REACHED,
        note="Nieuwe factuur gestuurd",
    )
    for days_ago in range(1, 6):  # history for the statistics: a regular caller, handled in and after time
        taken = now - timedelta(days=days_ago, hours=1)
        MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            status=Status.HANDLED,
            taken_at=taken,
            deadline=taken + timedelta(hours=4),
            handled_at=taken + timedelta(hours=2 + days_ago),
            handled_by=colleague,
            outcome=Outcome.SOLVED,
            attempt_count=1,
            caller_number="+31104567890",
            call_type="complaint" if days_ago % 2 else "sales",
        )
    Notification.objects.create(
        recipient=colleague,
        message=today,
        kind=Notification.Kind.NEW_MESSAGE,
        channel=Notification.Channel.IN_APP,
        created_at=now - timedelta(minutes=20),
    )
    Notification.objects.create(
        recipient=colleague,
        message=overdue,
        kind=Notification.Kind.OVERDUE,
        channel=Notification.Channel.IN_APP,
        read_at=now - timedelta(minutes=5),
        state=Notification.State.SENT,
    )
    Notification.objects.create(
        recipient=colleague,
        kind=Notification.Kind.DIGEST,
        channel=Notification.Channel.IN_APP,
        message_ids=[overdue.pk, today.pk, later.pk],
        state=Notification.State.SENT,
        read_at=now - timedelta(minutes=1),
    )
    call_command("rebuild_statistics", stdout=io.StringIO())  # the statistics and their trend read the rollup
    return {"later": later, "overdue": overdue, "today": today, "handled": handled}


@VIEWPORTS
def test_the_pages_before_logging_in_pass_axe(page: Page, live_server, viewport, clock, receptionist):
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    audit.check("login", _submit(page))
    page.get_by_label("Gebruikersnaam").fill("anna")
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    audit.check("login with an error", _submit(page))

    page.goto(f"{base}/accounts/password/reset/")
    audit.check("password reset", _submit(page))
    page.locator("#id_email").fill("anna@example.test")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/accounts/password/reset/sent/")
    audit.check("password reset sent")
    with override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=1):  # the next request from here is one too many
        page.goto(f"{base}/accounts/password/reset/")
        page.locator("#id_email").fill("anna@example.test")
        page.keyboard.press("Enter")
        expect(page.locator("[data-test=reset-throttled]")).to_be_visible()
        audit.check("too many password reset requests", page.locator("main a.btn"))

    uid = urlsafe_base64_encode(force_bytes(receptionist.pk))
    page.goto(f"{base}/accounts/password/reset/{uid}/{default_token_generator.make_token(receptionist)}/")
    expect(page).to_have_url(f"{base}/accounts/password/reset/{uid}/set-password/")
    audit.check("new password", _submit(page))
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("different")
    _submit(page).click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("new password with an error", _submit(page))
    page.locator("#id_new_password1").fill("a much longer Pass phrase 42")
    page.locator("#id_new_password2").fill("a much longer Pass phrase 42")
    _submit(page).click()
    expect(page).to_have_url(f"{base}/accounts/password/reset/done/")
    audit.check("new password saved", page.locator("main a.btn"))
    page.goto(f"{base}/accounts/password/reset/{uid}/used-token/")
    audit.check("password reset link no longer valid")

    audit.finish()


@VIEWPORTS
def test_the_receptionists_pages_and_every_intake_step_pass_axe(
    page: Page, live_server, viewport, clock, receptionist, colleague, manager
):
    messages = _office(clock, receptionist, colleague, manager)
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    _log_in(page, base, "anna")
    audit.check("home (receptionist)")
    if audit.phone:
        page.locator(".navbar-toggler").click()
        expect(page.locator("#main-nav.show")).to_be_visible()
        audit.check("navigation opened", page.locator("#main-nav [data-nav=intake]"))

    page.goto(f"{base}/callbacks/new/")
    next_button = page.locator("button[data-test=next]")
    audit.check("intake: for whom", next_button)
    next_button.click()
    expect(page.locator("#id_recipient-recipient")).to_have_attribute("aria-invalid", "true")
    audit.check("intake: for whom, with an error", next_button)
    page.locator("#id_recipient-recipient").fill("Daan")
    expect(page.locator("#recipient-status [data-test=status]")).to_contain_text("Daan")
    audit.check("intake: for whom, colleague away", next_button)
    page.locator("#id_recipient-recipient").fill("Bram")
    # Daan's status names Bram as stand-in, so wait for the status that starts with Bram.
    expect(page.locator("#recipient-status [data-test=status]")).to_have_text(re.compile(r"^Bram"))
    audit.check("intake: for whom, colleague available", next_button)
    next_button.click()

    expect(page.locator("form[data-step=caller]")).to_be_visible()
    audit.check("intake: caller", next_button)
    page.locator("#id_caller-name").fill("Pieter de Boer")
    page.locator("#id_caller-number").fill("06-12345678")
    next_button.click()
    expect(page.locator("input[name=caller-add_to]").first).to_be_visible()  # a repeat caller with an open message
    audit.check("intake: caller, repeat caller must choose", next_button)
    page.locator("input[name=caller-add_to][value=new]").check()
    next_button.click()

    expect(page.locator("form[data-step=reason]")).to_be_visible()
    audit.check("intake: reason", next_button)
    next_button.click()
    expect(page.locator("#id_reason-reason")).to_have_attribute("aria-invalid", "true")
    audit.check("intake: reason, with an error", next_button)
    page.locator("#id_reason-reason").fill("Vraag over de offerte")
    next_button.click()

    expect(page.locator("form[data-step=promise]")).to_be_visible()
    audit.check("intake: promise", next_button)
    page.locator("#id_promise-between_start").fill("14:00")
    next_button.click()
    expect(page.locator("#id_promise-between_end")).to_have_attribute("aria-invalid", "true")
    audit.check("intake: promise, with an error", next_button)
    page.locator("#id_promise-between_start").fill("")
    next_button.click()

    expect(page.locator("form[data-step=readback]")).to_be_visible()
    page.locator("details summary").click()
    audit.check("intake: read back", next_button)
    next_button.click()
    expect(page.locator("#id_readback-confirmed")).to_have_attribute("aria-invalid", "true")
    audit.check("intake: read back, with an error", next_button)
    page.locator("#id_readback-confirmed").check()
    next_button.click()

    expect(page.locator("form[data-step=close]")).to_be_visible()
    audit.check("intake: close", next_button)
    next_button.click()
    expect(page.locator(".messages [role=status]")).to_contain_text("opgeslagen")
    audit.check("intake: saved, on the phone desk", page.locator("[data-test=new-call]"))

    detail = f"{base}/callbacks/{messages['later'].pk}/"
    page.goto(detail)
    audit.check("message detail (receptionist)", page.locator("main a[href$='/correct/']"))
    page.goto(f"{detail}correct/")
    audit.check("correct a message", _submit(page))
    page.locator("#id_caller_name").fill("")
    _submit(page).click()
    expect(page.locator("#id_caller_name")).to_have_attribute("aria-invalid", "true")
    audit.check("correct a message, with an error", _submit(page))

    page.goto(f"{base}/accounts/profile/")
    audit.check("profile", _submit(page))
    page.goto(f"{base}/accounts/password/change/")
    audit.check("password change", _submit(page))
    page.locator("#id_old_password").fill("not my password")
    _submit(page).click()
    expect(page.locator("#id_old_password")).to_have_attribute("aria-invalid", "true")
    audit.check("password change, with an error", _submit(page))
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("a much longer Pass phrase 42")
    page.locator("#id_new_password2").fill("a much longer Pass phrase 42")
    _submit(page).click()
    expect(page).to_have_url(f"{base}/accounts/password/change/done/")
    audit.check("password changed")
    page.goto(f"{base}/callbacks/999999/")
    audit.check("page not found")

    audit.finish()


@VIEWPORTS
def test_the_colleagues_pages_pass_axe(page: Page, live_server, viewport, clock, receptionist, colleague, manager):
    messages = _office(clock, receptionist, colleague, manager)
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    _log_in(page, base, "bram")
    audit.check("home (colleague)")

    page.goto(f"{base}/callbacks/")
    for group in ("follow-ups", "group-overdue", "group-today", "group-later"):
        expect(page.locator(f"[data-test={group}]")).to_be_visible()
    first_row = page.locator("[data-test=message-row] td a").first
    audit.check("my callbacks", first_row)
    page.locator("[data-test=teams-tab]").click()
    expect(page.locator("[data-test=teams-tab]")).to_have_attribute("aria-current", "page")
    audit.check("my teams' callbacks", first_row)
    page.goto(f"{base}/callbacks/?status=all")
    audit.check("all my callbacks (paged list)", first_row)

    tick_off = page.locator("[data-test=handle-form] button[type=submit]")
    page.goto(f"{base}/callbacks/{messages['overdue'].pk}/")
    audit.check("message detail, open and overdue", tick_off)
    page.goto(f"{base}/callbacks/{messages['today'].pk}/")
    audit.check("message detail, open", tick_off)
    page.locator("[data-test=reassign-form] button[type=submit]").click()
    expect(page.locator("#id_reassign-recipient")).to_have_attribute("aria-invalid", "true")
    audit.check("message detail, with an error", tick_off)
    page.goto(f"{base}/callbacks/{messages['handled'].pk}/")
    audit.check(
        "message detail, handled with a follow-up due", page.locator("[data-test=follow-up-form] button[type=submit]")
    )

    page.goto(f"{base}/callers/number/{messages['overdue'].caller_number}/")
    audit.check("caller page", page.locator("[data-test=link-form] button[type=submit]"))

    page.goto(f"{base}/callbacks/notifications/")
    expect(page.locator("[data-test=unread]")).to_have_text("1")
    audit.check("notifications", page.locator("[data-test=inbox] a").first)
    audit.finish()


@VIEWPORTS
def test_the_managers_pages_pass_axe(page: Page, live_server, viewport, clock, receptionist, colleague, manager):
    _office(clock, receptionist, colleague, manager)
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    _log_in(page, base, "mira")
    audit.check("home (manager)")

    page.goto(f"{base}/dashboard/")
    expect(page.locator("[data-test=overdue-item]")).to_have_count(2)
    audit.check("dashboard", page.locator("[data-test=overdue-item] a").first)

    page.goto(f"{base}/dashboard/statistics/")
    show = page.locator("[data-test=period-form] button[type=submit]")
    expect(page.locator("[data-test=repeat-callers]")).to_be_visible()
    audit.check("statistics", show)
    page.locator("details[data-test=definitions] summary").click()
    audit.check("statistics, definitions opened", show)
    page.goto(f"{base}/dashboard/statistics/?start=2026-05-10&end=2026-05-01")
    expect(page.locator("[data-test=period-error]")).to_be_visible()
    audit.check("statistics, with an error", show)

    page.goto(f"{base}/dashboard/policies/")
    audit.check("promise rules", page.locator("main .list-group a").first)
    page.locator("main .list-group a").first.click()
    save_rules = page.locator("[data-test=rules-form] button[type=submit]")
    audit.check("rules of a team", save_rules)
    page.locator("#id_check_moments").fill("na de lunch")
    save_rules.click()
    expect(page.locator("#id_check_moments")).to_have_attribute("aria-invalid", "true")
    audit.check("rules of a team, with an error", save_rules)

    page.goto(f"{base}/dashboard/phone-duty/")
    audit.check("phone duty", page.locator("[data-test=duty-form] button[type=submit]"))
    page.goto(f"{base}/callbacks/new/")
    audit.check("intake (manager)", page.locator("button[data-test=next]"))
    audit.finish()


@VIEWPORTS
def test_the_locked_out_page_passes_axe(page: Page, live_server, viewport, clock, receptionist):
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    limit = settings.LOGIN_FREE_FAILURES
    with override_settings(LOGIN_FIRST_DELAY=timedelta(minutes=5)):  # longer than a slow step
        _fail_until_refused(page, base, limit)
    expect(page.locator("[data-test=locked-out]")).to_be_visible()
    audit.check("locked out", page.locator("main a.btn-primary"))
    audit.finish()


def _fail_until_refused(page: Page, base: str, limit: int) -> None:
    for _attempt in range(limit + 1):
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Gebruikersnaam").fill("anna")
        page.get_by_label("Wachtwoord").fill("wrong password")
        with page.expect_navigation() as answer:
            page.keyboard.press("Enter")
        if answer.value.status == 429:
            break
    else:
        pytest.fail(f"{limit + 1} failed logins were not delayed")


@VIEWPORTS
def test_the_two_factor_pages_pass_axe(page: Page, live_server, viewport, clock, colleague):
    audit = _audit(page, live_server, viewport)
    base = live_server.url
    _log_in(page, base, "bram")
    page.goto(f"{base}/accounts/two-factor/")
    audit.check("two-factor enrolment", _submit(page))
    page.get_by_label("Code").fill("abcdef")
    _submit(page).click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("two-factor enrolment with an error", _submit(page))
    page.get_by_label("Code").fill(totp_code_for(page.locator("[data-test=totp-secret]").inner_text()))
    _submit(page).click()
    expect(page.locator("[data-test=recovery-codes] li")).to_have_count(10)
    audit.check("recovery codes", page.locator("main a.btn-primary"))
    page.goto(f"{base}/accounts/two-factor/")
    audit.check("two-factor on", _submit(page))

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill("bram")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/accounts/login/code/")
    audit.check("sign-in code", _submit(page))
    page.get_by_label("Code").fill("nope12")
    _submit(page).click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("sign-in code with an error", _submit(page))
    audit.finish()
