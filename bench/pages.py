"""Benchmark: page latency under gunicorn on PostgreSQL, two data profiles, against a bare view.

Run with `.venv/bin/python bench/pages.py` (or `make bench-pages`). Production settings (DEBUG off,
manifest static files, database sessions, login delays, Redis broker) over plain HTTP, served by
`gunicorn config.wsgi --workers 2` as in the Procfile. Each round, one client at a time walks the
real intake as a receptionist (GET /callbacks/new/ for a new call, then per step a GET of its page and a
POST with the CSRF token from it, redirected to the next step), opens "my callbacks" and a detail page as a colleague (bram) and the dashboard as a
manager, interleaved with the bare view /bench/bare/ (same middleware and session, no work) in the same
run: the ratio to the bare view is the figure to compare between machines. Then each page again with
four clients at once for the requests per second. The client shares the machine's 2 cores with the
server, as the wall-clock times do.

Two data profiles of bench/fill.py (`--profiles office,backlog`, default both), each on its own
throw-away PostgreSQL and Redis, in its own subprocess (Django reads DATABASE_URL once per process):

- office: two years of office history, 1,000,000 messages by default (the figures of
  docs/PERFORMANCE.md section 3); bram owes a few hundred open messages.
- backlog: the sweep's profile, 20 % of messages open, 200,000 messages by default, the size of
  issue 14's comparison with django-helpdesk; bram then owes about 7,600 open messages (the issue
  measured 7,615). The script prints how many he owes before measuring.

`--rows N` fills N messages in every profile instead. These defaults keep a whole run (both profiles,
30 rounds, `--per-client 50`) at about 3 minutes on this 2-core machine (170 s on 2026-12-06, of which
90 s fill the office's 1,000,000 rows and 10 s the backlog's 200,000), well under the 8 minutes allowed.
The backlog stays at 200,000 not for time but for the case: 1,000,000 rows of it would give bram about
38,000 open messages, five times the issue's.

Budget (issue 14, replaces "at most 3x"): every page's median at most 5x the bare view of the same run
AND its p95 at most 60 ms, in both profiles. The table says "ok" or "MISSED" and why; the exit status
is 0 whatever the timings (only a failing benchmark, e.g. an intake step that answers wrongly, fails).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import (  # noqa: E402
    Gunicorn,
    client_collector_between_requests,
    login,
    machine,
    office,
    p95,
    timed,
)
from bench.walk import both_workers, clone, intake, throughput  # noqa: E402

BUDGET_RATIO = 5  # a page's median at most 5x the bare view of the same run ...
BUDGET_P95_MS = 60  # ... and its p95 at most 60 ms
PROFILES = ("office", "backlog")
DEFAULT_ROWS = {"office": 1_000_000, "backlog": 200_000}
COLLEAGUE = "bram"  # whose "my callbacks" and detail page are measured


def owed_by(username: str) -> dict[str, int]:
    """How many open messages the colleague owes, as "my callbacks" lists them: his own, and his teams'
    messages that have no colleague. Read with plain ORM filters, not the app's selectors, so the figure
    does not change with a refactor of callbacks/."""
    from django.db.models import Q
    from django.utils import timezone

    from accounts.models import Team, User
    from callbacks.models import Message

    user = User.objects.get(username=username)
    teams = list(Team.objects.filter(members=user))
    open_messages = Message.objects.filter(status="open")
    own = open_messages.filter(owner_user=user)
    owed = open_messages.filter(Q(owner_user=user) | Q(owner_user__isnull=True, owner_team__in=teams))
    return {
        "own": own.count(),
        "owed": owed.count(),
        "overdue": owed.filter(deadline__lte=timezone.now()).count(),
        "all_open": open_messages.count(),
        "all": Message.objects.count(),
    }


def verdict(name: str, median: float, p95_ms: float, bare: float) -> str:
    """The budget's word on one page: "ok", or "MISSED" and which half of the budget it missed by how much."""
    if name == "bare view":
        return ""
    misses = []
    if median > BUDGET_RATIO * bare:
        misses.append(f"median {median / bare:.1f}x > {BUDGET_RATIO}x")
    if p95_ms > BUDGET_P95_MS:
        misses.append(f"p95 {p95_ms:.0f} ms > {BUDGET_P95_MS} ms")
    return "MISSED: " + ", ".join(misses) if misses else "ok"


