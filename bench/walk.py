"""The intake as a receptionist walks it over HTTP (bench/pages.py), and the clients that drive gunicorn's
workers: one more connection in a logged-in session, both workers at once, requests per second."""

import re
import threading
import time

import requests

from bench.server import csrf_of, timed

STEPS = ["recipient", "caller", "reason", "promise", "readback", "close"]
CALL = re.compile(r"/callbacks/call/([0-9a-f-]{36})/")


class StepFailed(RuntimeError):
    def __init__(self, step: str, status: int, text: str) -> None:
        super().__init__(f"intake step {step} answered {status}: {text[:300]}")
        self.status = status


def step_data(step: str, n: int, recipient: str) -> dict[str, str]:
    """What a receptionist types on each step; a new number each call, so no "add to open message"."""
    return {
        "recipient": {"recipient": recipient, "decision": "message", "to_stand_in": "on"},
        "caller": {
            "name": f"Pieter de Boer {n}",
            "number": f"06-{20000000 + n:08d}",
            "company": "Bakkerij De Boer",
            "email": "",
        },
        "reason": {
            "reason": f"Vraag over offerte {n}",
            "call_type": "question",
            "tone": "calm",
            "wants_callback": "on",
        },
        "promise": {},
        "readback": {"confirmed": "on"},
        "close": {},
    }[step]


def intake(session, base: str, n: int, recipient: str = "Bram") -> dict[str, float]:
    """One whole message through the intake; returns milliseconds per request and raises StepFailed on any
    surprise: each step's page must answer 200, and its POST 303 to the next step (the last one to the
    phone desk: saved). Names ending in "(GET)" are pages, the others POSTs."""
    times = {}
    start, times["start (GET /new/)"] = timed(session, "GET", f"{base}/callbacks/new/")
    found = CALL.search(start.headers.get("Location", ""))
    if start.status_code != 303 or found is None:
        raise StepFailed("start", start.status_code, start.text)
    call = f"{base}/callbacks/call/{found.group(1)}"
    for index, step in enumerate(STEPS):
        page, times[f"{step} (GET)"] = timed(session, "GET", f"{call}/{step}/")
        if page.status_code != 200 or f'data-step="{step}"' not in page.text:
            raise StepFailed(step, page.status_code, page.text)
        payload = {"csrfmiddlewaretoken": csrf_of(page.text)}
        payload.update({f"{step}-{name}": value for name, value in step_data(step, n, recipient).items()})
        if step == "close":
            payload["close-token"] = found.group(1)
        answer, times[step] = timed(session, "POST", f"{call}/{step}/", data=payload)
        following = f"/callbacks/call/{found.group(1)}/{STEPS[index + 1]}/" if step != "close" else "/callbacks/desk/"
        if answer.status_code != 303 or answer.headers.get("Location") != following:
            raise StepFailed(step, answer.status_code, answer.text)
    return times


def clone(session: requests.Session) -> requests.Session:
    """Another connection in the same logged-in browser session (requests.Session is not thread-safe)."""
    copy = requests.Session()
    copy.cookies.update(session.cookies)
    return copy


def both_workers(work, *sessions: requests.Session) -> None:
    """`work(session)` twice over, by two clients at once: gunicorn's two sync workers each take one."""
    clients = [clone(sessions[i % len(sessions)]) for i in range(2)]
    for _ in range(2):
        threads = [threading.Thread(target=work, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


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
