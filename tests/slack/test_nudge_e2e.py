"""Nudges end to end: the scheduler's job sends through the Slack stand-in, and the nudge's buttons
(signed interactions to the real HTTP endpoint) change what later sweeps send. Also `/action summary`,
`/action snooze` and `/action settings`."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.runtime import scheduler_services
from handlers.slack.devkit.driver import buttons
from scheduler.clock import install, sweep_job
from tests.conftest import TEAM
from tests.helpers import all_text

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def tick(app, clock, slack):
    """Move the app's clock to an instant, run the scheduler's sweep job there, return what it posted."""
    _, runtime = app
    install(scheduler_services(runtime.config, runtime.ctx.actions, clock))

    def run(instant: str) -> list[dict]:
        before = len(slack.calls_to("chat.postMessage"))
        clock.now = at(instant)
        sweep_job()
        return [c.params for c in slack.calls_to("chat.postMessage")[before:]]

    return run


@pytest.fixture
def patricia_owns_one(app, driver, slack, tick):
    driver.command("UADMIN", "region add Global tz:Europe/Zurich lead:<@UTIM|tim> channel:<#CGLOBAL|global>")
    reply = driver.command("UTIM", "add Send budget information <@UPAT|patricia> due Dec 10, 2014 region:Global")
    assert "Added *#1*" in all_text(reply.json())
    slack.wait_for("chat.postMessage")  # the assignment DM
    app[1].ctx.settle()  # and Patricia's zone, learned after the answer
    return 1


def nudge_of(posts: list[dict], channel: str) -> dict:
    (found,) = [p for p in posts if p["channel"] == channel and p["text"].startswith("Reminder")]
    return found


def press(driver, user, message, action_id, channel="DPAT"):
    button = next(b for b in buttons(message) if b["action_id"] == action_id)
    return driver.click(user, action_id, button["value"], channel_id=channel, message={**message, "ts": "1.1"})


def test_nudge_buttons_change_what_later_sweeps_send(patricia_owns_one, driver, slack, tick, app):
    _, runtime = app
    assert tick("2014-12-05T13:55+00:00") == []  # 08:55 in Bogotá
    nudge = nudge_of(tick("2014-12-05T14:00+00:00"), "DPAT")  # Friday 09:00 in Bogotá: 5 days ahead
    assert "due in 5 days" in all_text(nudge) and "Wed 10 Dec 2014" in all_text(nudge)

    reply, replaced = press(driver, "UOUT", nudge, "nudge_snooze_week")
    assert reply.status == 200 and replaced["replace_original"] is False
    assert "Only the owners of #1" in all_text(replaced)

    reply, replaced = press(driver, "UPAT", nudge, "nudge_snooze_week")
    assert replaced["replace_original"] is True
    assert "snoozed until Mon 8 Dec 2014, 09:00" in all_text(replaced)
    assert tick("2014-12-05T14:30+00:00") == []
    snoozed = nudge_of(tick("2014-12-08T14:00+00:00"), "DPAT")  # the snooze ends: a nudge then
    assert "due in 2 days" in all_text(snoozed)

    reply, replaced = driver.pick_date(
        "UPAT", "nudge_new_date", "nudge-1", "2014-12-19", channel_id="DPAT", message={**snoozed, "ts": "1.2"}
    )
    assert "moved the due date to Fri 19 Dec 2014" in all_text(replaced)
    assert tick("2014-12-10T14:00+00:00") == []  # the old due day passes in silence
    moved = nudge_of(tick("2014-12-16T14:00+00:00"), "DPAT")  # 3 days before the new date
    assert "due in 3 days" in all_text(moved) and "Fri 19 Dec 2014" in all_text(moved)

    reply, _ = press(driver, "UPAT", moved, "action_note")
    assert reply.status == 200
    (opened,) = [c.params for c in slack.calls_to("views.open")]
    view = opened["view"]
    assert view["callback_id"] == "note_form" and opened["trigger_id"]
    empty = driver.submit("UPAT", view, {"note": {"text": {"type": "plain_text_input", "value": "  "}}})
    assert empty.json() == {"response_action": "errors", "errors": {"note": "Write a note, or press Cancel."}}
    outsider = driver.submit("UOUT", view, {"note": {"text": {"type": "plain_text_input", "value": "hi"}}})
    assert "Only the owners of #1" in outsider.json()["errors"]["note"]
    ok = driver.submit(
        "UPAT", view, {"note": {"text": {"type": "plain_text_input", "value": "Budget figures <!channel> & sent"}}}
    )
    assert ok.status == 200 and ok.body in (b"", b"{}")
    confirmed = slack.wait_for("response_url", predicate=lambda c: "added a note" in json.dumps(c.params))
    assert "Budget figures &lt;!channel&gt; &amp; sent" in all_text(confirmed[0].params)
    assert runtime.ctx.actions.get(TEAM, 1, at("2014-12-16T15:00+00:00")).notes == ("Budget figures <!channel> & sent",)

    reply, replaced = press(driver, "UPAT", moved, "action_done")
    assert "marked *#1* done" in all_text(replaced)
    for instant in ("2014-12-19T14:00+00:00", "2014-12-22T14:00+00:00", "2014-12-29T14:00+00:00"):
        assert [p for p in tick(instant) if p["channel"] == "DPAT"] == []


def test_escalation_and_summary_through_the_job(patricia_owns_one, driver, tick):
    posts = tick("2014-12-08T08:00+00:00")  # Monday 09:00 in Zurich: the Global summary
    (summary,) = [p for p in posts if p["channel"] == "CGLOBAL"]
    assert "Weekly summary: Global" in all_text(summary) and "Send budget information" in all_text(summary)
    posts = tick("2014-12-17T08:00+00:00")  # 7 days overdue (Wed): Tim, the lead, hears at 09:00 Rome
    (escalation,) = [p for p in posts if p["channel"] == "DTIM"]
    assert "7 days overdue" in all_text(escalation) and "<@UPAT>" in all_text(escalation)


def test_summary_snooze_and_settings_commands(patricia_owns_one, driver, clock):
    overview = all_text(driver.command("UTIM", "summary").json())
    assert "*Global*: 1 open" in overview
    full = driver.command("UTIM", "summary region:global").json()
    assert "Weekly summary: Global" in all_text(full) and full.get("response_type", "ephemeral") == "ephemeral"
    assert "Asia" in all_text(driver.command("UTIM", "summary region:Asia").json())  # names the known ones

    snoozed = all_text(driver.command("UPAT", "snooze 1 week").json())
    assert "Snoozed *#1*" in snoozed and "snoozed until Mon 24 Nov 2014, 09:00" in snoozed
    assert "day` (the next working day) or `week`" in all_text(driver.command("UPAT", "snooze 1 someday").json())

    shown = all_text(driver.command("UTIM", "settings").json())
    assert "3 days before, on the due day, 1 day after, then every 7 days while open" in shown
    refused = all_text(driver.command("UTIM", "settings nudges:-1,0").json())
    assert "Only a workspace admin" in refused
    saved = all_text(driver.command("UADMIN", "settings nudges:-1,0 escalate:0 tz:Europe/Zurich").json())
    assert "Settings saved" in saved and "1 day before, on the due day, then every 7 days" in saved
    assert "Escalation to the region lead: off" in saved
    bad = all_text(driver.command("UADMIN", "settings nudges:soon").json())
    assert "couldn't read the nudge days" in bad


def test_a_long_summary_on_demand_continues_through_the_response_url(driver, slack, app):
    _, runtime = app
    from bot.core.grammar import ActionSpec
    from bot.core.records import Actor

    driver.command("UADMIN", "region add Asia-Pacific alias:Asia tz:Asia/Bangkok")
    for n in range(300):
        runtime.ctx.actions.add(
            TEAM,
            Actor("UTIM"),
            ActionSpec(f"Item {n} " + "y" * 400, user_owners=["UPAT"], due_phrase="Nov 3, 2014", region="Asia"),
            at("2014-11-01T12:00+00:00"),
        )
    first = driver.command("UTIM", "summary region:Asia").json()
    parts = int(re.search(r"part 2 of (\d+)", json.dumps(slack.wait_for("response_url")[0].params)).group(1))
    follow_ups = slack.wait_for("response_url", count=parts - 1)
    for message in [first] + [c.params for c in follow_ups]:
        assert len(message["blocks"]) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
        assert message.get("response_type", "ephemeral") == "ephemeral"
    shown = "\n".join(all_text(m) for m in [first] + [c.params for c in follow_ups])
    assert all(f"Item {n} " in shown for n in range(300))
