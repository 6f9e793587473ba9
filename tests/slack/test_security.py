"""Security, end to end through the real HTTP endpoint (SQLite and PostgreSQL): request signatures;
workspaces kept apart (another workspace's numbers, IDs, buttons and forged form metadata see and change
nothing); the permission rule on every mutating path; user text never becomes a live mention or link
anywhere the bot shows it; fuzzing of the command parser and of the slash command endpoint; and no token
or signing secret in any log record."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.core import grammar
from bot.core.calendar_feeds import parse_calendar_command
from bot.core.errors import UserError
from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from bot.core.regions import RegionSpec, parse_region_command
from bot.core.settings import parse_settings_command
from bot.runtime import BackgroundServer, build_runtime, scheduler_services
from handlers.slack import markup, wording
from handlers.slack.devkit.driver import SlackDriver, buttons
from handlers.slack.devkit.requests import (
    Reply,
    block_actions_payload,
    event_body,
    interaction_body,
    post_signed,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from handlers.slack.render import escape
from handlers.slack.views.action_form import form_view
from scheduler.sweep import sweep
from store.models import Base
from tests.conftest import OTHER_TEAM, SECRET, TEAM, WORKSHOP_NOW, app_config
from tests.helpers import all_text, fetch, form_values

UTC = dt.timezone.utc
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
OWNERS_ONLY = "Only the owners of #{n}, its creator or a workspace admin can change it."
ADMIN_ONLY = "Only a workspace admin"
_ids = itertools.count(1)


# -- shared helpers -----------------------------------------------------------------------------------


def raw_post(url: str, body: bytes, headers: dict) -> Reply:
    """A POST with exactly these headers (no signing)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=10) as resp:
            return Reply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, dict(err.headers.items()), err.read())


VOLATILE = {"people", "processed_events", "deliveries"}  # caches and ledgers, not what people wrote


def snapshot(runtime, team: str | None = TEAM, keep_volatile: bool = False) -> dict:
    """Every row of one workspace (or, with team=None, of the whole database), table by table."""
    out = {}
    with runtime.db.engine.connect() as conn:
        workspaces = Base.metadata.tables["workspaces"]
        ws_id = conn.execute(select(workspaces.c.id).where(workspaces.c.team_id == team)).scalar() if team else None
        for table in Base.metadata.sorted_tables:
            if table.name in VOLATILE and not keep_volatile:
                continue
            stmt = select(table)
            if team is not None:
                if table.name == "workspaces":
                    stmt = stmt.where(table.c.team_id == team)
                elif "workspace_id" in table.c:
                    stmt = stmt.where(table.c.workspace_id == ws_id)
            rows = conn.execute(stmt.order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def dump(value) -> str:
    """Everything in a recorded call or reply as one string (bytes decoded), to search for leaks."""
    return json.dumps(
        value, default=lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v), ensure_ascii=False
    )


def event_id() -> str:
    return f"EvSec{next(_ids):06d}"


def new_ts() -> str:
    return f"1700001{next(_ids):03d}.000100"


def mention(text: str, user: str, team: str, channel: str = "C0GENERAL") -> dict:
    ts = new_ts()
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": team,
        "client_msg_id": f"msg-{ts}",
    }


def dm(text: str, user: str, team: str) -> dict:
    ts = new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": team,
        "client_msg_id": f"msg-{ts}",
    }


def region_values(name, aliases="", channel=None, lead=None, tz="", days="mon-fri", summary="mon 09:00"):
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    return {
        "name": text(name),
        "aliases": text(aliases),
        "channel": {"value": {"type": "conversations_select", "selected_conversation": channel}},
        "lead": {"value": {"type": "users_select", "selected_user": lead}},
        "tz": text(tz),
        "days": text(days),
        "summary": text(summary),
    }


def note_values(text: str) -> dict:
    return {"note": {"text": {"type": "plain_text_input", "value": text}}}


def import_values(text, meeting=None, group=None, region=None):
    plain = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    option = {"value": region, "text": {"type": "plain_text", "text": region[:75]}} if region else None
    return {
        "text": plain(text),
        "meeting": plain(meeting),
        "group": plain(group),
        "region": {"value": {"type": "static_select", "selected_option": option}},
    }


def last_view(slack, method: str = "views.open") -> dict:
    return slack.calls_to(method)[-1].params["view"]


def reply_text(reply: Reply) -> str:
    """What a person reads from an HTTP reply: a message's texts, a view's, or the field errors."""
    if not reply.body:
        return ""
    data = reply.json()
    if "errors" in data:
        return " ".join(data["errors"].values())
    if "view" in data:
        return all_text({"blocks": data["view"].get("blocks", [])})
    return all_text(data)


# -- 1. signatures ------------------------------------------------------------------------------------

KINDS = ["slash_command", "block_actions", "view_submission", "event_callback"]
TAMPERS = [
    "bad-signature",
    "missing-headers",
    "missing-signature",
    "missing-timestamp",
    "stale",
    "future",
    "other-body",
]


