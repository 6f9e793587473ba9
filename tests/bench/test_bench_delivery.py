"""The delivery benchmark of bench/delivery.py, run tiny and on fake time (the stand-in's limits and the
sweep's waits both read it, so nothing sleeps): every due notice is delivered exactly once through the
rate-limited stand-in, across however many sweeps a time budget makes it take. Throughput is the
benchmark's business, not the test's: nothing here is timed."""

from __future__ import annotations

import json
import os

import pytest

from bench import delivery
from handlers.slack.devkit.fake_time import FakeTime

PG_URL = os.environ.get("ACTIONBOT_TEST_DATABASE_URL")
TINY = dict(
    dm_actions=40,
    people=16,
    regions=4,
    spread_channels=6,
    spread_actions=8,
    hot_channels=1,
    hot_actions=12,
    post_per_minute=120,
    open_per_minute=60,
)


@pytest.mark.parametrize(
    "db",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not PG_URL, reason="ACTIONBOT_TEST_DATABASE_URL is not set")
        ),
    ],
)
def test_a_tiny_delivery_sends_everything_once(db):
    result = delivery.run_delivery(db, **TINY, budget=10.0, pg_url=PG_URL, clock=FakeTime())

    kinds = result["planned_by_kind"]
    assert kinds["summary"] == 4 and kinds["nudge"] == 40 + 8 + 12
    assert result["messages"] >= result["notices"] == 64
    assert result["busiest_channel"] >= 12 and result["dm_users"] > 4  # a hot channel, and several DMs each
    assert result["duplicates"] == 0 and result["lost"] == 0, result["lost_notices"]
    assert result["sent"] == 64 and result["failed"] == 0 and result["sent_without_message"] == 0
    assert result["accepted"] == result["messages"]
    assert sum(result["throttled"].values()) > 0  # the limits did bite
    assert len(result["sweeps"]) >= 3 and result["sweeps"][-1]["planned"] == 0  # the budget made it take several


def test_the_script_writes_its_results_as_json(tmp_path):
    """On real time, with limits nothing here comes near: no waiting."""
    out = tmp_path / "results" / "delivery.json"
    args = [
        "--db",
        "sqlite",
        "--json",
        str(out),
        "--dm-actions",
        "6",
        "--people",
        "8",
        "--regions",
        "2",
        "--spread-channels",
        "2",
        "--spread-actions",
        "2",
        "--hot-channels",
        "1",
        "--hot-actions",
        "2",
        "--post-per-minute",
        "6000",
        "--open-per-minute",
        "6000",
        "--channel-burst",
        "10",
        "--teams-owners",
        "4",
        "--teams-dm-actions",
        "6",
        "--teams-channels",
        "2",
        "--teams-channel-actions",
        "2",
        "--teams-hot-actions",
        "9",
    ]
    assert delivery.main(args) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"date", "command", "machine", "results"} <= doc.keys()
    [result] = [r for r in doc["results"] if r.get("platform") != "teams"]
    assert result["db"] == "sqlite" and result["duplicates"] == 0 and result["lost"] == 0
    assert result["notices"] == 6 + 2 + 2 + 2
    tenant, busy = [r for r in doc["results"] if r.get("platform") == "teams"]
    assert (tenant["clock"], busy["clock"]) == ("real", "fake")
    assert tenant["notices"] == 6 + 2 and busy["notices"] == 6 + 2 + 9 and busy["busiest_conversation"] == 9
    assert all(r["duplicates"] == 0 and r["lost"] == 0 for r in (tenant, busy))


@pytest.mark.parametrize(
    "db",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not PG_URL, reason="ACTIONBOT_TEST_DATABASE_URL is not set")
        ),
    ],
)
def test_a_tiny_teams_delivery_keeps_to_teams_limits_and_sends_everything_once(db):
    pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")
    from bench.teams_delivery import run_teams_delivery

    result = run_teams_delivery(
        db, owners=12, dm_actions=30, channels=3, channel_actions=9, hot_actions=70, pg_url=PG_URL, clock=FakeTime()
    )
    assert result["notices"] == result["sent"] == result["accepted"] == 30 + 9 + 70
    assert result["duplicates"] == 0 and result["lost"] == 0 and result["failed"] == 0, result["lost_notices"]
    assert result["throttled"] == {"send": 0, "429s": 0}  # Teams' limits are known: none was hit
    assert result["busiest_conversation"] == 70 and result["conversation_took_s"] >= 30  # 60 per 30 s did bite
