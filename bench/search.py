"""Benchmark: search (issue 17) on PostgreSQL with its indexes, and the SQLite fallback, side by side.

Run with `.venv/bin/python bench/search.py`. PostgreSQL gets the office profile of bench/fill.py at
1,000,000 messages (`--pg-rows`), SQLite the same profile at 100,000 (`--sqlite-rows`): without an index a
substring search reads every row, so SQLite's time grows with the table. Each backend fills in its own
subprocess (Django reads the database settings once per process). PostgreSQL's search indexes
(migration 0008_search_indexes) are dropped for the fill and built after it, as a live database would have
them; the build time is printed.

Each round runs every query once, interleaved, as the results page does: the count for the paginator and
the first page of 25 (callbacks.selectors.search.messages_found, then Paginator). As the manager (every
message) and as a colleague (his own and his team's). Printed: median and p95 in ms, and SQLite / PostgreSQL.
"""

import argparse
import contextlib
import importlib
import json
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

# What people type, against the data bench/fill.py writes ('Beller ' || i, 'Bedrijf ' || i % 5000,
# '+3120' || i % 250000, 'Vraag over order ' || i).
QUERIES = {
    "name": "Beller 45678",
    "company": "Bedrijf 4321",
    "full number": "020-0012345",
    "number +31 form": "+31 20 001 2345",
    "partial digits": "21234",  # five digits: many callers share them
    "reason words": "order 54321",
}
PAGE_SIZE = 25


def parent(args: argparse.Namespace) -> None:
    results = []
    for backend in args.backends:
        with contextlib.ExitStack() as stack:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="terugbel-bench-"))
            if backend == "postgres":
                server = stack.enter_context(postgres_server())
                create_database(server.port)
                env = production_env(tmp, DATABASE_URL=postgres_url(server))
                rows = args.pg_rows
            else:
                env = production_env(tmp, SQLITE_PATH=f"{tmp}/bench.sqlite3")
                rows = args.sqlite_rows
            out = Path(tmp) / "result.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--backend",
                    backend,
                    "--rows",
                    str(rows),
                    "--rounds",
                    str(args.rounds),
                    "--result",
                    str(out),
                ],
                env=env,
                cwd=ROOT,
                check=True,
            )
            results.append(json.loads(out.read_text()))
    print(f"\n{machine()}; median and p95 of {args.rounds} rounds; count + first page of {PAGE_SIZE}, in-process")
    by = {r["backend"]: r for r in results}
    header = f"{'query':<18} {'as':<9}" + "".join(
        f" {r['backend'][:8] + ' ' + format(r['rows'], ','):>22} {'p95':>7} {'found':>7}" for r in results
    )
    print(header + ("   sqlite/pg" if len(by) == 2 else ""))
    for name in QUERIES:
        for who in ("manager", "colleague"):
            line = f"{name:<18} {who:<9}"
            for r in results:
                figure = r["queries"][name][who]
                line += f" {figure['median']:>22.1f} {figure['p95']:>7.1f} {figure['found']:>7,}"
            if len(by) == 2:
                ratio = by["sqlite"]["queries"][name][who]["median"] / by["postgresql"]["queries"][name][who]["median"]
                line += f"   {ratio:>9.1f}x"
            print(line)
    for r in results:
        print(
            f"{r['backend']}: filled {r['rows']:,} in {r['fill_s']:.0f} s; search indexes built in {r['index_s']:.0f} s"
        )


def child(args: argparse.Namespace) -> None:
    django_prepare()
    from django.apps import apps as django_apps
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from callbacks.selectors.search import messages_found, terms_of

    migration = importlib.import_module("callbacks.migrations.0008_search_indexes")
    pg = connection.vendor == "postgresql"
    print(f"\n=== {connection.vendor}: filling {args.rows:,} messages (office profile)", flush=True)
    with connection.schema_editor() as editor:
        migration.drop(django_apps, editor)
    started = time.perf_counter()
    fill(connection, timezone.now().replace(microsecond=0), args.rows, span_days=730)
    fill_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.schema_editor(atomic=False) as editor:
        migration.create(django_apps, editor)
    index_s = time.perf_counter() - started
    settle(connection)
    print(f"fill {fill_s:.0f} s, search indexes {index_s:.0f} s{'' if pg else ' (none on SQLite)'}", flush=True)

    people = {"manager": User.objects.get(username="mira"), "colleague": User.objects.get(username="bram")}

    def search(user, query: str) -> int:
        page = Paginator(messages_found(user=user, terms=terms_of(query)), PAGE_SIZE).get_page(1)
        list(page.object_list)
        return page.paginator.count

    figures = {name: {who: {"times": []} for who in people} for name in QUERIES}
    for name, query in QUERIES.items():  # untimed warm-up, and what each finds
        for who, user in people.items():
            figures[name][who]["found"] = search(user, query)
    for _ in range(args.rounds):
        for name, query in QUERIES.items():
            for who, user in people.items():
                started = time.perf_counter()
                search(user, query)
                figures[name][who]["times"].append((time.perf_counter() - started) * 1000)
    for name in QUERIES:
        for who in people:
            figure = figures[name][who]
            figure.update(median=statistics.median(figure["times"]), p95=p95(figure["times"]))
            print(
                f"{name:<18} {who:<9} median {figure['median']:8.1f} ms  p95 {figure['p95']:8.1f} ms  "
                f"found {figure['found']:,}",
                flush=True,
            )
    Path(args.result).write_text(
        json.dumps(
            {"backend": connection.vendor, "rows": args.rows, "fill_s": fill_s, "index_s": index_s, "queries": figures}
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["postgres", "sqlite"], choices=["postgres", "sqlite"])
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # set by the parent for its subprocess
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    child(arguments) if arguments.backend else parent(arguments)
