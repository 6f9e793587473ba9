"""One command, many DMs: an action takes at most 20 owners at every door (command, assign, form, import),
and new owners are told through the scheduler's paced, ledgered send loop, after the answer, exactly
once, retried by the next sweep after a fault, and sent by the sweep when the web process never did.
Through the real endpoint against the Slack stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bot.core.grammar import ListQuery
from bot.runtime import scheduler_services
from scheduler.sweep import sweep
from store.models import Action, Delivery
from tests.conftest import TEAM, WORKSHOP_NOW
from tests.helpers import all_text, form_values

OWNERS = ("UJEN", "UPAT", "ULINA")
SLACK_DMS = ("users.info", "conversations.open", "chat.postMessage")


def mentions(n: int) -> str:
    return " ".join(f"<@U{i:04d}|person{i}>" for i in range(n))


def ledger(db) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return sorted((d.kind, d.recipient, d.status) for d in s.scalars(select(Delivery)))


def dms_to(slack, channel: str) -> list[str]:
    return [all_text(c.params) for c in slack.calls_to("chat.postMessage") if c.params["channel"] == channel]


def sweep_at(runtime, minutes: int):
    services = scheduler_services(runtime.config, runtime.ctx.actions)
    return sweep(runtime.ctx.actions, services.outlet("slack").notifier, WORKSHOP_NOW + dt.timedelta(minutes=minutes))


@pytest.fixture
def known(app, driver, slack):
    """Tim has used the bot before (his profile is remembered), and the stand-in's log is empty."""
    driver.command("UTIM", "list")
    app[1].ctx.settle()
    slack.reset()
    return app[1]


def test_an_add_with_120_owners_is_refused_and_asks_slack_nothing(known, driver, slack, db):
    reply = all_text(driver.command("UTIM", f"add Tell everyone {mentions(120)} due Dec 1, 2014").json())
    assert "at most 20 owners" in reply and "this one has 120" in reply and "/action add" in reply
    known.ctx.settle()
    assert slack.calls == []
    with db.session() as s:
        assert s.scalars(select(Action)).all() == [] and s.scalars(select(Delivery)).all() == []


def test_twenty_owners_are_fine_and_assign_is_held_to_the_same_limit(known, driver, slack, db):
    assert "Added *#1*" in all_text(driver.command("UTIM", f"add Big team {mentions(20)}").json())
    reply = all_text(driver.command("UTIM", f'assign 1 {mentions(20)} owner:"KM team"').json())
    assert "at most 20 owners" in reply and "this one has 21" in reply
    known.ctx.settle()
    assert len(known.ctx.actions.get(TEAM, 1, WORKSHOP_NOW).owners) == 20


def test_the_form_shows_the_limit_on_the_owners_field(known, driver, slack, db):
    assert driver.command("UTIM", "add").status == 200
    form = slack.calls_to("views.open")[-1].params["view"]
    owners = next(b for b in form["blocks"] if b.get("block_id") == "owners")
    assert owners["element"]["max_selected_items"] == 20
    users = [f"U{i:04d}" for i in range(18)]
    reply = driver.submit("UTIM", form, form_values("Too many", users=users, named="A\nB\nC")).json()
    assert reply["response_action"] == "errors" and "at most 20 owners" in reply["errors"]["owners"]
    assert known.ctx.actions.list(TEAM, None, ListQuery(status="all"), WORKSHOP_NOW).total == 0


def test_three_owners_are_told_after_the_answer_by_the_ledgered_sender(known, driver, slack, db):
    hold = threading.Event()
    for _ in range(4):  # every after-ack worker busy: whatever Slack hears before `hold` is set, the request said
        known.ctx.background.submit(hold.wait)
    try:
        reply = all_text(
            driver.command(
                "UTIM", "add Draft the plan " + " ".join(f"<@{u}>" for u in OWNERS) + " due Dec 1, 2014"
            ).json()
        )
        assert "Added *#1*" in reply
        assert [c for c in slack.calls if c.method in SLACK_DMS] == []
        # stored with the action, already claimed by this process's sender (no other sender takes them)
        assert ledger(db) == [("assigned", f"user:{u}", "claimed") for u in sorted(OWNERS)]
    finally:
        hold.set()
    known.ctx.settle()
    for user in OWNERS:
        [dm] = dms_to(slack, f"D{user[1:]}")
        assert "<@UTIM> assigned you *#1* Draft the plan" in dm and "Mon 1 Dec 2014" in dm
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert ledger(db) == [("assigned", f"user:{u}", "sent") for u in sorted(OWNERS)]
    with db.session() as s:  # each marked sent with the ts Slack gave its DM
        assert len({d.ref for d in s.scalars(select(Delivery)) if d.ref}) == 3
    assert sweep_at(known, 1).sent == []  # told once: the sweep finds nothing left


