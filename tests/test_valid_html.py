"""Every page of every role through the Nu Html Checker (vnu.jar from the npm package vnu-jar): 0 errors.

The pages are fetched with the test client (no browser), written to a temporary folder and checked by one run
of the checker, so the JVM starts once. htmx's fragments (the badge, the intake's status and caller look-ups,
the dashboard's live part) are not documents and are left out; the pages that include them are checked.
Java or the jar missing skips the test on a developer machine and fails it under CI (tests/conftest.py).
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Team
from accounts.two_factor import recovery_codes_create
from callbacks.models import Caller, CallerNumber, Status
from tests.conftest import PASSWORD, skip_or_fail_under_ci
from tests.factories import MessageFactory
from tests.intake_helpers import CALLER, READBACK, REASON, RECIPIENT, post_step, start_call, step_url, token_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

KEEP = os.environ.get("VALID_HTML_PAGES")  # a folder to keep the checked pages in, named after the page
VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REPEAT_NUMBER = "+31687654321"


class Pages:
    """The HTML of each page, by a readable name ("anna: desk"), fetched as that person."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    def add(self, name: str, response) -> None:
        assert response.status_code == 200, f"{name}: {response.status_code}"
        html = response.content.decode()
        assert html.lstrip().lower().startswith("<!doctype html>"), f"{name} is not a whole page"
        self.html[name] = html

    def get(self, client: Client, name: str, url: str) -> None:
        self.add(name, client.get(url, follow=True))


def _office(clock, receptionist, colleague, manager):
    """bram owes an open callback (a caller with two numbers) and has one handled; anna took both."""
    message = MessageFactory(
        taken_by=receptionist, owner=colleague, caller_number=REPEAT_NUMBER, deadline=clock.now() + timedelta(hours=3)
    )
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.HANDLED,
        handled_by=colleague,
        handled_at=clock.now() - timedelta(hours=1),
        caller_number="+31201234567",
    )
    caller = Caller.objects.create()
    CallerNumber.objects.bulk_create(
        [CallerNumber(caller=caller, number=message.caller_number), CallerNumber(caller=caller, number="+31201234567")]
    )
    return message, caller


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _anonymous_pages(pages: Pages, colleague) -> None:
    client = Client()
    for name in ("login", "password_reset", "password_reset_done", "password_reset_complete"):
        pages.get(client, f"anonymous: {name}", reverse(name))
    pages.add("anonymous: login with an error", client.post(reverse("login"), {"username": "anna", "password": "x"}))
    pages.get(
        client,
        "anonymous: password reset, a bad link",
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-real-token"}),
    )
    recovery_codes_create(user=colleague)  # a second factor: the password leads to the code page
    client.post(reverse("login"), {"username": colleague.username, "password": PASSWORD})
    pages.get(client, "bram: login code", reverse("login_code"))
    pages.add("bram: login code with an error", client.post(reverse("login_code"), {"code": "000000"}))


def _everyone_pages(pages: Pages, people: dict) -> None:
    for who, user in people.items():
        client = _logged_in(user)
        for name in (
            "home",
            "profile",
            "two_factor_setup",
            "password_change",
            "password_change_done",
            "callbacks:inbox",
        ):
            pages.get(client, f"{who}: {name}", reverse(name))


def _intake_pages(pages: Pages, receptionist, message) -> None:
    desk = _logged_in(receptionist)
    pages.get(desk, "anna: desk", reverse("callbacks:desk"))
    pages.add("anna: recipient step", start_call(desk))
    pages.add("anna: recipient step with an error", post_step(desk, "recipient", {"recipient": ""}))
    pages.add("anna: caller step", post_step(desk, "recipient", RECIPIENT))
    pages.add("anna: caller step with an error", post_step(desk, "caller", {**CALLER, "name": ""}))
    pages.add("anna: reason step", post_step(desk, "caller", CALLER))
    pages.add("anna: reason step with an error", post_step(desk, "reason", {**REASON, "reason": ""}))
    pages.add("anna: promise step", post_step(desk, "reason", REASON))
    pages.add("anna: readback step", post_step(desk, "promise", {}))
    pages.get(desk, "anna: readback step again", step_url(token_of(desk), "readback"))
    pages.add("anna: close step", post_step(desk, "readback", READBACK))
    pages.add("anna: desk after saving", post_step(desk, "close", {"token": token_of(desk)}))
    # A caller with an open message: the offer, its error (no choice made) and the repeat step.
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    pages.add(
        "anna: caller step offering the open message", post_step(desk, "caller", {**CALLER, "number": REPEAT_NUMBER})
    )
    pages.add(
        "anna: caller step, open message not chosen",
        post_step(desk, "caller", {**CALLER, "number": REPEAT_NUMBER, "add_to": ""}),
    )
    pages.add(
        "anna: repeat step", post_step(desk, "caller", {**CALLER, "number": REPEAT_NUMBER, "add_to": str(message.pk)})
    )
    pages.get(desk, "anna: correct", reverse("callbacks:correct", kwargs={"pk": message.pk}))


