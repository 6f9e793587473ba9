"""Issue 14, class 5: a form never alters a field the person did not edit, and every button works
whatever the list's filter. End to end: forms opened and submitted, buttons pressed, through the signed
endpoint against the stand-in; the store read back."""

from __future__ import annotations

from sqlalchemy import update

from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from bot.core.regions import RegionSpec
from handlers.slack.devkit.driver import buttons
from store.models import Group, Meeting
from tests.conftest import TEAM, WORKSHOP_NOW
from tests.helpers import all_text

ADMIN = Actor("UADMIN", is_admin=True)
NAMED = [f"Coordinator {n} " + "k" * 186 for n in range(6)]  # 200 characters each: the store's widest


def opened_view(slack) -> dict:
    return slack.calls_to("views.open")[-1].params["view"]


def shown_state(view: dict) -> dict:
    """What Slack submits for a view nobody typed into: each input's prefill, as state."""
    keys = {
        "initial_value": "value",
        "initial_users": "selected_users",
        "initial_date": "selected_date",
        "initial_option": "selected_option",
        "initial_options": "selected_options",
        "initial_conversation": "selected_conversation",
        "initial_user": "selected_user",
    }
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            state = {"type": element["type"], **{s: element.get(i) for i, s in keys.items()}}
            values[block["block_id"]] = {element["action_id"]: state}
    return values


def typed(values: dict, block: str, text: str) -> dict:
    values[block]["value"]["value"] = text
    return values


def lengthen(runtime, db_url: str, group: str, meeting: str) -> tuple[str, str]:
    """Names longer than the form's inputs, as an older release could store them (SQLite keeps any
    length; PostgreSQL's columns cap them at 100 and 200, still the inputs' full width)."""
    if db_url.startswith("sqlite"):
        group, meeting = group + " " + "g" * 60, meeting + " " + "m" * 60
    with runtime.db.session() as s:  # the test's only group and meeting
        s.execute(update(Group).values(name=group, key=group.casefold()))
        s.execute(update(Meeting).values(name=meeting, key=meeting.casefold()))
    return group, meeting


def test_editing_only_the_title_changes_only_the_title(driver, slack, app, db_url):
    _, runtime = app
    regions = [f"Region {n:03d}" for n in range(1, 151)]
    for name in regions:
        runtime.ctx.regions.add(TEAM, ADMIN, RegionSpec(name), WORKSHOP_NOW)
    group, meeting = "Knowledge management " + "G" * 79, "Global KM and Comms Workshop " + "M" * 171
    runtime.ctx.actions.add(
        TEAM,
        Actor("UTIM"),
        ActionSpec(
            "Draft the KM strategy",
            user_owners=["UPAT"],
            named_owners=NAMED,
            due_phrase="Nov 30, 2014",
            region="Region 150",
            group=group,
            meeting=meeting,
        ),
        WORKSHOP_NOW,
    )
    group, meeting = lengthen(runtime, db_url, group, meeting)

    assert driver.command("UTIM", "edit 1").status == 200
    view = opened_view(slack)
    assert len(view["private_metadata"]) <= 3000
    named = next(b for b in view["blocks"] if b.get("block_id") == "named")
    assert len(named["element"]["initial_value"]) <= named["element"]["max_length"]
    ok = driver.submit("UTIM", view, typed(shown_state(view), "title", "Draft the KM global strategy"))
    assert ok.status == 200 and ok.body in (b"", b"{}"), ok.body

    info = runtime.ctx.actions.get(TEAM, 1, WORKSHOP_NOW)
    assert info.title == "Draft the KM global strategy"
    assert [o.name for o in info.owners if o.user_id is None] == NAMED and info.owner_ids == ("UPAT",)
    assert (info.region, info.group, info.meeting) == ("Region 150", group, meeting)
    assert info.due.date.isoformat() == "2014-11-30"
    changed = [e.field for e in runtime.ctx.actions.history(TEAM, 1, WORKSHOP_NOW) if e.kind == "changed"]
    assert changed == ["title"]
    assert "stays as it is unless you change" in named["hint"]["text"]  # and the form says so

    # a field that is edited is saved as typed, even one that could not be shown whole
    driver.command("UTIM", "edit 1")
    view = opened_view(slack)
    assert driver.submit("UTIM", view, typed(shown_state(view), "named", "Regional KM team")).status == 200
    info = runtime.ctx.actions.get(TEAM, 1, WORKSHOP_NOW)
    assert [o.name for o in info.owners if o.user_id is None] == ["Regional KM team"]
    assert (info.title, info.region, info.group) == ("Draft the KM global strategy", "Region 150", group)