def _signed_request(kind: str, slack) -> tuple[bytes, str]:
    """A request of `kind` that, correctly signed, changes the store or makes the app call Slack."""
    if kind == "slash_command":
        body = slash_command_body(
            "add Sneaky <@UPAT|patricia> due Dec 1, 2014",
            user_id="UTIM",
            team_id=TEAM,
            response_url=slack.response_url(),
        )
        return body, "application/x-www-form-urlencoded"
    if kind == "block_actions":
        payload = block_actions_payload(
            action_id="action_done",
            value=json.dumps({"n": 1}),
            user_id="UTIM",
            team_id=TEAM,
            channel_id="C0GENERAL",
            response_url=slack.response_url(),
        )
        return interaction_body(payload), "application/x-www-form-urlencoded"
    if kind == "view_submission":
        view = {**form_view([], {"mode": "add", "team": TEAM, "channel": "C0GENERAL"}), "id": "V0SNEAKY"}
        payload = view_submission_payload(
            view=view, values=form_values(title="Sneaky form", users=["UPAT"]), user_id="UTIM", team_id=TEAM
        )
        return interaction_body(payload), "application/x-www-form-urlencoded"
    body = event_body(mention("<@UBOT> what's open?", "UTIM", TEAM), team_id=TEAM, event_id=event_id())
    return body, "application/json"


def _tampered_headers(tamper: str, body: bytes, content_type: str) -> dict:
    now = int(time.time())
    if tamper == "bad-signature":
        return signed_headers("not-the-secret", body, content_type=content_type)
    if tamper == "missing-headers":
        return {"Content-Type": content_type}
    if tamper == "missing-signature":
        headers = signed_headers(SECRET, body, content_type=content_type)
        del headers["X-Slack-Signature"]
        return headers
    if tamper == "missing-timestamp":
        headers = signed_headers(SECRET, body, content_type=content_type)
        del headers["X-Slack-Request-Timestamp"]
        return headers
    if tamper == "stale":  # correctly signed, six minutes ago: a replay
        return signed_headers(SECRET, body, timestamp=now - 6 * 60, content_type=content_type)
    if tamper == "future":
        return signed_headers(SECRET, body, timestamp=now + 6 * 60, content_type=content_type)
    assert tamper == "other-body"  # a valid signature, but over another request's body
    other = body.replace(b"Sneaky", b"Benign") if b"Sneaky" in body else body + b" "
    assert other != body
    return signed_headers(SECRET, other, content_type=content_type)


@pytest.mark.parametrize("kind", KINDS)
def test_unsigned_stale_or_forged_requests_are_refused(app, slack, kind):
    server, runtime = app
    url = server.url + "/slack/events"
    runtime.ctx.actions.add(TEAM, Actor("UTIM"), ActionSpec("Existing action", user_owners=["UPAT"]), WORKSHOP_NOW)
    before = snapshot(runtime, team=None, keep_volatile=True)
    slack.reset()
    problems = []
    for tamper in TAMPERS:
        body, content_type = _signed_request(kind, slack)
        reply = raw_post(url, body, _tampered_headers(tamper, body, content_type))
        runtime.ctx.settle()
        if reply.status != 401:
            problems.append(f"{tamper}: answered {reply.status} {reply.text[:200]!r}")
        if "Traceback" in reply.text or SECRET in reply.text:
            problems.append(f"{tamper}: the answer shows internals: {reply.text[:200]!r}")
        if snapshot(runtime, team=None, keep_volatile=True) != before:
            problems.append(f"{tamper}: the store changed")
        if slack.calls:
            problems.append(f"{tamper}: the app called Slack: {[c.method for c in slack.calls]}")
        slack.reset()
    assert problems == []

    # the same request, correctly signed, is taken: the refusals above were for the signature alone
    body, content_type = _signed_request(kind, slack)
    reply = post_signed(url, body, SECRET, content_type=content_type)
    runtime.ctx.settle()
    assert reply.status == 200, reply.text
    assert snapshot(runtime, team=None, keep_volatile=True) != before


def test_a_signature_within_five_minutes_is_accepted(app, slack):
    server, runtime = app
    body = slash_command_body("add Recent enough", user_id="UTIM", team_id=TEAM, response_url=slack.response_url())
    reply = post_signed(server.url + "/slack/events", body, SECRET, timestamp=int(time.time()) - 4 * 60)
    assert reply.status == 200 and "Added *#1*" in all_text(reply.json())


# -- 2. workspaces apart --------------------------------------------------------------------------------

# Words that appear only in this workspace's data: none may reach the other workspace.
MARKERS = ["Quokka", "Narwhal", "Capybara", "Okapi", "Pangolin", "Wombat", "Axolotl"]


@pytest.fixture
def team_data(app, slack):
    """TEAM's data, written straight through the core: a region, a group, a meeting, notes, an action
    owned by a user ID that also exists in the other workspace, and a closed one."""
    _, runtime = app
    actions, regions = runtime.ctx.actions, runtime.ctx.regions
    admin = Actor("UADMIN", is_admin=True)
    regions.add(
        TEAM, admin, RegionSpec("Axolotl Region", aliases=["AXO"], channel_id="CAXO", lead_user_id="UTIM"), WORKSHOP_NOW
    )
    actions.add(
        TEAM,
        Actor("UTIM"),
        ActionSpec(
            "Quokka strategy draft",
            user_owners=["UPAT"],
            named_owners=["Narwhal committee"],
            due_phrase="Nov 24, 2014",
            region="Axolotl Region",
            group="Wombat",
            meeting="Pangolin workshop",
            note="Okapi progress",
        ),
        WORKSHOP_NOW,
        channel_id="C0GENERAL",
    )
    actions.add(
        TEAM,
        Actor("UTIM"),
        ActionSpec(
            "Narwhal budget proposal", user_owners=["UFOREIGN", "UPAT"], due_phrase="Nov 20, 2014", region="AXO"
        ),
        WORKSHOP_NOW,
    )
    actions.add(
        TEAM,
        Actor("UTIM"),
        ActionSpec("Capybara report", user_owners=["UPAT"], due_phrase="Nov 28, 2014"),
        WORKSHOP_NOW,
    )
    actions.set_status(TEAM, admin, 3, "done", WORKSHOP_NOW)
    runtime.ctx.calendars.feed_for(TEAM, "user", "UFOREIGN", WORKSHOP_NOW)
    runtime.ctx.calendars.feed_for(TEAM, "region", "AXO", WORKSHOP_NOW)
    slack.reset()
    return runtime


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m.lower() in text.lower()]