def _work_pages(pages: Pages, people: dict, message, caller) -> None:
    for who in ("anna", "bram", "mira"):
        client = _logged_in(people[who])
        pages.get(client, f"{who}: detail", reverse("callbacks:detail", kwargs={"pk": message.pk}))
        pages.get(client, f"{who}: caller page", reverse("callers:detail", kwargs={"caller_id": caller.pk}))
        pages.get(client, f"{who}: search", reverse("callbacks:search") + "?q=Pieter")
    for who in ("bram", "daan", "mira"):
        pages.get(_logged_in(people[who]), f"{who}: list", reverse("callbacks:list"))
    bram = _logged_in(people["bram"])
    detail = reverse("callbacks:detail", kwargs={"pk": message.pk})
    for form in ("attempt", "handle", "reassign", "follow_up"):
        response = bram.post(reverse(f"callbacks:{form}", kwargs={"pk": message.pk}), {}, HTTP_REFERER=detail)
        if response.status_code == 200 and b"<!DOCTYPE" in response.content[:200].upper():
            pages.add(f"bram: detail, empty {form} form", response)


def _manager_pages(pages: Pages, manager, number: str) -> None:
    client = _logged_in(manager)
    team = Team.objects.get(name="Verkoop")
    for name in (
        "dashboard:index",
        "dashboard:statistics",
        "dashboard:policies",
        "dashboard:phone_duty",
        "dashboard:privacy",
    ):
        pages.get(client, f"mira: {name}", reverse(name))
    pages.get(client, "mira: team policy", reverse("dashboard:team_policy", kwargs={"team_id": team.pk}))
    pages.get(client, "mira: privacy, a caller", reverse("dashboard:privacy_caller") + f"?number={number}")
    pages.get(client, "mira: privacy, no number", reverse("dashboard:privacy_caller"))
    pages.add(
        "mira: team policy, empty post", client.post(reverse("dashboard:team_policy", kwargs={"team_id": team.pk}), {})
    )
    _phone_pages(pages, client, team)


def _phone_pages(pages: Pages, client: Client, team) -> None:
    """The phone-system pages (issue 18): a system with a route, a call with its events, the token page."""
    from telephony.models import PhoneCall, PhoneCallEvent, PhoneRoute
    from tests.phone_helpers import make_phone_system

    system, _ = make_phone_system(team=team)
    PhoneRoute.objects.create(phone_system=system, kind="number", value="+31201234567", team=team)
    call = PhoneCall.objects.create(
        phone_system=system, call_id="c1", direction="in", party_number="+31612345678", result="missed", team=team
    )
    PhoneCallEvent.objects.create(call=call, kind="newCall", payload={"callId": "c1", "user": ["Anna"]})
    for name in ("phone:index", "phone:system_new", "phone:calls"):
        pages.get(client, f"mira: {name}", reverse(name))
    pages.get(client, "mira: phone system", reverse("phone:system", kwargs={"system_id": system.pk}))
    pages.get(client, "mira: phone call", reverse("phone:call", kwargs={"phone_call_id": call.pk}))
    pages.get(client, "mira: revoke phone system", reverse("phone:system_revoke", kwargs={"system_id": system.pk}))
    pages.add("mira: phone system, empty post", client.post(reverse("phone:system_new"), {}))
    pages.add(
        "mira: phone route with an error",
        client.post(reverse("phone:route_new", kwargs={"system_id": system.pk}), {"kind": "number", "value": "x"}),
    )
    pages.add("mira: phone token", client.post(reverse("phone:system_renew", kwargs={"system_id": system.pk})))


def _vnu_errors(pages: Pages, folder: Path) -> list[str]:
    names = {}
    for index, (name, html) in enumerate(pages.html.items()):
        path = folder / f"page-{index:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.resolve().as_uri()] = (name, html.splitlines())
        if KEEP:
            (Path(KEEP) / f"{''.join(c if c.isalnum() else '-' for c in name)}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, sorted(folder.glob("*.html")))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = []
    for message in messages:
        name, lines = names.get(message.get("url", "").replace("file:/", "file:///", 1), (message.get("url"), []))
        line = message.get("lastLine")
        source = lines[line - 1].strip()[:160] if line and line <= len(lines) else ""
        errors.append(f"{name}, line {line}: {message['type']}: {message['message']}\n    {source}")
    return errors


def test_every_page_of_every_role_is_valid_html(clock, receptionist, colleague, other_colleague, manager, tmp_path):
    if shutil.which("java") is None:
        skip_or_fail_under_ci("java is not installed (Debian: default-jre-headless)")
    if not VNU.exists():
        skip_or_fail_under_ci(f"{VNU} is missing: npm ci installs it")
    message, caller = _office(clock, receptionist, colleague, manager)
    people = {"anna": receptionist, "bram": colleague, "daan": other_colleague, "mira": manager}
    pages = Pages()
    _everyone_pages(pages, people)
    _intake_pages(pages, receptionist, message)
    _work_pages(pages, people, message, caller)
    _manager_pages(pages, manager, str(message.caller_number))
    _anonymous_pages(pages, colleague)
    assert len(pages.html) >= 50

    errors = _vnu_errors(pages, tmp_path)

    assert not errors, "\n".join(
        [f"{len(errors)} errors from the Nu Html Checker on {len(pages.html)} pages:", *errors]
    )
