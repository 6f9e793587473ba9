"""Weekly summaries: 50 regions of 2,000 actions each, every summary built by the core and rendered as
Block Kit, timed together and apart, with the SQL statements the building sends.

    .venv/bin/python bench/summaries.py [--regions 50] [--per-region 2000] [--db sqlite|postgresql|both]
                                        [--pg-url postgresql://postgres@127.0.0.1:5432/test]
                                        [--repeat 3] [--json bench/results/summaries.json]

For each database it makes a fresh database, migrates it and bulk-seeds a programme (bench/programme.py)
whose every region has overdue actions, actions due this week, done and new ones in the last 7 days,
ongoing ones and later ones, with one to three owners each. Then, `--repeat` times:

1. build: `bot.core.planner.summaries_now` for all regions (what `/action summary` and the Monday sweep
   build), counting its SQL statements;
2. render: `handlers.slack.render_notices.summary_messages` for each summary (the messages and their thread).

Target (issue 7): all 50 built and rendered in under 1 s. `run_summaries(db, regions, per_region, pg_url)`
does one database and returns the result as a dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/summaries.py` from anywhere: import the checkout's packages
    sys.path.insert(0, str(ROOT))

from bench.load import fresh_database  # noqa: E402
from bench.programme import DEFAULT_NOW, TEAM, seed_programme  # noqa: E402
from bench.statements import StatementCounter  # noqa: E402
from bench.sweep_plan import migrate  # noqa: E402
from bench.tables import add_database_options, databases, table, write_results  # noqa: E402
from bot.core.planner import summaries_now  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from handlers.slack.render_notices import summary_messages  # noqa: E402
from store.database import Database  # noqa: E402

TARGET_S = 1.0
DUE_SHARE = 10  # one action in this many is overdue or due this week


def build_and_render(url: str, now: dt.datetime, repeat: int) -> dict:
    db = Database(url)
    try:
        actions = ActionService(db, platform="slack")
        counter = StatementCounter(db.engine)
        build, render, statements = [], [], []
        for _ in range(repeat):
            with counter:
                started = time.perf_counter()
                summaries = summaries_now(actions, TEAM, None, now)
                build.append(time.perf_counter() - started)
            statements.append(counter.count)
            started = time.perf_counter()
            messages = [summary_messages(s) for s in summaries]
            render.append(time.perf_counter() - started)
        listed = sum(len(s.overdue) + len(s.due_soon) + len(s.done) + len(s.new) for s in summaries)
        return {
            "summaries": len(summaries),
            "open": sum(s.open_total for s in summaries),
            "listed": listed,
            "messages": sum(len(m) for m in messages),
            "blocks": sum(len(msg["blocks"]) for m in messages for msg in m),
            "build_s": build,
            "render_s": render,
            "statements": statements,
            "statement_heads": dict(counter.heads),
        }
    finally:
        db.dispose()


def run_summaries(
    db: str,
    regions: int,
    per_region: int,
    pg_url: str | None = None,
    *,
    repeat: int = 3,
    now: dt.datetime = DEFAULT_NOW,
) -> dict:
    with fresh_database(db, pg_url) as url:
        migrate(url)
        actions = regions * per_region
        seeded = seed_programme(
            url,
            actions=actions,
            due=actions // DUE_SHARE,
            regions=regions,
            people=max(2000, regions + 1),
            now=now,
            recent=True,
        )
        result = {
            "db": db,
            "regions": regions,
            "per_region": per_region,
            "actions": actions,
            "owners": seeded.owners,
            **build_and_render(url, now, repeat),
        }
    total = [b + r for b, r in zip(result["build_s"], result["render_s"])]
    result.update(
        build_median_s=round(statistics.median(result["build_s"]), 4),
        render_median_s=round(statistics.median(result["render_s"]), 4),
        total_median_s=round(statistics.median(total), 4),
        cold_total_s=round(total[0], 4),
        target_s=TARGET_S,
    )
    return result


HEADER = [
    "database",
    "regions",
    "actions",
    "listed",
    "messages",
    "statements",
    "build ms",
    "render ms",
    "total ms",
    "cold ms",
    "x 1 s",
]


def row_of(r: dict) -> list[str]:
    return [
        r["db"],
        str(r["summaries"]),
        f"{r['actions']:,}",
        f"{r['listed']:,}",
        str(r["messages"]),
        str(r["statements"][-1]),
        f"{r['build_median_s'] * 1000:.0f}",
        f"{r['render_median_s'] * 1000:.0f}",
        f"{r['total_median_s'] * 1000:.0f}",
        f"{r['cold_total_s'] * 1000:.0f}",
        f"{r['total_median_s'] / TARGET_S:.2f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/summaries.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=50)
    parser.add_argument("--per-region", type=int, default=2000, help="actions per region (default 2000)")
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per database (default 3)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "summaries.json"))
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.timezone.utc)
    results = []
    for db in databases(args.db):
        print(f"== {db}: {args.regions} regions of {args.per_region:,} actions", flush=True)
        results.append(run_summaries(db, args.regions, args.per_region, args.pg_url, repeat=args.repeat))
        print(table(HEADER, [row_of(results[-1])]), flush=True)
    print("\n" + table(HEADER, [row_of(r) for r in results]))
    print(f"\nwrote {write_results(args.json, 'bench/summaries.py', argv, started, results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
