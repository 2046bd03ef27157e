"""Benchmark: the overdue sweep against its floor, one bare UPDATE, on SQLite and on PostgreSQL.

Run with `.venv/bin/python bench/sweep.py` (or `make bench`); `--explain` also prints the plans.
The parent starts one subprocess per backend, because each needs its own django.setup() with its
own database settings, and prints a summary. The variants run interleaved on the same data in the
same process, so their ratio is what counts: absolute times depend on the machine and on its load,
and the throw-away PostgreSQL of bench/servers.py runs with fsync off and default shared_buffers.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill import create_database, fill  # noqa: E402  (importable once the project root is on the path)

# The floor: the one statement the sweep cannot do without (no RETURNING, no outbox, no heartbeat).
BARE_SQL = """
    UPDATE callbacks_message SET overdue_level = 1, flagged_at = %(now)s, version = version + 1
    WHERE status = 'open' AND overdue_level = 0 AND deadline <= %(now)s
"""
# Puts the claimed rows back so every run starts from the same state (no filled row has flagged_at = now).
RESET_SQL = """
    UPDATE callbacks_message SET overdue_level = 0, flagged_at = NULL, version = version - 1
    WHERE status = 'open' AND overdue_level = 1 AND flagged_at = %(now)s
"""
# ---------------------------------------------------------------- parent: servers and summary


def parent(args: argparse.Namespace) -> None:
    from bench.servers import postgres_server, postgres_url

    results = []
    for backend in args.backends:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
        with tempfile.TemporaryDirectory(prefix="terugbel-bench-") as tmp, contextlib.ExitStack() as servers:
            if backend == "sqlite":
                env["SQLITE_PATH"] = f"{tmp}/bench.sqlite3"  # not DATABASE_URL: keeps the settings' WAL options
            else:
                server = servers.enter_context(postgres_server())
                create_database(server.port)
                env["DATABASE_URL"] = postgres_url(server)
            out = Path(tmp) / "result.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--backend",
                    backend,
                    "--rows",
                    str(args.rows),
                    "--rounds",
                    str(args.rounds),
                    "--result",
                    str(out),
                    *(["--explain"] * args.explain),
                ],
                env=env,
                cwd=ROOT,
                check=True,
            )
            results.append(json.loads(out.read_text()))
    print(
        "\nbackend     rows       newly_overdue  notifications  fill_s  bare_update_ms  sweep_ms  ratio  sweep_queries  best_ratio"
    )
    for r in results:
        print(
            f"{r['backend']:<11} {r['rows']:<10,} {r['claimed']:<14,} {r['notifications']:<14,} {r['fill_s']:<7.1f} "
            f"{r['bare']:<15.1f} {r['sweep']:<9.1f} {r['sweep'] / r['bare']:<6.2f} {r['queries']:<14} {r['best_ratio']:.2f}"
        )


# ---------------------------------------------------------------- child: fill, measure, report


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from callbacks.models import Notification
    from callbacks.services import overdue

    call_command("migrate", verbosity=0)
    pg = connection.vendor == "postgresql"
    # Whole seconds: SQLite compares datetimes as text, and the filled rows carry no fraction.
    now = timezone.now().replace(microsecond=0)
    at = {"now": connection.ops.adapt_datetimefield_value(now)}
    print(f"\n=== {connection.vendor}: filling {args.rows:,} messages")
    started = time.perf_counter()
    fill(connection, now, args.rows)
    print(f"fill + ANALYZE: {(fill_s := time.perf_counter() - started):.1f} s")

    def settle() -> None:
        """Same starting state for every run: claimed rows back, empty outbox, no dead rows or WAL."""
        with connection.cursor() as cursor:
            cursor.execute(RESET_SQL, at)
            cursor.execute("DELETE FROM callbacks_notification")
            if pg:  # and clean buffers, so no run pays for writing out the previous run's pages
                cursor.execute("VACUUM callbacks_message, callbacks_notification")
                cursor.execute("CHECKPOINT")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.fetchall()

    def bare() -> tuple[int, int]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BARE_SQL, at)
            return cursor.rowcount, 0

    def sweep() -> tuple[int, int]:
        result = overdue.overdue_sweep(now=now)
        assert result.escalated == 0, "the filled data has nothing to escalate"
        return result.flagged, result.notifications

    def explain() -> None:
        """Plans of the bare UPDATE and of the sweep's flag statement, each in a rolled-back transaction."""
        with transaction.atomic(), CaptureQueriesContext(connection) as run:
            overdue.overdue_sweep(now=now)
            transaction.set_rollback(True)
        flag_step = next(q["sql"] for q in run if "overdue_level = 1" in q["sql"])
        for title, sql, params in (("bare UPDATE", BARE_SQL, at), ("sweep's flag step", flag_step, None)):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN ") + sql, params)
                print(f"plan of the {title}:\n    " + "\n    ".join(str(row[-1])[:130] for row in cursor.fetchall()))
                transaction.set_rollback(True)

    variants = {"bare": bare, "sweep": sweep}
    for work in variants.values():  # warm-up, untimed: caches, and the Heartbeat row exists afterwards
        settle()
        work()
    settle()  # one more untimed sweep under capture: how many queries, and where the time goes
    with CaptureQueriesContext(connection) as captured:
        sweep()
    control = sum(q["sql"].split()[0] in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"} for q in captured)
    queries = f"{len(captured) - control} + {control} tx"
    print(
        f"sweep issues {len(captured)} queries, {control} of them transaction control (captured run; on "
        "PostgreSQL the deferred foreign-key checks of the outbox rows run in the first COMMIT):"
    )
    for query in captured:
        print(f"  {float(query['time']) * 1000:6.0f} ms  {' '.join(query['sql'].split())[:95]}")
    if args.explain:
        settle()
        explain()

    times = {name: [] for name in variants}
    work_done = {name: set() for name in variants}
    for round_number in range(1, args.rounds + 1):
        for name, work in variants.items():  # interleaved, so a burst of load hits all variants alike
            settle()
            started = time.perf_counter()
            claimed, notified = work()
            times[name].append((time.perf_counter() - started) * 1000)
            work_done[name].add((claimed, notified))
            assert name == "bare" or notified == Notification.objects.count(), "outbox rows do not match the count"
        print(f"round {round_number}: " + "   ".join(f"{name} {times[name][-1]:6.1f} ms" for name in variants))
    settle()
    # Every variant must have claimed the same rows, and the sweeps written the same outbox, or no ratio holds.
    print(
        "(rows claimed, notifications written) per variant:", {name: sorted(done) for name, done in work_done.items()}
    )
    expected_claims = args.rows // 100
    assert {claims for done in work_done.values() for claims, _ in done} == {expected_claims}
    assert len(work_done["sweep"]) == 1 and all(
        done == work_done["sweep"] for n, done in work_done.items() if n != "bare"
    )
    medians = {name: statistics.median(values) for name, values in times.items()}
    best = {name: min(values) for name, values in times.items()}  # robust to bursts of load from elsewhere
    for label, figures in (("median", medians), ("best", best)):
        print(
            f"{label}: "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in figures.items())
            + f"; ratio sweep/bare {figures['sweep'] / figures['bare']:.2f}"
        )
    Path(args.result).write_text(
        json.dumps(
            {
                "backend": connection.vendor,
                "rows": args.rows,
                "claimed": expected_claims,
                "notifications": next(iter(work_done["sweep"]))[1],
                "fill_s": fill_s,
                "queries": queries,
                **medians,
                "best_ratio": best["sweep"] / best["bare"],
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--explain", action="store_true", help="print the plans of the UPDATE and the outbox INSERT")
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # set by the parent for its subprocess
    parser.add_argument("--result", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    child(arguments) if arguments.backend else parent(arguments)
