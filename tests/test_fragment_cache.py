"""Page fragments shared between processes (config/cache.py LayeredCache, FRAGMENT_CACHE_URL): what one web
process drew, another serves without drawing it again; nothing lives longer than its template's timeout; and
a shared cache that is stopped or hung never breaks or stalls a page.

Two "processes" are two LayeredCache instances with their own local memory over the one real Redis, as two
gunicorn workers are.
"""

import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import port_for
import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.template import engines
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.cache import LayeredCache, release_fingerprint
from tests.conftest import login_across_time
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

FRAGMENT = engines["django"].from_string(
    '{% load cache %}{% cache 100 greeting key using="fragments" %}drawn {{ drawing.next }}{% endcache %}'
)


class Drawing:
    """Counts how often the fragment's inside was drawn."""

    def __init__(self) -> None:
        self.times = 0

    def next(self) -> int:
        self.times += 1
        return self.times


def _caches(shared_url: str) -> dict:
    """The settings' CACHES with FRAGMENT_CACHE_URL (each process then gets its own local memory: _in_process)."""
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments_shared": {
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": shared_url,
            # Keys of this test only: the test Redis is shared with the other tests of this worker.
            "KEY_PREFIX": f"fragments-test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        },
        "fragments": {
            "BACKEND": "config.cache.LayeredCache",
            "LOCATION": "fragments-test",
            "OPTIONS": {"MAX_ENTRIES": 5000, "SHARED": "fragments_shared", "RELEASE": "this-release"},
        },
    }


def _in_process(settings_caches: dict, process: str, release: str = "this-release") -> override_settings:
    fragments = settings_caches["fragments"]
    return override_settings(
        CACHES={
            **settings_caches,
            "fragments": {
                **fragments,
                "LOCATION": f"fragments-test-{process}-{uuid.uuid4()}",
                "OPTIONS": {**fragments["OPTIONS"], "RELEASE": release},
            },
        }
    )


def _draw(drawing: Drawing, key: str = "one") -> str:
    return FRAGMENT.render({"drawing": drawing, "key": key})


def _request_finished() -> None:
    """What Django does for every cache when a request has finished (and Celery after each task)."""
    caches["fragments"].close()


@pytest.mark.redis
def test_a_fragment_one_process_drew_is_served_by_another_without_drawing_it(redis_server):
    settings_caches = _caches(redis_server.url)
    drawing = Drawing()
    with _in_process(settings_caches, "first"):
        assert _draw(drawing) == "drawn 1"
        assert _draw(drawing) == "drawn 1"
        # Shared once the request has finished, so the page never waits for the write.
        assert caches["fragments_shared"].get("fragment:this-release:" + _fragment_key("one")) is None
        _request_finished()
    with _in_process(settings_caches, "second"):
        assert _draw(drawing) == "drawn 1"
        # Now kept in the second process's own memory: served even with the shared copy gone.
        caches["fragments_shared"].delete("fragment:this-release:" + _fragment_key("one"))
        assert _draw(drawing) == "drawn 1"
        assert _draw(drawing, key="two") == "drawn 2"  # another key is drawn
    with _in_process(settings_caches, "third"):
        assert _draw(drawing) == "drawn 3"  # the shared copy was deleted: drawn again, no error
    assert drawing.times == 3


@pytest.mark.redis
def test_a_process_of_another_release_draws_its_own(redis_server):
    settings_caches = _caches(redis_server.url)
    drawing = Drawing()
    with _in_process(settings_caches, "old worker", release="old"):
        _draw(drawing)
        _request_finished()
    with _in_process(settings_caches, "new worker", release="new"):
        assert _draw(drawing) == "drawn 2"


def test_the_release_changes_with_a_template_a_translation_or_the_code(tmp_path):
    for folder in ("templates", "locale/nl/LC_MESSAGES", "callbacks"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "templates" / "row.html").write_text("<td>{{ name }}</td>")
    (tmp_path / "locale/nl/LC_MESSAGES/django.mo").write_bytes(b"one")
    (tmp_path / "callbacks" / "filters.py").write_text("x = 1")
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text('{"paths": {"app.css": "app.1.css"}}')
    first = release_fingerprint(tmp_path, manifest)
    assert release_fingerprint(tmp_path, manifest) == first
    changes = [
        (tmp_path / "templates" / "row.html", "<td>{{ name|upper }}</td>"),
        (tmp_path / "locale/nl/LC_MESSAGES/django.mo", "two"),
        (tmp_path / "callbacks" / "filters.py", "x = 2"),
        (manifest, '{"paths": {"app.css": "app.2.css"}}'),
    ]
    seen = {first}
    for path, text in changes:
        path.write_text(text)
        seen.add(release_fingerprint(tmp_path, manifest))
    assert len(seen) == 5
    (tmp_path / "callbacks" / "notes.md").write_text("not part of the markup")
    assert release_fingerprint(tmp_path, manifest) in seen


