"""Sweep planning: how long a sweep takes to decide what to send, in how many SQL statements, and the
peak memory of the process that does it.

    .venv/bin/python bench/sweep_plan.py [--sizes 20000,100000] [--due 10000] [--db sqlite|postgresql|both]
                                         [--pg-url postgresql://postgres@127.0.0.1:5432/test]
                                         [--repeat 3] [--no-rss] [--json bench/results/sweep_plan.json]

For each database and each size it makes a fresh database (a temporary SQLite file, or a PostgreSQL
database created beside the one --pg-url names and dropped afterwards), migrates it, bulk-seeds a
programme (bench/programme.py: 50 regions, 2,000 people, `size` open actions of which `--due` have a
nudge due at the instant) and then:

1. runs the scheduler's own sweep in dry-run mode (scheduler.sweep.sweep with no notifier: plan only,
   nothing claimed, sent or written) `--repeat` times in this process, timing each and counting the
   SQL statements it sends (a `before_cursor_execute` listener); the first run is the cold one;
2. runs `actionbot sweep --now <instant> --dry-run` as a subprocess against the same database and
   reads its peak resident memory (ru_maxrss of a small parent's children): the clock's memory for that
   sweep.

Targets (issue 7): under 1 s to plan, the same number of statements at every size, peak RSS under 150 MB.
`run_sweep_plan(db, sizes, due, pg_url)` does one database and returns the result as a dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/sweep_plan.py` from anywhere: import the checkout's packages
    sys.path.insert(0, str(ROOT))

from bench.load import actionbot_executable, child_env, fresh_database  # noqa: E402
from bench.programme import DEFAULT_NOW, seed_programme  # noqa: E402
from bench.statements import StatementCounter  # noqa: E402
from bench.tables import add_database_options, databases, table, write_results  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from scheduler.sweep import sweep  # noqa: E402
from store.database import Database, make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_S = 1.0
TARGET_RSS_MB = 150


def migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def plan_runs(url: str, now: dt.datetime, repeat: int) -> dict:
    """The dry-run sweep `repeat` times in this process: seconds and statements of each, what it planned."""
    db = Database(url)
    try:
        actions = ActionService(db, platform="slack")
        counter = StatementCounter(db.engine)
        seconds, statements = [], []
        for _ in range(repeat):
            with counter:
                started = time.perf_counter()
                report = sweep(actions, None, now, dry_run=True)
                seconds.append(time.perf_counter() - started)
            statements.append(counter.count)
        return {
            "seconds": seconds,
            "statements": statements,
            "statement_heads": dict(counter.heads),
            "planned": len(report.planned),
            "planned_by_kind": dict(Counter(n.kind for n in report.planned)),
            "recipients": len({n.recipient for n in report.planned}),
        }
    finally:
        db.dispose()


# The command runs under a small Python parent that reports its children's peak RSS: a child's ru_maxrss
# also counts the memory of the process it was forked from, and this one has grown by seeding.
PEAK_RSS = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def sweep_subprocess(url: str, now: dt.datetime) -> dict:
    """`actionbot sweep --now … --dry-run` as its own process: its peak RSS, wall time and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, actionbot_executable(), "sweep", "--now", now.isoformat(), "--dry-run"],
        env=child_env(DATABASE_URL=url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError("actionbot sweep --dry-run failed:\n" + done.stderr[-2000:])
    lines = done.stdout.splitlines()
    return {
        "peak_rss_mb": round(int(done.stderr.split()[-1]) / 1024, 1),
        "wall_s": round(seconds, 3),
        "last_line": lines[-1] if lines else "",
    }


def run_sweep_plan(
    db: str,
    sizes: list[int],
    due: int,
    pg_url: str | None = None,
    *,
    repeat: int = 3,
    rss: bool = True,
    now: dt.datetime = DEFAULT_NOW,
) -> dict:
    runs = []
    for size in sizes:
        with fresh_database(db, pg_url) as url:
            migrate(url)
            started = time.perf_counter()
            seeded = seed_programme(url, actions=size, due=min(due, size), now=now)
            seed_s = time.perf_counter() - started
            run = {
                "actions": size,
                "due": seeded.due,
                "regions": seeded.regions,
                "people": seeded.people,
                "owners": seeded.owners,
                "seed_s": round(seed_s, 2),
                **plan_runs(url, now, repeat),
            }
            run["cold_s"] = round(run["seconds"][0], 4)
            run["median_s"] = round(statistics.median(run["seconds"]), 4)
            if rss:
                run["subprocess"] = sweep_subprocess(url, now)
            runs.append(run)
    statements = {r["statements"][-1] for r in runs}
    return {
        "db": db,
        "now": now.isoformat(),
        "runs": runs,
        "statements_constant": len(statements) == 1,
        "target": {"plan_s": TARGET_S, "peak_rss_mb": TARGET_RSS_MB},
    }


def rows_of(result: dict) -> list[list[str]]:
    rows = []
    for run in result["runs"]:
        sub = run.get("subprocess")
        rows.append(
            [
                result["db"],
                f"{run['actions']:,}",
                f"{run['due']:,}",
                f"{run['planned']:,}",
                str(run["statements"][-1]),
                f"{run['cold_s'] * 1000:.0f}",
                f"{run['median_s'] * 1000:.0f}",
                f"{run['median_s'] / TARGET_S:.2f}",
                f"{sub['peak_rss_mb']:.0f}" if sub else "-",
                f"{sub['peak_rss_mb'] / TARGET_RSS_MB:.2f}" if sub else "-",
            ]
        )
    return rows


HEADER = [
    "database",
    "actions",
    "due",
    "planned",
    "statements",
    "cold ms",
    "median ms",
    "x 1 s",
    "peak RSS MB",
    "x 150 MB",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/sweep_plan.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,100000", help="open actions, comma-separated (default 20000,100000)")
    parser.add_argument("--due", type=int, default=10000, help="of which this many have a nudge due (default 10000)")
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=3, help="dry-run sweeps per database (default 3)")
    parser.add_argument("--no-rss", action="store_true", help="skip the `actionbot sweep --dry-run` subprocess")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "sweep_plan.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    started = dt.datetime.now(dt.timezone.utc)
    results = []
    for db in databases(args.db):
        print(f"== {db}: {', '.join(f'{s:,}' for s in sizes)} actions, {args.due:,} due", flush=True)
        result = run_sweep_plan(db, sizes, args.due, args.pg_url, repeat=args.repeat, rss=not args.no_rss)
        print(table(HEADER, rows_of(result)), flush=True)
        results.append(result)
    print("\n" + table(HEADER, [row for r in results for row in rows_of(r)]))
    for r in results:
        print(f"{r['db']}: statements {'the same' if r['statements_constant'] else 'NOT the same'} at every size")
    print(f"\nwrote {write_results(args.json, 'bench/sweep_plan.py', argv, started, results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
