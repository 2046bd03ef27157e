"""Benchmark: the manager's pages with 1,000,000 messages, on SQLite and on PostgreSQL.

Run with `.venv/bin/python bench/dashboard.py` (or `make bench-dashboard`). The target (the issue):
/dashboard/ and the 30-day statistics render in at most 300 ms of server time on this machine.

Per backend and data profile the parent starts one subprocess (its own django.setup() and database)
that fills the data (bench/fill.py), logs a manager in with Django's test Client and requests each page
in turn, interleaved with a bare view through the same middleware, so a burst of load hits all alike.
The time is the whole request handled in-process: middleware, session, queries, template, no network.
Profiles: "office" (two years of history, 30 days ≈ 41,000 messages, ~120 overdue) is the issue's case;
"backlog" is the sweep's data (220,000 open, 30,000 overdue, all taken in the last 290 days), the worst
case for the live dashboard. `--cprofile PAGE` and `--explain` show where the time goes.
"""

import argparse
import contextlib
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill import create_database, fill, settle  # noqa: E402
from bench.server import django_prepare, machine, p95, production_env  # noqa: E402
from bench.servers import postgres_server, postgres_url  # noqa: E402

TARGET_MS = 300
PAGES = {  # name: (path, extra headers)
    "bare view": ("/bench/bare/", {}),
    "/dashboard/": ("/dashboard/", {}),
    "/dashboard/live/": ("/dashboard/live/", {"HX-Request": "true"}),  # the 30-second htmx refresh
    "statistics, 30 days": ("/dashboard/statistics/", {}),
    "statistics.csv": ("/dashboard/statistics.csv", {}),
    "messages.csv, 30 days": ("/dashboard/messages.csv", {}),
}
TARGETED = {"/dashboard/", "/dashboard/live/", "statistics, 30 days"}


def parent(args: argparse.Namespace) -> None:
    results = []
    for backend in args.backends:
        with contextlib.ExitStack() as servers:
            server = servers.enter_context(postgres_server()) if backend == "postgres" else None
            for profile in args.profiles:
                with tempfile.TemporaryDirectory(prefix="terugbel-bench-") as tmp:
                    if server is None:  # not DATABASE_URL: keeps the settings' WAL options
                        env = production_env(tmp, SQLITE_PATH=f"{tmp}/bench.sqlite3")
                    else:
                        create_database(server.port, f"terugbel_{profile}")
                        env = production_env(tmp, DATABASE_URL=postgres_url(server, f"terugbel_{profile}"))
                    out = Path(tmp) / "result.json"
                    command = [
                        sys.executable,
                        __file__,
                        "--backend",
                        backend,
                        "--profile",
                        profile,
                        "--rows",
                        str(args.rows),
                        "--rounds",
                        str(args.rounds),
                        "--result",
                        str(out),
                    ]
                    command += ["--explain"] * args.explain + (["--cprofile", args.cprofile] if args.cprofile else [])
                    subprocess.run(command, env=env, cwd=ROOT, check=True)
                    results.append(json.loads(out.read_text()))
    print(f"\n{machine()}; {args.rows:,} messages; median of {args.rounds} rounds; server time in-process")
    print(
        f"{'backend':<11} {'profile':<8} {'30-day msgs':>11}  {'page':<22} {'median ms':>9} {'p95 ms':>7} "
        f"{'x bare':>7} {'queries':>7} {'KB':>6}  target"
    )
    for r in results:
        rollup = r["rollup"]
        print(
            f"{r['backend']:<11} {r['profile']:<8} 30-day figures: messages {rollup['messages_ms']:.0f} ms, "
            f"rollup {rollup['rollup_ms']:.0f} ms, ratio {rollup['messages_ms'] / rollup['rollup_ms']:.1f}; "
            f"rebuild_statistics {rollup['rebuild_s']:.1f} s; beat refresh {rollup['refresh_s']:.1f} s "
            f"({rollup['refresh_days']} days)"
        )
    for r in results:
        bare = r["pages"]["bare view"]["median"]
        for name, page in r["pages"].items():
            verdict = ("ok" if page["median"] <= TARGET_MS else "MISSED") if name in TARGETED else ""
            print(
                f"{r['backend']:<11} {r['profile']:<8} {r['in_30_days']:>11,}  {name:<22} {page['median']:>9.1f} "
                f"{page['p95']:>7.1f} {page['median'] / bare:>7.1f} {page['queries']:>7} {page['kb']:>6.0f}  "
                f"{verdict}"
            )


