"""The mails through a real SMTP server (aiosmtpd, started by the test): headers, language and encoding.

Everything else in the suite uses Django's locmem backend; this is the one test where the bytes go over
a socket and are read back as a mail client would.
"""

import socket
from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from callbacks.models import Notification
from tests.conftest import login_across_time
from tests.intake_helpers import CALLER, PROMISE, take_message

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=AMS)
CALLER_ADDRESS = "pieter@bakkerij.example"

pytestmark = [pytest.mark.django_db, pytest.mark.clock(at=MONDAY_10), pytest.mark.usefixtures("clock")]


class Inbox:
    def __init__(self) -> None:
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            DEFAULT_FROM_EMAIL="Terugbel <terugbel@kantoor.example>",
            CALLER_MAIL_FROM="Kantoor Één <balie@kantoor.example>",
            OFFICE_NAME="Kantoor Één",
            OFFICE_PHONE_NUMBER="+31201234567",
        ):
            yield inbox
    finally:
        controller.stop()


def test_the_owner_and_the_caller_receive_well_formed_mails(
    client, receptionist, colleague, smtp_server, django_capture_on_commit_callbacks
):
    colleague.preferred_language = "nl"
    colleague.save(update_fields=["preferred_language"])
    login_across_time(client, receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        take_message(
            client,
            caller={**CALLER, "email": CALLER_ADDRESS},
            promise={**PROMISE, "confirm_to_caller": "on", "confirmation_language": "nl"},
        )
    assert set(Notification.objects.filter(channel="email").values_list("state", flat=True)) == {"sent"}
    by_recipient = {tuple(rcpt): mail for rcpt, mail in smtp_server.received}
    assert set(by_recipient) == {(colleague.email,), (CALLER_ADDRESS,)}

    owner_mail = by_recipient[(colleague.email,)]
    assert owner_mail["From"] == "Terugbel <terugbel@kantoor.example>"
    assert owner_mail["To"] == colleague.email
    assert owner_mail["Subject"] == "Bel Pieter de Boer terug"
    assert "06 12345678" in owner_mail.get_content()

    caller_mail = by_recipient[(CALLER_ADDRESS,)]
    [sender] = caller_mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Kantoor Één", "balie@kantoor.example")
    assert caller_mail["To"] == CALLER_ADDRESS
    assert caller_mail["Subject"] == "Kantoor Één belt u terug"
    assert caller_mail["Content-Language"] == "nl"
    body = caller_mail.get_content()
    assert "U wordt uiterlijk dinsdag 1 december vóór 17:30 teruggebeld door Bram van Kantoor Één." in body
    assert "We bellen u vanaf 020 123 4567." in body

    for mail in (owner_mail, caller_mail):
        assert mail["Date"] is not None and mail["Date"].datetime is not None
        assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(">")
        assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
        assert not mail.is_multipart()
