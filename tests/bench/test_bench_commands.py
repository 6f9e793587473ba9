"""bench/commands.py, run tiny: the bot and the bare Bolt app answer every kind of request the
benchmark times, on SQLite and PostgreSQL. Nothing here is timed: the numbers are the benchmark's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
PG_URL = os.environ.get("ACTIONBOT_TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def commands():
    sys.path.insert(0, str(BENCH))
    try:
        import commands as module

        yield module
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize(
    "db",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not PG_URL, reason="ACTIONBOT_TEST_DATABASE_URL is not set")
        ),
    ],
)
def test_a_tiny_command_benchmark_measures_every_kind(commands, db):
    result = commands.run_commands(db, actions=600, requests=3, pg_url=PG_URL)

    assert set(result["by_op"]) == set(commands.OPS)
    for op, row in result["by_op"].items():  # every answer was checked as it came (run_commands raises)
        assert row["p50_ms"] > 0 and row["bare_p50_ms"] > 0, op
        assert row["p50_ratio"] == pytest.approx(row["p50_ms"] / row["bare_p50_ms"], rel=0.02), op
    assert result["server_log_errors"] == 0
    assert result["server_peak_rss_mb"] and result["server_peak_rss_mb"] > 10
    assert "operation" in commands.report(result)
