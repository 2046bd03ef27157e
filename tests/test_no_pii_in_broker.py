"""The caller's personal data never reaches the broker or the logs.

Tasks carry ids only (config/celery.py, callbacks/tasks.py). This takes a whole message through the
intake wizard while Celery publishes to a real Redis, records every command Redis receives with
MONITOR, and searches that stream, and every base64 blob in it (a task's arguments travel base64
encoded), for the caller's number in each way it is written, name, company and reason.
"""

import base64
import binascii
import logging
import re
import socket
import threading
import uuid

import pytest
import redis

from tests.broker_helpers import celery_publishing_to
from tests.intake_helpers import CALLER, REASON, saved, take_message
from tests.waiting import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CALLER_DETAILS = {**CALLER, "name": "Pieter de Boer", "number": "06-12345678", "company": "Bakkerij De Boer"}
REASON_TEXT = "Vraag over de offerte voor de nieuwe oven"
PERSONAL = {
    "number (E.164)": "+31612345678",
    "number (national)": "0612345678",
    "number (as typed)": "06-12345678",
    "number (subscriber)": "612345678",
    "name": "Pieter de Boer",
    "company": "Bakkerij De Boer",
    "reason": REASON_TEXT,
}
TASK = "callbacks.tasks.notifications_deliver_task"


class Monitor:
    """Every command the Redis server receives, as MONITOR reports it to a plain socket client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.lines: list[str] = []
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._socket.sendall(b"MONITOR\r\n")
        self._stream = self._socket.makefile("r", encoding="utf-8", errors="backslashreplace")
        assert self._stream.readline().strip().lstrip("+") == "OK"  # from here on every command is seen
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for line in self._stream:
                self.lines.append(line.rstrip("\n"))
        except OSError:
            pass  # the socket was closed by stop()

    def stop(self) -> str:
        """Once a last command of our own has come through, every earlier one has too."""
        marker = f"end-of-monitoring-{uuid.uuid4()}"
        redis.Redis(port=self.port).echo(marker)
        wait_until(lambda: any(marker in line for line in self.lines), 10, "the last command in MONITOR")
        self._socket.close()
        self._reader.join(timeout=5)
        return "\n".join(self.lines)


def _with_base64_decoded(stream: str) -> str:
    """The stream plus the decoded text of every base64 blob in it."""
    decoded = []
    for blob in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", stream):
        try:
            decoded.append(base64.b64decode(blob, validate=True).decode("utf-8", errors="replace"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join([stream, *decoded])


def _found(text: str) -> dict[str, str]:
    return {what: value for what, value in PERSONAL.items() if value in text}


@pytest.fixture
def empty_redis(redis_server):
    """A queue with nothing left by other tests, and nothing left for them."""
    import redis

    connection = redis.Redis.from_url(redis_server.url)
    connection.flushdb()
    yield redis_server
    connection.flushdb()
    connection.close()


def test_the_intake_publishes_ids_only(empty_redis, client, receptionist, colleague, caplog):
    for name in ("callbacks", "celery", "kombu"):
        caplog.set_level(logging.DEBUG, logger=name)
    client.force_login(receptionist)
    monitor = Monitor(empty_redis.port)
    try:
        with celery_publishing_to(empty_redis.url):
            responses = take_message(client, caller=CALLER_DETAILS, reason={**REASON, "reason": REASON_TEXT})
    finally:
        stream = monitor.stop()
    assert saved(responses[-1])
    assert colleague.messages_owned.get().caller_name == "Pieter de Boer"  # the message really was saved

    # Something was published: one task for the save's notifications (in the app and by email), by name.
    assert stream.count(TASK) >= 1, stream[-2000:]
    assert re.search(r'"(LPUSH|RPUSH)" "celery"', stream), stream[-2000:]
    assert _found(_with_base64_decoded(stream)) == {}

    logged = "\n".join(f"{record.name}: {record.getMessage()} {record.args!r}" for record in caplog.records)
    assert _found(logged) == {}


def test_a_password_reset_publishes_the_outbox_row_id_only(empty_redis, client, colleague):
    monitor = Monitor(empty_redis.port)
    try:
        with celery_publishing_to(empty_redis.url):
            response = client.post("/accounts/password/reset/", {"email": colleague.email})
    finally:
        stream = monitor.stop()
    assert response.status_code == 302
    assert colleague.notifications.get().kind == "password_reset"  # queued in the outbox, not sent
    assert stream.count(TASK) == 1, stream[-2000:]
    published = _with_base64_decoded(stream)
    # No address; the reset link does not exist yet (it is written at delivery).
    assert colleague.email not in published
    assert "password/reset/" not in published