def request_log_env(folder: str | None) -> dict[str, str]:
    """The environment that makes gunicorn log every request's time, queries and fragment misses into
    ``folder`` (bench/request_log.py); nothing without a folder."""
    if not folder:
        return {}
    Path(folder).mkdir(parents=True, exist_ok=True)
    return {
        "GUNICORN_CMD_ARGS": f"--config {ROOT / 'bench' / 'request_log.py'}",
        "TERUGBEL_REQUEST_LOG_DIR": str(Path(folder).resolve()),
    }


def measure(args: argparse.Namespace) -> None:
    """One profile, in this (child) process: fill, serve, measure, write the figures to args.result."""
    with (
        office(
            args.rows, profile=args.profile, shared_fragments=not args.local_fragments, extra_receptionists=3
        ) as env,
        Gunicorn(env | request_log_env(args.request_log)) as server,
    ):
        from callbacks.models import Message

        owed = owed_by(COLLEAGUE)
        print(
            f"{args.profile} profile: {COLLEAGUE} owes {owed['owed']:,} open messages ({owed['own']:,} his own, "
            f"{owed['owed'] - owed['own']:,} his teams' without a colleague; {owed['overdue']:,} overdue); "
            f"{owed['all_open']:,} of {owed['all']:,} messages are open",
            flush=True,
        )
        base = server.base
        anna, bram, mira = login(base, "anna"), login(base, COLLEAGUE), login(base, "mira")
        detail = Message.objects.filter(owner_user__username=COLLEAGUE, status="open").order_by("deadline").first()
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

        # Warm-up, untimed: both workers load templates, connect and fill their own fragments cache (local
        # memory) for every page. Two clients at once, twice, so that each worker serves each page: one after
        # the other, one worker could meet a page for the first time in the timed rounds.
        for name in gets:
            both_workers(lambda session, path=gets[name][1]: session.get(base + path), gets[name][0])
        receptionist = login(base, "receptie01")
        both_workers(
            lambda session, n=iter(range(900_000, 900_004)): intake(session, base, next(n)), anna, receptionist
        )
        times: dict[str, list[float]] = {}
        started = time.perf_counter()
        with client_collector_between_requests() as collect:
            for round_number in range(args.rounds):  # interleaved, so a burst of load hits all alike
                for name, ms in intake(anna, base, 2 + round_number).items():
                    times.setdefault(f"intake: {name}", []).append(ms)
                for name in gets:
                    times.setdefault(name, []).append(get(name))
                collect()
        print(
            f"{args.profile} profile: {args.rounds} rounds in {time.perf_counter() - started:.0f} s; "
            "measuring requests per second with 4 clients at once ...",
            flush=True,
        )
        users = ["anna", "receptie01", "receptie02", "receptie03"]
        rates = {
            name: throughput(
                base,
                lambda i, s=gets[name][0]: clone(s),
                lambda s, n, p=gets[name][1]: s.get(base + p),
                4,
                args.per_client,
            )
            for name in gets
        }
        intakes_per_s = throughput(
            base,
            lambda i: login(base, users[i]),
            lambda s, n: intake(s, base, 1000 + n),
            4,
            max(2, args.per_client // 7),
        )
    Path(args.result).write_text(
        json.dumps(
            {
                "profile": args.profile,
                "rows": args.rows,
                "rounds": args.rounds,
                "owed": owed,
                "times": times,
                "rates": rates,
                "intakes_per_s": intakes_per_s,
            }
        )
    )


def report(result: dict) -> list[str]:
    """The table of one profile, as printed lines; budget figures against the bare view of the same run."""
    times, rates, owed = result["times"], result["rates"], result["owed"]
    bare = statistics.median(times["bare view"])
    lines = [
        f"\n{result['profile']} profile: {result['rows']:,} messages, {owed['all_open']:,} open; "
        f"{COLLEAGUE} owes {owed['owed']:,} open ({owed['overdue']:,} overdue); {result['rounds']} rounds, "
        f"one client; budget: median <= {BUDGET_RATIO}x bare and p95 <= {BUDGET_P95_MS} ms",
        f"{'page':<34} {'median ms':>9} {'p95 ms':>7} {'x bare':>7} {'req/s (4 clients)':>17}  verdict",
    ]
    missed = 0
    for name, values in times.items():
        median, high = statistics.median(values), p95(values)
        word = verdict(name, median, high, bare)
        missed += word.startswith("MISSED")
        rate = f"{rates[name]:.0f}" if name in rates else ""
        lines.append(f"{name:<34} {median:>9.1f} {high:>7.1f} {median / bare:>7.1f} {rate:>17}  {word}")
    rounds = len(times["bare view"])
    whole = [sum(values[i] for name, values in times.items() if name.startswith("intake")) for i in range(rounds)]
    lines.append(
        f"{'intake, all 13 requests together':<34} {statistics.median(whole):>9.1f} {p95(whole):>7.1f} "
        f"{statistics.median(whole) / bare:>7.1f} {result['intakes_per_s']:>7.1f} intakes/s  (no budget)"
    )
    pages = len(times) - 1
    lines.append(
        f"{result['profile']} profile: {pages - missed} of {pages} pages within budget"
        + (f", {missed} MISSED" if missed else "")
    )
    return lines


def main(args: argparse.Namespace) -> None:
    """Each profile in its own subprocess, one after the other; then one table per profile."""
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = sorted(set(profiles) - set(PROFILES))
    if unknown or not profiles:
        raise SystemExit(f"--profiles: choose from {','.join(PROFILES)} (got {args.profiles!r})")
    started = time.perf_counter()
    results = []
    for profile in profiles:
        rows = args.rows or DEFAULT_ROWS[profile]
        print(f"\n=== {profile} profile: {rows:,} messages", flush=True)
        with tempfile.TemporaryDirectory(prefix="terugbel-bench-pages-") as tmp:
            out = Path(tmp) / "result.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--profile",
                    profile,
                    "--rows",
                    str(rows),
                    "--rounds",
                    str(args.rounds),
                    "--per-client",
                    str(args.per_client),
                    "--result",
                    str(out),
                    *(["--request-log", str(Path(args.request_log).resolve())] if args.request_log else []),
                    *(["--local-fragments"] if args.local_fragments else []),
                ],
                cwd=ROOT,
                check=True,
            )
            results.append(json.loads(out.read_text()))
    print(f"\n{machine()}; gunicorn --workers 2 on PostgreSQL; whole run {time.perf_counter() - started:.0f} s")
    for result in results:
        print("\n".join(report(result)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profiles",
        default=",".join(PROFILES),
        help="comma-separated data profiles to measure, in order (default: office,backlog)",
    )
    parser.add_argument("--rows", type=int, help="messages per profile (default: office 1,000,000, backlog 200,000)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--per-client", type=int, default=50, help="requests per client in the req/s phase")
    parser.add_argument(
        "--request-log",
        metavar="DIR",
        help="log each request's wall and CPU time, queries and fragment misses as gunicorn saw them into DIR "
        "(bench/request_log.py); the timings then include that logging",
    )
    parser.add_argument(
        "--local-fragments",
        action="store_true",
        help="each gunicorn worker keeps its own page fragments only (no FRAGMENT_CACHE_URL), as before round 9",
    )
    parser.add_argument("--profile", choices=PROFILES, help=argparse.SUPPRESS)  # set by main for its subprocess
    parser.add_argument("--result", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    measure(arguments) if arguments.profile else main(arguments)