def test_another_workspace_sees_and_changes_nothing(team_data, app, slack):
    server, runtime = app
    before = snapshot(runtime, keep_volatile=True)
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    seen: list[tuple[str, str]] = []  # (what was tried, what came back)

    commands = [
        "done 1",
        "done #2",
        "reopen 3",
        "cancel 1",
        "note 1 mine now",
        "assign 1 <@UFOREIGN|fred>",
        "due 1 Dec 31, 2014",
        "edit 1",
        'edit 1 title:"Taken over"',
        "edit 2 group:KM",
        "snooze 1 day",
        "snooze 2 week",
        "list",
        "list all",
        "list done",
        "list overdue",
        "list mine",
        "list region:AXO",
        "list group:KM",
        "list <@UTIM|tim>",
        "list <@UFOREIGN|fred>",
        "list all <@UPAT|patricia>",
        "export",
        "export all",
        "export region:AXO",
        "calendar",
        "calendar region:AXO",
        "calendar reset",
        "summary",
        "summary region:AXO",
        "region list",
        "region edit AXO",
        "settings",
    ]
    for text in commands:
        reply = other.command("UFOREIGN", text)
        assert reply.status == 200, (text, reply.text)
        seen.append((text, reply.text))
    presses = [
        ("action_done", {"n": 1}),
        ("action_done", {"n": 2, "q": "all"}),
        ("action_edit", {"n": 1}),
        ("action_note", {"n": 1}),
        ("action_note", {"n": 2}),
        ("nudge_snooze_day", {"n": 1, "until": "day"}),
        ("nudge_snooze_week", {"n": 2, "until": "week"}),
        ("list_more", {"q": "all", "o": 0}),
        ("list_more", {"q": "mine", "o": 0}),
        ("calendar_reset", {"kind": "user", "subject": "UFOREIGN"}),
        ("calendar_reset", {"kind": "region", "subject": "AXO"}),
    ]
    for action_id, value in presses:
        reply, posted = other.click("UFOREIGN", action_id, json.dumps(value))
        assert reply.status == 200, (action_id, reply.text)
        seen.append((f"{action_id} {value}", dump(posted)))
    for n in (1, 2):
        reply, posted = other.pick_date("UFOREIGN", "nudge_new_date", f"nudge-{n}", "2014-12-31")
        assert reply.status == 200
        seen.append((f"nudge_new_date {n}", dump(posted)))
    # questions and the Home tab, from the other workspace
    for event in (
        mention("<@UBOT> what's open?", "UFOREIGN", OTHER_TEAM),
        dm("my actions", "UFOREIGN", OTHER_TEAM),
        dm("overdue", "UFOREIGN", OTHER_TEAM),
        {"type": "app_home_opened", "user": "UFOREIGN", "channel": "DFOREIGN", "tab": "home", "event_ts": new_ts()},
    ):
        assert other.event(event, event_id()).status == 200
    runtime.ctx.settle()

    # the calendar address it was given serves nothing of this workspace
    for _, body in seen:
        for path in re.findall(r"/calendar/[A-Za-z0-9_-]+\.ics", body):
            status, ics = fetch(server.url + path)
            seen.append((f"GET {path}", ics.decode("utf-8", "replace")))

    for text, body in seen:
        assert leaks(body) == [], (text, body[:500])
    for call in slack.calls:
        assert leaks(dump(call.params)) == [], (call.method, dump(call.params)[:500])
    for number in (1, 2):  # it is told the number is unknown, not that it is someone else's
        shown = next(body for text, body in seen if text == f"done {'#' if number == 2 else ''}{number}")
        assert f"no action #{number}" in shown
    assert snapshot(runtime, keep_volatile=True) == before


def _edit_view(driver, slack, user="UTIM", number=1) -> dict:
    assert driver.command(user, f"edit {number}").status == 200
    view = last_view(slack)
    assert json.loads(view["private_metadata"])["team"] == TEAM
    return view


@pytest.fixture
def foreign_admin(slack):
    """An admin of the other workspace: an admin there is no admin here."""
    slack.add_user("UFADMIN", "boss", team_id=OTHER_TEAM, tz="Asia/Bangkok", is_admin=True)
    return "UFADMIN"


@pytest.mark.parametrize("user", ["UFOREIGN", "UFADMIN"])
def test_a_forged_edit_form_cannot_edit_another_workspaces_action(team_data, app, slack, driver, foreign_admin, user):
    """The edit form of TEAM's #1 (its private_metadata says team T0UNREDD), submitted from the other
    workspace: the payload's own team is OTHER_TEAM."""
    server, runtime = app
    view = _edit_view(driver, slack)
    before = snapshot(runtime)
    slack.reset()
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    reply = other.submit(user, view, form_values(title="Taken over", users=[user], due="2014-12-31"))
    runtime.ctx.settle()
    assert reply.status == 200 and leaks(reply.text) == []
    assert snapshot(runtime) == before
    assert all(leaks(dump(c.params)) == [] for c in slack.calls)


