"""The action form, the Edit button, Show more, the message shortcut and the region form, end to end:
real-shaped payloads through the signed HTTP endpoint, checked against the stand-in and the store."""

from __future__ import annotations

import json

import pytest

from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from handlers.slack.devkit.driver import buttons
from tests.conftest import TEAM, WORKSHOP_NOW
from tests.helpers import all_text, form_values


@pytest.fixture
def regions(driver):
    driver.command("UADMIN", "region add Global tz:Europe/Zurich")
    driver.command("UADMIN", 'region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota')
    return driver


def opened_view(slack, index: int = -1) -> dict:
    return slack.calls_to("views.open")[index].params["view"]


def test_add_form_creates_like_the_command(regions, driver, slack, app):
    _, runtime = app
    reply = driver.command("UTIM", "add")
    assert reply.status == 200 and reply.body in (b"", b"{}")
    view = opened_view(slack)
    assert view["callback_id"] == "action_form" and len(view["blocks"]) <= 100
    region_options = [o["value"] for b in view["blocks"] if b["block_id"] == "region" for o in b["element"]["options"]]
    assert region_options == ["-", "Global", "Latin America and the Caribbean"]

    bad = driver.submit("UTIM", view, form_values(title="  ", due="2014-11-01"))
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"title", "due"}
    both = driver.submit("UTIM", view, form_values(title="X", due="2014-12-01", flags=["ongoing"]))
    assert set(both.json()["errors"]) == {"due_opts"}
    assert runtime.ctx.actions.list(TEAM, None, _all(), WORKSHOP_NOW).total == 0  # nothing half-stored

    ok = driver.submit(
        "UTIM",
        view,
        form_values(
            title="Submission of LAC KM Region proposal & budget",
            users=["UPAT"],
            named="Regional KM team",
            due="2014-12-20",
            region="Latin America and the Caribbean",
            group="KM",
            meeting="Global KM & Comms Workshop, Nov 2014",
            note="Draft shared <!channel>",
        ),
    )
    assert ok.status == 200 and ok.body in (b"", b"{}")
    info = runtime.ctx.actions.get(TEAM, 1, WORKSHOP_NOW)
    assert (info.title, info.region, info.group, info.due.date.isoformat()) == (
        "Submission of LAC KM Region proposal & budget",
        "Latin America and the Caribbean",
        "KM",
        "2014-12-20",
    )
    assert [o.label for o in info.owners][1:] == ["Regional KM team"] and info.owner_ids == ("UPAT",)
    assert info.notes == ("Draft shared <!channel>",)
    dm = slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "DPAT")[0].params
    assert "<@UTIM> assigned you *#1*" in all_text(dm) and "&amp; budget" in all_text(dm)
    confirm = slack.wait_for("chat.postEphemeral")[0].params
    assert confirm["channel"] == "C0GENERAL" and confirm["user"] == "UTIM" and "Added *#1*" in all_text(confirm)
    history = runtime.ctx.actions.history(TEAM, 1, WORKSHOP_NOW)
    assert [e.kind for e in history] == ["created"]

    past = driver.submit("UTIM", view, form_values(title="Past, confirmed", due="2014-11-01", flags=["past_ok"]))
    assert past.status == 200 and runtime.ctx.actions.get(TEAM, 2, WORKSHOP_NOW).overdue


def _all():
    from bot.core.grammar import ListQuery

    return ListQuery(status="all")


def test_edit_from_a_list_records_each_change(regions, driver, slack, app):
    _, runtime = app
    driver.command("UTIM", "add Draft the KM strategy <@ULINA|lina> due Nov 30, 2014 region:Global group:KM")
    listing = driver.command("UTIM", "list").json()
    edit = next(b for b in buttons(listing) if b["action_id"] == "action_edit")
    reply, refused = driver.click("UOUT", "action_edit", edit["value"])
    assert "Only the owners of #1" in all_text(refused) and slack.calls_to("views.open") == []

    driver.click("ULINA", "action_edit", edit["value"])
    view = opened_view(slack)
    prefilled = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert prefilled["title"]["initial_value"] == "Draft the KM strategy"
    assert prefilled["owners"]["initial_users"] == ["ULINA"] and prefilled["due"]["initial_date"] == "2014-11-30"
    assert prefilled["region"]["initial_option"]["value"] == "Global"

    ok = driver.submit(
        "ULINA",
        view,
        form_values(
            title="Draft the KM global strategy",
            users=["ULINA", "UJEN"],
            due="2014-11-30",
            region="Latin America and the Caribbean",
            group="KM",
        ),
    )
    assert ok.status == 200
    changed = [
        (e.field, e.old, e.new) for e in runtime.ctx.actions.history(TEAM, 1, WORKSHOP_NOW) if e.kind == "changed"
    ]
    assert changed == [
        ("title", "Draft the KM strategy", "Draft the KM global strategy"),
        ("owners", [{"user": "ULINA"}], [{"user": "ULINA"}, {"user": "UJEN"}]),
        ("region", "Global", "Latin America and the Caribbean"),
    ]
    slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "DJEN")
    same = driver.submit(
        "ULINA",
        view,
        form_values(
            title="Draft the KM global strategy",
            users=["ULINA", "UJEN"],
            due="2014-11-30",
            region="Latin America and the Caribbean",
            group="KM",
        ),
    )
    assert "Nothing to change" in same.json()["errors"]["title"]

    assert driver.command("UTIM", "edit 1").status == 200
    assert opened_view(slack)["title"]["text"] == "Edit #1"
    assert "no action #9" in all_text(driver.command("UTIM", "edit 9").json())


