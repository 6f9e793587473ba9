"""The Teams part of `actionbot demo`: the same running app, its real `POST /api/messages`, Microsoft's
side played by the loopback Bot Connector stand-in (handlers/teams/devkit); part of the workshop matrix
captured from Teams, printed as the people in Teams read it (only what each of them is shown)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any, Callable

from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec

ADMIN_EMAIL = "tim.boyle@unredd.test"
PEOPLE = [  # name, zone, e-mail
    ("Tim Boyle", "Europe/Rome", ADMIN_EMAIL),
    ("Jennifer Fergurson-Mitchel", "America/New_York", None),
    ("Patricia Toquica", "America/Bogota", None),
    ("Lina Salazar", "Europe/Zurich", None),
]
TEAM, CHANNELS = "UN-REDD KM", ["KM Global", "KM LAC"]
REGIONS = [
    RegionSpec("Global", aliases=["Secretariat"], timezone="Europe/Zurich"),
    RegionSpec("Latin America and the Caribbean", aliases=["LAC"], timezone="America/Bogota"),
]
MEETING = 'meeting:"Global KM & Comms Workshop, Nov 2014"'
# (who, where: "chat" or a channel, what they type with @Name for a person they pick, who they pick)
SCRIPT = [
    (
        "Tim Boyle",
        "KM Global",
        "add Send information to Tim Boyle, KM coordinator, on available budget for KM regional initiatives "
        f"@Jennifer Fergurson-Mitchel due Nov 30 region:Global group:KM {MEETING}",
    ),
    (
        "Tim Boyle",
        "chat",
        f"add Development of draft of KM Global Strategy @Lina Salazar due Nov 30 region:Global {MEETING}",
    ),
    (
        "Tim Boyle",
        "chat",
        f"add Submission of LAC KM Region proposal @Patricia Toquica due Dec 20 region:LAC {MEETING}",
    ),
    ("Tim Boyle", "chat", "list region:LAC"),
    ("Tim Boyle", "KM Global", "what's open for Global?"),
    ("Lina Salazar", "chat", "my actions"),
]


def available() -> bool:
    """Whether the `teams` extra (Microsoft's Teams SDK) is installed."""
    return importlib.util.find_spec("microsoft_teams") is not None and (
        importlib.util.find_spec("microsoft_teams.apps") is not None
    )


def teams_env(standin) -> dict[str, str]:
    """The variables that make `actionbot run` serve Teams, pointing at the stand-in."""
    return {
        "TEAMS_APP_ID": standin.app_id,
        "TEAMS_APP_PASSWORD": standin.app_password,
        "TEAMS_TENANT_ID": standin.tenant_id,
        "TEAMS_OPENID_METADATA_URL": standin.metadata_url,
        "TEAMS_TOKEN_URL": standin.token_url,
        "TEAMS_ADMINS": ADMIN_EMAIL,
    }


def add_people(standin) -> dict[str, dict]:
    people = {name: standin.add_user(name, tz=tz, email=email) for name, tz, email in PEOPLE}
    standin.demo_team = standin.add_team(TEAM, CHANNELS, members=list(people.values()))
    return people


def play(runtime, server_url: str, standin, people: dict[str, dict], now: dt.datetime, say: Callable) -> None:
    """The Teams exchanges, each as the person who typed it (and anyone it notified) sees it."""
    from handlers.teams.devkit.driver import TeamsDriver
    from handlers.teams.devkit.show import activity_text

    team = standin.demo_team
    tim = people["Tim Boyle"]
    regions = RegionService(runtime.platforms["teams"].actions)
    for spec in REGIONS:
        regions.add(standin.tenant_id, Actor(tim["aadObjectId"], is_admin=True), spec, now)
    driver = TeamsDriver(standin, server_url + "/api/messages")
    chats = {standin.personal_conversation(p): name for name, p in people.items()}

    def post(activity: dict) -> Any:
        answer = driver.post(activity)
        if answer.status != 200:
            raise RuntimeError(f"the bot answered {answer.status}")
        runtime.settle()  # owners are told after the answer
        return answer

    say()
    say(
        f"Microsoft Teams, same app and database: its POST /api/messages, Microsoft's side played by a local "
        f"stand-in. Back to Friday 21 November 2014 in the team “{TEAM}” (channels {', '.join(CHANNELS)})."
    )
    post(driver.installation_update(tim, team=team))
    say(f"Tim installed Actionbot in the team; an admin set up the regions {', '.join(s.name for s in REGIONS)}.")
    shown_card: dict[str, tuple[str, dict]] = {}  # person → (activity ID, card) of the last list they got
    for name, where, text in SCRIPT:
        user = people[name]
        picked = [p for n, p in people.items() if f"@{n}" in text]
        typed = text
        for n in (p["name"] for p in picked):
            typed = typed.replace(f"@{n}", f"<at>{n}</at>")
        before = len(standin.sent)
        say()
        if where == "chat":
            say(f"{name}, in the chat with Actionbot › {text}")
            post(driver.message(user, typed, mentions=picked))
        else:
            say(f"{name}, in {TEAM} › {where} › @Actionbot {text}")
            # Teams sends what was typed, in order: the bot's mention, then each person picked, as <at>Name</at>
            activity = driver.mention(user, team, "", channel_name=where)
            activity["text"] = activity["text"].rstrip() + " " + typed
            activity["attachments"][0]["content"] = f"<div><div>{activity['text']}</div></div>"
            activity["entities"][1:1] = [
                {"type": "mention", "text": f"<at>{p['name']}</at>", "mentioned": {"id": p["id"], "name": p["name"]}}
                for p in picked
            ]
            post(activity)
        for sent in standin.sent[before:]:
            if sent.kind not in ("send", "reply") or not isinstance(sent.body, dict):
                continue
            reader = chats.get(sent.conversation_id or "")
            if reader == name:
                say("  Actionbot answers:")
                if sent.body.get("attachments"):
                    shown_card[name] = (sent.created_id, sent.body["attachments"][0]["content"])
            elif reader is not None:
                say(f"  ✉ to {reader}, in the chat with Actionbot:")
            else:
                say(f"  Actionbot, in the thread in {where}:")
            for line in activity_text(sent.body):
                say(f"    {line}")

    # Lina presses Done on the list card Actionbot just showed her (her own, in her own chat)
    lina = people["Lina Salazar"]
    card_id, content = shown_card["Lina Salazar"]
    done = next(b for b in _buttons(content) if b.get("verb") == "done")
    say()
    say(f"Lina presses [Done] on #{done['data']['n']} in that card")
    before = len(standin.sent)
    post(driver.card_action(lina, "done", done["data"], reply_to=card_id))
    for sent in standin.sent[before:]:
        if sent.kind == "update" and sent.activity_id == card_id and isinstance(sent.body, dict):
            say("  the card updates in place:")
            for line in activity_text(sent.body):
                say(f"    {line}")


def _buttons(node: Any) -> list[dict]:
    found: list[dict] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            found.append(node)
        for value in node.values():
            found += _buttons(value)
    elif isinstance(node, list):
        for value in node:
            found += _buttons(value)
    return found