def test_a_forged_add_form_cannot_add_to_another_workspace(team_data, app, slack, driver):
    server, runtime = app
    assert driver.command("UTIM", "add").status == 200
    view = last_view(slack)  # the add form of TEAM: its metadata names T0UNREDD
    before = snapshot(runtime)
    slack.reset()
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    reply = other.submit("UFOREIGN", view, form_values(title="Planted from elsewhere", users=["UPAT"]))
    runtime.ctx.settle()
    assert reply.status == 200
    assert snapshot(runtime) == before
    assert [c.params.get("channel") for c in slack.calls_to("chat.postMessage")] == []  # no DM to TEAM's UPAT


def test_a_forged_note_form_cannot_note_on_another_workspaces_action(team_data, app, slack, driver, foreign_admin):
    server, runtime = app
    _, posted = driver.click("UPAT", "action_note", json.dumps({"n": 1}))
    assert posted is None
    view = last_view(slack)
    before = snapshot(runtime)
    slack.reset()
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    for user in ("UFOREIGN", foreign_admin):
        reply = other.submit(user, view, note_values("Planted note"))
        assert reply.status == 200 and leaks(reply.text) == []
    runtime.ctx.settle()
    assert snapshot(runtime) == before


def test_a_forged_region_form_cannot_change_another_workspaces_region(team_data, app, slack, driver, foreign_admin):
    server, runtime = app
    assert driver.command("UADMIN", "region edit AXO").status == 200
    view = last_view(slack)
    before = snapshot(runtime)
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    reply = other.submit(foreign_admin, view, region_values("Hijacked", "HJ", channel="CEVIL", lead=foreign_admin))
    runtime.ctx.settle()
    assert reply.status == 200
    assert snapshot(runtime) == before


def test_a_forged_import_cannot_import_into_another_workspace(team_data, app, slack, driver):
    server, runtime = app
    assert driver.command("UTIM", "import").status == 200
    form = last_view(slack)  # TEAM's import form: its packed metadata names T0UNREDD
    before = snapshot(runtime)
    slack.reset()
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    matrix = "Action,By whom,Date\nPlanted action,Somebody,Dec 1 2014\n"
    preview = other.submit("UFOREIGN", form, import_values(matrix))
    assert preview.status == 200 and leaks(preview.text) == []
    data = preview.json()
    if data.get("response_action") == "update":  # a preview came back: confirm it from the other workspace
        other.submit("UFOREIGN", data["view"], {})
    runtime.ctx.settle()
    assert snapshot(runtime) == before


def test_back_on_a_forged_import_preview_shows_nothing_of_another_workspace(team_data, app, slack):
    """Back rebuilds the import form, with the region menu of the workspace the metadata names."""
    from bot.core.imports import ImportPlan  # noqa: PLC0415
    from handlers.slack.views.import_form import pack, preview_view  # noqa: PLC0415

    server, runtime = app
    data = {"team": TEAM, "text": "Action,By whom\nSomething,Somebody"}
    forged = {**preview_view(ImportPlan(rows=[], warnings=[], shape="csv"), data), "id": "V0FORGED", "hash": "h"}
    forged["private_metadata"] = pack(data)
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    reply, _ = other.click("UFOREIGN", "import_back", "back", channel_id=None, view=forged)
    assert reply.status == 200
    runtime.ctx.settle()
    for call in slack.calls:
        assert leaks(dump(call.params)) == [], (call.method, dump(call.params)[:400])


# -- 3. permissions ------------------------------------------------------------------------------------


@dataclass
class Env:
    driver: SlackDriver
    slack: object
    runtime: object


@dataclass
class Path:
    """One way to change something: `attempt(env, who, n)` returns what `who` was shown."""

    name: str
    attempt: Callable[[Env, str, int], str]
    refusal: str = OWNERS_ONLY
    allowed: tuple[str, ...] = ("UPAT", "UTIM", "UADMIN")  # the owner, the creator, an admin
    refused: tuple[str, ...] = ("UOUT",)
    prepare: Callable[[Env], None] | None = None


def command(template: str):
    def attempt(env: Env, who: str, n: int) -> str:
        reply = env.driver.command(who, template.format(n=n))
        assert reply.status == 200, reply.text
        return reply_text(reply)

    return attempt


def press(action_id: str, value: dict):
    def attempt(env: Env, who: str, n: int) -> str:
        reply, posted = env.driver.click(
            who, action_id, json.dumps({k: (n if v == "N" else v) for k, v in value.items()})
        )
        assert reply.status == 200, reply.text
        return all_text(posted) if posted else ""

    return attempt


def pick_new_date(env: Env, who: str, n: int) -> str:
    reply, posted = env.driver.pick_date(who, "nudge_new_date", f"nudge-{n}", "2014-12-19")
    assert reply.status == 200
    return all_text(posted) if posted else ""


def submit_opened_view(env: Env, who: str, values: dict, opened_before: int) -> str:
    """Submit, as `who`, the view the last press opened (if it opened one)."""
    opened = env.slack.calls_to("views.open")
    if len(opened) == opened_before:
        return "no form was opened"
    reply = env.driver.submit(who, opened[-1].params["view"], values)
    assert reply.status == 200, reply.text
    return reply_text(reply)


