"""A second platform is a folder plus one line: Echo (tests/platforms/echo) beside Slack in one process.
Its route is served on the same port as Slack's, its new owners are told through its own notifier, one
clock sweeps both platforms' workspaces, each through its own notifier, at its own pace."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest

from bot import platforms
from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from bot.runtime import BackgroundServer, action_service, build_runtime
from handlers.slack.devkit.driver import SlackDriver
from handlers.slack.devkit.fake_time import FakeTime
from scheduler.clock import install, sweep_job
from scheduler.sweep import deliver_told
from store.database import Database
from tests.conftest import SECRET, TEAM, app_config
from tests.platforms.echo.platform import OUTBOX, PACE, EchoNotifier

ECHO = "tests.platforms.echo.platform"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # a Teams tenant: 36 characters
CREATOR = "29:1" + "a" * 97  # Teams' per-bot user IDs run to 100 characters and more
OWNER = "29:1" + "b" * 97
UTC = dt.timezone.utc


@pytest.fixture
def echo_registered(monkeypatch):
    monkeypatch.setattr(platforms, "PLATFORMS", [*platforms.PLATFORMS, ECHO])  # the one line
    with OUTBOX.lock:
        OUTBOX.posts.clear()
        OUTBOX.forgotten.clear()


def post_json(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_one_process_serves_both_and_one_clock_sweeps_each_through_its_own(echo_registered, db_url, slack, clock):
    config = app_config(slack, db_url, env={"ECHO_TOKEN": "t"})
    runtime = build_runtime(config, clock=clock)
    server = BackgroundServer(runtime).start()
    try:
        assert sorted(runtime.platforms) == ["echo", "slack"]
        status, answer = post_json(
            server.url + "/echo/messages",
            {"tenant": TENANT, "user": CREATOR, "add": "Send the budget", "owner": OWNER, "due": "Dec 10, 2014"},
        )
        assert (status, answer) == (200, {"number": 1})
        assert post_json(server.url + "/echo/messages", {"tenant": TENANT})[0] == 400
        # the new owner heard of it at once, through Echo's notifier, not Slack's
        assert [(t, r) for t, r, _ in OUTBOX.posts] == [(TENANT, f"user:{OWNER}")]
        assert "assigned" in OUTBOX.posts[0][2]

        driver = SlackDriver(server.url, slack, SECRET, team_id=TEAM)
        reply = driver.command("UTIM", "add Slack's own <@UPAT|patricia> due Dec 10, 2014")
        assert reply.status == 200
        slack.wait_for("chat.postMessage")
        runtime.settle()
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as resp:
            assert resp.status == 200

        slack_posts, echo_posts = len(slack.calls_to("chat.postMessage")), len(OUTBOX.posts)
        install(runtime.scheduler_services())
        clock.now = dt.datetime(2014, 12, 4, 0, 0, tzinfo=UTC)
        while clock.now < dt.datetime(2014, 12, 11, tzinfo=UTC):  # a week of hourly sweeps up to the due day
            sweep_job()
            clock.now += dt.timedelta(hours=1)
        echoed = OUTBOX.posts[echo_posts:]
        to_slack = [c.params["channel"] for c in slack.calls_to("chat.postMessage")[slack_posts:]]
        assert echoed and {(t, r) for t, r, _ in echoed} == {(TENANT, f"user:{OWNER}")}
        assert all("Send the budget" in text for _, _, text in echoed)
        assert to_slack and set(to_slack) == {"DPAT"}  # Patricia's nudges, and no Echo notice went to Slack
    finally:
        server.stop()
        runtime.shutdown(wait=True)
        runtime.db.dispose()


def test_workspaces_are_found_by_platform_and_id(echo_registered, db_url, slack, clock):
    """The same ID on two platforms is two workspaces: a sweep of one never sends the other's."""
    config = app_config(slack, db_url, env={"ECHO_TOKEN": "t"})
    db = Database(db_url)
    try:
        echo, on_slack = action_service(config, db, "echo"), action_service(config, db, "slack")
        created = dt.datetime(2014, 12, 1, 12, tzinfo=UTC)
        echo.add(TEAM, Actor(CREATOR), ActionSpec("Echo's", user_owners=[OWNER], due_phrase="Dec 3, 2014"), created)
        assert on_slack.workspaces.all() == [] and [w.team_id for w in echo.workspaces.all()] == [TEAM]
    finally:
        db.dispose()


@pytest.mark.parametrize(("pace", "waits"), [(PACE, True), (None, False)])
def test_each_sweep_sends_at_its_notifiers_pace(echo_registered, db_url, slack, pace, waits):
    """Three notices to one person: Echo's pace (two at once, then one a quarter second) makes the third
    wait; a notifier that posts freely until pushed back does not."""
    config = app_config(slack, db_url, env={"ECHO_TOKEN": "t"})
    db = Database(db_url)
    try:
        echo = action_service(config, db, "echo")
        now = dt.datetime(2014, 12, 1, 12, tzinfo=UTC)
        for title in ("One", "Two", "Three"):
            echo.add(TENANT, Actor(CREATOR), ActionSpec(title, user_owners=[OWNER]), now)
        notifier = EchoNotifier()
        if pace is None:
            notifier.pace = (
                platforms.kind_named("slack").open(config, action_service(config, db, "slack")).notifier().pace
            )
        t = FakeTime()
        report = deliver_told(echo, notifier, TENANT, now, clock=t)
        assert len(report.sent) == 3 and not report.failed
        assert (t.waited >= PACE.interval) is waits
    finally:
        db.dispose()
