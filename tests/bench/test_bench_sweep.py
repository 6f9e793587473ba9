"""bench/sweep_plan.py and bench/summaries.py, run tiny so they cannot rot: the seeded programme plans
exactly its due nudges, in the same number of SQL statements at every size, and the summaries of every
region are built and rendered. Timings are the benchmarks' business: nothing here is timed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import summaries, sweep_plan

PG_URL = os.environ.get("ACTIONBOT_TEST_DATABASE_URL")
DBS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="ACTIONBOT_TEST_DATABASE_URL is not set")),
]


@pytest.mark.parametrize("db", DBS)
def test_planning_sends_the_same_statements_whatever_the_number_of_actions(db):
    result = sweep_plan.run_sweep_plan(db, [200, 800], due=60, pg_url=PG_URL, repeat=2, rss=False)

    assert [run["actions"] for run in result["runs"]] == [200, 800]
    for run in result["runs"]:
        assert run["planned_by_kind"] == {"nudge": 60}  # one nudge for each due action; nothing else
        assert run["recipients"] > 1
        assert len(run["seconds"]) == 2 and len(set(run["statements"])) == 1  # a warm run sends the same
    assert result["statements_constant"]
    assert result["runs"][0]["statements"] == result["runs"][1]["statements"]


def test_the_sweep_script_measures_the_clock_process_and_writes_json(tmp_path):
    out = tmp_path / "results" / "sweep_plan.json"
    assert (
        sweep_plan.main(["--sizes", "120", "--due", "30", "--db", "sqlite", "--repeat", "1", "--json", str(out)]) == 0
    )
    doc = json.loads(Path(out).read_text(encoding="utf-8"))
    assert {"date", "command", "machine", "results"} <= doc.keys()
    run = doc["results"][0]["runs"][0]
    assert run["planned"] == 30
    assert run["subprocess"]["peak_rss_mb"] > 10  # a real Python process, measured on its own
    assert run["subprocess"]["last_line"].startswith("30 to send")  # `actionbot sweep --dry-run` agrees


@pytest.mark.parametrize("db", DBS)
def test_every_region_summary_is_built_and_rendered_in_the_same_statements(db):
    small = summaries.run_summaries(db, regions=3, per_region=100, pg_url=PG_URL, repeat=1)
    large = summaries.run_summaries(db, regions=6, per_region=200, pg_url=PG_URL, repeat=1)

    for result, regions in ((small, 3), (large, 6)):
        assert result["summaries"] == regions
        assert result["open"] > 0 and result["listed"] > 0
        assert result["messages"] >= regions and result["blocks"] > 2 * regions
    assert small["statements"] == large["statements"]


def test_the_summaries_script_writes_json(tmp_path):
    out = tmp_path / "summaries.json"
    assert (
        summaries.main(["--regions", "2", "--per-region", "50", "--db", "sqlite", "--repeat", "1", "--json", str(out)])
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["results"][0]["summaries"] == 2
