"""Teams nudges, escalations and summaries end to end, on SQLite and PostgreSQL: people in Nairobi and Bogotá
talk to the bot through the real `POST /api/messages` (so their addresses and zones are stored), actions are
added by typing to it, and `actionbot sweep --now …` runs as a subprocess against the same database and
the Bot Connector stand-in. Each is nudged at 09:00 in their own zone and not a minute before; the nudge's
buttons (Done, both snoozes, Set date, Add note) act through `adaptiveCard/action` invokes and replace the
card with no stale buttons, both for the presser and in place (PUT); a named owner's nudge lands in the
region's channel mentioning the creator; a Monday summary lands in the channel and continues in its
thread; an escalation reaches the region lead's personal chat."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.grammar import ActionSpec  # noqa: E402
from bot.core.records import Actor  # noqa: E402
from bot.core.regions import RegionService, RegionSpec  # noqa: E402
from bot.runtime import BackgroundServer, build_runtime  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from tests.conftest import Clock  # noqa: E402
from tests.teams.teams_runtime import CARD, buttons, card_of, teams_config, teams_env, texts  # noqa: E402

UTC = dt.timezone.utc
ACTIONBOT = shutil.which("actionbot", path=os.path.dirname(sys.executable)) or "actionbot"
CREATED = dt.datetime(2014, 12, 4, 12, tzinfo=UTC)  # Thursday; the actions are due Friday 5 December
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "ACTIONBOT_WORKSPACE")
STALE = ("Snooze to next working day", "Snooze to next week")


class Teams:
    """The served bot, its driver and clock, and the people and team of the stand-in."""

    def __init__(self, standin, db_url, tmp_path):
        self.standin, self.db_url, self.tmp_path = standin, db_url, tmp_path
        standin.ana = standin.add_user("Ana Admin", email="ana@contoso.test", tz="America/Bogota")
        standin.pablo = standin.add_user("Pablo Rojas", tz="America/Bogota")
        self.clock = Clock(CREATED)
        self.runtime = build_runtime(teams_config(standin, db_url, TEAMS_ADMINS="ana@contoso.test"), clock=self.clock)
        self.server = BackgroundServer(self.runtime).start()
        self.driver = TeamsDriver(standin, self.server.url + "/api/messages")
        self.ctx = self.runtime.served["teams"].ctx
        self.tenant = standin.tenant_id

    def oid(self, user) -> str:
        return user["aadObjectId"]

    def say(self, user, text: str, mentions=()) -> dict:
        before = len(self.standin.sent_of("send"))
        assert self.driver.post(self.driver.message(user, text, mentions)).status == 200
        return card_of(self.standin.wait_for("send", before + 1)[-1])

    def sweep(self, instant: str) -> list[str]:
        """`actionbot sweep --now <instant>` as an operator runs it; its output lines."""
        env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
        env.update(teams_env(self.standin, DATABASE_URL=self.db_url))
        done = subprocess.run(
            [ACTIONBOT, "sweep", "--now", instant],
            cwd=self.tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and self.standin.app_password not in done.stdout + done.stderr
        return done.stdout.splitlines()

    def action(self, number: int):
        return self.ctx.actions.get(self.tenant, number, self.clock())

    def press(self, user, verb: str, data: dict, reply_to: str):
        return self.driver.post(self.driver.card_action(user, verb, data, reply_to=reply_to))

    def stop(self):
        self.server.stop()
        self.runtime.shutdown(wait=True)
        self.runtime.db.dispose()


@pytest.fixture
def teams(standin, db_url, tmp_path):
    t = Teams(standin, db_url, tmp_path)
    for user in (standin.lina, standin.pablo, standin.ana, standin.tim):
        t.say(user, "help")  # they have talked to the bot: addresses and zones stored
    # the bot is added to the team: its General channel's address is stored
    added = t.driver.conversation_update(standin.ana, standin.team, members_added=[t.driver.bot_member()])
    assert t.driver.post(added).status == 200
    regions = RegionService(t.ctx.actions)
    ana = Actor(t.oid(standin.ana), True, "America/Bogota")
    general = standin.team["id"]
    # the region form's channel choice is another part of this issue: the channel is set through the core here
    regions.add(
        t.tenant,
        ana,
        RegionSpec("Africa", channel_id=general, lead_user_id=ana.user_id, timezone="Africa/Nairobi"),
        CREATED,
    )
    regions.add(t.tenant, ana, RegionSpec("LAC", timezone="America/Bogota"), CREATED)
    yield t
    t.stop()


def sends_to(standin, conversation: str, since: int = 0) -> list:
    return [s for s in standin.sent_of("send")[since:] if s.conversation_id == conversation and s.status == 201]


def last_line(lines: list[str]) -> str:
    return lines[-1] if lines else ""


def assert_no_stale(content: dict, *, done: bool) -> None:
    titles = [b.get("title") for b in buttons(content)]
    assert not set(STALE) & set(titles), titles
    if done:
        assert "Done" not in titles and "Set date" not in titles and "Input.Date" not in json.dumps(content)


def test_each_owner_nudged_at_their_own_nine_and_the_buttons_act(teams):
    standin, t = teams.standin, teams
    lina, pablo = standin.lina, standin.pablo
    at_lina = f"<at>{lina['name']}</at>"
    for title in ("Nairobi plan", "Nairobi budget", "Nairobi report", "Nairobi visit"):
        t.say(standin.tim, f"add {title} {at_lina} due Dec 5 region:Africa", [lina])
    t.say(standin.tim, f"add Bogotá plan <at>{pablo['name']}</at> due Dec 5 region:LAC", [pablo])
    t.runtime.settle()  # the new owners were told at once
    lina_chat, pablo_chat = standin.personal_conversation(lina), standin.personal_conversation(pablo)
    before = len(standin.sent_of("send"))

    # 05:59 UTC is 08:59 in Nairobi: nothing
    assert last_line(t.sweep("2014-12-05T05:59:00Z")).startswith("0 sent")
    assert len(standin.sent_of("send")) == before
    # 06:00 UTC is 09:00 in Nairobi and 01:00 in Bogotá: Lina's four, not Pablo's
    out = t.sweep("2014-12-05T06:00:00Z")
    assert last_line(out).startswith("4 sent, 0 failed"), out
    nudges = sends_to(standin, lina_chat, before)
    assert len(nudges) == 4 and not sends_to(standin, pablo_chat, before)
    by_number = {}
    for sent in nudges:
        content = card_of(sent)
        number = int(re.search(r"Your action \*\*#(\d+)\*\*", texts(content)).group(1))
        by_number[number] = (sent.created_id, content)
        assert "is **due today** (Fri 5 Dec 2014)" in texts(content)
        assert [b["title"] for b in buttons(content)][-5:] == ["Done", *STALE, "Add note", "Edit"]
    assert sorted(by_number) == [1, 2, 3, 4]
    # 13:59 UTC is 08:59 in Bogotá; 14:00 is 09:00
    before = len(standin.sent_of("send"))
    assert last_line(t.sweep("2014-12-05T13:59:00Z")).startswith("0 sent")
    assert last_line(t.sweep("2014-12-05T14:00:00Z")).startswith("1 sent")
    (pablos,) = sends_to(standin, pablo_chat, before)
    assert "Your action **#5** Bogotá plan is **due today**" in texts(card_of(pablos))
    assert not sends_to(standin, lina_chat, before)

    t.clock.now = dt.datetime(2014, 12, 5, 14, 30, tzinfo=UTC)  # Friday afternoon in Nairobi

    def pressed(user, verb, data, number):
        count = len(standin.sent_of("update"))
        answer = t.press(user, verb, data, by_number[number][0])
        assert answer.status == 200 and answer.body["type"] == CARD, answer.body
        (put,) = standin.wait_for("update", count + 1)[count:]
        assert put.conversation_id == lina_chat
        return answer.body["value"], put

    # Done
    content, put = pressed(lina, "done", {"n": 1, "due": "2014-12-05"}, 1)  # Teams adds the inputs
    assert t.action(1).status == "done"
    assert "marked **#1** done" in texts(content) and put.activity_id == by_number[1][0]
    assert_no_stale(content, done=True)
    assert_no_stale(card_of(put), done=True)
    assert texts(card_of(put)) == texts(content)

    # Snooze to next working day: Friday → Monday 8 December, 09:00 in Lina's zone
    content, put = pressed(lina, "snooze", {"n": 2, "until": "day", "due": ""}, 2)
    assert t.action(2).snoozed_until == dt.datetime(2014, 12, 8, 6, tzinfo=UTC)
    assert "snoozed until Mon 8 Dec 2014, 09:00" in texts(content) and put.activity_id == by_number[2][0]
    assert_no_stale(content, done=False)
    assert_no_stale(card_of(put), done=False)
    assert "Done" in [b["title"] for b in buttons(content)]

    # Snooze to next week
    content, put = pressed(lina, "snooze", {"n": 3, "until": "week"}, 3)
    assert t.action(3).snoozed_until == dt.datetime(2014, 12, 8, 6, tzinfo=UTC)
    assert "snoozed until Mon 8 Dec 2014" in texts(card_of(put))
    assert_no_stale(content, done=False)

    # New date: bad ones are refused, to the presser alone, and nothing changes
    n_updates = len(standin.sent_of("update"))
    for bad, said in (
        ("2014-02-30", "isn't a real date"),
        ("12/12/2014", "couldn't read"),
        ("2101-01-01", "out of range"),
        ("", "missing"),
        (["2014-12-12"], "couldn't read"),
    ):
        answer = t.press(lina, "newdate", {"n": 4, "due": bad}, by_number[4][0])
        assert answer.status == 200 and answer.body["type"] != CARD and said in answer.body["value"], answer.body
    forged = t.press(lina, "snooze", {"n": 4, "until": "forever"}, by_number[4][0])
    assert "out of date" in forged.body["value"]
    assert t.press(lina, "done", {"n": "4; drop table"}, by_number[4][0]).body["type"] != CARD
    # someone who may not change it: Pablo is neither its owner nor its creator nor an admin
    refused = t.press(pablo, "newdate", {"n": 4, "due": "2014-12-12"}, by_number[4][0])
    assert refused.body["type"] != CARD and "#4" in refused.body["value"]
    assert t.action(4).due.date == dt.date(2014, 12, 5) and len(standin.sent_of("update")) == n_updates
    content, put = pressed(lina, "newdate", {"n": 4, "due": "2014-12-12"}, 4)
    assert t.action(4).due.date == dt.date(2014, 12, 12)
    assert "moved the due date to Fri 12 Dec 2014" in texts(content) and "Fri 12 Dec 2014" in texts(card_of(put))
    assert_no_stale(content, done=False)

    # Add note: the note dialog from the nudge's button
    note_button = next(b for b in buttons(by_number[4][1]) if b["title"] == "Add note")
    opened = t.driver.post(t.driver.task_fetch(lina, note_button["data"]))
    assert opened.status == 200 and opened.body["task"]["type"] == "continue"
    submitted = t.driver.post(t.driver.task_submit(lina, {"form": "note", "n": 4, "text": "Called the *ministry*"}))
    assert submitted.body["task"]["type"] == "message" and "#4" in submitted.body["task"]["value"]
    assert t.action(4).notes[-1] == "Called the *ministry*"

    # a second sweep the same day sends nothing again; Monday's brings the snoozed ones back
    before = len(standin.sent_of("send"))
    assert last_line(t.sweep("2014-12-05T14:05:00Z")).startswith("0 sent")
    assert last_line(t.sweep("2014-12-05T20:00:00Z")).startswith("0 sent")
    assert len(standin.sent_of("send")) == before


def test_named_owner_summary_thread_and_escalation(teams):
    standin, t = teams.standin, teams
    general = standin.team["id"]
    t.say(standin.tim, 'add Print the posters owner:"KM Regional Coordinators" due Dec 5 region:Africa')
    t.say(
        standin.tim, f"add Send the budget <at>{standin.lina['name']}</at> due 2014-11-28 region:Africa", [standin.lina]
    )
    # enough for a long summary: 45 actions of named owners, no date, new this week
    tim = Actor(t.oid(standin.tim), False, "Europe/Rome")
    for i in range(45):
        spec = ActionSpec(f"Workshop task {i} <at>All</at>", named_owners=[f"Team {i % 5}"], region="Africa")
        t.ctx.actions.add(t.tenant, tim, spec, CREATED)
    t.runtime.settle()
    before = len(standin.sent_of("send"))

    # a named owner's nudge: to the region's channel, mentioning the creator (Tim)
    out = t.sweep("2014-12-05T06:00:00Z")
    (posted,) = sends_to(standin, general, before)
    content = card_of(posted)
    mention = {
        "type": "mention",
        "text": "<at>Tim Boyle</at>",
        "mentioned": {"id": standin.tim["id"], "name": "Tim Boyle"},
    }
    assert posted.body["entities"] == [mention] and content["msteams"]["entities"] == [mention]
    assert "<at>Tim Boyle</at>, you created it: please pass this on to its owners." in texts(content)
    assert "**#1** Print the posters is **due today**" in texts(content), out
    # Tim snoozes it from the channel: the card in the channel is replaced, no snoozes left on it
    channel = t.driver.channel(standin.team, None, root_id=posted.created_id)
    count = len(standin.sent_of("update"))
    t.clock.now = dt.datetime(2014, 12, 5, 7, tzinfo=UTC)
    answer = t.driver.post(
        t.driver.card_action(
            standin.tim, "snooze", {"n": 1, "until": "day"}, reply_to=posted.created_id, conversation=channel
        )
    )
    assert answer.body["type"] == CARD and "snoozed until Mon 8 Dec 2014" in texts(answer.body["value"])
    (put,) = standin.wait_for("update", count + 1)[count:]
    assert put.activity_id == posted.created_id and put.conversation_id.split(";")[0] == general
    assert_no_stale(card_of(put), done=False)

    # the escalation: #2 is 7 days overdue on Friday; Ana leads Africa, at 09:00 in Bogotá
    ana_chat = standin.personal_conversation(standin.ana)
    before = len(standin.sent_of("send"))
    t.sweep("2014-12-05T14:00:00Z")
    (escalation,) = sends_to(standin, ana_chat, before)
    shown = texts(card_of(escalation))
    assert "🚨 **#2** Send the budget is **7 days overdue** (it was due Fri 28 Nov 2014)." in shown
    assert "You hear about it as the lead of Africa." in shown
    (note,) = buttons(card_of(escalation))
    assert note["title"] == "Add note"  # Ana is an admin: the core lets her add one
    assert t.driver.post(t.driver.task_fetch(standin.ana, note["data"])).body["task"]["type"] == "continue"
    said = t.driver.post(t.driver.task_submit(standin.ana, {**note["data"], "text": "Lina says Monday"}))
    assert said.body["task"]["type"] == "message" and t.action(2).notes[-1] == "Lina says Monday"

    # Monday 09:00 in Nairobi: the summary in the channel, the rest in its thread
    before = len(standin.sent_of("send"))
    t.sweep("2014-12-08T06:00:00Z")
    summaries = [s for s in standin.sent_of("send")[before:] if "Weekly summary" in texts(card_of(s))]
    assert len(summaries) == 2
    first, second = summaries
    assert first.conversation_id == general and second.conversation_id == f"{general};messageid={first.created_id}"
    assert "📊 **Weekly summary: Africa**" in texts(card_of(first)) and "(part 2 of 2)" in texts(card_of(second))
    listed = re.findall(r"\*\*#(\d+)\*\*", texts(card_of(first)) + texts(card_of(second)))
    assert {str(n) for n in range(3, 48)} <= set(listed)
    assert "\\<at\\>All\\</at\\>" in texts(card_of(first)) and "<at>All</at>" not in texts(card_of(first))
    again = t.sweep("2014-12-08T06:30:00Z")
    assert not [s for s in standin.sent_of("send")[before:] if "Weekly summary" in texts(card_of(s))][2:], again
