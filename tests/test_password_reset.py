"""Password reset through the outbox, limited per account and per address (docs/SECURITY.md)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from callbacks.models import Notification
from callbacks.services import delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
OFFICE, HOME = "192.0.2.10", "198.51.100.7"


def _ask(client, email: str, address: str = OFFICE):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def _reset_rows():
    return Notification.objects.filter(kind=Notification.Kind.PASSWORD_RESET)


def test_the_request_sends_no_mail_the_outbox_delivers_it(client, colleague):
    response = _ask(client, colleague.email)
    assert response.status_code == 302 and response["Location"] == SENT
    assert mail.outbox == []  # nothing was sent inside the request
    row = _reset_rows().get()
    assert (row.recipient_id, row.channel, row.state) == (colleague.pk, "email", "pending")
    assert row.message_id is None and row.message_ids == []  # the row holds the account only

    assert delivery.notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.state == "sent"
    assert mail.outbox[0].to == [colleague.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "fresh start 2026!"
    assert client.post(set_url, {"new_password1": new, "new_password2": new}).status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password(new)


def test_twenty_requests_for_one_account_send_at_most_the_limit(client, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        responses = [_ask(client, colleague.email) for _ in range(20)]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, SENT)}  # the same answer every time
    assert len(mail.outbox) == 5
    assert _reset_rows().count() == 5


def test_the_account_may_ask_again_in_the_next_window(client, colleague, clock):
    for _ in range(6):
        _ask(client, colleague.email)
    assert _reset_rows().count() == 5
    clock.shift(timedelta(hours=1))
    _ask(client, colleague.email)
    assert _reset_rows().count() == 6


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(client, colleague.email, HOME)
        unknown = _ask(client, "nobody@example.test")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"]) == (302, SENT)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert _reset_rows().count() == 1


@override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=20)
def test_a_flood_from_one_address_gets_a_clear_dutch_page(client, colleague):
    answers = [_ask(client, f"guess{n}@example.test").status_code for n in range(20)]
    assert answers == [302] * 20
    flooded = _ask(client, colleague.email)
    assert flooded.status_code == 429
    assert "Te veel aanvragen voor een nieuw wachtwoord" in flooded.content.decode()
    assert not _reset_rows().exists()
    # Another address is not affected.
    assert _ask(client, colleague.email, HOME).status_code == 302
    assert _reset_rows().count() == 1


@pytest.mark.clock(at=datetime(2026, 12, 5, 23, 30, tzinfo=ZoneInfo("Europe/Amsterdam")))  # Saturday night
def test_the_reset_mail_is_not_held_for_quiet_hours(client, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, colleague.email)
    assert len(mail.outbox) == 1
    assert _reset_rows().get().state == "sent"


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
)  # nothing listens there
def test_an_unreachable_cache_does_not_stop_a_reset(client, colleague):
    response = _ask(client, colleague.email)
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert _reset_rows().count() == 1
