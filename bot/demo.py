"""`actionbot demo`: the real app, a throwaway SQLite file and a local Slack stand-in, playing the
follow-up matrix of the seed workshop report through signed HTTP requests, printed as people read it;
then, when the `teams` extra is installed, the same app answering Teams through a local Bot Connector
stand-in (bot/demo_teams.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
import tempfile
from contextlib import ExitStack, nullcontext
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import demo_teams
from bot.config import Config
from bot.core.dates import format_date
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from bot.runtime import BackgroundServer, build_runtime
from handlers.slack.devkit.driver import SlackDriver, buttons
from handlers.slack.devkit.show import message_text
from handlers.slack.devkit.standin import SlackStandIn
from handlers.slack.render_notices import quiet

TEAM = "T0UNREDD"
PEOPLE = [  # user id, handle, real name, zone, admin
    ("UTIM", "tim", "Tim Boyle", "Europe/Rome", True),
    ("UJENNIFER", "jennifer", "Jennifer Fergurson-Mitchel", "America/New_York", False),
    ("UPATRICIA", "patricia", "Patricia Toquica", "America/Bogota", False),
    ("ULINA", "lina", "Lina Salazar", "Europe/Zurich", False),
]
CHANNELS = {"CGLOBAL": "km-global", "CLAC": "km-lac", "C0GENERAL": "general"}
REGIONS = [
    RegionSpec("Global", aliases=["Secretariat"], timezone="Europe/Zurich", channel_id="CGLOBAL", lead_user_id="UTIM"),
    RegionSpec(
        "Latin America and the Caribbean",
        aliases=["LAC"],
        timezone="America/Bogota",
        channel_id="CLAC",
        lead_user_id="UPATRICIA",
    ),
    RegionSpec("Asia-Pacific", aliases=["Asia"], timezone="Asia/Bangkok"),
    RegionSpec("Africa", timezone="Africa/Nairobi"),
]
MEETING = 'meeting:"Global KM & Comms Workshop, Nov 2014"'
SCRIPT = [  # (who types, what) — the five rows of section 11, then a list, a slip and a done
    (
        "UTIM",
        "add Send information to Tim Boyle, KM coordinator, on available budget for KM regional "
        f"initiatives <@UJENNIFER|jennifer> due Nov 30 region:Global group:KM {MEETING}",
    ),
    (
        "UTIM",
        "add Development of Regional KM Work Plans for 2015, including budget for activities "
        f'owner:"KM Regional Coordinators" due Dec 30 group:KM {MEETING}',
    ),
    (
        "UTIM",
        f"add Submission of LAC KM Region proposal <@UPATRICIA|patricia> due Dec 20 region:LAC group:KM {MEETING}",
    ),
    (
        "UTIM",
        "add Agreement on monthly coordination conference calls and follow-up meetings with Tim Boyle "
        f'and KM regional coordinators owner:"KM Coordinator" owner:"Regional KM team" on going group:KM {MEETING}',
    ),
    (
        "UTIM",
        f"add Development of draft of KM Global Strategy <@ULINA|lina> due Nov 30 region:Global group:KM {MEETING}",
    ),
    ("UTIM", "list region:LAC"),
    ("UTIM", "list <@ULINA|lina>"),
    ("UJENNIFER", "due 1 Decembr 5"),
    ("UJENNIFER", "due 1 Dec 5"),
    ("UJENNIFER", "done 3"),
]


WORKSHOP_NEXT_DAY = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)  # Friday after the workshop
FORTNIGHT = (
    dt.datetime(2014, 11, 24, 0, 0, tzinfo=dt.timezone.utc),  # Monday 24 Nov …
    dt.datetime(2014, 12, 8, 23, 30, tzinfo=dt.timezone.utc),
)  # … to Monday 8 Dec
FULL_SUMMARY = ("CGLOBAL", dt.date(2014, 12, 8))  # the one summary printed in full


class DemoClock:
    """The app's clock in the demo: the day after the workshop, then moved on by the fast-forward."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def run_demo(out=sys.stdout) -> int:
    names = {uid: handle for uid, handle, *_ in PEOPLE} | CHANNELS
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="actionbot-demo-"))
        slack = stack.enter_context(SlackStandIn(team_id=TEAM))
        teams = stack.enter_context(_teams_standin() if demo_teams.available() else nullcontext())
        teams_people = demo_teams.add_people(teams) if teams is not None else {}
        for uid, handle, real, tz, admin in PEOPLE:
            slack.add_user(uid, handle, real_name=real, tz=tz, is_admin=admin)
        secret = secrets.token_hex(16)
        config = Config(
            bot_token=slack.bot_token,
            signing_secret=secret,
            app_token=None,
            api_url=slack.api_url,
            database_url=f"sqlite:///{Path(tmp) / 'actionbot.db'}",
            port=0,
            timezone="UTC",
            date_order="MDY",
            env=demo_teams.teams_env(teams) if teams is not None else {},
        )
        clock = DemoClock(WORKSHOP_NEXT_DAY)
        runtime = build_runtime(config, clock=clock)
        regions = RegionService(runtime.ctx.actions)
        for spec in REGIONS:
            regions.add(TEAM, Actor("UTIM", is_admin=True), spec, clock.now)
        server = BackgroundServer(runtime).start()
        try:
            driver = SlackDriver(server.url, slack, secret)
            say = lambda line="": print(line, file=out)  # noqa: E731
            say(
                f"Actionbot demo: the real app at {server.url}, Slack played by a local stand-in, "
                f"a fresh SQLite database. It is Friday 21 November 2014, the day after the workshop."
            )
            say(
                "Regions set up by an admin: "
                + ", ".join(s.name + (f" ({', '.join(s.aliases)})" if s.aliases else "") for s in REGIONS)
            )
            patricias_dm = None
            for user, text in SCRIPT:
                dms_before = len(slack.calls_to("chat.postMessage"))
                reply = driver.command(user, text)
                shown = text
                for uid, handle in names.items():
                    shown = shown.replace(f"<@{uid}|{handle}>", f"@{handle}")
                say()
                say(f"@{names[user]} in #general › /action {shown}")
                for line in message_text(reply.json(), names):
                    say(f"    {line}")
                if text.startswith("add") and "<@" in text:
                    for call in slack.wait_for("chat.postMessage", count=dms_before + 1)[dms_before:]:
                        say(f"  ✉ DM to @{names.get(call.params['channel'].replace('D', 'U', 1), '?')}:")
                        for line in message_text(call.params, names):
                            say(f"    {line}")
                        if call.params["channel"] == "DPATRICIA":
                            patricias_dm = call.params
            # Patricia presses Done on #3 in the DM that told her of it (the lists above were Tim's own)
            done = [b for b in buttons(patricias_dm or {}) if b["decoded"].get("n") == 3]
            if done:
                say()
                say("@patricia presses [Done] on #3 in her DM from actionbot")
                _, posted = driver.click("UPATRICIA", "action_done", done[0]["value"], channel_id="DPATRICIA")
                for line in message_text(posted or {}, names):
                    say(f"    {line}")
            say()
            say("@tim in #general › /action list all")
            for line in message_text(driver.command("UTIM", "list all").json(), names):
                say(f"    {line}")
            use_the_surfaces(runtime, driver, slack, names, say)
            fast_forward(runtime, clock, driver, slack, names, say)
            say()
            say(
                "That was the real HTTP endpoint with signed requests and the scheduler's own sweeps; "
                "run `actionbot run` with your Slack app's tokens to do the same in Slack."
            )
            if teams is not None:
                clock.now = WORKSHOP_NEXT_DAY
                demo_teams.play(runtime, server.url, teams, teams_people, clock.now, say)
                demo_teams.fast_forward(runtime, server.url, teams, teams_people, clock, FORTNIGHT, say)
                say()
                say(
                    "That was Teams through the same app and database, each tenant seeing only its own actions; "
                    "see the README's “Connect Microsoft Teams” to do the same in a real tenant."
                )
            else:
                say()
                say("(Teams part skipped: install the `teams` extra, pip install -e '.[teams]', to see it.)")
        finally:
            runtime.settle()  # Home refreshes and DMs queued after the last answers
            server.stop()
            runtime.shutdown(wait=True)
            runtime.db.dispose()
    return 0