def note_button_then_form(env: Env, who: str, n: int) -> str:
    """Add note pressed by `who`, then its form submitted by `who` (a refusal may come at either step)."""
    count = len(env.slack.calls_to("views.open"))
    refused = press("action_note", {"n": "N"})(env, who, n)
    if refused:
        return refused
    return submit_opened_view(env, who, note_values(f"Progress by {who}"), count)


def edit_button_then_form(env: Env, who: str, n: int) -> str:
    count = len(env.slack.calls_to("views.open"))
    refused = press("action_edit", {"n": "N"})(env, who, n)
    if refused:
        return refused
    return submit_opened_view(
        env, who, form_values(title=f"Retitled by {who}", users=["UPAT"], due="2014-12-10", region="Global"), count
    )


def edit_form_opened_by_creator(env: Env, who: str, n: int) -> str:
    view = _edit_view(env.driver, env.slack, "UTIM", n)
    reply = env.driver.submit(
        who, view, form_values(title=f"Retitled by {who}", users=["UPAT"], due="2014-12-10", region="Global")
    )
    return reply_text(reply)


def note_form_opened_by_owner(env: Env, who: str, n: int) -> str:
    count = len(env.slack.calls_to("views.open"))
    press("action_note", {"n": "N"})(env, "UPAT", n)
    return submit_opened_view(env, who, note_values(f"Progress by {who}"), count)


def region_edit_command_then_form(env: Env, who: str, n: int) -> str:
    count = len(env.slack.calls_to("views.open"))
    refused = command("region edit Global")(env, who, n)
    if refused:
        return refused
    return submit_opened_view(env, who, region_values("Global", "Secretariat", tz="Europe/Zurich"), count)


def region_form_opened_by_admin(env: Env, who: str, n: int) -> str:
    count = len(env.slack.calls_to("views.open"))
    assert command("region edit Global")(env, "UADMIN", n) == ""
    return submit_opened_view(env, who, region_values("Global", f"By{who}", tz="Europe/Zurich"), count)


def all_done(env: Env) -> None:
    for n in (1, 2, 3):
        env.runtime.ctx.actions.set_status(TEAM, Actor("UADMIN", is_admin=True), n, "done", WORKSHOP_NOW)


PATHS = [
    Path("command done", command("done {n}")),
    Path("command reopen", command("reopen {n}"), prepare=all_done),
    Path("command cancel", command("cancel {n}")),
    Path("command note", command("note {n} Budget figures sent")),
    Path("command assign", command("assign {n} <@UJEN|jennifer>")),
    Path("command due", command("due {n} Dec 19, 2014")),
    Path("command edit", command('edit {n} title:"A new title" group:Comms')),
    Path("command snooze", command("snooze {n} week")),
    Path("Done button", press("action_done", {"n": "N"})),
    Path("Done button on a list", press("action_done", {"n": "N", "q": "all"})),
    Path("Snooze day button", press("nudge_snooze_day", {"n": "N", "until": "day"})),
    Path("Snooze week button", press("nudge_snooze_week", {"n": "N", "until": "week"})),
    Path("New date picker", pick_new_date),
    Path("Add note button and its form", note_button_then_form),
    Path("Edit button and its form", edit_button_then_form),
    Path("edit form submission", edit_form_opened_by_creator),
    Path("note form submission", note_form_opened_by_owner),
    Path("region add", command("region add Africa alias:AFR"), ADMIN_ONLY, ("UADMIN",), ("UOUT", "UTIM", "UPAT")),
    Path("region edit and its form", region_edit_command_then_form, ADMIN_ONLY, ("UADMIN",), ("UOUT", "UTIM")),
    Path("region form submission", region_form_opened_by_admin, ADMIN_ONLY, ("UADMIN",), ("UOUT", "UTIM")),
    Path(
        "settings change",
        command("settings nudges:-1,0 repeat:3 escalate:0"),
        ADMIN_ONLY,
        ("UADMIN",),
        ("UOUT", "UTIM"),
    ),
    Path(
        "calendar region reset command",
        command("calendar region:Global reset"),
        ADMIN_ONLY,
        ("UADMIN",),
        ("UOUT", "UTIM"),
    ),
    Path(
        "calendar region reset button",
        press("calendar_reset", {"kind": "region", "subject": "Global"}),
        ADMIN_ONLY,
        ("UADMIN",),
        ("UOUT", "UTIM"),
    ),
    Path(
        "calendar reset of another person's feed",
        press("calendar_reset", {"kind": "user", "subject": "UPAT"}),
        "Only the person whose feed it is",
        ("UPAT",),
        ("UOUT", "UTIM", "UADMIN"),
    ),
]


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_only_owners_creators_and_admins_change_things(app, driver, slack, path):
    """UOUT (neither owner, creator nor admin) is refused with a clear message and nothing changes; the
    owner (UPAT), the creator (UTIM) and an admin (UADMIN) succeed, each on an action of their own."""
    _, runtime = app
    env = Env(driver, slack, runtime)
    ctx = runtime.ctx
    ctx.regions.add(TEAM, Actor("UADMIN", is_admin=True), RegionSpec("Global", aliases=["Secretariat"]), WORKSHOP_NOW)
    for n in (1, 2, 3):
        ctx.actions.add(
            TEAM,
            Actor("UTIM"),
            ActionSpec(
                f"Send budget information {n}", user_owners=["UPAT"], due_phrase="Dec 10, 2014", region="Global"
            ),
            WORKSHOP_NOW,
        )
    ctx.calendars.feed_for(TEAM, "region", "Global", WORKSHOP_NOW)
    ctx.calendars.feed_for(TEAM, "user", "UPAT", WORKSHOP_NOW)
    if path.prepare:
        path.prepare(env)

    for who in path.refused:
        before = snapshot(runtime)
        shown = path.attempt(env, who, 1)
        ctx.settle()
        assert path.refusal.format(n=1) in shown, (who, shown)
        assert "Traceback" not in shown and "Something went wrong" not in shown
        assert snapshot(runtime) == before, f"{who} changed something through {path.name}"

    for n, who in enumerate(path.allowed, start=1):
        before = snapshot(runtime)
        shown = path.attempt(env, who, n)
        ctx.settle()
        assert "Only " not in shown and ":warning:" not in shown and "Something went wrong" not in shown, (who, shown)
        assert snapshot(runtime) != before, f"{who} could not change anything through {path.name}: {shown}"


