"""Benchmark: two revisions' pages side by side, on one database, in one run.

Run with `.venv/bin/python bench/compare.py --base REV` (`make bench-compare BASE=REV`). The working tree and
REV (checked out into a throw-away git worktree) each get their own `gunicorn config.wsgi --workers 2` on the
same filled PostgreSQL and Redis (bench/server.py `office`); each round a receptionist takes one call in the
working tree's server, then each page is asked of both servers in turn, the order swapped every round, so a
busy spell of the machine falls on both alike. Prints each page's median and p95 per revision and the ratio
of the medians: runs made one after the other differ by spells as much as by code (docs/PERFORMANCE.md,
round 9). REV must have the working tree's migrations: one database serves both.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import Gunicorn, login, office, p95, timed  # noqa: E402
from bench.walk import both_workers, intake  # noqa: E402

PROFILES = {"office": 1_000_000, "backlog": 200_000}
COLLEAGUE = "bram"


def checkout(revision: str, folder: Path) -> Path:
    """REV in a worktree under folder, with the installed assets and its own compiled translations."""
    tree = folder / "base"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), revision], cwd=ROOT, check=True)
    (tree / "node_modules").symlink_to(ROOT / "node_modules")
    for catalog in tree.glob("locale/*/LC_MESSAGES/django.po"):
        subprocess.run(["msgfmt", "-o", str(catalog.with_suffix(".mo")), str(catalog)], check=True)
    return tree


def measure(args: argparse.Namespace, base_tree: Path) -> dict[tuple[str, str], list[float]]:
    with (
        office(args.rows or PROFILES[args.profile], profile=args.profile, extra_receptionists=3) as env,
        Gunicorn(env, root=base_tree) as base,
        Gunicorn(env) as work,
    ):
        from callbacks.models import Message

        servers = {args.base: base, "working tree": work}
        detail = Message.objects.filter(owner_user__username=COLLEAGUE, status="open").order_by("deadline").first()
        pages = {
            "bare view": ("anna", "/bench/bare/"),
            "my callbacks": (COLLEAGUE, "/callbacks/"),
            "detail page": (COLLEAGUE, f"/callbacks/{detail.pk}/"),
            "dashboard": ("mira", "/dashboard/"),
        }
        sessions = {}
        for name, server in servers.items():
            for page, (user, path) in pages.items():
                sessions[name, page] = login(server.base, user)
                # Warm-up, untimed: both workers of each server load the page once.
                both_workers(lambda session, url=server.base + path: session.get(url), sessions[name, page])
        receptionist = login(work.base, "anna")
        times = {key: [] for key in sessions}
        for round_number in range(args.rounds):
            intake(receptionist, work.base, 2 + round_number)
            order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
            for page, (_, path) in pages.items():
                for name in order:
                    response, ms = timed(sessions[name, page], "GET", servers[name].base + path)
                    if response.status_code != 200:
                        raise RuntimeError(f"{name} {path} answered {response.status_code}")
                    times[name, page].append(ms)
        return times


def report(times: dict[tuple[str, str], list[float]], base: str, profile: str, rounds: int) -> list[str]:
    """One line per page: each revision's median and p95 in ms, and the working tree's median over the base's."""
    names = [base, "working tree"]
    lines = [
        f"{profile} profile, {rounds} rounds, the two servers taking turns; before = {base}, after = working tree",
        f"{'page':14} {'before median':>14} {'before p95':>11} {'after median':>13} {'after p95':>10} {'after/before':>13}",
    ]
    for page in dict.fromkeys(page for _, page in times):
        (before, before_p95), (after, after_p95) = (
            (statistics.median(times[name, page]), p95(times[name, page])) for name in names
        )
        lines.append(
            f"{page:14} {before:14.1f} {before_p95:11.1f} {after:13.1f} {after_p95:10.1f} {after / before:13.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the revision to compare the working tree with")
    parser.add_argument("--profile", choices=PROFILES, default="backlog")
    parser.add_argument("--rows", type=int, help="messages to fill (default: office 1,000,000, backlog 200,000)")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="terugbel-bench-compare-"))
    try:
        times = measure(args, checkout(args.base, folder))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder / "base")], cwd=ROOT, check=False)
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(report(times, args.base, args.profile, args.rounds)))


if __name__ == "__main__":
    main()
