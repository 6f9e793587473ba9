"""The `actionbot` command line, run as a subprocess the way an operator runs it."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest

from handlers.slack.devkit.driver import SlackDriver
from tests.conftest import SECRET, TEAM
from tests.helpers import SEED_ROWS

ACTIONBOT = shutil.which("actionbot", path=os.path.dirname(sys.executable)) or "actionbot"
SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "ACTIONBOT_WORKSPACE",
)


def cli_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def actionbot(*args, cwd, env, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([ACTIONBOT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def exported_rows(team: str, *, cwd, env) -> list[tuple[str, ...]]:
    """`actionbot export all` of a workspace, as the sorted rows of the columns an import brings back."""
    out = actionbot("export", "all", "--workspace", team, cwd=cwd, env=env).stdout
    keep = ("title", "status", "owners", "due", "region", "group")
    return sorted(tuple(r[k] for k in keep) for r in csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["db"],
        ["db", "upgrade"],
        ["list"],
        ["region"],
        ["region", "add"],
        ["region", "list"],
        ["demo"],
        ["clock"],
        ["sweep"],
        ["import"],
        ["export"],
        ["workspace"],
        ["workspace", "list"],
        ["workspace", "delete"],
    ],
)
def test_every_command_has_help(command, tmp_path):
    done = actionbot(*command, "--help", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: actionbot")
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_run_without_credentials_stops_with_one_line(env, missing, tmp_path):
    done = actionbot("run", cwd=tmp_path, env=cli_env(tmp_path, **env))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert missing in done.stderr and "README" in done.stderr
    assert not (tmp_path / "actionbot.db").exists()  # nothing started, nothing created


@pytest.mark.parametrize(
    "args, env, says",
    [
        (["--workers", "0"], {}, "--workers must be 1 or more"),
        ([], {"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY must be a number of processes"),
    ],
)
def test_run_refuses_a_bad_number_of_workers(args, env, says, tmp_path):
    creds = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", **env}
    done = actionbot("run", *args, cwd=tmp_path, env=cli_env(tmp_path, **creds))
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "actionbot.db").exists()


def test_db_upgrade_creates_the_default_sqlite_database(tmp_path):
    done = actionbot("db", "upgrade", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "actionbot.db").exists()
    again = actionbot("db", "upgrade", cwd=tmp_path, env=cli_env(tmp_path))
    assert again.returncode == 0 and "newest migration" in again.stdout


def test_region_add_and_list(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    added = actionbot(
        "region",
        "add",
        "Latin America and the Caribbean",
        "--alias",
        "LAC",
        "--tz",
        "America/Bogota",
        "--workspace",
        TEAM,
        cwd=tmp_path,
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert "added region Latin America and the Caribbean (LAC)" in added.stdout
    listed = actionbot("region", "list", cwd=tmp_path, env=env)
    assert re.search(
        r"^Latin America and the Caribbean\s+LAC\s+0\s+America/Bogota\s+mon-fri\s+mon 09:00", listed.stdout, re.M
    ), listed.stdout

    duplicate = actionbot("region", "add", "LAC", "--workspace", TEAM, cwd=tmp_path, env=env)
    assert duplicate.returncode == 2 and "Traceback" not in duplicate.stderr
    bad_zone = actionbot("region", "add", "Asia", "--tz", "Asia/Nowhere", "--workspace", TEAM, cwd=tmp_path, env=env)
    assert bad_zone.returncode == 2 and "Asia/Nowhere" in bad_zone.stderr
    assert "Asia" not in actionbot("region", "list", cwd=tmp_path, env=env).stdout


def test_list_without_a_workspace_says_how_to_pick_one(tmp_path):
    done = actionbot("list", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 2 and "--workspace" in done.stderr and "Traceback" not in done.stderr


class RunningBot:
    """`actionbot run` as a subprocess on a free loopback port."""

    def __init__(self, env, cwd):
        self.proc = subprocess.Popen(
            [ACTIONBOT, "run", "--host", "127.0.0.1", "--port", "0"],
            cwd=cwd,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        for line in self.proc.stderr:
            self.log.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise AssertionError("actionbot run exited:\n" + "".join(self.log))
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def test_run_serves_slack_and_list_reads_the_same_store(db_url, slack, tmp_path):
    env = cli_env(
        tmp_path,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
    )
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    assert (
        actionbot(
            "region",
            "add",
            "Latin America and the Caribbean",
            "--alias",
            "LAC",
            "--workspace",
            TEAM,
            cwd=tmp_path,
            env=env,
        ).returncode
        == 0
    )
    bot = RunningBot(env, tmp_path)
    try:
        driver = SlackDriver(bot.url, slack, SECRET, team_id=TEAM)
        for row, _ in SEED_ROWS:
            assert driver.command("UTIM", "add " + row).status == 200
        slack.wait_for("chat.postMessage", count=3)  # the owners' DMs went through SLACK_API_URL
    finally:
        bot.stop()
    assert not any(slack.bot_token in line for line in bot.log)

    lac = actionbot("list", "region:LAC", cwd=tmp_path, env=env)
    assert lac.returncode == 0, lac.stderr
    lines = lac.stdout.splitlines()
    assert lines[0].split() == ["#", "Title", "Owners", "Due", "Region", "Group", "Status"]
    assert re.match(
        r"3\s+Submission of LAC KM Region proposal\s+@patricia\s+Sat 20 Dec 2014 !\s+"
        r"Latin America and the Caribbean\s+KM\s+open",
        lines[2],
    )
    assert lines[-1] == "1 action (! = overdue)"

    everything = actionbot("list", "all", "--workspace", TEAM, cwd=tmp_path, env=env).stdout
    for n, (_, echoed) in enumerate(SEED_ROWS, start=1):
        row = next(line for line in everything.splitlines() if line.startswith(f"{n} "))
        assert echoed in row
    assert "KM Coordinator, Regional KM team" in everything
    lina = actionbot("list", "@ULINA", cwd=tmp_path, env=env).stdout.splitlines()
    assert [line.split()[0] for line in lina[2:-1]] == ["5"]


def test_demo_plays_the_seed_session(tmp_path):
    done = actionbot("demo", cwd=tmp_path, env=cli_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    slack_part = out.split("Microsoft Teams, same app and database")[0]
    assert slack_part.count("Added #") == 6  # five matrix rows typed, one through the form
    assert "/action list region:LAC" in out and "✔ @patricia marked #3 done." in out
    assert "couldn't read “Decembr 5” as a date" in out
    assert "Only the owners of #3, its creator or a workspace admin can change it." in out
    assert "only @lina sees:\n    Added #6 Share the KM strategy draft" in out  # the form, saved
    assert "@actionbot what's open for Global?\n  actionbot, in the thread:\n    3 actions · region:Global" in out
    assert "@jennifer presses [Snooze to next working day]" in out and "You hear about it as the lead of Global" in out
    assert "📊 Weekly summary: Global, week of Mon 8 Dec 2014" in out
    assert "Traceback" not in out + done.stderr and "WARNING" not in done.stderr and "ERROR" not in done.stderr
    assert not (tmp_path / "actionbot.db").exists()  # the demo keeps to a temporary database
    if importlib.util.find_spec("microsoft_teams") is None:
        assert "Teams part skipped" in out
        return
    teams_part = out.split("Microsoft Teams, same app and database")[1]
    assert "Teams part skipped" not in out and "Teams" not in slack_part.split("Regions set up")[0]
    # Teams, through the same app: an add by mention in a channel, then typed in the chat with the bot
    assert (
        "› KM Global › @Actionbot add Send information to Tim Boyle" in teams_part
        and "  Actionbot, in the thread in KM Global:\n    Added #1 Send information" in teams_part
    )
    assert (
        "Tim Boyle, in the chat with Actionbot › add Development of draft of KM Global Strategy @Lina Salazar "
        "due Nov 30" in teams_part
    )
    assert (
        "Added #2 Development of draft of KM Global Strategy\n    Owners: @Lina Salazar\n    Due: Sun 30 Nov 2014"
        in (teams_part)
    )
    assert (
        "✉ to Lina Salazar, in the chat with Actionbot:\n    You are now an owner of this action:\n    #2" in teams_part
    )
    listed = teams_part.split("› list region:LAC\n")[1].split("\n\n")[0]
    assert "1 action · region:LAC" in listed and "#3 Submission of LAC KM Region proposal" in listed
    assert "#2 " not in listed and "[Done]   [Edit]   [Add note]" in listed  # the card's buttons, as shown
    asked = teams_part.split("@Actionbot what's open for Global?\n")[1].split("\n\n")[0]
    assert asked.startswith("  Actionbot, in the thread in KM Global:\n    2 actions · region:Global")
    assert "#3 " not in asked
    # "my actions" in her chat is her dashboard; she presses Done on it and it updates in place
    assert "› my actions\n  Actionbot answers:\n    My actions\n    You own 1 open action." in teams_part
    assert (
        "Lina presses [Done] on #2 in that card\n  the card updates in place:\n    My actions\n"
        "    You own no open actions.\n    ✅ Lina Salazar marked #2 done." in teams_part
    )
    assert "**" not in teams_part and "<at>" not in teams_part  # read as people see it, no markup
    # the fortnight in Teams: a nudge in the owner's chat at 09:00, snoozed from the card; the lead's
    # escalation; Monday's summary in the region's channel
    week = teams_part.split("Fast-forward in Teams")[1]
    assert "09:00 Europe/Zurich → UN-REDD KM › KM Global:\n    📊 Weekly summary: Global, week of Mon 24 Nov" in week
    nudged = week.split("── Thu 27 Nov 2014 (Teams) ──\n")[1].split("\n\n")[0]
    assert nudged.startswith("  09:00 Europe/Zurich → Jennifer Fergurson-Mitchel, in the chat with Actionbot:")
    assert "has not written to Actionbot yet" in nudged  # her zone is not known until she writes
    assert "[Done]   [Snooze to next working day]   [Snooze to next week]   [Add note]   [Edit]" in nudged
    assert "presses [Snooze to next working day] on that card\n  the card updates in place:" in nudged
    assert "snoozed until Fri 28 Nov 2014, 09:00." in nudged and nudged.endswith("[Done]   [Add note]   [Edit]")
    friday = week.split("── Fri 28 Nov 2014 (Teams) ──\n")[1]  # her press told Teams her zone: her own 09:00
    assert friday.startswith("  09:00 America/New_York → Jennifer Fergurson-Mitchel, in the chat with Actionbot:")
    assert "09:00 Europe/Rome → Tim Boyle, in the chat with Actionbot:\n    🚨 #1 Send information" in week
    assert "You hear about it as the lead of Global." in week
    assert "weekly summary of Latin America and the Caribbean posted in UN-REDD KM › KM LAC" in week


def seed_action(db_url: str, due: dt.date, created: dt.datetime) -> None:
    """Patricia (Bogotá) owns one action, created and due when given."""
    from bot.core.grammar import ActionSpec
    from bot.core.people import PeopleService
    from bot.core.records import Actor
    from bot.core.service import ActionService
    from store.database import Database

    database = Database(db_url)
    service = ActionService(database, platform="slack")
    PeopleService(service).remember(TEAM, "UPAT", created, name="patricia", tz="America/Bogota")
    service.add(
        TEAM,
        Actor("UTIM"),
        ActionSpec("Submission of LAC KM Region proposal", user_owners=["UPAT"], due_phrase=due.isoformat()),
        created,
    )
    database.dispose()


def test_sweep_dry_run_then_for_real_then_nothing_left(db_url, slack, tmp_path):
    seed_action(db_url, dt.date(2014, 12, 20), dt.datetime(2014, 11, 21, 15, tzinfo=dt.timezone.utc))
    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)
    dry = actionbot("sweep", "--now", "2014-12-19T14:00Z", "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert re.search(
        r"would send nudge +user:UPAT .*2014-12-19T14:00:00\+00:00 .*America/Bogota.*due tomorrow", dry.stdout
    ), dry.stdout
    assert dry.stdout.splitlines()[-1].startswith("1 to send") and slack.calls_to("chat.postMessage") == []

    real = actionbot("sweep", "--now", "2014-12-19T09:00-05:00", cwd=tmp_path, env=env)
    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines()[-1] == "1 sent, 0 failed (retried next sweep), 0 taken by another sender"
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["DPAT"]
    again = actionbot("sweep", "--now", "2014-12-19T14:05Z", cwd=tmp_path, env=env)
    assert again.stdout.splitlines()[-1].startswith("0 sent")
    assert slack.bot_token not in real.stdout + real.stderr + again.stderr


def test_sweep_refuses_a_bad_instant(tmp_path):
    done = actionbot("sweep", "--now", "next tuesday", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 2 and "not an ISO 8601 instant" in done.stderr
    assert "Traceback" not in done.stderr


def test_clock_without_a_token_stops_with_one_line(tmp_path):
    done = actionbot("clock", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN" in done.stderr


def test_clock_process_sends_what_is_due_at_start(db_url, slack, tmp_path):
    # an action a month overdue: its weekly repeat nudge of the last seven days is due now
    now = dt.datetime.now(dt.timezone.utc)
    seed_action(db_url, (now - dt.timedelta(days=30)).date(), now - dt.timedelta(days=60))
    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)
    clock = subprocess.Popen([ACTIONBOT, "clock"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        sent = slack.wait_for("chat.postMessage", timeout=30, predicate=lambda c: c.params["channel"] == "DPAT")
        assert "days overdue" in sent[0].params["text"]
    finally:
        clock.terminate()
        _, err = clock.communicate(timeout=30)
    assert "clock started" in err and slack.bot_token not in err


def test_import_the_seed_report_dry_run_then_for_real(db_url, slack, tmp_path):
    from tests.helpers import seed_report

    seed = tmp_path / "report.txt"
    seed.write_text(seed_report(), encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    args = [
        "import",
        str(seed),
        "--meeting",
        "Global KM & Comms Workshop, Nov 2014",
        "--region",
        "Global",
        "--group",
        "KM",
        "--workspace",
        TEAM,
    ]
    dry = actionbot(*args, "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "5 actions would be imported (dry run: nothing written)"
    assert "SLACK_BOT_TOKEN is not set" in dry.stderr
    assert re.search(
        r"^3\s+Submission of LAC KM Region proposal\s+Patricia Toquica\s+Sat 20 Dec 2014", dry.stdout, re.M
    )
    assert [line for line in dry.stdout.splitlines() if line.startswith("warning:")] == [
        line for line in dry.stdout.splitlines() if line.startswith("warning: Row 3")
    ]
    assert actionbot("list", "all", cwd=tmp_path, env=env).stdout.splitlines()[-1] == "0 actions (! = overdue)"

    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)
    real = actionbot(*args, "--as", "UTIM", cwd=tmp_path, env=env)
    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines()[-1] == "imported 5 actions: #1–#5"
    assert "@UPAT (Patricia Toquica)" in real.stdout
    assert sorted(c.params["channel"] for c in slack.calls_to("chat.postMessage")) == ["DJEN", "DLINA", "DPAT"]
    listed = actionbot("list", "@UPAT", cwd=tmp_path, env=env).stdout
    assert re.search(r"^3\s+Submission of LAC KM Region proposal\s+@patricia\s+Sat 20 Dec 2014 !", listed, re.M)


def test_import_a_large_csv_in_one_go_with_a_bad_row(db_url, tmp_path):
    rows = ["title,owner,due,region"] + [f"Task {n},Team {n % 7},2015-01-{1 + n % 28:02d}," for n in range(2000)]
    rows[1500] = "Task 1499,Team 1,not a date,"
    big = tmp_path / "big.csv"
    big.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    done = actionbot("import", str(big), "--workspace", TEAM, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "imported 2000 actions: #1–#2000"
    assert "importing: 100%" in done.stderr  # the progress bar
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "Row 1500" in warnings[0] and "not a date" in warnings[0]
    assert actionbot("list", "all", cwd=tmp_path, env=env).stdout.splitlines()[-1] == "2000 actions (! = overdue)"


def test_import_refuses_what_it_cannot_read(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing like a table here\n", encoding="utf-8")
    env = cli_env(tmp_path)
    assert actionbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    done = actionbot("import", str(junk), "--workspace", TEAM, cwd=tmp_path, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("actionbot: I couldn't find a heading row")
    missing = actionbot("import", str(tmp_path / "nope.csv"), "--workspace", TEAM, cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "can't read" in missing.stderr