# -- 4. mrkdwn injection ------------------------------------------------------------------------------

INJ = "<!channel> <!here> <@UADMIN> <https://evil.example|click> & *bold*"
ESC = escape(INJ)  # also how Slack sends that text when it is typed into a slash command or a message
LIVE = ["<!channel>", "<!here>", "<@UADMIN>", "<https://evil.example", "& *bold*"]


def mrkdwn_texts(payload) -> list[str]:
    """Every string Slack would read as mrkdwn: a message's fallback `text` and every mrkdwn text object
    (plain_text is never parsed for mentions or links, so it is left out)."""
    found = []
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        found.append(payload["text"])

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for key, value in node.items():
                if key not in ("value", "private_metadata"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(payload, dict):
        walk({k: v for k, v in payload.items() if k != "text"})
    return found


def test_user_text_is_never_a_live_mention_or_link(app, driver, slack, clock):
    server, runtime = app
    ctx = runtime.ctx
    slack.add_user("UBOSS", "boss", real_name="Bo Boss", is_admin=True)  # the admin here: UADMIN never acts
    shown: list[tuple[str, dict]] = []  # (where, payload as Slack would get it)

    def run(user, text):
        reply = driver.command(user, text)
        assert reply.status == 200, reply.text
        if reply.body:
            shown.append((f"reply to {text!r}", reply.json()))
        return reply

    # a region named and aliased with it (the region form), then an action with it in every field (the form)
    run("UBOSS", "region add Seed")
    run("UBOSS", "region edit Seed")
    saved = driver.submit("UBOSS", last_view(slack), region_values("R " + INJ, "A " + INJ, channel="CAXO", lead="UTIM"))
    assert saved.body in (b"", b"{}"), saved.text
    run("UTIM", "add")
    saved = driver.submit(
        "UTIM",
        last_view(slack),
        form_values(
            title="T " + INJ,
            users=["UPAT"],
            named="N " + INJ,
            due="2014-11-24",
            region="R " + INJ,
            group="G " + INJ,
            meeting="M " + INJ,
            note="Z " + INJ,
        ),
    )
    assert saved.body in (b"", b"{}"), saved.text
    ctx.settle()
    # the same text typed into commands (Slack sends it escaped), and real Slack references typed too
    run("UTIM", f'add C {ESC} <@UPAT|patricia> owner:"N2 {ESC}" group:"G2 {ESC}" meeting:"M2 {ESC}" due Nov 25, 2014')
    run("UTIM", "add D <!channel> <!here> <https://evil.example|click> &amp; *bold* <@UPAT|patricia> due Nov 26, 2014")
    run("UPAT", f"note 1 Y {ESC}")
    run("UTIM", f'edit 2 title:"E {ESC}"')
    for text in (
        "list all",
        f'list region:"A {ESC}"',
        f'list group:"G {ESC}"',
        f'list owner:"N {ESC}"',
        'list region:"Nowhere"',
        "region list",
        "summary",
        f'summary region:"A {ESC}"',
        f'calendar region:"A {ESC}"',
        f'export group:"G {ESC}"',
        f"add Bad {ESC} due {ESC}",
        f"list {ESC}",
    ):
        run("UTIM", text)
    run("UPAT", "list mine")
    run("UTIM", "edit 1")  # the edit form
    # a note through the Add note form, confirmed where the button was
    count = len(slack.calls_to("views.open"))
    driver.click("UPAT", "action_note", json.dumps({"n": 1}))
    assert len(slack.calls_to("views.open")) == count + 1
    assert driver.submit("UPAT", last_view(slack), note_values("Z2 " + INJ)).status == 200
    # a pasted matrix: preview, confirm, digest DMs
    run("UTIM", "import")
    matrix = (
        "Action,By whom,Expected completion date\n"
        f"I {INJ},Patricia Toquica,Dec 1 2014\n"
        f"J {INJ},O {INJ},Dec 2 2014\n"
        f"K {INJ},Lina Salazar,{INJ}\n"
    )
    preview = driver.submit("UTIM", last_view(slack), import_values(matrix, meeting="M3 " + INJ, group="G3 " + INJ))
    assert preview.json().get("response_action") == "update", preview.text
    shown.append(("import preview", preview.json()["view"]))
    done = driver.submit("UTIM", preview.json()["view"], {})
    shown.append(("import done", done.json().get("view", {})))
    # questions and the Home tab
    driver.event(mention("<@UBOT> what's open?", "UTIM", TEAM), event_id())
    driver.event(mention(f'<@UBOT> list group:"G {ESC}"', "UTIM", TEAM), event_id())  # answered in the channel
    driver.event(dm("overdue", "UPAT", TEAM), event_id())
    driver.event(
        {"type": "app_home_opened", "user": "UPAT", "channel": "DPAT", "tab": "home", "event_ts": new_ts()}, event_id()
    )
    ctx.settle()
    # a fortnight of sweeps: nudges (to UPAT, and to the channel for the named owners), summaries, escalations
    notifier = scheduler_services(runtime.config, ctx.actions, clock).outlet("slack").notifier
    day = dt.datetime(2014, 11, 21, 23, 0, tzinfo=UTC)
    while day < dt.datetime(2014, 12, 5, tzinfo=UTC):
        clock.now = day
        sweep(ctx.actions, notifier, day)
        day += dt.timedelta(days=1)
    clock.now = dt.datetime(2014, 12, 3, 12, 0, tzinfo=UTC)
    run("UTIM", "list overdue")
    driver.event(mention("<@UBOT> overdue", "UTIM", TEAM), event_id())
    ctx.settle()

    for call in slack.calls:
        if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"):
            shown.append((f"{call.method} {call.params.get('channel', call.path)}", call.params))
        elif call.method.startswith("views."):
            shown.append((f"{call.method} {call.params.get('user_id', '')}", call.params["view"]))

    # the escaped text really is on every surface (so the check below looks at something)
    def on(where_prefix: str, fragment: str) -> bool:
        return any(
            where.startswith(where_prefix) and escape(fragment) in text
            for where, payload in shown
            for text in mrkdwn_texts(payload)
        )

    expected = [
        ("chat.postEphemeral C0GENERAL", "T " + INJ),
        ("chat.postEphemeral C0GENERAL", "M " + INJ),
        ("chat.postMessage DPAT", "T " + INJ),
        ("reply to 'list all'", "T " + INJ),
        ("reply to 'list all'", "N " + INJ),
        ("reply to 'list all'", "R " + INJ),
        ("reply to 'list all'", "G " + INJ),
        ("reply to 'add C", "C " + INJ),
        ("reply to 'list all'", "N2 " + INJ),
        ("reply to 'list all'", "E " + INJ),
        ("reply to 'region list'", "R " + INJ),
        ("reply to 'region list'", "A " + INJ),
        ("reply to 'list region:\"Nowhere\"'", "A " + INJ),
        ("reply to 'summary'", "R " + INJ),
        ("response_url", "Z2 " + INJ),
        ("views.publish UPAT", "T " + INJ),
        ("import preview", "I " + INJ),
        ("import preview", "O <!channel> <!here> <@UADMIN>"),
        ("import preview", "M3 " + INJ),
        ("chat.postMessage CAXO", "T " + INJ),
        ("chat.postMessage CAXO", "R " + INJ),
        ("chat.postMessage DTIM", "T " + INJ),
        ("chat.postMessage C0GENERAL", "T " + INJ),
    ]
    missing = [(where, fragment[:3]) for where, fragment in expected if not on(where, fragment)]
    assert missing == [], missing

    # and nowhere is any of it live
    live = [
        (where, text)
        for where, payload in shown
        for text in mrkdwn_texts(payload)
        if any(token in text for token in LIVE)
    ]
    assert live == [], "\n\n".join(f"{where}: {text[:300]}" for where, text in live[:40])


# -- 5. fuzzing ---------------------------------------------------------------------------------------

PIECES = [
    "add",
    "new",
    "list",
    "ls",
    "done",
    "reopen",
    "cancel",
    "note",
    "assign",
    "due",
    "edit",
    "snooze",
    "region",
    "regions",
    "summary",
    "settings",
    "export",
    "import",
    "calendar",
    "help",
    "?",
    "mine",
    "all",
    "overdue",
    "done",
    "ongoing",
    "on going",
    "day",
    "week",
    "reset",
    "list",
    "add",
    "#12",
    "12",
    "#0",
    "0",
    "-1",
    "1e9",
    "99999999999999999999999",
    "due:",
    "owner:",
    "region:",
    "group:",
    "meeting:",
    "title:",
    "tz:",
    "nudges:",
    "repeat:",
    "escalate:",
    "alias:",
    "channel:",
    "lead:",
    "days:",
    "summary:",
    "name:",
    "due:Nov",
    "tz:Mars/Base",
    "nudges:-3,0,1",
    "nudges:,,",
    "repeat:99",
    "days:sun-sat",
    'summary:"mon 25:00"',
    '"',
    '""',
    '"a b"',
    "“",
    "”",
    "‘",
    "<@U123|lina>",
    "<@W1>",
    "<@>",
    "<#C1|gen>",
    "<#C1>",
    "<!channel>",
    "<!date^1^x|y>",
    "<https://x|y>",
    "<",
    ">",
    "<<>>",
    "&lt;",
    "&gt;",
    "&amp;",
    "&",
    "Nov 30",
    "30 November 2014",
    "2014-11-30",
    "2014-02-30",
    "11/30",
    "13/13",
    "03/04/05",
    "today",
    "tomorrow",
    "friday",
    "next friday",
    "in 2 weeks",
    "in 99999999 weeks",
    "end of month",
    "dic 20",
    "20 déc.",
    "\u200b",
    "\x00",
    "\t",
    "\n",
    "é",
    "🙂",
    'region:"Latin America"',
]
fuzz_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=14).map(" ".join),
)


