"""What `actionbot run` logs (issue 18, item 6): one start line naming the mode, the port, the platforms,
the database and the zone database; then each request line and each send; nothing else at INFO (no
Bolt warning about a token, no APScheduler chatter). A Socket Mode connection Slack refuses stops the
process with one line, before anything says it started."""

from __future__ import annotations

import re

from handlers.slack.devkit.driver import SlackDriver
from tests.cli.test_cli import RunningBot, actionbot, cli_env
from tests.conftest import SECRET, TEAM
from tests.helpers import SEED_ROWS


def test_run_logs_one_start_line_then_only_requests_and_sends(db_url, slack, tmp_path):
    env = cli_env(
        tmp_path,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
    )
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    bot = RunningBot(env, tmp_path)
    try:
        driver = SlackDriver(bot.url, slack, SECRET, team_id=TEAM)
        assert driver.command("UTIM", "add " + SEED_ROWS[0][0]).status == 200
        slack.wait_for("chat.postMessage", count=1)  # the new owner's DM
    finally:
        bot.stop()
    log = "".join(bot.log)
    started = [line for line in bot.log if " started: " in line]
    assert len(started) == 1, log
    for part in (
        "slack over HTTP",
        "listening on http://127.0.0.1:",
        "scheduler here",
        "database: ",
        "zone database 20",
    ):
        assert part in started[0], started[0]
    assert db_url.split("@")[-1].split("/")[-1].split(".")[0] in started[0] or "SQLite" in started[0]
    info = [line for line in bot.log if re.match(r"\S+ \S+ INFO ", line)]
    others = [
        line
        for line in info
        if " started: " not in line
        and " actionbot.request: " not in line
        and " sent " not in line
        and "stopping" not in line
    ]
    assert others == [], log
    assert any(" actionbot.request: " in line for line in info), log
    assert "will be unused" not in log and "apscheduler" not in log and "Adding job" not in log, log


def test_a_socket_mode_connection_slack_refuses_is_one_line(db_url, slack, tmp_path):
    env = cli_env(
        tmp_path,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_APP_TOKEN="xapp-not-ours",
        SLACK_API_URL=slack.api_url,
    )
    done = actionbot("run", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "SLACK_APP_TOKEN" in done.stderr, done.stderr
    assert "started" not in done.stderr and "running" not in done.stderr.lower()