def test_every_region_can_be_picked_and_the_current_one_is_chosen(driver, slack, app):
    _, runtime = app
    for n in range(1, 151):
        runtime.ctx.regions.add(TEAM, ADMIN, RegionSpec(f"Region {n:03d}"), WORKSHOP_NOW)
    driver.command("UTIM", 'add Send the budget <@UPAT> due Dec 1, 2014 region:"Region 150"')
    driver.command("UTIM", "edit 1")
    select = next(b for b in opened_view(slack)["blocks"] if b.get("block_id") == "region")["element"]
    groups = select["option_groups"]
    assert all(len(g["options"]) <= 100 and len(g["label"]["text"]) <= 75 for g in groups)
    offered = [o["value"] for g in groups for o in g["options"]]
    assert offered == ["-"] + [f"Region {n:03d}" for n in range(1, 151)]
    assert select["initial_option"]["value"] == "Region 150"


def test_region_form_keeps_aliases_it_cannot_show_whole(driver, slack, app):
    _, runtime = app
    aliases = [f"Alias {n} " + "a" * 80 for n in range(8)]  # 8 × 88 characters: past the 500-character input
    runtime.ctx.regions.add(
        TEAM, ADMIN, RegionSpec("Latin America", aliases=aliases, timezone="America/Bogota"), WORKSHOP_NOW
    )
    driver.command("UADMIN", "region edit Latin America")
    view = opened_view(slack)
    reply = driver.submit("UADMIN", view, typed(shown_state(view), "tz", "America/Lima"))
    assert reply.status == 200 and reply.body in (b"", b"{}"), reply.body
    region = runtime.ctx.regions.get(TEAM, "Latin America", WORKSHOP_NOW)
    assert (sorted(region.aliases), region.timezone) == (sorted(aliases), "America/Lima")


def test_list_buttons_work_whatever_the_filter(driver, slack, app):
    _, runtime = app
    # names as wide as the store keeps, in scripts JSON escapes to six or twelve characters a letter
    group = " ".join(["Координация"] * 8) + " " + "Ж" * 4
    meeting = " ".join(["Семинар 🌍"] * 20)
    for n in range(25):
        runtime.ctx.actions.add(
            TEAM,
            Actor("UTIM"),
            ActionSpec(f"Item {n}", user_owners=["UPAT"], due_phrase="Dec 1, 2014", group=group, meeting=meeting),
            WORKSHOP_NOW,
        )
    spaced = lambda name: (" " * 15).join(name.split())  # noqa: E731  (folded to the same name)
    query = " ".join(["<@UPAT|patricia>"] * 40) + f' group:"{spaced(group)}" meeting:"{spaced(meeting)}"'
    listing = driver.command("UTIM", "list " + query).json()
    assert "Showing 1–20 of 25" in all_text(listing)
    pressable = buttons(listing)
    assert all(len(b["value"]) <= 2000 and isinstance(b["decoded"], dict) for b in pressable)

    more = next(b for b in pressable if b["action_id"] == "list_more")
    _, page = driver.click("UTIM", "list_more", more["value"])
    assert page["replace_original"] is True and "Item 24" in all_text(page), all_text(page)
    assert "Showing 21–25 of 25" in all_text(page) or "25 actions" in all_text(page)

    done = next(b for b in pressable if b["action_id"] == "action_done")
    _, after = driver.click("UPAT", "action_done", done["value"])
    assert after["replace_original"] is True and "marked *#" in all_text(after), all_text(after)
    assert "24 actions" in all_text(after)
    assert runtime.ctx.actions.get(TEAM, done["decoded"]["n"], WORKSHOP_NOW).status == "done"


def test_calendar_reset_button_fits_whatever_the_region_was_typed_as(driver, app):
    _, runtime = app
    name = "Latin America and the Caribbean"
    runtime.ctx.regions.add(TEAM, ADMIN, RegionSpec(name), WORKSHOP_NOW)
    typed_name = (" " * 500).join(name.split())  # the region all the same: names match spaces folded
    shown = driver.command("UADMIN", f'calendar region:"{typed_name}"').json()
    (reset,) = [b for b in buttons(shown) if b["action_id"] == "calendar_reset"]
    assert len(reset["value"]) <= 2000
    _, replaced = driver.click("UADMIN", "calendar_reset", reset["value"])
    assert "New address" in all_text(replaced), all_text(replaced)
