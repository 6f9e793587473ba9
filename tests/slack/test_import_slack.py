"""`/action import` end to end: paste the seed's follow-up matrix into the form, preview it (owners
matched to members, dates parsed, warnings), go Back and forth, Confirm; one transaction, one DM per
owner. Real-shaped view_submission and block_actions payloads through the signed HTTP endpoint."""

from __future__ import annotations

import pytest

from bot.core.grammar import ListQuery
from tests.conftest import TEAM, WORKSHOP_NOW
from tests.helpers import all_text, seed_matrix

MEETING = "Global KM & Comms Workshop, Nov 2014"


@pytest.fixture
def import_form(driver, slack):
    driver.command("UADMIN", "region add Global tz:Europe/Zurich")
    driver.command("UADMIN", 'region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota')
    assert driver.command("UTIM", "import").status == 200
    return slack.calls_to("views.open")[-1].params["view"]


def values(text, meeting=None, region=None, group=None):
    plain = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    option = {"value": region, "text": {"type": "plain_text", "text": region}} if region else None
    return {
        "text": plain(text),
        "meeting": plain(meeting),
        "group": plain(group),
        "region": {"value": {"type": "static_select", "selected_option": option}},
    }


def test_the_seed_matrix_imports_through_preview_and_confirm(import_form, driver, slack, app):
    _, runtime = app
    assert import_form["callback_id"] == "import_form"
    reply = driver.submit("UTIM", import_form, values(seed_matrix(), MEETING, "Global", "KM")).json()
    assert reply["response_action"] == "update"
    preview = reply["view"]
    shown = all_text(preview)
    assert "*5 actions to import* from Global KM &amp; Comms Workshop, Nov 2014" in shown
    assert "<@UJEN> (“Jennifer Fergurson-Mitchel”)" in shown and "<@UPAT> (“Patricia Toquica”)" in shown
    assert "<@ULINA> (“Lina Salazar”)" in shown
    assert "KM Regional Coordinators _(not a member: a named owner)_" in shown
    assert "Due: Sat 20 Dec 2014" in shown and "Due: ongoing" in shown
    assert "Row 3" in shown and "Nov 30, 2014" in shown  # the warning about the second date
    assert runtime.ctx.actions.list(TEAM, None, ListQuery(status="all"), WORKSHOP_NOW).total == 0

    _, _ = driver.click(
        "UTIM", "import_back", "back", channel_id=None, view={**preview, "id": "V0PREVIEW", "hash": "h1"}
    )
    (back,) = slack.calls_to("views.update")
    kept = {b["block_id"]: b["element"] for b in back.params["view"]["blocks"] if b["type"] == "input"}
    assert kept["text"]["initial_value"] == seed_matrix().strip() and kept["meeting"]["initial_value"] == MEETING

    done = driver.submit("UTIM", preview, {}).json()
    assert done["response_action"] == "update" and "Imported 5 actions: #1–#5" in all_text(done["view"])
    listing = runtime.ctx.actions.list(TEAM, None, ListQuery(status="all"), WORKSHOP_NOW)
    got = {
        a.number: (
            a.title,
            [o.label for o in a.owners],
            a.due.kind,
            a.due.date and a.due.date.isoformat(),
            a.region,
            a.group,
            a.meeting,
        )
        for a in listing.actions
    }
    assert got[3] == (
        "Submission of LAC KM Region proposal",
        ["@patricia"],
        "date",
        "2014-12-20",
        "Global",
        "KM",
        MEETING,
    )
    assert got[4][1] == ["KM Coordinator", "regional KM team"] and got[4][2] == "ongoing"
    assert got[1][1] == ["@jennifer"] and got[2][1] == ["KM Regional Coordinators"]
    runtime.ctx.settle()
    dms = {c.params["channel"]: all_text(c.params) for c in slack.calls_to("chat.postMessage")}
    assert set(dms) == {"DJEN", "DPAT", "DLINA"}  # one DM per Slack-user owner, none for named owners
    assert "<@UTIM> imported 1 action from Global KM &amp; Comms Workshop, Nov 2014" in dms["DPAT"]


def test_unreadable_text_is_refused_on_the_field(import_form, driver, app):
    _, runtime = app
    reply = driver.submit("UTIM", import_form, values("just some words\nand more words")).json()
    assert reply["response_action"] == "errors" and "text" in reply["errors"]
    unknown = driver.submit("UTIM", import_form, values(seed_matrix(), region="Atlantis")).json()
    assert unknown["response_action"] == "errors" and "Atlantis" in unknown["errors"]["text"]
    assert runtime.ctx.actions.list(TEAM, None, ListQuery(status="all"), WORKSHOP_NOW).total == 0
