"""`actionbot demo`: the real app, a throwaway SQLite file and a local Slack stand-in, playing the
follow-up matrix of the seed workshop report through signed HTTP requests, printed as people read it.
"""
from __future__ import annotations

import datetime as dt
import secrets
import sys
import tempfile
from pathlib import Path

from bot.config import Config
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from bot.runtime import BackgroundServer, build_runtime
from handlers.devkit.driver import SlackDriver, buttons
from handlers.devkit.show import message_text
from handlers.devkit.standin import SlackStandIn

TEAM = "T0UNREDD"
PEOPLE = [  # user id, handle, real name, zone, admin
    ("UTIM", "tim", "Tim Boyle", "Europe/Rome", True),
    ("UJENNIFER", "jennifer", "Jennifer Fergurson-Mitchel", "America/New_York", False),
    ("UPATRICIA", "patricia", "Patricia Toquica", "America/Bogota", False),
    ("ULINA", "lina", "Lina Salazar", "Europe/Zurich", False),
]
REGIONS = [
    RegionSpec("Global", aliases=["Secretariat"], timezone="Europe/Zurich"),
    RegionSpec("Latin America and the Caribbean", aliases=["LAC"], timezone="America/Bogota"),
    RegionSpec("Asia-Pacific", aliases=["Asia"], timezone="Asia/Bangkok"),
    RegionSpec("Africa", timezone="Africa/Nairobi"),
]
MEETING = 'meeting:"Global KM & Comms Workshop, Nov 2014"'
SCRIPT = [  # (who types, what) — the five rows of section 11, then a list, a slip and a done
    ("UTIM", "add Send information to Tim Boyle, KM coordinator, on available budget for KM regional "
             f"initiatives <@UJENNIFER|jennifer> due Nov 30 region:Global group:KM {MEETING}"),
    ("UTIM", "add Development of Regional KM Work Plans for 2015, including budget for activities "
             f'owner:"KM Regional Coordinators" due Dec 30 group:KM {MEETING}'),
    ("UTIM", f"add Submission of LAC KM Region proposal <@UPATRICIA|patricia> due Dec 20 region:LAC group:KM {MEETING}"),
    ("UTIM", "add Agreement on monthly coordination conference calls and follow-up meetings with Tim Boyle "
             f'and KM regional coordinators owner:"KM Coordinator" owner:"Regional KM team" on going group:KM {MEETING}'),
    ("UTIM", f"add Development of draft of KM Global Strategy <@ULINA|lina> due Nov 30 region:Global group:KM {MEETING}"),
    ("UTIM", "list region:LAC"),
    ("UTIM", "list <@ULINA|lina>"),
    ("UJENNIFER", "due 1 Decembr 5"),
    ("UJENNIFER", "due 1 Dec 5"),
    ("UJENNIFER", "done 3"),
]


def run_demo(out=sys.stdout) -> int:
    names = {uid: handle for uid, handle, *_ in PEOPLE}
    with tempfile.TemporaryDirectory(prefix="actionbot-demo-") as tmp, SlackStandIn(team_id=TEAM) as slack:
        for uid, handle, real, tz, admin in PEOPLE:
            slack.add_user(uid, handle, real_name=real, tz=tz, is_admin=admin)
        secret = secrets.token_hex(16)
        config = Config(bot_token=slack.bot_token, signing_secret=secret, app_token=None, api_url=slack.api_url,
                        database_url=f"sqlite:///{Path(tmp) / 'actionbot.db'}", port=0, timezone="UTC",
                        date_order="MDY")
        runtime = build_runtime(config)
        now = dt.datetime.now(dt.timezone.utc)
        regions = RegionService(runtime.ctx.actions)
        for spec in REGIONS:
            regions.add(TEAM, Actor("UTIM", is_admin=True), spec, now)
        server = BackgroundServer(runtime).start()
        try:
            driver = SlackDriver(server.url, slack, secret)
            say = lambda line="": print(line, file=out)  # noqa: E731
            say(f"Actionbot demo: the real app at {server.url}, Slack played by a local stand-in, "
                f"a fresh SQLite database.")
            say("Regions set up by an admin: " + ", ".join(
                s.name + (f" ({', '.join(s.aliases)})" if s.aliases else "") for s in REGIONS))
            last_reply = None
            for user, text in SCRIPT:
                dms_before = len(slack.calls_to("chat.postMessage"))
                reply = driver.command(user, text)
                shown = text
                for uid, handle in names.items():
                    shown = shown.replace(f"<@{uid}|{handle}>", f"@{handle}")
                say()
                say(f"@{names[user]} › /action {shown}")
                message = reply.json()
                for line in message_text(message, names):
                    say(f"    {line}")
                if text.startswith("add") and "<@" in text:
                    for call in slack.wait_for("chat.postMessage", count=dms_before + 1)[dms_before:]:
                        say(f"  ✉ DM to @{names.get(call.params['channel'].replace('D', 'U', 1), '?')}:")
                        for line in message_text(call.params, names):
                            say(f"    {line}")
                if text.startswith("list region:LAC"):
                    last_reply = message
            # Patricia presses Done on her item in the LAC list Tim saw
            done = [b for b in buttons(last_reply or {}) if b["decoded"].get("n") == 3]
            if done:
                say()
                say("@patricia presses [Done] on #3 in the LAC list")
                _, posted = driver.click("UPATRICIA", "action_done", done[0]["value"])
                for line in message_text(posted or {}, names):
                    say(f"    {line}")
            say()
            say("@tim › /action list all")
            for line in message_text(driver.command("UTIM", "list all").json(), names):
                say(f"    {line}")
            say()
            say("That was the real HTTP endpoint with signed requests; "
                "run `actionbot run` with your Slack app's tokens to do the same in Slack.")
        finally:
            server.stop()
            runtime.db.dispose()
    return 0
