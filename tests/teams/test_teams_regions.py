"""Regions in Teams end to end, on SQLite and PostgreSQL: the region form offers the channels of the teams
the app was added to ("Team › Channel"), stores the chosen one, refuses a forged one or one of a team
without the app; channel events keep the list current; a lead picked from a team's roster can be reached
in their personal chat; the region list shows channels and leads by name; `actionbot region add
--channel "Team › Channel"` (the command line as a subprocess) finds a Teams channel, or refuses one it
cannot post in with how to add the app."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.addresses import AddressBook  # noqa: E402
from bot.core.errors import UserError  # noqa: E402
from bot.core.regions import RegionService  # noqa: E402
from handlers.teams.dialogs import open_data  # noqa: E402
from tests.cli.test_cli import actionbot, cli_env  # noqa: E402
from tests.conftest import WORKSHOP_NOW  # noqa: E402
from tests.teams import teams_runtime  # noqa: E402
from tests.teams.teams_runtime import say, teams_env, texts  # noqa: E402
from tests.teams.test_teams_lifecycle import assigned  # noqa: E402

bot = teams_runtime.bot  # the fixture


def add_bot_to(driver, standin, team) -> None:
    """Someone adds the app to a team: Teams sends a conversationUpdate with the bot among the members."""
    activity = driver.conversation_update(standin.tim, team, members_added=[driver.bot_member()])
    assert driver.post(activity).status == 200


def form(driver, user, region: str, conversation=None) -> dict:
    answer = driver.post(driver.task_fetch(user, open_data("region", name=region), conversation=conversation))
    assert answer.status == 200, answer.body
    assert answer.body["task"]["type"] == "continue", answer.body
    return answer.body["task"]["value"]["card"]["content"]


def fields(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in card["body"] if "id" in e}


def errors(card: dict) -> dict[str, str]:
    return {e["id"][len("error.") :]: e["text"] for e in card["body"] if e.get("id", "").startswith("error.")}


def submit(driver, user, region: str, conversation=None, **values) -> dict:
    data = {"form": "region", "region": region, "name": region, "days": "mon-fri", "summary": "mon 09:00", **values}
    answer = driver.post(driver.task_submit(user, data, conversation=conversation))
    assert answer.status == 200, answer.body
    return answer.body


def region(runtime, standin, name: str):
    return RegionService(runtime.platforms["teams"].actions).get(standin.tenant_id, name, WORKSHOP_NOW)


def test_the_form_offers_the_channels_of_teams_the_app_is_in_and_refuses_others(bot, standin):
    driver, runtime = bot
    comms = standin.add_team("Comms Group", ["Newsletter"], members=[standin.ana])  # the app is not in it
    add_bot_to(driver, standin, standin.team)
    read = [s.conversation_id for s in standin.sent_of("channels")]
    assert read == [standin.team["id"]]  # its channels were read when the app was added

    card = form(driver, standin.ana, "LAC")  # in Ana's personal chat: no team around, the stored list
    choices = {c["title"]: c["value"] for c in fields(card)["channel"]["choices"]}
    lac = standin.channel(standin.team, "LAC")
    assert choices == {
        "No channel": "-",
        "KM Programme › General": standin.team["id"],
        "KM Programme › Africa": standin.channel(standin.team, "Africa"),
        "KM Programme › LAC": lac,
    }

    forged = submit(driver, standin.ana, "LAC", channel="19:forged0000@thread.tacv2")
    assert "channel" in errors(forged["task"]["value"]["card"]["content"])
    elsewhere = submit(driver, standin.ana, "LAC", channel=standin.channel(comms, "Newsletter"))
    assert "channel" in errors(elsewhere["task"]["value"]["card"]["content"])
    assert region(runtime, standin, "LAC").channel_id is None  # nothing half-stored

    saved = submit(driver, standin.ana, "LAC", channel=lac)
    assert saved["task"] == {"type": "message", "value": "Saved the region LAC."}
    assert region(runtime, standin, "LAC").channel_id == lac
    stored = AddressBook(runtime.platforms["teams"].actions).get(standin.tenant_id, "channel", lac)
    assert stored is not None and stored.service_url == standin.service_url  # where the summary posts
    assert stored.reference["conversation"] == {"id": lac, "conversationType": "channel", "tenantId": standin.tenant_id}
    assert fields(form(driver, standin.ana, "LAC"))["channel"]["value"] == lac  # shown as chosen next time

    mentioned = driver.mention(standin.tim, standin.team, "overdue", channel_name="LAC")  # the bot keeps its address
    assert driver.post(mentioned).status == 200
    runtime.settle()
    listed = texts(say(driver, standin, standin.ana, "region list"))
    assert "summary in KM Programme › LAC" in listed and lac not in listed


def test_channel_events_keep_the_choice_current_and_a_team_without_the_app_drops_out(bot, standin):
    driver, runtime = bot
    add_bot_to(driver, standin, standin.team)
    lac, africa = standin.channel(standin.team, "LAC"), standin.channel(standin.team, "Africa")

    def event(kind: str, channel_id: str, name: str | None) -> None:
        activity = driver.conversation_update(standin.tim, standin.team, event=kind)
        activity["channelData"]["channel"] = {"id": channel_id, "name": name}
        assert driver.post(activity).status == 200

    new = "19:" + uuid.uuid4().hex + "@thread.tacv2"
    event("channelCreated", new, "Asia-Pacific")
    event("channelRenamed", lac, "Latin America")
    event("channelDeleted", africa, "Africa")
    titles = {c["title"] for c in fields(form(driver, standin.ana, "LAC"))["channel"]["choices"]}
    assert titles == {
        "No channel",
        "KM Programme › General",
        "KM Programme › Asia-Pacific",
        "KM Programme › Latin America",
    }

    assert "Saved" in submit(driver, standin.ana, "LAC", channel=lac)["task"]["value"]
    removed = driver.installation_update(standin.tim, "remove", team=standin.team)
    assert driver.post(removed).status == 200
    choices = fields(form(driver, standin.ana, "LAC"))["channel"]["choices"]
    assert [c["value"] for c in choices] == ["-", lac]  # the region's own channel, marked; no other
    assert choices[1]["title"] == "KM Programme › Latin America (the app is not in this team)"
    kept = submit(driver, standin.ana, "LAC", channel=lac)  # keeping it is no forgery
    assert kept["task"]["type"] == "message"
    refused = submit(driver, standin.ana, "LAC", channel=standin.team["id"])
    assert "channel" in errors(refused["task"]["value"]["card"]["content"])


def test_a_lead_from_the_roster_is_reached_in_their_personal_chat(bot, standin):
    driver, runtime = bot
    add_bot_to(driver, standin, standin.team)
    in_lac = driver.channel(standin.team, "LAC")
    card = form(driver, standin.ana, "LAC", conversation=in_lac)  # opened in the team: its members offered
    people = {c["value"]: c["title"] for c in fields(card)["lead"]["choices"]}
    tim = standin.tim["aadObjectId"]
    assert people[tim] == "Tim Boyle"  # never wrote to the bot: known from the team's roster

    forged = submit(driver, standin.ana, "LAC", conversation=in_lac, lead=str(uuid.uuid4()))
    assert "lead" in errors(forged["task"]["value"]["card"]["content"])
    assert region(runtime, standin, "LAC").lead_user_id is None

    saved = submit(driver, standin.ana, "LAC", conversation=in_lac, lead=tim)
    assert saved["task"]["type"] == "message" and region(runtime, standin, "LAC").lead_user_id == tim
    assert "lead Tim Boyle" in texts(say(driver, standin, standin.ana, "region list"))

    # an escalation to the lead goes to his personal chat, opened from the roster's address
    say(driver, standin, standin.lina, "add Draft the report due Nov 10 region:LAC")
    teams = runtime.platforms["teams"]
    escalation = dict(kind="escalation", by=None, role="lead")
    notice = dataclasses.replace(assigned(teams.actions, standin.tenant_id, 1, tim), **escalation)
    notifier = teams.notifier()
    try:
        notifier.post(notice, notifier.render(notice)[0])
    finally:
        notifier.loop.stop()
    assert standin.sent_of("create")[-1].status == 201
    assert standin.sent_of("send")[-1].conversation_id == standin.personal_conversation(standin.tim)


def test_the_command_line_finds_a_teams_channel_or_says_how_to_add_the_app(bot, standin, db_url, tmp_path):
    driver, runtime = bot
    add_bot_to(driver, standin, standin.team)
    env = cli_env(tmp_path, DATABASE_URL=db_url, ACTIONBOT_PLATFORM="teams", **teams_env(standin))

    added = actionbot("region", "add", "Latin America", "--channel", "KM Programme › LAC", cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    assert region(runtime, standin, "Latin America").channel_id == standin.channel(standin.team, "LAC")
    edited = actionbot("region", "edit", "Latin America", "--channel", "km programme > africa", cwd=tmp_path, env=env)
    assert edited.returncode == 0, edited.stderr
    assert region(runtime, standin, "Latin America").channel_id == standin.channel(standin.team, "Africa")

    nowhere = actionbot("region", "add", "Asia", "--channel", "Nowhere › Else", cwd=tmp_path, env=env)
    assert nowhere.returncode != 0 and "Nowhere › Else" in nowhere.stderr and "Traceback" not in nowhere.stderr

    assert driver.post(driver.installation_update(standin.tim, "remove", team=standin.team)).status == 200
    refused = actionbot("region", "add", "Africa Hub", "--channel", "KM Programme › LAC", cwd=tmp_path, env=env)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "add the app to the team “KM Programme”" in refused.stderr
    with pytest.raises(UserError):
        region(runtime, standin, "Africa Hub")  # nothing stored
