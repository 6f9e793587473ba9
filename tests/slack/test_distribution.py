"""Installed in many workspaces through Bolt's OAuth flow (against the Slack stand-in): each workspace
sees only its own actions and gets its own nudges with its own token; uninstalling stops every send and
keeps the data until `actionbot workspace delete`. Plus Slack faults: 30% of calls failing for a
simulated week, and errors that can never succeed told once."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import select

from bot.config import Config
from bot.core.grammar import ActionSpec, ListQuery
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.runtime import BackgroundServer, build_runtime, scheduler_services
from handlers.slack.devkit.driver import SlackDriver
from handlers.slack.devkit.standin import SlackStandIn
from scheduler.sweep import sweep
from store.models import Delivery
from tests.conftest import SECRET, TEAM
from tests.helpers import all_text

UTC = dt.timezone.utc
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPRedirectHandler())
WORKSPACES = {"T0ALPHA": ("Alpha Org", "xoxb-alpha", "UA1"), "T0BETA": ("Beta Org", "xoxb-beta", "UB1")}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def market():
    """A Slack with no workspace of ours yet: two will install the app."""
    with SlackStandIn(team_id="T0NOBODY", bot_token="xoxb-nobody") as slack:
        yield slack


@pytest.fixture
def distributed(db_url, market, clock):
    config = Config(
        bot_token=None,
        signing_secret=SECRET,
        app_token=None,
        api_url=market.api_url,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
        client_id="1111.2222",
        client_secret="oauth-client-secret",
    )
    runtime = build_runtime(config, clock=clock)
    server = BackgroundServer(runtime).start()
    yield server, runtime, config
    server.stop()
    runtime.ctx.shutdown(wait=True)
    runtime.db.dispose()


def install(server_url: str, market: SlackStandIn, team_id: str) -> int:
    """Click "Add to Slack" and approve, as a workspace admin would."""
    name, token, user = WORKSPACES[team_id]
    market.authorize(f"code-{team_id}", team_id, name, token, bot_user_id=f"UBOT{team_id[-1]}")
    market.add_user(user, user.lower(), team_id=team_id, tz="America/Bogota")
    return approve(server_url, f"code-{team_id}")[0]


def approve(server_url: str, code: str) -> tuple[int, str]:
    """Open the install page, then come back to the redirect with `code`: (status, page)."""
    page = OPENER.open(server_url + "/slack/install", timeout=10)
    html = page.read().decode()
    state = urllib.parse.unquote(re.search(r"state=([^&\"']+)", html).group(1))
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    redirect = urllib.request.Request(
        f"{server_url}/slack/oauth_redirect?code={code}&state={urllib.parse.quote(state)}", headers={"Cookie": cookie}
    )
    try:
        with OPENER.open(redirect, timeout=10) as done:
            return done.status, done.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode()


def test_two_workspaces_install_and_stay_apart(distributed, market, clock):
    server, runtime, config = distributed
    assert install(server.url, market, "T0ALPHA") == 200
    assert install(server.url, market, "T0BETA") == 200
    alpha = SlackDriver(server.url, market, SECRET, team_id="T0ALPHA")
    beta = SlackDriver(server.url, market, SECRET, team_id="T0BETA")
    assert "Added *#1*" in all_text(alpha.command("UA1", "add Alpha plan <@UA1|ua1> due Dec 3, 2014").json())
    assert "Added *#1*" in all_text(beta.command("UB1", "add Beta plan <@UB1|ub1> due Dec 3, 2014").json())
    assert "Alpha plan" not in all_text(beta.command("UB1", "list all").json())
    assert "There is no action #2" in all_text(beta.command("UB1", "done 2").json())
    runtime.ctx.settle()
    tokens = {c.token for c in market.calls_to("chat.postMessage")}  # assignment DMs? (self-assigned: none)
    assert tokens <= {"xoxb-alpha", "xoxb-beta"}
    users_info = {c.team_id: c.token for c in market.calls_to("users.info")}
    assert users_info == {"T0ALPHA": "xoxb-alpha", "T0BETA": "xoxb-beta"}

    services = scheduler_services(config, runtime.ctx.actions, clock)
    report = sweep(runtime.ctx.actions, services.outlet("slack").notifier, at("2014-12-03T14:05+00:00"))
    sent = {(n.team_id, n.recipient) for n in report.sent}
    assert sent == {("T0ALPHA", "user:UA1"), ("T0BETA", "user:UB1")}
    by_channel = {c.params["channel"]: c.token for c in market.calls_to("chat.postMessage")}
    assert by_channel == {"DA1": "xoxb-alpha", "DB1": "xoxb-beta"}  # each with its own token

    # Beta uninstalls: nothing more goes there, its data stays
    reply = beta.event({"type": "app_uninstalled"}, event_id="EvUNINSTALL")
    assert reply.status == 200
    report = sweep(runtime.ctx.actions, services.outlet("slack").notifier, at("2014-12-04T14:05+00:00"))
    assert {n.team_id for n in report.planned} == {"T0ALPHA"}
    assert runtime.ctx.actions.list("T0BETA", None, ListQuery(status="all"), clock.now).total == 1
    assert runtime.ctx.installations.find_bot(enterprise_id=None, team_id="T0BETA") is None


def test_install_pages_are_off_in_single_workspace_mode(app):
    server, _ = app
    try:
        OPENER.open(server.url + "/slack/install", timeout=10)
        status = 200
    except urllib.error.HTTPError as err:
        status = err.code
    assert status == 404


def test_workspace_delete_from_the_command_line(db_url, service, tmp_path):
    from tests.cli.test_cli import actionbot, cli_env

    service.add(TEAM, Actor("UTIM"), ActionSpec("Keep me"), at("2014-11-21T15:00+00:00"))
    service.add("T0GONE", Actor("UX"), ActionSpec("Delete me"), at("2014-11-21T15:00+00:00"))
    service.workspaces.uninstalled("T0GONE", at("2014-11-22T15:00+00:00"))
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    listed = actionbot("workspace", "list", cwd=tmp_path, env=env).stdout
    assert re.search(r"^T0GONE\s+-\s+1\s+uninstalled 2014-11-22", listed, re.M)
    asked = actionbot("workspace", "delete", "T0GONE", cwd=tmp_path, env=env)
    assert asked.returncode == 1 and "add --yes" in asked.stdout
    done = actionbot("workspace", "delete", "T0GONE", "--yes", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "deleted workspace T0GONE and its 1 actions" in done.stdout
    assert "T0GONE" not in actionbot("workspace", "list", cwd=tmp_path, env=env).stdout
    assert service.list(TEAM, None, ListQuery(status="all"), at("2014-11-23T00:00+00:00")).total == 1


def test_a_week_of_flaky_slack_delivers_everything_exactly_once(service, slack, db):
    from tests.scheduler.test_sweep import ZONES

    created = at("2014-12-01T12:00+00:00")
    for uid, tz in ZONES.items():
        PeopleService(service).remember(TEAM, uid, created, name=uid.lower(), tz=tz)
    for uid in ("UNAI", "UBKK", "ULEAD"):
        slack.add_user(uid, uid.lower(), tz=ZONES[uid])
    tim = Actor("UTIM", tz="Europe/Rome")
    service.add(
        TEAM, tim, ActionSpec("Three zones", user_owners=["UPAT", "UNAI", "UBKK"], due_phrase="Dec 10, 2014"), created
    )
    service.add(TEAM, tim, ActionSpec("Overdue", user_owners=["UJEN"], due_phrase="Dec 1, 2014"), created)
    client_config = Config(
        bot_token=slack.bot_token,
        signing_secret=SECRET,
        app_token=None,
        api_url=slack.api_url,
        database_url=None,
        port=0,
        timezone="UTC",
        date_order="MDY",
    )
    notifier = scheduler_services(client_config, service).outlet("slack").notifier
    slack.chaos(0.3, seed=7, methods={"chat.postMessage", "conversations.open"})
    now = at("2014-12-08T00:00+00:00")
    while now <= at("2014-12-15T00:00+00:00"):
        sweep(service, notifier, now)
        now += dt.timedelta(minutes=30)
    slack.chaos(0)
    with db.session() as s:
        rows = s.scalars(select(Delivery)).all()
        assert rows and {r.status for r in rows} == {"sent"}
        ledger = sorted((r.kind, r.recipient, r.occurrence.split("/user:")[0]) for r in rows)
    assert ledger == sorted(
        [("nudge", f"user:{u}", f"2014-12-10/{o}") for u in ("UPAT", "UNAI", "UBKK") for o in ("-3", "+0", "+1")]
        + [
            ("nudge", "user:UJEN", "2014-12-01/+1"),
            ("nudge", "user:UJEN", "2014-12-01/+8"),
            ("escalation", "user:UTIM", "2014-12-01/esc0"),
        ]
        # each new owner told once, within the week after the actions were made
        + [("assigned", f"user:{u}", "1") for u in ("UPAT", "UNAI", "UBKK")]
        + [("assigned", "user:UJEN", "2")]
    )
    # the messages Slack took: every call that reached it minus the ones the chaos failed
    injected = Counter(c.method for c in slack.calls if c.method.startswith(("failed:", "dropped:")))
    assert injected["failed:chat.postMessage"] and injected["dropped:chat.postMessage"]  # chaos happened
    posted = len(slack.calls_to("chat.postMessage")) - injected["failed:chat.postMessage"]
    assert posted == len(rows) == 16 and len({r.ref for r in rows}) == len(rows)  # none twice, none lost


def test_a_send_that_can_never_work_is_told_once(service, slack, db):
    from handlers.slack.clients import web_client
    from handlers.slack.notifier import SlackNotifier

    created = at("2014-12-01T12:00+00:00")
    PeopleService(service).remember(TEAM, "UPAT", created, name="patricia", tz="America/Bogota")
    PeopleService(service).remember(TEAM, "UTIM", created, name="tim", tz="Europe/Rome")
    service.add(TEAM, Actor("UTIM"), ActionSpec("Gone owner", user_owners=["UPAT"], due_phrase="Dec 10, 2014"), created)
    client = web_client(slack.bot_token, slack.api_url)
    notifier = SlackNotifier(lambda team_id: client)
    slack.fail("chat.postMessage", "account_inactive")
    first = sweep(service, notifier, at("2014-12-05T14:05+00:00"))
    assert [n.recipient for n, _ in first.failed] == ["user:UPAT"]
    told = [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "DTIM"]
    assert len(told) == 1 and "account_inactive" in all_text(told[0]) and "<@UPAT>" in all_text(told[0])
    for day in ("2014-12-10T14:05+00:00", "2014-12-11T14:05+00:00", "2014-12-18T14:05+00:00"):
        assert [n for n in sweep(service, notifier, at(day)).planned if n.recipient == "user:UPAT"] == []
    problems = [c for c in slack.calls_to("chat.postMessage") if c.params["text"].startswith("Can't deliver")]
    assert len(problems) == 1
    assert service.get(TEAM, 1, created) is not None
    # a new owner gets the nudges again
    service.assign(TEAM, Actor("UTIM"), 1, ActionSpec(user_owners=["UJEN"]), at("2014-12-18T15:00+00:00"))
    assert [(n.kind, n.recipient) for n in sweep(service, notifier, at("2014-12-22T15:00+00:00")).sent] == [
        ("assigned", "user:UJEN"),
        ("nudge", "user:UJEN"),
    ]
