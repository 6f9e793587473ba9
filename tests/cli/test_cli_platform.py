"""The command line's platform steps go through the contract: with SLACK_BOT_TOKEN set it learns its
workspace from Slack (`auth.test`) instead of asking for --workspace; `workspace delete` revokes and
forgets an OAuth installation's token; all against the Slack stand-in."""

from __future__ import annotations

import datetime as dt

from slack_sdk.oauth.installation_store import Installation

from bot.config import Config
from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from handlers.slack.app import installation_store
from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import OTHER_TEAM, SECRET, TEAM

NOW = dt.datetime(2014, 11, 21, 15, tzinfo=dt.timezone.utc)


def two_workspaces(service) -> None:
    service.add(TEAM, Actor("UTIM"), ActionSpec("Ours"), NOW)
    service.add(OTHER_TEAM, Actor("UFOREIGN"), ActionSpec("Theirs"), NOW)


def test_with_a_bot_token_the_workspace_is_slacks_answer(db_url, service, slack, tmp_path):
    two_workspaces(service)
    unset = actionbot("list", cwd=tmp_path, env=cli_env(tmp_path, DATABASE_URL=db_url))
    assert unset.returncode == 2 and "Several workspaces" in unset.stderr  # without a token: asked

    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)
    listed = actionbot("list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "Ours" in listed.stdout and "Theirs" not in listed.stdout
    assert [c.token for c in slack.calls_to("auth.test")] == [slack.bot_token]

    other = actionbot("list", "--workspace", OTHER_TEAM, cwd=tmp_path, env=env)  # --workspace still decides
    assert "Theirs" in other.stdout and len(slack.calls_to("auth.test")) == 1


def test_a_token_slack_refuses_is_one_line(db_url, service, slack, tmp_path):
    two_workspaces(service)
    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN="xoxb-not-ours", SLACK_API_URL=slack.api_url)
    done = actionbot("list", cwd=tmp_path, env=env)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert "SLACK_BOT_TOKEN" in done.stderr and "invalid_auth" in done.stderr and "xoxb-not-ours" not in done.stderr


def test_workspace_delete_revokes_and_forgets_the_installation(db, db_url, service, slack, tmp_path):
    service.add(OTHER_TEAM, Actor("UFOREIGN"), ActionSpec("Theirs"), NOW)
    config = Config(
        bot_token=None,
        signing_secret=SECRET,
        app_token=None,
        api_url=slack.api_url,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
        client_id="111.222",
        client_secret="shh",
    )
    store = installation_store(config, db.engine)
    store.save(
        Installation(
            app_id="A1", team_id=OTHER_TEAM, bot_token="xoxb-other", bot_id="B1", bot_user_id="UB", user_id="U1"
        )
    )
    assert store.bot_for_team(OTHER_TEAM) is not None
    env = cli_env(
        tmp_path,
        DATABASE_URL=db_url,
        SLACK_API_URL=slack.api_url,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="shh",
        SLACK_SIGNING_SECRET=SECRET,
    )
    done = actionbot("workspace", "delete", OTHER_TEAM, "--yes", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert [c.token for c in slack.calls_to("auth.revoke")] == ["xoxb-other"]
    assert store.bot_for_team(OTHER_TEAM) is None
    assert service.workspaces.all() == []