def test_an_owner_slack_can_never_reach_is_reported_to_the_creator_once(known, driver, slack, db):
    # the web process's own delivery: the DM fails for good, the creator hears once, nothing is retried
    slack.fail("chat.postMessage", "account_inactive")
    assert "Added *#1*" in all_text(driver.command("UTIM", "add Draft the plan <@UPAT> due Dec 1, 2014").json())
    known.ctx.settle()
    [told] = dms_to(slack, "DTIM")
    assert "account_inactive" in told and "<@UPAT>" in told
    assert ledger(db) == [("assigned", "user:UPAT", "dead"), ("problem", "user:UTIM", "sent")]
    assert sweep_at(known, 1).sent == []


def test_a_dm_slack_failed_goes_out_on_the_next_sweep_once(known, driver, slack, db):
    slack.fail("chat.postMessage", "internal_error", status=500, times=3)  # more than the client retries
    assert "Added *#1*" in all_text(driver.command("UTIM", "add Flaky <@UPAT> due Dec 1, 2014").json())
    known.ctx.settle()
    assert ledger(db) == [("assigned", "user:UPAT", "failed")]
    assert [n.recipient for n in sweep_at(known, 1).sent] == ["user:UPAT"]
    assert sweep_at(known, 2).sent == []
    assert ledger(db) == [("assigned", "user:UPAT", "sent")]
    [dm] = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "DPAT"][-1:]
    assert "assigned you *#1* Flaky" in all_text(dm.params)
    assert len(slack.calls_to("chat.postMessage")) == 4  # three refused, one taken


def test_a_change_whose_web_process_never_delivered_is_told_by_the_sweep(known, driver, slack, db):
    known.ctx.courier = None  # as if the process stopped right after answering
    assert "Added *#1*" in all_text(driver.command("UTIM", "add Left behind <@ULINA> due Dec 1, 2014").json())
    assert "Reassigned *#1*" in all_text(driver.command("UTIM", "assign 1 <@ULINA> <@UJEN>").json())
    known.ctx.settle()
    assert slack.calls_to("chat.postMessage") == []
    assert sweep_at(known, 1).sent == []  # still claimed by the process that answered: no one else sends yet
    report = sweep_at(known, 11)  # its claim's lease (10 minutes) has run out
    assert sorted(n.recipient for n in report.sent) == ["user:UJEN", "user:ULINA"]
    assert sweep_at(known, 12).sent == []
    assert len(dms_to(slack, "DLINA")) == 1 and len(dms_to(slack, "DJEN")) == 1


def test_a_dm_claimed_by_a_sender_that_died_is_sent_after_the_lease(known, driver, slack, db):
    known.ctx.courier = None
    driver.command("UTIM", "add Half sent <@UPAT> due Dec 1, 2014")
    with db.session() as s:  # a sender claimed it, then died before sending
        row = s.scalars(select(Delivery)).one()
        row.status, row.claimed_by, row.claimed_at = "claimed", "dead-host:1", WORKSHOP_NOW
    assert sweep_at(known, 5).sent == []  # still within the claim's lease: maybe on its way
    assert [n.recipient for n in sweep_at(known, 11).sent] == ["user:UPAT"]
    assert len(dms_to(slack, "DPAT")) == 1 and sweep_at(known, 12).sent == []


def test_an_import_row_with_too_many_owners_is_flagged_and_nothing_is_imported(known, driver, slack, db):
    crowd = ", ".join(f"Team {chr(65 + i)}" for i in range(22))
    matrix = f'Action,Owner,Date\nFine row,Lina Salazar,Dec 1 2014\nCrowded row,"{crowd}",Dec 2 2014\n'
    assert driver.command("UTIM", "import").status == 200
    form = slack.calls_to("views.open")[-1].params["view"]
    plain = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    values = {
        "text": plain(matrix),
        "meeting": plain(None),
        "group": plain(None),
        "region": {"value": {"type": "static_select", "selected_option": None}},
    }
    preview = driver.submit("UTIM", form, values).json()["view"]
    assert "*Row 2* Crowded row" in all_text(preview) and "at most 20 owners" in all_text(preview)
    done = all_text(driver.submit("UTIM", preview, {}).json()["view"])
    assert "Row 2" in done and "at most 20 owners" in done and "Nothing was imported" in done
    known.ctx.settle()
    assert slack.calls_to("chat.postMessage") == []
    with db.session() as s:
        assert s.scalars(select(Action)).all() == [] and s.scalars(select(Delivery)).all() == []
