"""Benchmark: page latency under gunicorn on PostgreSQL with 1,000,000 messages, against a bare view.

Run with `.venv/bin/python bench/pages.py` (or `make bench-pages`). Production settings (DEBUG off,
manifest static files, database sessions, login delays, Redis broker) over plain HTTP, served by
`gunicorn config.wsgi --workers 2` as in the Procfile. Each round, one client at a time walks the
real intake wizard as a receptionist (GET ?new=1, then POST each of the six steps with the CSRF token
from the page), opens "my callbacks" and a detail page as a colleague and the dashboard as a manager,
interleaved with the bare view /bench/bare/ (same middleware and session, no work): the ratio to the
bare view is the figure to compare between machines (target: at most 3x). Then each page again with
four clients at once for the requests per second. The client shares the machine's 2 cores with the
server, as the wall-clock times do.
"""

import argparse
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import Gunicorn, csrf_of, login, machine, office, p95, timed  # noqa: E402

TARGET_RATIO = 3
STEPS = ["recipient", "caller", "reason", "promise", "readback", "close"]
TOKEN = re.compile(r'name="intake_token" value="([^"]+)"')


class StepFailed(RuntimeError):
    def __init__(self, step: str, status: int, text: str) -> None:
        super().__init__(f"intake step {step} answered {status}: {text[:300]}")
        self.status = status


def step_data(step: str, n: int, recipient: str) -> dict[str, str]:
    """What a receptionist types on each step; a new number each call, so no "add to open message"."""
    return {
        "recipient": {"recipient": recipient, "decision": "message", "to_stand_in": "on"},
        "caller": {"name": f"Pieter de Boer {n}", "number": f"06-{20000000 + n:08d}", "company": "Bakkerij De Boer",
                   "email": ""},
        "reason": {"reason": f"Vraag over offerte {n}", "call_type": "question", "tone": "calm",
                   "wants_callback": "on"},
        "promise": {},
        "readback": {"confirmed": "on"},
        "close": {},
    }[step]


def intake(session, base: str, n: int, recipient: str = "Bram") -> dict[str, float]:
    """One whole message through the wizard; returns milliseconds per step and raises StepFailed on any
    surprise: each step must answer 200 with the next step's form, the last one 302 (saved)."""
    times = {}
    page, times["start (GET ?new=1)"] = timed(session, "GET", f"{base}/callbacks/new/?new=1")
    for index, step in enumerate(STEPS):
        token = TOKEN.search(page.text).group(1)
        payload = {"csrfmiddlewaretoken": csrf_of(page.text), "intake-current_step": step, "intake_token": token}
        payload.update({f"{step}-{name}": value for name, value in step_data(step, n, recipient).items()})
        if step == "close":
            payload["close-token"] = token
        page, times[step] = timed(session, "POST", f"{base}/callbacks/new/", data=payload)
        expected = f'data-step="{STEPS[index + 1]}"' if step != "close" else None
        if (page.status_code != 302 if expected is None else expected not in page.text):
            raise StepFailed(step, page.status_code, page.text)
    return times


def clone(session: requests.Session) -> requests.Session:
    """Another connection in the same logged-in browser session (requests.Session is not thread-safe)."""
    copy = requests.Session()
    copy.cookies.update(session.cookies)
    return copy


def throughput(base: str, make_session, work, clients: int, per_client: int) -> float:
    """Requests (or intakes) per second with `clients` sessions working at once."""
    sessions = [make_session(i) for i in range(clients)]
    start = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        start.wait()
        for k in range(per_client):
            work(sessions[index], index * per_client + k)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def main(args: argparse.Namespace) -> None:
    with office(args.rows, extra_receptionists=3) as env, Gunicorn(env) as server:
        from callbacks.models import Message
        base = server.base
        anna, bram, mira = login(base, "anna"), login(base, "bram"), login(base, "mira")
        detail = Message.objects.filter(owner_user__username="bram", status="open").order_by("deadline").first()
        gets = {  # name: (session, path)
            "bare view": (anna, "/bench/bare/"),
            "my callbacks (/callbacks/)": (bram, "/callbacks/"),
            "detail page": (bram, f"/callbacks/{detail.pk}/"),
            "/dashboard/": (mira, "/dashboard/"),
        }

        def get(name: str) -> float:
            session, path = gets[name]
            response, ms = timed(session, "GET", base + path)
            assert response.status_code == 200, (name, response.status_code)
            return ms

        for name in gets:  # warm-up, untimed: both workers load templates and connect
            get(name), get(name)
        intake(anna, base, 0), intake(anna, base, 1)
        times: dict[str, list[float]] = {}
        for round_number in range(args.rounds):  # interleaved, so a burst of load hits all alike
            for name, ms in intake(anna, base, 2 + round_number).items():
                times.setdefault(f"intake: {name}", []).append(ms)
            for name in gets:
                times.setdefault(name, []).append(get(name))
        bare = statistics.median(times["bare view"])

        print("\nmeasuring requests per second with 4 clients at once ...")
        users = ["anna", "receptie01", "receptie02", "receptie03"]
        rates = {name: throughput(base, lambda i, s=gets[name][0]: clone(s),
                                  lambda s, n, p=gets[name][1]: s.get(base + p), 4, args.per_client)
                 for name in gets}
        intakes_per_s = throughput(base, lambda i: login(base, users[i]), lambda s, n: intake(s, base, 1000 + n),
                                   4, max(2, args.per_client // 7))

    print(f"\n{machine()}; gunicorn --workers 2 on PostgreSQL, {args.rows:,} messages (office history); "
          f"{args.rounds} rounds, one client")
    print(f"{'request':<34} {'median ms':>9} {'p95 ms':>7} {'x bare':>7}  {'target':<7} {'req/s (4 clients)':>17}")
    for name, values in times.items():
        ratio = statistics.median(values) / bare
        rate = f"{rates[name]:.0f}" if name in rates else ""
        print(f"{name:<34} {statistics.median(values):>9.1f} {p95(values):>7.1f} {ratio:>7.1f}  "
              f"{'' if name == 'bare view' else 'ok' if ratio <= TARGET_RATIO else 'MISSED':<7} {rate:>17}")
    whole = [sum(values[i] for name, values in times.items() if name.startswith("intake")) for i in range(args.rounds)]
    print(f"{'intake, all 7 requests together':<34} {statistics.median(whole):>9.1f} {p95(whole):>7.1f} "
          f"{statistics.median(whole) / bare:>7.1f}  {'':<7} {intakes_per_s:>12.1f} intakes/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--per-client", type=int, default=50, help="requests per client in the req/s phase")
    main(parser.parse_args())
