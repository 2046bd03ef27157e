"""Load test: 20 receptionists take 50 messages each while 10 colleagues tick messages off, over HTTP.

Run with `.venv/bin/python bench/load.py` (or `make bench-load`). The same server as bench/pages.py:
gunicorn with 2 workers, production settings, PostgreSQL with 1,000,000 messages of office history.
Every simulated person is a thread with its own requests.Session and its own login through the login
page. Receptionists walk the real intake (bench/pages.py's `intake`); colleagues open their list,
open one of the first messages on it and post the tick-off form with the version the page showed, so
two colleagues of one team sometimes race for the same message: the loser is told, never a 500.
Nobody waits between clicks, so 30 requests are outstanding against 2 workers: a stress test.

Afterwards it checks: exactly 20 x 50 new messages, no duplicate intake token, no two new messages with
the same caller, receptionist and reason, and no response of 500 or more.
"""

import argparse
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.walk import StepFailed, intake  # noqa: E402
from bench.server import Gunicorn, csrf_of, login, machine, office, p95, timed  # noqa: E402

RECEPTIONISTS = ["anna"] + [f"receptie{n:02d}" for n in range(1, 20)]
COLLEAGUES = ["bram", "carla", "daan", "dora", "eva", "fleur"] + [f"collega{n:02d}" for n in range(1, 5)]
DETAIL_LINK = re.compile(r'href="/callbacks/(\d+)/"')
VERSION = re.compile(r'name="handle-version" value="(\d+)"')


class Record:
    """Latencies per step and status codes, shared by all threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors: list[str] = []

    def add(self, step: str, ms: float, status: int = 200) -> None:
        with self.lock:
            self.times[step].append(ms)
            self.statuses[status] += 1


def receptionist(base: str, session, index: int, count: int, record: Record) -> None:
    for k in range(count):
        # Every colleague gets messages; each call its own number (the intake would offer to merge a repeat).
        recipient = COLLEAGUES[(index + k) % len(COLLEAGUES)].title()
        n = 30_000_000 + index * 1000 + k
        try:
            for step, ms in intake(session, base, n, recipient).items():
                record.add(f"intake: {step}", ms, 200 if step.endswith("(GET)") else 303)  # as intake() checked
        except StepFailed as problem:  # a 500 or an unexpected page: counted, and the next call goes on
            with record.lock:
                record.errors.append(f"{RECEPTIONISTS[index]} call {k}: {problem}"[:300])
                record.statuses[problem.status] += 1


def colleague(base: str, session, busy: threading.Event, record: Record, seed: int) -> dict[str, int]:
    done = Counter()
    rng = random.Random(seed)
    while busy.is_set():
        page, ms = timed(session, "GET", f"{base}/callbacks/")
        record.add("colleague: my callbacks", ms, page.status_code)
        ids = DETAIL_LINK.findall(page.text)[:10]
        if not ids:
            time.sleep(0.2)
            continue
        pk = rng.choice(ids)  # one of the first few, as people do; team mates sometimes pick the same
        page, ms = timed(session, "GET", f"{base}/callbacks/{pk}/")
        record.add("colleague: detail page", ms, page.status_code)
        version = VERSION.search(page.text)
        if version is None:  # handled by a team mate between the list and the detail page
            done["gone"] += 1
            continue
        answer, ms = timed(
            session,
            "POST",
            f"{base}/callbacks/{pk}/handle/",
            data={
                "csrfmiddlewaretoken": csrf_of(page.text),
                "handle-version": version.group(1),
                "handle-outcome": "solved",
                "handle-note": "Teruggebeld",
                "handle-follow_up_on": "",
            },
        )
        record.add("colleague: tick off (POST)", ms, answer.status_code)
        # 302 both when ticked off and when a team mate was first (told on the page): the database says which.
        done["answered 302" if answer.status_code == 302 else f"status {answer.status_code}"] += 1
    return done


def main(args: argparse.Namespace) -> None:
    with office(args.rows, extra_receptionists=19, extra_colleagues=4) as env, Gunicorn(env) as server:
        from django.db.models import Count
        from django.utils import timezone

        from callbacks.models import Message, MessageEvent

        base, record = server.base, Record()
        sessions = {name: login(base, name) for name in RECEPTIONISTS + COLLEAGUES}  # each their own login
        before, started_at = Message.objects.count(), timezone.now()
        handled_before = Message.objects.filter(status="handled").count()
        busy, outcomes = threading.Event(), Counter()
        busy.set()
        workers = [
            threading.Thread(target=receptionist, args=(base, sessions[name], i, args.intakes, record))
            for i, name in enumerate(RECEPTIONISTS)
        ]

        def run_colleague(name: str, seed: int) -> None:
            result = colleague(base, sessions[name], busy, record, seed)
            with record.lock:
                outcomes.update(result)

        helpers = [threading.Thread(target=run_colleague, args=(name, i)) for i, name in enumerate(COLLEAGUES)]
        print(
            f"\n{len(RECEPTIONISTS)} receptionists x {args.intakes} intakes, {len(COLLEAGUES)} colleagues ticking off"
        )
        started = time.perf_counter()
        for thread in workers + helpers:
            thread.start()
        for thread in workers:
            thread.join()
        busy.clear()
        for thread in helpers:
            thread.join()
        elapsed = time.perf_counter() - started

        new = Message.objects.filter(taken_at__gte=started_at, taken_by__username__in=RECEPTIONISTS)
        created = Message.objects.count() - before
        same_token = new.values("intake_token").annotate(n=Count("pk")).filter(n__gt=1).count()
        same_call = (
            new.values("caller_number", "caller_name", "taken_by", "reason")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        handled = Message.objects.filter(status="handled").count() - handled_before
        ticks = MessageEvent.objects.filter(at__gte=started_at, kind=MessageEvent.Kind.HANDLED).count()
        in_run = new.count()

    expected = len(RECEPTIONISTS) * args.intakes
    server_errors = sum(n for status, n in record.statuses.items() if status >= 500)
    print(f"\n{machine()}; gunicorn --workers 2 on PostgreSQL, {args.rows:,} messages; {elapsed:.0f} s")
    print(f"new messages: {created:,} (expected {expected:,}); in the run by our receptionists: {in_run:,}")
    print(f"duplicates: {same_token} by intake token, {same_call} by caller + receptionist + reason")
    print(
        f"responses >= 500: {server_errors}; failed intakes: {len(record.errors)}; "
        f"status codes: {dict(record.statuses)}"
    )
    print(
        f"tick-off POSTs: {dict(outcomes)}; messages handled in the run: {handled:,} ({ticks:,} 'handled' "
        f"events); the rest were told a team mate was first"
    )
    requests_done = sum(len(values) for values in record.times.values())
    print(f"{requests_done:,} requests, {requests_done / elapsed:.1f} req/s, {expected / elapsed:.2f} intakes/s")
    print(f"\n{'step':<34} {'count':>6} {'median ms':>9} {'p95 ms':>8}")
    for step, values in record.times.items():
        print(f"{step:<34} {len(values):>6} {statistics.median(values):>9.1f} {p95(values):>8.1f}")
    for error in record.errors[:5]:
        print("error:", error)
    ok = created == expected and in_run == expected and same_token == same_call == server_errors == 0
    print("RESULT:", "ok" if ok and not record.errors else "FAILED")
    sys.exit(0 if ok and not record.errors else 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--intakes", type=int, default=50, help="messages per receptionist")
    main(parser.parse_args())
