"""With SENTRY_DSN set, errors are reported; a caller's name, number and reason never leave the server.

A local transport captures the envelopes Sentry would send: no network.
"""

import logging

import pytest
import sentry_sdk
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from sentry_sdk.transport import Transport

from config.sentry import sentry_start

CALLER = {"caller_name": "Jan Jansen", "caller_number": "+31612345678", "reason": "offerte dakkapel"}
SECRETS = ["Jan Jansen", "Jansen", "31612345678", "612345678", "offerte dakkapel", "dakkapel"]


def failing_view(request) -> HttpResponse:
    caller_name = request.POST["caller_name"]  # a local variable holding caller data
    logging.getLogger("callbacks").warning("Saving the message of %s (%s)", caller_name, request.POST["caller_number"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [request.POST["reason"]])  # an SQL breadcrumb with caller data as parameter
    raise ValueError(f"could not save the message of {caller_name} about {request.POST['reason']}")


urlpatterns = [path("boom/", failing_view)]


class CapturingTransport(Transport):
    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def reported():
    transport = CapturingTransport()
    sentry_start(dsn="https://key@sentry.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # reporting off again for the rest of the run


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failing_request_is_reported_without_caller_data(reported):
    response = Client(raise_request_exception=False).post("/boom/?search=Jansen", CALLER)
    sentry_sdk.flush()

    assert response.status_code == 500
    events = [envelope.get_event() for envelope in reported.envelopes if envelope.get_event()]
    assert len(events) == 1
    event = events[0]
    # What a developer needs is still there.
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "ValueError"
    assert any(frame["function"] == "failing_view" for frame in exception["stacktrace"]["frames"])
    assert set(event["request"]) <= {"method", "url"}  # no data, query string, cookies or headers
    assert event["breadcrumbs"]["values"], "the breadcrumbs' categories and times are kept"
    # And nothing of the caller, anywhere in what would be sent.
    sent = b"".join(envelope.serialize() for envelope in reported.envelopes).decode()
    assert [secret for secret in SECRETS if secret in sent] == []
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])


def test_a_logged_error_keeps_its_format_string_and_loses_its_arguments(reported):
    logging.getLogger("callbacks").error("Digest for %s failed", "Jan Jansen")
    sentry_sdk.flush()
    events = [envelope.get_event() for envelope in reported.envelopes if envelope.get_event()]
    assert [event["logentry"] for event in events] == [{"message": "Digest for %s failed"}]
    sent = b"".join(envelope.serialize() for envelope in reported.envelopes).decode()
    assert "Jansen" not in sent


def test_without_a_dsn_nothing_is_set_up():
    from django.conf import settings

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().dsn
