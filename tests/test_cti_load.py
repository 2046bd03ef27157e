"""50 events per second for a minute, posted over real HTTP from a few threads: nothing lost, nothing twice.

1,000 calls: each a newCall and a hangup, half of them answered in between, and 500 events sent a second time
(as a PBX retrying). 3,000 posts in all, paced at 50 a second from 8 threads. Events of one call are sent
some waves apart, but the threads may still deliver them out of order; what is checked does not depend on
the order: every call once, every event once, every repeat marked, every missed call filed once.
"""

import threading
import time
from collections import Counter

import pytest
import requests

from callbacks.models import Message
from telephony.models import CallResult, CallState, PhoneCall, PhoneCallEvent
from tests.phone_helpers import cti_url, make_phone_system
from tests.web_process import gunicorn_serving

CALLS = 1_000
RATE = 50  # events per second
THREADS = 8
WAVE = 50  # calls whose events are sent together, a kind at a time


def _events() -> list[dict]:
    """The 3,000 posts in sending order: per wave of calls, their newCalls, answers, hangups, then 25 repeats
    (hangups of unanswered calls and newCalls of answered ones)."""
    posts = []
    for first in range(0, CALLS, WAVE):
        wave = range(first, first + WAVE)
        calls = {
            n: {"callId": f"load-{n}", "direction": "in", "from": f"0612{n:06d}", "to": "0201234567"} for n in wave
        }
        new_calls = {n: {**call, "event": "newCall", "user": ["Anna"]} for n, call in calls.items()}
        hangups = {n: {**call, "event": "hangup", "cause": "noAnswer"} for n, call in calls.items()}
        posts += new_calls.values()
        posts += [{**call, "event": "answer", "user": "Anna"} for n, call in calls.items() if n % 2 == 0]
        posts += hangups.values()
        posts += [hangups[n] for n in wave if n % 2 == 1][:13] + [new_calls[n] for n in wave if n % 2 == 0][:12]
    return posts


# On PostgreSQL, the production database, in the second pass of `make test`: its row locks are what two events
# of one call meet there, and that pass runs one test at a time. The server is gunicorn with the Procfile's two
# workers in processes of their own (tests.web_process), publishing its tasks for a worker as in production:
# in pytest-django's live server the eight sending threads and the server would share one interpreter lock, and
# the rate measured would be that lock's.
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.clock(tick=True)
def test_fifty_events_a_second_for_a_minute_lose_nothing_and_double_nothing(clock, colleague, tmp_path):
    _, token = make_phone_system(team=colleague.teams.get())
    posts = _events()
    with gunicorn_serving(tmp_path, CELERY_TASK_ALWAYS_EAGER="false") as server:
        elapsed, failures = _send_paced(server + cti_url(token), posts)
    print(f"\n{len(posts)} events in {elapsed:.1f} s ({len(posts) / elapsed:.1f}/s), {len(failures)} failed")

    assert failures == []
    assert elapsed < 65, f"the server kept up with {RATE}/s: {elapsed:.0f} s"
    sent = Counter((post["callId"], post["event"]) for post in posts)
    stored = Counter(PhoneCallEvent.objects.values_list("call__call_id", "kind"))
    assert stored == sent
    duplicates = PhoneCallEvent.objects.filter(duplicate=True).count()
    assert duplicates == sum(count - 1 for count in sent.values())
    assert PhoneCall.objects.count() == CALLS
    assert set(PhoneCall.objects.values_list("state", flat=True)) == {CallState.ENDED}
    missed = PhoneCall.objects.filter(result=CallResult.MISSED)
    assert missed.count() >= CALLS // 2
    assert Message.objects.count() == missed.count()
    assert not missed.filter(message__isnull=True).exists()
    assert set(Message.objects.values_list("call_count", flat=True)) == {1}


def test_the_load_is_three_thousand_posts_with_every_kind_of_event():
    posts = _events()
    assert len(posts) == 3 * CALLS
    assert Counter(post["event"] for post in posts) == {"newCall": 1_240, "answer": 500, "hangup": 1_260}


def _send_paced(url: str, posts: list[dict]) -> tuple[float, list[str]]:
    """Post each event at its moment of the pace from THREADS threads; the seconds it took and what failed."""
    failures: list[str] = []
    next_index = iter(range(len(posts)))
    lock = threading.Lock()
    start = time.monotonic()

    def send() -> None:
        session = requests.Session()
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            delay = start + index / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                answer = session.post(url, json=posts[index], timeout=30)
                if answer.status_code != 200 or answer.json() != {}:
                    failures.append(f"{index}: {answer.status_code} {answer.text[:100]}")
            except requests.RequestException as error:
                failures.append(f"{index}: {error}")

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start, failures
