"""The load test of bench/load.py, run tiny: it must drive the real `actionbot run` with the whole
mix and see no errors. Timings are the benchmark's business, not the test's: nothing here is timed."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

LOAD_PY = Path(__file__).resolve().parents[2] / "bench" / "load.py"
PG_URL = os.environ.get("ACTIONBOT_TEST_DATABASE_URL")
TOTALS = {"requests", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", "refusals"}


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", LOAD_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.mark.parametrize(
    "db",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not PG_URL, reason="ACTIONBOT_TEST_DATABASE_URL is not set")
        ),
    ],
)
def test_a_tiny_load_runs_without_errors(load, db):
    result = load.run_load(db, clients=4, seconds=2, pg_url=PG_URL)

    assert (
        TOTALS | {"db", "clients", "seconds", "by_op", "errors_by_kind", "error_samples", "server", "slack"}
        <= result.keys()
    )
    assert result["db"] == db and result["clients"] == 4
    assert result["requests"] > 0
    assert result["errors"] == 0, (result["errors_by_kind"], result["error_samples"])
    assert set(result["by_op"]) == {op for op, _ in load.MIX}
    for op, totals in result["by_op"].items():
        assert TOTALS <= totals.keys(), op
    assert sum(t["requests"] for t in result["by_op"].values()) == result["requests"]
    assert result["slack"]["api_calls"] > 0  # the bot reached the stand-in (DMs, Home tabs)
    assert result["server"]["exit_code"] is not None  # and the bot was stopped
    timed = result["server"]["dispatch_ms"]  # the bot's request log timed its own work on each request
    assert 0 < timed["p50"] <= timed["p99"] <= result["max_ms"]


def test_the_script_writes_its_results_as_json(load, tmp_path):
    out = tmp_path / "results" / "load.json"
    code = load.main(["--clients", "2", "--seconds", "1", "--db", "sqlite", "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"date", "command", "machine", "results"} <= doc.keys()
    assert [r["db"] for r in doc["results"]] == ["sqlite"] and doc["results"][0]["requests"] > 0


def test_two_workers_share_the_port_and_stop_together(load):
    """`actionbot run --workers 2` on SQLite: both workers serve the same port, writes from the two
    processes take turns (no "database is locked"), and SIGTERM stops every process."""
    result = load.run_load("sqlite", clients=4, seconds=2, server_workers=2)

    assert result["errors"] == 0, (result["errors_by_kind"], result["error_samples"])
    assert result["requests"] > 0 and result["by_op"]["add"]["requests"] > 0
    server = result["server"]
    assert server["workers"] == 2 and server["processes"] == 3  # the parent and its two workers
    assert server["exit_code"] == 0 and server["processes_left"] == 0


def test_a_worker_that_dies_is_replaced(load, tmp_path):
    """Kill one of two workers outright: the parent starts another, which serves the same port."""
    import signal

    from handlers.slack.devkit.requests import post_signed, slash_command_body

    with load.LoadStandIn(team_id=load.TEAM, bot_token=load.BOT_TOKEN) as standin:
        standin.add_user("UL0001", "person1", tz="UTC")
        env = load.child_env(
            SLACK_BOT_TOKEN=load.BOT_TOKEN,
            SLACK_SIGNING_SECRET=load.SECRET,
            SLACK_API_URL=standin.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        )
        bot = load.BotProcess(env, str(tmp_path), workers=2)
        try:
            workers = [pid for pid in bot.processes() if pid != bot.proc.pid]
            assert len(workers) == 2
            os.kill(workers[0], signal.SIGKILL)
            assert bot.wait_serving(3), "no worker took the dead one's place"
            assert len([pid for pid in bot.processes() if pid != bot.proc.pid]) == 2
            for _ in range(6):  # whichever worker the kernel hands each connection to, it answers
                body = slash_command_body(
                    "add Check the budget due tomorrow",
                    user_id="UL0001",
                    team_id=load.TEAM,
                    response_url=standin.response_url(),
                )
                reply = post_signed(bot.url + "/slack/events", body, load.SECRET)
                assert reply.status == 200 and reply.json()["text"].startswith("Added #")
        finally:
            assert bot.stop() == 0