def child(args: argparse.Namespace) -> None:
    django_prepare()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from callbacks.domain.figures import Period
    from callbacks.selectors import statistics as stats

    now = timezone.now().replace(microsecond=0)
    print(f"\n=== {connection.vendor}, {args.profile} profile: filling {args.rows:,} messages")
    started = time.perf_counter()
    fill(connection, now, args.rows, span_days=730 if args.profile == "office" else None)
    settle(connection)
    in_30_days = stats.messages_in(Period.default(timezone.localdate())).count()
    print(f"fill + VACUUM: {time.perf_counter() - started:.1f} s; {in_30_days:,} messages in the last 30 days")
    rollup = rollup_timings(now)

    client = Client()
    client.force_login(User.objects.get(username="mira"))

    def get(name: str):
        path, headers = PAGES[name]
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        return response

    found = {}
    for name in PAGES:  # untimed: warm caches, then count the queries and where their time goes
        get(name)
        with CaptureQueriesContext(connection) as captured:
            size = len(get(name).content)
        found[name] = {"queries": len(captured), "kb": size / 1024, "times": []}
        slow = sorted(captured, key=lambda q: -float(q["time"]))[:3]
        print(
            f"{name}: {len(captured)} queries; slowest: "
            + "; ".join(f"{float(q['time']) * 1000:.0f} ms {' '.join(q['sql'].split())[:70]}" for q in slow)
        )
        if args.explain:
            explain(connection, [q["sql"] for q in captured if float(q["time"]) > 0.005])
    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.runcall(get, args.cprofile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    for round_number in range(1, args.rounds + 1):
        for name in PAGES:  # interleaved with the bare view
            started = time.perf_counter()
            get(name)
            found[name]["times"].append((time.perf_counter() - started) * 1000)
        print(f"round {round_number}: " + "  ".join(f"{n} {f['times'][-1]:.0f}" for n, f in found.items()))
    for page in found.values():
        page.update(median=statistics.median(page["times"]), p95=p95(page["times"]))
    rollup.update(compare_statistics(args.rounds))
    Path(args.result).write_text(
        json.dumps(
            {
                "backend": connection.vendor,
                "profile": args.profile,
                "in_30_days": in_30_days,
                "pages": found,
                "rollup": rollup,
            }
        )
    )


def rollup_timings(now) -> dict:
    """The statistics' rollup (callbacks/models/rollup.py) built by the command, then one beat refresh."""
    from django.core.management import call_command

    from callbacks.models import DayFigures
    from callbacks.services.rollups import days_to_refresh, statistics_rollup_refresh

    started = time.perf_counter()
    call_command("rebuild_statistics")
    rebuild = time.perf_counter() - started
    open_days = len(days_to_refresh(now=now))
    started = time.perf_counter()
    statistics_rollup_refresh(now=now)
    refresh = time.perf_counter() - started
    print(
        f"rollup: rebuild_statistics {rebuild:.1f} s ({DayFigures.objects.count():,} rows); one beat refresh "
        f"{refresh:.1f} s ({open_days} days: today, yesterday and the days with open messages)"
    )
    return {"rebuild_s": rebuild, "refresh_s": refresh, "refresh_days": open_days}


def compare_statistics(rounds: int) -> dict:
    """Before and after side by side, interleaved: the 30-day figures counted from the messages (the reference,
    what the page did before the rollup) and read from the rollup; both must give the same figures."""
    from django.utils import timezone

    from callbacks.domain.figures import Period
    from callbacks.selectors import statistics as stats
    from callbacks.selectors.message_figures import statistics_from_messages

    now = timezone.now()
    period = Period.default(timezone.localdate())
    ways = {"messages": statistics_from_messages, "rollup": stats.statistics_for}
    assert ways["rollup"](period=period, team=None, now=now) == ways["messages"](period=period, team=None, now=now)
    times = {name: [] for name in ways}
    for _round in range(rounds):
        for name, compute in ways.items():
            started = time.perf_counter()
            compute(period=period, team=None, now=now)
            times[name].append((time.perf_counter() - started) * 1000)
    before, after = (statistics.median(times[name]) for name in ways)
    print(
        f"30-day figures: from the messages {before:.0f} ms, from the rollup {after:.0f} ms "
        f"(x{before / after:.1f} faster); the same figures"
    )
    return {"messages_ms": before, "rollup_ms": after}


def explain(connection, queries: list[str]) -> None:
    """The plan of each slow query (they are all reads, so EXPLAIN ANALYZE is safe on PostgreSQL)."""
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN ") + sql)
            print(
                f"  plan of {' '.join(sql.split())[:100]}\n    "
                + "\n    ".join(str(row[-1])[:140] for row in cursor.fetchall())
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--profiles", nargs="+", default=["office", "backlog"], choices=["office", "backlog"])
    parser.add_argument("--explain", action="store_true", help="print the plans of queries slower than 5 ms")
    parser.add_argument("--cprofile", choices=list(PAGES), help="print a cProfile of one request to this page")
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # set by the parent for its subprocess
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    child(arguments) if arguments.backend else parent(arguments)