@settings(max_examples=150, deadline=None)
@given(text=fuzz_text)
@example(text="add Plan the budget tz:UTC")  # an option `add` does not take
@example(text="edit 1 summary:monday")
@example(text='add Draft "unclosed')
def test_the_command_parser_raises_only_user_errors(text):
    try:
        cmd = grammar.parse(markup.command(text))
        if cmd.query is not None:
            markup.render(cmd.query.as_input())
        if cmd.verb == "region":
            parse_region_command(cmd.tokens)
        elif cmd.verb == "settings":
            parse_settings_command(cmd.tokens)
        elif cmd.verb == "calendar":
            parse_calendar_command(cmd.tokens)
    except UserError as err:
        assert wording.words(err.message).strip()  # every refusal renders, in Slack's words


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=fuzz_text, user=st.sampled_from(["UTIM", "UADMIN"]))
@example(text="add Plan the budget channel:<#C1|general>", user="UTIM")  # an option `add` does not take
@example(text="add Plan\x00 the budget", user="UTIM")  # U+0000, which PostgreSQL text cannot hold
@example(text="list group:\x00", user="UTIM")
def test_the_slash_command_endpoint_never_fails(app, slack, text, user):
    server, runtime = app
    body = slash_command_body(text, user_id=user, team_id=TEAM, response_url=slack.response_url())
    reply = post_signed(server.url + "/slack/events", body, SECRET)
    assert reply.status == 200, (text, reply.status, reply.text[:300])
    assert "Traceback" not in reply.text and 'File "' not in reply.text
    if reply.body:
        assert reply.headers.get("Content-Type", "").startswith("application/json"), reply.headers
        answer = reply.json()
        assert isinstance(answer, dict)
        assert "Something went wrong on our side" not in all_text(answer), (text, all_text(answer))