def test_show_more_pages_a_long_list(driver, slack, app):
    _, runtime = app
    for n in range(45):
        runtime.ctx.actions.add(
            TEAM, Actor("UTIM"), ActionSpec(f"Item {n}", user_owners=["UPAT"], due_phrase="Dec 1, 2014"), WORKSHOP_NOW
        )
    first = driver.command("UTIM", "list").json()
    assert len(first["blocks"]) <= 50 and "Showing 1–20 of 45" in all_text(first)
    more = next(b for b in buttons(first) if b["action_id"] == "list_more")
    _, second = driver.click("UTIM", "list_more", more["value"])
    assert second["replace_original"] is True and "Showing 21–40 of 45" in all_text(second)
    more = next(b for b in buttons(second) if b["action_id"] == "list_more")
    _, third = driver.click("UTIM", "list_more", more["value"])
    assert "Item 44" in all_text(third) and not [b for b in buttons(third) if b["action_id"] == "list_more"]


def test_message_shortcut_keeps_a_link_to_the_message(regions, driver, slack, app):
    _, runtime = app
    message = {
        "type": "message",
        "user": "UJEN",
        "ts": "1416571200.000200",
        "text": "Can <@UPAT|patricia> send the LAC proposal &amp; budget by Dec 20?",
    }
    assert driver.shortcut("UTIM", "create_followup_action", message, channel_id="CKM").status == 200
    (permalink_call,) = slack.calls_to("chat.getPermalink")
    assert (permalink_call.params["channel"], permalink_call.params["message_ts"]) == ("CKM", "1416571200.000200")
    view = opened_view(slack)
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")["element"]["initial_value"]
    assert title == "Can @patricia send the LAC proposal & budget by Dec 20?"
    ok = driver.submit("UTIM", view, form_values(title=title, users=["UPAT"], due="2014-12-20"))
    assert ok.status == 200
    info = runtime.ctx.actions.get(TEAM, 1, WORKSHOP_NOW)
    assert info.permalink == "https://standin.slack.test/archives/CKM/p1416571200000200"
    shown = all_text(driver.command("UTIM", "list").json())
    assert "<https://standin.slack.test/archives/CKM/p1416571200000200|from a message>" in shown


def test_region_form_and_did_you_mean(regions, driver, slack):
    assert "Only a workspace admin" in all_text(driver.command("UTIM", "region edit LAC").json())
    assert driver.command("UADMIN", "region edit lac").status == 200
    view = opened_view(slack)
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert fields["name"]["initial_value"] == "Latin America and the Caribbean"
    assert fields["tz"]["initial_value"] == "America/Bogota"

    def values(tz):
        text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
        return {
            "name": text("Latin America and the Caribbean"),
            "aliases": text("LAC, Latam"),
            "channel": {"value": {"type": "conversations_select", "selected_conversation": "CLAC"}},
            "lead": {"value": {"type": "users_select", "selected_user": "UPAT"}},
            "tz": text(tz),
            "days": text("mon-fri"),
            "summary": text("mon 09:00"),
        }

    bad = driver.submit("UADMIN", view, values("America/Nowhere")).json()
    assert bad["response_action"] == "errors" and list(bad["errors"]) == ["tz"]
    assert driver.submit("UADMIN", view, values("America/Bogota")).status == 200
    shown = all_text(driver.command("UTIM", "region list").json())
    assert "(LAC, Latam)" in shown and "<#CLAC>" in shown and "lead <@UPAT>" in shown
    typo = all_text(driver.command("UTIM", "list region:Lattam").json())
    assert "Did you mean Latam?" in typo


def test_every_list_stays_inside_block_kit_limits(driver, app, slack):
    _, runtime = app
    for n in range(300):
        runtime.ctx.actions.add(
            TEAM,
            Actor("UTIM"),
            ActionSpec(f"Action {n} " + "z" * 480, user_owners=["UPAT"], due_phrase="Nov 1, 2014"),
            WORKSHOP_NOW,
        )
    for text in ("list", "list all", "list overdue", "list <@UPAT|patricia>"):
        message = driver.command("UTIM", text).json()
        assert len(message["blocks"]) <= 50 and len(message["text"]) <= 3000
        for block in message["blocks"]:
            for piece in [block.get("text", {})] + block.get("elements", []):
                assert len(piece.get("text", "") if isinstance(piece.get("text", ""), str) else "") <= 3000
            for element in block.get("elements", []):
                assert len(element.get("value", "")) <= 2000
    assert driver.command("UTIM", "edit 300").status == 200
    view = opened_view(slack)
    assert len(view["blocks"]) <= 100 and len(json.dumps(view)) < 250_000  # Slack's cap on a view
    assert all(len(b["label"]["text"]) <= 2000 for b in view["blocks"] if b["type"] == "input")
