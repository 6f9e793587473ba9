"""One bot process serving a Slack workspace and a Teams tenant at once (build_runtime with both
configured, one waitress server, `/slack/events` beside `/api/messages`), each seeing only its own
actions; and `actionbot teams package` run as an operator runs it. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.runtime import BackgroundServer, build_runtime  # noqa: E402
from handlers.slack.devkit.driver import SlackDriver  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from tests.conftest import SECRET, TEAM, WORKSHOP_NOW, Clock, app_config  # noqa: E402
from tests.teams.teams_runtime import say, teams_env, texts  # noqa: E402

ACTIONBOT = shutil.which("actionbot", path=os.path.dirname(sys.executable)) or "actionbot"


def slack_text(reply: dict) -> str:
    return json.dumps(reply)


def test_one_process_serves_slack_and_teams_each_seeing_only_its_own(slack, standin, db_url):
    config = app_config(slack, db_url, env=teams_env(standin))
    runtime = build_runtime(config, clock=Clock(WORKSHOP_NOW))
    assert sorted(runtime.platforms) == ["slack", "teams"]
    server = BackgroundServer(runtime).start()
    try:
        slack_driver = SlackDriver(server.url, slack, SECRET, team_id=TEAM)
        teams_driver = TeamsDriver(standin, server.url + "/api/messages")
        reply = slack_driver.command("UTIM", "add Slack side task @UTIM due Dec 5").json()
        assert "Added *#1*" in slack_text(reply)
        shown = texts(say(teams_driver, standin, standin.lina, "add Teams side task owner:Lina due Dec 6"))
        assert "Added **#1** Teams side task" in shown  # numbered in its own tenant

        slack_list = slack_text(slack_driver.command("UTIM", "list all").json())
        assert "Slack side task" in slack_list and "Teams side task" not in slack_list
        teams_list = texts(say(teams_driver, standin, standin.lina, "list all"))
        assert "Teams side task" in teams_list and "Slack side task" not in teams_list

        assert {w.team_id for w in runtime.platforms["slack"].actions.workspaces.all()} == {TEAM}
        assert {w.team_id for w in runtime.platforms["teams"].actions.workspaces.all()} == {standin.tenant_id}
        assert runtime.platforms["teams"].notifier().pace.windows[0] == (7, 1.0)  # each platform brings its own pace
    finally:
        server.stop()
        runtime.shutdown(wait=True)
        runtime.db.dispose()


def test_teams_package_on_the_command_line(tmp_path, standin):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    env["TEAMS_APP_ID"] = standin.app_id
    out = tmp_path / "actionbot-teams.zip"
    done = subprocess.run(
        [ACTIONBOT, "teams", "package", "--public-url", "https://bot.example.org", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == standin.app_id
    assert manifest["validDomains"] == ["bot.example.org"]
    refused = subprocess.run([ACTIONBOT, "teams", "package"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--public-url" in refused.stderr