# -- 6. logs ------------------------------------------------------------------------------------------


class Keep(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_no_token_or_signing_secret_in_any_log_record(db_url, slack, clock, caplog):
    caplog.set_level(logging.DEBUG)
    keep = Keep()
    root = logging.getLogger()
    root.addHandler(keep)
    try:
        config = app_config(slack, db_url)
        runtime = build_runtime(config, clock=clock)
        server = BackgroundServer(runtime).start()
        try:
            _log_session(server, runtime, slack, clock)
        finally:
            server.stop()
            runtime.ctx.shutdown(wait=True)
            runtime.db.dispose()
    finally:
        root.removeHandler(keep)

    secrets = ["xoxb-", slack.bot_token, "xoxb-other", SECRET]
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = keep.records + [r for r in caplog.records if r not in keep.records]
    assert len(records) > 50  # DEBUG really was on: Bolt, slack_sdk and the app all logged
    assert any(r.levelno >= logging.WARNING for r in records)  # and the failures were logged
    found = []
    for record in records:
        texts = [formatter.format(record), repr(record.args), repr(record.msg)]
        if record.exc_info and record.exc_info[1] is not None:
            texts.append(repr(record.exc_info[1].args))
        for text in texts:
            for secret in secrets:
                if secret in text:
                    found.append((record.name, record.levelname, secret, text[:300]))
    assert found == []


def _log_session(server, runtime, slack, clock):
    driver = SlackDriver(server.url, slack, SECRET, team_id=TEAM)
    url = server.url + "/slack/events"
    driver.command("UADMIN", "region add Global tz:Europe/Zurich lead:<@UTIM|tim> channel:<#CGLOBAL|global>")
    driver.command("UTIM", "add Send budget information <@UPAT|patricia> due Nov 24, 2014 region:Global")
    driver.command("UTIM", 'add Regional plans owner:"KM Regional Coordinators" due Nov 25, 2014')
    driver.command("UTIM", "list all")
    driver.command("UTIM", "frobnicate")
    listing = driver.command("UPAT", "list mine").json()
    done = next(b for b in buttons(listing) if b["action_id"] == "action_done")
    driver.click("UOUT", "action_done", done["value"])
    driver.click("UPAT", "nudge_snooze_day", json.dumps({"n": 1, "until": "day"}))
    driver.command("UPAT", "export")
    driver.command("UPAT", "calendar")
    driver.event(mention("<@UBOT> what's open?", "UTIM", TEAM), event_id())
    # failing Slack calls: a form that cannot open, an unknown person, a message Slack refuses
    slack.fail("views.open", "invalid_trigger_id")
    driver.command("UTIM", "add")
    slack.fail("users.info", "user_not_found")
    driver.command("UNEW", "list")
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    slack.fail("conversations.open", "channel_not_found")
    runtime.ctx.settle()
    # sweeps: nudges, a summary, one send failing
    notifier = scheduler_services(runtime.config, runtime.ctx.actions, clock).outlet("slack").notifier
    slack.fail("chat.postMessage", "not_in_channel")
    for instant in ("2014-11-24T08:00+00:00", "2014-11-24T15:00+00:00", "2014-11-25T15:00+00:00"):
        clock.now = dt.datetime.fromisoformat(instant)
        sweep(runtime.ctx.actions, notifier, clock.now)
    driver.click("UPAT", "action_done", done["value"])
    # bad signatures
    body = slash_command_body("add Sneaky", user_id="UTIM", team_id=TEAM, response_url=slack.response_url())
    post_signed(url, body, "not-the-secret")
    post_signed(url, body, SECRET, timestamp=int(time.time()) - 600)
    raw_post(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    runtime.ctx.settle()