def _teams_standin():
    from handlers.teams.devkit.standin import TeamsStandIn

    return TeamsStandIn()


def fast_forward(runtime, clock: DemoClock, driver: SlackDriver, slack: SlackStandIn, names: dict, say) -> None:
    """A fortnight of sweeps every half hour: each owner's nudges at their 09:00, Jennifer's snooze,
    an escalation to the region lead and the Monday summaries, as the people receiving them see them."""
    from bot.runtime import scheduler_services
    from scheduler.sweep import sweep

    notifier = scheduler_services(runtime.config, runtime.ctx.actions, clock).outlet("slack").notifier
    say()
    say(
        "Fast-forward: the fortnight from Monday 24 November to Monday 8 December 2014, a sweep every "
        "half hour (on a real server, `actionbot clock` sweeps every minute)."
    )
    snoozed, day_shown = False, None
    clock.now, end = FORTNIGHT
    while clock.now <= end:
        before = len(slack.calls_to("chat.postMessage"))
        # one send at a time: the transcript pairs each notice with the post it made, in order
        report = sweep(runtime.ctx.actions, notifier, clock.now, workers=1)
        posts = slack.calls_to("chat.postMessage")[before:]
        for notice, call in zip(report.sent, posts):
            if notice.local_day != day_shown:
                day_shown = notice.local_day
                say()
                say(f"── {format_date(notice.local_day)} ──")
            local = clock.now.astimezone(ZoneInfo(notice.timezone)).strftime("%H:%M")
            where = call.params["channel"]
            to = f"#{names.get(where, where)}" if where.startswith("C") else f"@{names.get('U' + where[1:], where)}"
            if notice.summary is not None and (where, notice.local_day) != FULL_SUMMARY:
                s = notice.summary
                counts = (
                    "one line: nothing open, nothing done or new"
                    if quiet(s)
                    else f"{s.open_total} open, {len(s.overdue)} overdue, {len(s.done)} done this week"
                )
                say(f"  📊 {local} {notice.timezone}: weekly summary of {s.region} posted in {to} ({counts})")
                continue
            say(f"  {local} {notice.timezone} → {to}:")
            for line in message_text(call.params, names):
                say(f"    {line}")
            if not snoozed and notice.kind == "nudge" and where == "DJENNIFER":
                snoozed = True
                snooze = next(b for b in buttons(call.params) if b["action_id"] == "nudge_snooze_day")
                say("  @jennifer presses [Snooze to next working day]")
                _, posted = driver.click(
                    "UJENNIFER",
                    snooze["action_id"],
                    snooze["value"],
                    channel_id=where,
                    message={**call.params, "ts": call.params.get("ts", "1.1")},
                )
                for line in message_text(posted or {}, names):
                    say(f"    {line}")
        clock.now += dt.timedelta(minutes=30)


