"""The Teams part of `actionbot demo`: the same running app, its real `POST /api/messages`, Microsoft's
side played by the loopback Bot Connector stand-in (handlers/teams/devkit); part of the workshop matrix
captured from Teams, printed as the people in Teams read it (only what each of them is shown)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import replace
from typing import Any, Callable
from zoneinfo import ZoneInfo

from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec

ADMIN_EMAIL = "tim.boyle@unredd.test"
PEOPLE = [  # name, zone, e-mail
    ("Tim Boyle", "Europe/Rome", ADMIN_EMAIL),
    ("Jennifer Fergurson-Mitchel", "America/New_York", None),
    ("Patricia Toquica", "America/Bogota", None),
    ("Lina Salazar", "Europe/Zurich", None),
]
CARD = "application/vnd.microsoft.card.adaptive"
ZONES = {name: zone for name, zone, _ in PEOPLE}
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
    regions = RegionService(runtime.platforms["teams"].actions)
    for spec, channel in zip(REGIONS, CHANNELS):  # each region's summaries go to its channel of the team
        spec = replace(spec, channel_id=standin.channel(team, channel), lead_user_id=tim["aadObjectId"])
        regions.add(standin.tenant_id, Actor(tim["aadObjectId"], is_admin=True), spec, now)
    say(
        "Tim installed Actionbot in the team; he set up the regions "
        + ", ".join(f"{s.name} (summaries in › {c})" for s, c in zip(REGIONS, CHANNELS))
        + ", and leads them."
    )
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


def fast_forward(runtime, server_url: str, standin, people: dict[str, dict], clock, fortnight, say: Callable) -> None:
    """The same fortnight for the Teams tenant, a sweep every half hour: each owner nudged in their chat
    with Actionbot at their own 09:00 (the first one snoozes from the card), Monday's summaries in the
    regions' channels, and an escalation to the region lead, as the people in Teams see them."""
    from handlers.teams.devkit.driver import TeamsDriver
    from handlers.teams.devkit.show import activity_text
    from scheduler.sweep import sweep

    served = runtime.scheduler_services().outlet("teams")
    team = standin.demo_team
    chats = {standin.personal_conversation(p): name for name, p in people.items()}
    rooms = {standin.channel(team, c): c for c in CHANNELS}
    driver = TeamsDriver(standin, server_url + "/api/messages")
    say()
    say("Fast-forward in Teams: the same fortnight, a sweep every half hour, sent through the Bot Connector.")
    snoozed, full_summary, day_shown = False, False, None
    clock.now, end = fortnight
    while clock.now <= end:
        before = len(standin.sent)
        report = sweep(served.actions, served.notifier, clock.now, workers=1)  # one send at a time, in order
        sent = [x for x in standin.sent[before:] if x.kind in ("send", "reply") and isinstance(x.body, dict)]
        for notice, message in zip(report.sent, sent):
            if notice.local_day != day_shown:
                day_shown = notice.local_day
                say()
                say(f"── {notice.local_day:%a %d %b %Y} (Teams) ──")
            local = clock.now.astimezone(ZoneInfo(notice.timezone)).strftime("%H:%M")
            conversation = (message.conversation_id or "").split(";")[0]
            to = chats.get(conversation) or f"{TEAM} › {rooms.get(conversation, '?')}"
            if notice.summary is not None and full_summary:
                s = notice.summary
                say(f"  📊 {local} {notice.timezone}: weekly summary of {s.region} posted in {to}")
                continue
            full_summary = full_summary or notice.summary is not None
            say(f"  {local} {notice.timezone} → {to}" + (", in the chat with Actionbot:" if to in people else ":"))
            if to in people and ZONES[to] != notice.timezone:
                say(
                    f"    ({to.split()[0]} has not written to Actionbot yet, and Teams tells a person's zone only "
                    "with what they send: the region's zone is used until then)"
                )
            for line in activity_text(message.body):
                say(f"    {line}")
            if not snoozed and notice.kind == "nudge" and to in people:
                snoozed = True
                say(f"  {to} presses [Snooze to next working day] on that card")
                data = next(b["data"] for b in _buttons(message.body) if b.get("data", {}).get("until") == "day")
                answer = driver.post(driver.card_action(people[to], "snooze", data, reply_to=message.created_id))
                runtime.settle()
                card = answer.body.get("value") if answer.status == 200 and isinstance(answer.body, dict) else None
                if isinstance(card, dict):
                    say("  the card updates in place:")
                    for line in activity_text({"attachments": [{"contentType": CARD, "content": card}]}):
                        say(f"    {line}")
        clock.now += dt.timedelta(minutes=30)


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