@pytest.mark.redis
def test_a_shared_fragment_lives_no_longer_than_its_template_says(redis_server, clock):
    settings_caches = _caches(redis_server.url)
    drawing = Drawing()
    with _in_process(settings_caches, "first"):
        _draw(drawing)  # kept for 100 seconds
        _request_finished()
    clock.shift(seconds=60)
    with _in_process(settings_caches, "second"):
        assert _draw(drawing) == "drawn 1"  # 40 seconds left, also in this process's copy
        clock.shift(seconds=41)
        # Redis itself would keep it longer (it counts real seconds, and few have passed): the lifetime
        # travels with the value.
        assert _draw(drawing) == "drawn 2"


@pytest.mark.redis
@pytest.mark.timeout(60)
def test_a_hung_shared_cache_costs_one_short_wait_then_pages_draw_as_before(redis_server, monkeypatch):
    monkeypatch.setattr(LayeredCache, "RETRY_SECONDS", 2)
    settings_caches = _caches(redis_server.url)
    drawing = Drawing()
    admin = redis.Redis(port=redis_server.port, socket_timeout=10)
    with _in_process(settings_caches, "first"):
        _draw(drawing)
        caches["fragments_shared"].get("warm")  # the process holds a pooled connection, as a busy worker does
        admin.execute_command("CLIENT", "PAUSE", "3000", "ALL")
        paused_until = time.monotonic() + 3.5
        try:
            started = time.monotonic()
            assert _draw(drawing, key="during") == "drawn 2"
            first_wait = time.monotonic() - started
            started = time.monotonic()
            assert [_draw(drawing, key=f"during {i}") for i in range(20)] == [f"drawn {i}" for i in range(3, 23)]
            next_twenty = time.monotonic() - started
            assert _draw(drawing, key="during") == "drawn 2"  # kept locally meanwhile
            started = time.monotonic()
            _request_finished()  # the fragments drawn are not sent to it either
            finishing = time.monotonic() - started
        finally:
            time.sleep(max(0.0, paused_until - time.monotonic()))  # the pause must not reach the next test
        # socket_timeout is 0.25 s: one wait for the first fragment, none for the twenty after it or the end.
        assert 0.2 < first_wait < 1, first_wait
        assert next_twenty < 0.2 and finishing < 0.1, (next_twenty, finishing)
        time.sleep(2)  # RETRY_SECONDS: the shared copy is used again
        _draw(drawing, key="after")
        _request_finished()
    with _in_process(settings_caches, "second"):
        assert _draw(drawing, key="after") == "drawn 23"


@pytest.mark.django_db
@pytest.mark.timeout(30)
def test_a_stopped_shared_cache_costs_a_page_nothing(client, colleague, receptionist):
    nobody_listens = f"redis://127.0.0.1:{port_for.select_random()}/0"
    MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Henk Dekker")
    login_across_time(client, colleague)
    client.get("/callbacks/")  # this process's first page (templates compiled, URLs resolved) is slow anyway
    with _in_process(_caches(nobody_listens), "first"):
        started = time.monotonic()
        page = client.get("/callbacks/")
        waited = time.monotonic() - started
    assert page.status_code == 200 and "Henk Dekker" in page.text
    assert waited < 1, waited


@pytest.mark.redis
@pytest.mark.django_db
def test_my_callbacks_drawn_in_one_process_reads_no_message_in_another(client, colleague, receptionist, redis_server):
    for i in range(12):
        MessageFactory(
            taken_by=receptionist, owner=colleague, caller_name=f"Beller {i}", deadline=NOW + timedelta(hours=i + 1)
        )
    login_across_time(client, colleague)
    settings_caches = _caches(redis_server.url)
    with _in_process(settings_caches, "first"), CaptureQueriesContext(connection) as drawn:
        first = client.get("/callbacks/").text
    MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Nieuw", deadline=NOW + timedelta(minutes=30))
    with _in_process(settings_caches, "first"):
        client.get("/callbacks/")  # the first process draws the new row
    with _in_process(settings_caches, "second"), CaptureQueriesContext(connection) as served:
        second = client.get("/callbacks/").text
    nothing_shared = _caches(redis_server.url)  # keys of their own
    with _in_process(nothing_shared, "third"), CaptureQueriesContext(connection) as alone:
        client.get("/callbacks/")  # a process that finds nothing shared draws the page
    assert "Beller 11" in first and "Nieuw" in second and "Beller 11" in second
    reads = [query["sql"] for query in served.captured_queries if "caller_name" in query["sql"]]
    assert reads == []  # no message read whole: every row came drawn from the first process
    assert any("caller_name" in query["sql"] for query in alone.captured_queries)
    assert len(served) < len(alone) <= len(drawn)


def _fragment_key(key: str) -> str:
    from django.core.cache.utils import make_template_fragment_key

    return make_template_fragment_key("greeting", [key])