def use_the_surfaces(runtime, driver: SlackDriver, slack: SlackStandIn, names: dict, say) -> None:
    """The form and the bot in conversation: Lina fills in `/action add`'s form; Tim asks in a channel."""
    say()
    say("@lina in #km-global › /action add            (no text: the form opens)")
    driver.command("ULINA", "add", channel_id="CGLOBAL")
    view = slack.calls_to("views.open")[-1].params["view"]
    say("    " + " · ".join(b["label"]["text"] for b in view["blocks"] if b["type"] == "input"))
    fields = {
        "title": "Share the KM strategy draft with the regional coordinators",
        "owners": "@patricia",
        "due": "2014-12-12",
        "region": "Global",
        "note": "Draft v2 is in the shared folder",
    }
    say("  @lina fills it in: " + "; ".join(f"{k}: {v}" for k, v in fields.items()) + "  [Save]")
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    driver.submit(
        "ULINA",
        view,
        {
            "title": text(fields["title"]),
            "owners": {"value": {"type": "multi_users_select", "selected_users": ["UPATRICIA"]}},
            "due": {"value": {"type": "datepicker", "selected_date": fields["due"]}},
            "region": {"value": {"type": "static_select", "selected_option": {"value": "Global"}}},
            "note": text(fields["note"]),
        },
    )
    runtime.ctx.settle()
    for call in (
        slack.calls_to("chat.postEphemeral")[-1:]
        + [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "DPATRICIA"][-1:]
    ):
        who = "only @lina sees" if call.method == "chat.postEphemeral" else "✉ DM to @patricia"
        say(f"  {who}:")
        for line in message_text(call.params, names):
            say(f"    {line}")

    say()
    say("@tim in #km-global › @actionbot what's open for Global?")
    before = len(slack.calls_to("chat.postMessage"))
    driver.event(
        {
            "type": "app_mention",
            "user": "UTIM",
            "text": "<@UBOT> what's open for Global?",
            "ts": "1416585600.000100",
            "channel": "CGLOBAL",
            "event_ts": "1416585600.000100",
        },
        event_id="Ev0DEMO1",
    )
    runtime.ctx.settle()  # the answer is posted after the ack
    for call in [c for c in slack.calls_to("chat.postMessage")[before:] if c.params["channel"] == "CGLOBAL"]:
        say("  actionbot, in the thread:")
        for line in message_text(call.params, names):
            say(f"    {line}")
