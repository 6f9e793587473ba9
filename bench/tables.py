"""What the benchmark scripts share at their edges: the database options of their command lines, the
plain-text table they print, and the JSON document (date, command, machine, results) they write."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from argparse import ArgumentParser
from pathlib import Path

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def add_database_options(parser: ArgumentParser) -> None:
    """`--db sqlite|postgresql|both` (default both) and `--pg-url` (the server for throwaway databases)."""
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ACTIONBOT_TEST_DATABASE_URL") or DEFAULT_PG_URL,
        help="PostgreSQL server the throwaway databases are made on (default "
        f"$ACTIONBOT_TEST_DATABASE_URL, else {DEFAULT_PG_URL})",
    )


def databases(choice: str) -> list[str]:
    return ["sqlite", "postgresql"] if choice == "both" else [choice]


def table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the rest right-aligned."""
    cells = [header] + rows
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def write_results(
    path: str | Path, script: str, argv: list[str] | None, started: dt.datetime, results: list[dict]
) -> Path:
    """Write the run as JSON to `path` (its folder is created) and return the path."""
    doc = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([sys.executable, *sys.argv] if argv is None else [script, *argv]),
        "machine": machine(),
        "results": results,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    return path
