"""A colleague works a callback in the browser: a failed attempt, then ticking it off.

With JavaScript the forms post through htmx and swap the detail body in place (no reload) while the
navigation badge refreshes on the "callbacks-changed" event; without JavaScript they post normally and
redirect back to the detail page.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from callbacks.models import Attempt, Message, MessageEvent, Outcome, Status
from tests.browser_helpers import log_in
from tests.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]


def _open_message(clock, receptionist, colleague) -> Message:
    return MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=3))


def _log_no_answer(page: Page) -> None:
    form = page.locator("[data-test=attempt-form]")
    form.get_by_label("Geen gehoor").check()
    form.get_by_label("Notitie").fill("Voicemail stond uit")
    form.get_by_role("button", name="Poging opslaan").click()


def _tick_off(page: Page) -> None:
    form = page.locator("[data-test=handle-form]")
    form.get_by_label("Opgelost").check()
    form.get_by_label("Wat is er afgesproken?").fill("Offerte nagestuurd")
    form.get_by_role("button", name="Afvinken").click()


def _assert_worked_off(message: Message, colleague) -> None:
    message.refresh_from_db()
    assert message.status == Status.HANDLED
    assert message.outcome == Outcome.SOLVED
    assert message.handled_by == colleague
    assert message.handled_note == "Offerte nagestuurd"
    assert message.attempt_count == 2
    attempts = list(message.attempts.order_by("made_at", "pk").values_list("result", "note", "made_by"))
    assert attempts == [
        (Attempt.Result.NO_ANSWER, "Voicemail stond uit", colleague.pk),
        (Attempt.Result.REACHED, "Offerte nagestuurd", colleague.pk),
    ]
    kinds = list(message.events.values_list("kind", flat=True))
    assert kinds == [MessageEvent.Kind.TAKEN, MessageEvent.Kind.ATTEMPT, MessageEvent.Kind.HANDLED]
    assert set(message.events.exclude(kind=MessageEvent.Kind.TAKEN).values_list("actor", flat=True)) == {colleague.pk}


def test_a_colleague_logs_an_attempt_and_ticks_the_message_off_without_a_reload(
    clock, page: Page, live_server, receptionist, colleague
):
    message = _open_message(clock, receptionist, colleague)
    problems: list[str] = []  # script errors, CSP violations and failed requests (the missing favicon aside)
    page.on(
        "console",
        lambda entry: problems.append(entry.text)
        if entry.type == "error" and not entry.text.startswith("Failed to load resource")
        else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: problems.append(f"{response.status} {response.url}")
        if response.status >= 400 and not response.url.endswith("/favicon.ico")
        else None,
    )
    navigations: list[str] = []
    page.on("request", lambda request: navigations.append(request.url) if request.is_navigation_request() else None)
    htmx_posts: list[Request] = []
    page.on("request", lambda r: htmx_posts.append(r) if r.method == "POST" and r.headers.get("hx-request") else None)

    log_in(page, live_server.url, "bram")
    badge = page.locator("#callbacks-badge")
    expect(badge).to_have_text("1")

    page.get_by_role("link", name="Mijn terugbelverzoeken").click()
    expect(page).to_have_url(f"{live_server.url}/callbacks/")
    row = page.locator(f"[data-test=message-row][data-message='{message.pk}']")
    expect(row).to_contain_text("Pieter de Boer")
    expect(row).to_contain_text("Vraag over de offerte")
    expect(page.locator("[data-test=group-today], [data-test=group-later]")).to_have_count(1)
    expect(page.locator("[data-test=overdue]")).to_have_count(0)

    row.get_by_role("link", name="Pieter de Boer").click()
    expect(page).to_have_url(f"{live_server.url}/callbacks/{message.pk}/")
    status = page.locator("#message-detail [data-test=status]")
    expect(status).to_have_text("Open")
    expect(page.get_by_role("heading", name="Niet bereikt")).to_be_visible()

    # From here on every action is an htmx request: the marker survives only if the page never reloads.
    page.evaluate("window.__marker = 1")
    navigations.clear()

    with page.expect_response(lambda r: "/callbacks/badge/" in r.url) as badge_refresh:
        _log_no_answer(page)
    assert badge_refresh.value.ok
    expect(page.locator("#message-detail [role=status]")).to_have_text("Poging opgeslagen (1 tot nu toe).")
    expect(status).to_have_text("Open")
    expect(page.locator("[data-test=attempts]")).to_contain_text("Voicemail stond uit")
    expect(badge).to_have_text("1")  # still open after a failed attempt
    assert page.evaluate("window.__marker") == 1

    with page.expect_response(lambda r: "/callbacks/badge/" in r.url):
        _tick_off(page)
    expect(page.locator("#message-detail [role=status]")).to_have_text("Afgevinkt. Goed gedaan.")
    expect(status).to_have_text("Afgehandeld")
    expect(page.locator("[data-test=outcome]")).to_contain_text("Opgelost: Offerte nagestuurd")
    expect(page.locator("[data-test=handle-form]")).to_have_count(0)
    expect(badge).to_have_text("0")
    assert page.evaluate("window.__marker") == 1
    expect(page).to_have_url(f"{live_server.url}/callbacks/{message.pk}/")

    assert navigations == []
    assert [r.url for r in htmx_posts] == [
        f"{live_server.url}/callbacks/{message.pk}/attempt/",
        f"{live_server.url}/callbacks/{message.pk}/handle/",
    ]
    assert problems == []
    _assert_worked_off(message, colleague)


def test_the_same_actions_work_without_javascript(clock, browser: Browser, live_server, receptionist, colleague):
    message = _open_message(clock, receptionist, colleague)
    context = browser.new_context(java_script_enabled=False, locale="nl-NL", timezone_id="Europe/Amsterdam")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, "bram")
        detail = f"{live_server.url}/callbacks/{message.pk}/"
        page.goto(detail)
        expect(page.locator("[data-test=status]")).to_have_text("Open")
        expect(page.locator("#callbacks-badge")).to_have_text("1")

        with page.expect_navigation(url=detail):
            _log_no_answer(page)
        expect(page.locator(".alert[role=status]")).to_have_text("Poging opgeslagen (1 tot nu toe).")
        expect(page.locator("[data-test=status]")).to_have_text("Open")

        with page.expect_navigation(url=detail):
            _tick_off(page)
        expect(page.locator(".alert[role=status]")).to_have_text("Afgevinkt. Goed gedaan.")
        expect(page.locator("[data-test=status]")).to_have_text("Afgehandeld")
        expect(page.locator("#callbacks-badge")).to_have_text("0")
    finally:
        context.close()
    _assert_worked_off(message, colleague)


def test_the_sweep_meanwhile_is_no_conflict_and_after_a_real_one_enter_submits_the_kept_tick_off(
    clock, page: Page, live_server, receptionist, colleague
):
    from callbacks import services
    from callbacks.services.overdue import overdue_sweep

    message = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=clock.now() + timedelta(minutes=1),
        escalate_at=clock.now() + timedelta(hours=2),
    )
    log_in(page, live_server.url, "bram")
    page.goto(f"{live_server.url}/callbacks/{message.pk}/")
    overdue_sweep(now=clock.now() + timedelta(minutes=5))  # the deadline passes while Bram is on the phone
    seen = Message.objects.get(pk=message.pk)
    services.message_correct(message=seen, version=seen.version, by=receptionist, values={"caller_name": "Piet Jansen"})

    _tick_off(page)
    expect(page.locator("[data-test=conflict]")).to_contain_text("Gecorrigeerd door Anna om")
    form = page.locator("[data-test=handle-form]")
    expect(form.get_by_label("Wat is er afgesproken?")).to_have_value("Offerte nagestuurd")
    expect(form.get_by_label("Opgelost")).to_be_checked()
    submit = form.get_by_role("button", name="Afvinken")
    expect(submit).to_be_focused()
    assert Message.objects.get(pk=message.pk).status == Status.OPEN

    page.keyboard.press("Enter")
    # In place by htmx, or, when Enter comes before htmx has taken over the form it just swapped in (a busy
    # machine), by the form's own POST and the page's messages: either way the kept tick-off is sent.
    expect(page.get_by_role("status").filter(has_text="Afgevinkt. Goed gedaan.")).to_be_visible()
    message.refresh_from_db()
    assert message.status == Status.HANDLED and message.handled_note == "Offerte nagestuurd"
    assert message.overdue_level == 1 and message.caller_name == "Piet Jansen"
