"""Load test: N concurrent Slack users send signed, mixed `/action` traffic to `actionbot run`.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60] [--db sqlite|postgresql|both]
                                   [--pg-url postgresql://postgres@127.0.0.1:5432/test]
                                   [--json bench/results/load.json] [--threads N]

For each database it seeds a fresh one (a temporary SQLite file, or a PostgreSQL database created
beside the one --pg-url names and dropped afterwards) with regions, people and a few hundred actions,
starts a Slack Web API stand-in in this process, starts `actionbot run --no-scheduler` as a
subprocess on a free loopback port, and lets the clients loose for the duration. Each client is one
person: it adds actions (owners, due dates, regions), lists (mine, region:…, overdue), marks done,
adds notes, moves due dates and presses the Done button on its lists, all signed the way Slack signs.

A request is an error when the HTTP status is not 200, it times out or fails to connect, or the bot
answers with its "something went wrong" reply or with something that is not the answer to what was
asked; a Slack error reply to one of the bot's own Web API calls and an ERROR in the bot's log count
as errors too. A polite refusal ("#12 is already done.") is counted apart, as a refusal, not as an error.

`run_load(db, clients, seconds, pg_url)` does one database and returns the result as a dict.
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "bench")):  # `python bench/load.py` from anywhere: the checkout's packages
    if path not in sys.path:
        sys.path.insert(0, path)

from handlers.slack.devkit.requests import (  # noqa: E402
    block_actions_payload,
    event_body,
    interaction_body,
    post_signed,
    slash_command_body,
)
from handlers.slack.devkit.show import all_text  # noqa: E402
from handlers.slack.devkit.standin import SlackStandIn  # noqa: E402
from handlers.slack.home_queue import TIER_4_PER_MINUTE  # noqa: E402

from tables import DEFAULT_PG_URL, add_database_options, databases  # noqa: E402

TEAM = "T0LOAD"
BOT_TOKEN = "xoxb-load-test"
SECRET = "load-test-signing-secret"
CHANNEL = "C0GENERAL"
REQUEST_TIMEOUT = 10.0  # seconds; a request that takes longer counts as an error
SEED_ACTIONS = 300
DRAIN_LIMIT = 180  # seconds to wait, after the clients stop, for the bot's queued after-ack work
SORRY = "Something went wrong"  # the bot's own-failure reply (handlers.slack.render.sorry_message)

REGIONS = [  # name, aliases, zone
    ("Global", [], "UTC"),
    ("Latin America and the Caribbean", ["LAC"], "America/Bogota"),
    ("Asia-Pacific", ["Asia"], "Asia/Bangkok"),
    ("Africa", [], "Africa/Nairobi"),
]
REGION_WORDS = ["Global", "LAC", "Asia", "Africa"]
GROUPS = ["KM", "Comms", "MRV", "Finance"]
NAMED_OWNERS = ["KM Regional Coordinators", "Regional KM team", "Comms unit"]
ZONES = [
    "Europe/Rome",
    "America/New_York",
    "America/Bogota",
    "Europe/Zurich",
    "UTC",
    "Africa/Nairobi",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Europe/London",
    "America/Lima",
    "Australia/Sydney",
    "Asia/Tokyo",
]
VERBS = ["Draft", "Send", "Review", "Circulate", "Share", "Prepare", "Submit", "Agree on", "Update", "Collect"]
THINGS = [
    "the KM strategy",
    "the regional work plan",
    "the budget note",
    "the LAC proposal",
    "the workshop report",
    "the comms calendar",
    "the MRV guidance",
    "the donor brief",
    "minutes of the coordination call",
    "the country survey",
]
NOTES = [
    "Shared a first draft with the team.",
    "Waiting on figures from finance.",
    "Discussed on Tuesday's call; on track.",
    "Needs sign-off from the region lead.",
    "Moved to next sprint, see thread.",
    "Sent the link to everyone in the channel.",
]
DUE_PHRASES = [
    "tomorrow",
    "friday",
    "next friday",
    "in 2 weeks",
    "in 3 weeks",
    "end of month",
    "Dec 20",
    "Jan 15",
    "March 3",
]

# the mix: (operation, weight in percent)
MIX = [
    ("add", 20),
    ("list_mine", 15),
    ("list_region", 12),
    ("list_overdue", 8),
    ("done", 8),
    ("note", 12),
    ("due", 10),
    ("done_button", 15),
]
EXPECTED = {  # how the plain-text fallback of a successful answer starts
    "add": "Added #",
    "done": "Marked done #",
    "note": "Noted on #",
    "due": "New due date for #",
}
ADDED = re.compile(r"^Added #(\d+) ")


# -- the Slack stand-in, counting instead of keeping every call ------------------------------


class LoadStandIn(SlackStandIn):
    """The devkit's stand-in, tallying calls by method instead of keeping them all (a minute of load is
    tens of thousands), keeping response-URL posts by key until a client takes its own, and counting
    every Web API answer that is not ok."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tally: Counter = Counter()
        self.api_failures: Counter = Counter()
        self.last_call = time.monotonic()
        self._responses: dict[str, dict] = {}

    def _record(self, *calls):
        with self._cond:
            for call in calls:
                self.tally[call.method] += 1
                if call.method == "response_url":
                    self._responses[call.path] = call.params
            self.last_call = time.monotonic()
            self._cond.notify_all()

    def _api(self, method, params, token):
        status, result, headers = super()._api(method, params, token)
        if status != 200 or not result.get("ok"):
            with self._cond:
                self.api_failures[f"{method}: {result.get('error')}"] += 1
        return status, result, headers

    def wait_tally(self, method: str, count: int, timeout: float = 60.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.tally[method] >= count, timeout)

    def take_response(self, key: str) -> dict | None:
        with self._cond:
            return self._responses.pop(key, None)

    def api_calls(self) -> int:
        with self._cond:
            return sum(n for method, n in self.tally.items() if method != "response_url")


# -- a fresh database ----------------------------------------------------------------------


@contextmanager
def fresh_database(db: str, pg_url: str | None) -> Iterator[str]:
    """A URL of a new, empty database: a temporary SQLite file, or a PostgreSQL database created
    beside the one `pg_url` names (which is only used to connect) and dropped afterwards."""
    if db == "sqlite":
        tmp = tempfile.mkdtemp(prefix="actionbot-load-")
        try:
            yield f"sqlite:///{Path(tmp) / 'load.db'}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    if db != "postgresql":
        raise ValueError(f"db must be sqlite or postgresql, not {db!r}")
    from store.scratch import scratch_database

    with scratch_database(pg_url or DEFAULT_PG_URL, "actionbot_load") as url:
        yield url


def actionbot_executable() -> str:
    return shutil.which("actionbot", path=os.path.dirname(sys.executable)) or "actionbot"


def child_env(**extra: str) -> dict[str, str]:
    """This environment without Slack settings or proxies (everything here is on loopback), plus `extra`."""
    drop = {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PORT",
        "ACTIONBOT_WORKSPACE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    }
    env = {k: v for k, v in os.environ.items() if k.upper() not in drop}
    env.update(extra)
    return env


def migrate(url: str) -> None:
    """`actionbot db upgrade`, as a release step runs it."""
    done = subprocess.run(
        [actionbot_executable(), "db", "upgrade"],
        env=child_env(DATABASE_URL=url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"actionbot db upgrade failed:\n{done.stderr}")


# -- people and seed data --------------------------------------------------------------------


class Person:
    def __init__(self, user_id: str, handle: str, tz: str, is_admin: bool = False):
        self.user_id, self.handle, self.tz, self.is_admin = user_id, handle, tz, is_admin

    @property
    def mention(self) -> str:  # as Slack escapes a mention in a slash command (should_escape: true)
        return f"<@{self.user_id}|{self.handle}>"


def workspace_people(clients: int) -> list[Person]:
    """One person per client (at least twelve), each in a zone of their own, and an admin."""
    people = [Person(f"UL{i:04d}", f"person{i}", ZONES[i % len(ZONES)]) for i in range(max(clients, 12))]
    return people + [Person("ULADMIN", "admin", "UTC", is_admin=True)]


def seed(url: str, people: list[Person], rng: random.Random, count: int = SEED_ACTIONS) -> dict[str, list[int]]:
    """Regions, the people (as the bot remembers them after a first `users.info`) and `count` actions
    through the core; returns, for each person, the open actions they may change (owner or creator)."""
    from bot.core.dates import utc_now
    from bot.core.grammar import ActionSpec
    from bot.core.people import PeopleService
    from bot.core.records import Actor
    from bot.core.regions import RegionService, RegionSpec
    from bot.core.service import ActionService
    from store.database import Database

    now = utc_now()
    database = Database(url)
    try:
        service = ActionService(database, platform="slack")
        for p in people:
            PeopleService(service).remember(TEAM, p.user_id, now, name=p.handle, tz=p.tz, is_admin=p.is_admin)
        members = [p for p in people if not p.is_admin]
        admin = next(p for p in people if p.is_admin)
        for n, (name, aliases, tz) in enumerate(REGIONS):
            RegionService(service).add(
                TEAM,
                Actor(admin.user_id, is_admin=True),
                RegionSpec(
                    name, aliases=aliases, timezone=tz, channel_id=f"C0REGION{n}", lead_user_id=members[n].user_id
                ),
                now,
            )
        by_creator: dict[str, list] = {}
        for _ in range(count):
            creator = rng.choice(members)
            owners = [p.user_id for p in rng.sample(members, rng.choice((1, 1, 1, 2)))]
            due = (
                "ongoing" if rng.random() < 0.1 else (now.date() + dt.timedelta(days=rng.randint(-40, 90))).isoformat()
            )
            by_creator.setdefault(creator.user_id, []).append(
                ActionSpec(
                    f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
                    user_owners=owners,
                    named_owners=[rng.choice(NAMED_OWNERS)] if rng.random() < 0.15 else [],
                    due_phrase=due,
                    region=rng.choice([*(r[0] for r in REGIONS), None]),
                    group=rng.choice(GROUPS),
                    status="done" if rng.random() < 0.1 else None,
                )
            )
        changeable: dict[str, list[int]] = {p.user_id: [] for p in people}
        for creator, specs in by_creator.items():
            for spec, outcome in zip(specs, service.add_many(TEAM, Actor(creator), specs, now)):
                if spec.status is None:
                    for user_id in {creator, *spec.user_owners}:
                        changeable[user_id].append(outcome.action.number)
        return changeable
    finally:
        database.dispose()


# -- the bot under test --------------------------------------------------------------------

LOG_LEVEL = re.compile(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) ")
REQUEST_LINE = re.compile(r" actionbot\.request: request .* ms=([\d.]+) outcome=")


class BotProcess:
    """`actionbot run --no-scheduler` on a free loopback port; its log is read as it comes."""

    def __init__(
        self,
        env: dict[str, str],
        cwd: str,
        threads: int | None = None,
        workers: int = 1,
        start_timeout: float = 60,
        command: list[str] | None = None,
    ):
        cmd = command or [
            actionbot_executable(),
            "run",
            "--no-scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--workers",
            str(workers),
        ]
        if threads and not command:
            cmd += ["--threads", str(threads)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.url: str | None = None
        self.workers, self.serving = workers, 0  # with workers, ready once each one says it is serving
        self._serving_changed = threading.Condition()
        self.levels: Counter = Counter()  # warnings and errors logged once `counting` is set
        self.counting = False
        self.dispatch_ms: list[float] = []  # the bot's own timing of each request (its request log)
        self.samples: list[str] = []  # the first warnings and errors, with what follows them
        self.tail: list[str] = []
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, name="actionbot-log", daemon=True)
        self._reader.start()
        if not self._listening.wait(start_timeout) or self.url is None:
            self.stop()
            raise RuntimeError("actionbot run did not start:\n" + "".join(self.tail))

    def _read(self) -> None:
        following = 0
        for line in self.proc.stderr:
            self.tail = (self.tail + [line])[-50:]
            level = LOG_LEVEL.match(line)
            timed = REQUEST_LINE.search(line) if self.counting else None
            if timed:
                self.dispatch_ms.append(float(timed.group(1)))
            if level and self.counting:
                self.levels[level.group(1)] += 1
                following = 5 if len(self.samples) < 40 else 0
            elif level:  # before the load (start-up notices)
                level = None
            elif not line[:4].isdigit() and following:  # a traceback or message continuing
                following -= 1
            else:
                following = 0
            if (level or following) and len(self.samples) < 60:
                self.samples.append(line.rstrip())
            if self.url is None:
                found = re.search(r"listening on (http://\S+)", line)
                if found:
                    self.url = found.group(1)
            if re.search(r"worker \d+: serving", line):
                with self._serving_changed:
                    self.serving += 1
                    self._serving_changed.notify_all()
            if self.url and (self.workers == 1 or self.serving >= self.workers):
                self._listening.set()
        self._listening.set()  # exited before listening

    def _stats(self) -> dict[int, list[str]]:
        """/proc/<pid>/stat fields (after the command name) of the server and its workers (Linux)."""
        found = {}
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == self.proc.pid or int(fields[1]) == self.proc.pid:  # fields[1]: parent pid
                found[int(entry)] = fields
        return found

    def wait_serving(self, count: int, timeout: float = 60) -> bool:
        """Wait until `count` workers in all have said they are serving (restarted ones included)."""
        with self._serving_changed:
            return self._serving_changed.wait_for(lambda: self.serving >= count, timeout)

    def processes(self) -> list[int]:
        return list(self._stats())

    def peak_rss_mb(self) -> float | None:
        """Peak resident memory (VmHWM) of the server and its workers, summed, in MB (Linux)."""
        kb = []
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/status") as f:
                    kb += [int(line.split()[1]) for line in f if line.startswith("VmHWM:")]
            except (OSError, ValueError, IndexError):
                continue
        return round(sum(kb) / 1024, 1) if kb else None

    def cpu_seconds(self) -> float | None:
        """User + system CPU time so far of the server process and its workers (Linux), else None."""
        stats = self._stats()
        ticks = sum(int(fields[11]) + int(fields[12]) for fields in stats.values())
        return ticks / os.sysconf("SC_CLK_TCK") if stats else None

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return self.proc.returncode


# -- the clients ---------------------------------------------------------------------------


def open_homes(events_url: str, people: list[Person]) -> None:
    """Each person opens the bot's Home tab, as people who use it have: from then on every change
    that concerns them republishes it (the bot keeps only opened Homes fresh)."""
    for p in people:
        event = {
            "type": "app_home_opened",
            "user": p.user_id,
            "channel": "D" + p.user_id[1:],
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        reply = post_signed(
            events_url,
            event_body(event, team_id=TEAM, event_id=f"Ev{uuid.uuid4().hex[:12]}"),
            SECRET,
            content_type="application/json",
            timeout=REQUEST_TIMEOUT,
        )
        if reply.status != 200:
            raise RuntimeError(f"app_home_opened for {p.user_id}: HTTP {reply.status}")


def done_buttons(message: dict) -> list[str]:
    """The values of the Done buttons in a message."""
    found = []
    for block in message.get("blocks") or []:
        elements = [block["accessory"]] if "accessory" in block else block.get("elements") or []
        found += [e["value"] for e in elements if e.get("type") == "button" and e.get("action_id") == "action_done"]
    return found


class Client(threading.Thread):
    """One person in the workspace, sending the mix until the deadline."""

    def __init__(
        self,
        index: int,
        me: Person,
        people: list[Person],
        changeable: list[int],
        events_url: str,
        standin: LoadStandIn,
        start: threading.Barrier,
        seconds: float,
        seed: int,
    ):
        super().__init__(name=f"load-client-{index}", daemon=True)
        self.me, self.people, self.url, self.standin = me, [p for p in people if not p.is_admin], events_url, standin
        self.open = list(changeable)  # open actions this person may change, as far as they know
        self.buttons: list[str] = []  # Done buttons on the last list of their own actions they saw
        self.start_barrier, self.seconds = start, seconds
        self.rng = random.Random(seed)
        self.records: list[tuple[str, float, str]] = []  # (operation, latency ms, ok|refused|error)
        self.errors: list[str] = []  # the first few, described
        self.error_kinds: Counter = Counter()
        self.refusals: Counter = Counter()
        self.ops, self.weights = zip(*MIX)

    def run(self) -> None:
        self.start_barrier.wait()
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            getattr(self, "op_" + self.rng.choices(self.ops, self.weights)[0])()

    # -- bookkeeping

    def record(self, op: str, ms: float, outcome: str, detail: str = "", kind: str = "") -> None:
        self.records.append((op, ms, outcome))
        if outcome == "error":
            self.error_kinds[kind] += 1
            if len(self.errors) < 20:
                self.errors.append(f"{op}: {detail}")
        elif outcome == "refused":
            self.refusals[re.sub(r"#\d+", "#N", detail.splitlines()[0])[:120]] += 1

    def classify(self, op: str, ms: float, message: dict, expect: str | re.Pattern | None) -> str:
        text, everything = message.get("text") or "", all_text(message)
        kind = ""
        if SORRY in everything:
            outcome, kind, detail = "error", "failure_reply", "the bot's own-failure reply: " + text[:200]
        elif ":warning:" in everything:
            outcome, detail = "refused", text
        elif (isinstance(expect, str) and not text.startswith(expect)) or (
            isinstance(expect, re.Pattern) and not expect.search(text)
        ):
            outcome, kind, detail = "error", "unexpected_reply", f"unexpected reply {text[:200]!r}"
        else:
            outcome, detail = "ok", ""
        self.record(op, ms, outcome, detail, kind)
        return outcome

    def post(self, op: str, body: bytes):
        """POST a signed body; returns (reply, ms), or (None, ms) after recording a failure."""
        start = time.perf_counter()
        try:
            reply = post_signed(self.url, body, SECRET, timeout=REQUEST_TIMEOUT)
        except (TimeoutError, OSError) as err:  # socket timeouts, refused connections, URLError
            ms = (time.perf_counter() - start) * 1000
            timed_out = isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None), TimeoutError)
            self.record(op, ms, "error", f"{type(err).__name__}: {err}", "timeout" if timed_out else "connection")
            return None, ms
        ms = (time.perf_counter() - start) * 1000
        if reply.status != 200:
            self.record(op, ms, "error", f"HTTP {reply.status}: {reply.body[:200]!r}", "http_status")
            return None, ms
        return reply, ms

    def command(self, op: str, text: str, expect) -> tuple[str, dict]:
        body = slash_command_body(
            text,
            user_id=self.me.user_id,
            team_id=TEAM,
            channel_id=CHANNEL,
            response_url=self.standin.response_url(),
            user_name=self.me.handle,
        )
        reply, ms = self.post(op, body)
        if reply is None:
            return "error", {}
        try:
            message = reply.json()
        except ValueError:
            self.record(op, ms, "error", f"not JSON: {reply.body[:200]!r}", "unexpected_reply")
            return "error", {}
        return self.classify(op, ms, message, expect), message

    # -- the operations

    def op_add(self) -> None:
        rng = self.rng
        owners = rng.sample(self.people, rng.choice((1, 1, 2, 3)))
        words = [f"{rng.choice(VERBS)} {rng.choice(THINGS)}", *(p.mention for p in owners)]
        if rng.random() < 0.2:
            words.append(f'owner:"{rng.choice(NAMED_OWNERS)}"')
        words.append("ongoing" if rng.random() < 0.1 else f"due {rng.choice(DUE_PHRASES)}")
        if rng.random() < 0.8:
            words.append(f"region:{rng.choice(REGION_WORDS)}")
        words.append(f"group:{rng.choice(GROUPS)}")
        outcome, message = self.command("add", "add " + " ".join(words), EXPECTED["add"])
        added = ADDED.match(message.get("text") or "") if outcome == "ok" else None
        if added:
            self.open.append(int(added.group(1)))

    def list_mine(self) -> str:
        outcome, message = self.command("list_mine", "list mine", re.compile(r"^\d+ actions"))
        if outcome == "ok":
            self.buttons = done_buttons(message)
        return outcome

    def op_list_mine(self) -> None:
        self.list_mine()

    def op_list_region(self) -> None:
        self.command("list_region", f"list region:{self.rng.choice(REGION_WORDS)}", re.compile(r"^\d+ actions"))

    def op_list_overdue(self) -> None:
        self.command("list_overdue", "list overdue", re.compile(r"^\d+ actions"))

    def pick(self, remove: bool = False) -> int | None:
        if not self.open:
            return None
        i = self.rng.randrange(len(self.open))
        return self.open.pop(i) if remove else self.open[i]

    def op_done(self) -> None:
        number = self.pick(remove=True)
        if number is None:
            return self.op_add()
        self.buttons = [v for v in self.buttons if json.loads(v).get("n") != number]
        self.command("done", f"done {number}", EXPECTED["done"])

    def op_note(self) -> None:
        number = self.pick()
        if number is None:
            return self.op_add()
        self.command("note", f"note {number} {self.rng.choice(NOTES)}", EXPECTED["note"])

    def op_due(self) -> None:
        number = self.pick()
        if number is None:
            return self.op_add()
        self.command("due", f"due {number} {self.rng.choice(DUE_PHRASES)}", EXPECTED["due"])

    def op_done_button(self) -> None:
        if not self.buttons and self.list_mine() != "ok":
            return
        if not self.buttons:  # nothing open on their list: add something instead
            return self.op_add()
        value = self.buttons.pop(self.rng.randrange(len(self.buttons)))
        number = json.loads(value)["n"]
        if number in self.open:
            self.open.remove(number)
        key = uuid.uuid4().hex
        payload = block_actions_payload(
            action_id="action_done",
            value=value,
            user_id=self.me.user_id,
            team_id=TEAM,
            channel_id=CHANNEL,
            response_url=self.standin.response_url(key),
            trigger_id=f"{int(time.time())}.{key[:10]}",
        )
        reply, ms = self.post("done_button", interaction_body(payload))
        if reply is None:
            return
        # listeners run before the ack, so the answer is already at the response URL
        answer = self.standin.take_response(key)
        if answer is None:
            self.record("done_button", ms, "error", "nothing was posted to the response URL", "no_answer")
            return
        if answer.get("replace_original") is not True and ":warning:" not in all_text(answer):
            self.record(
                "done_button", ms, "error", f"did not replace the list: {all_text(answer)[:200]!r}", "unexpected_reply"
            )
        elif self.classify("done_button", ms, answer, None) == "ok":
            self.buttons = done_buttons(answer)  # the list as it is now, under the ✔ note


# -- running and reporting -------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def summarise(records: list[tuple[str, float, str]], elapsed: float) -> dict:
    latencies = sorted(ms for _, ms, _ in records)
    return {
        "requests": len(records),
        "rps": round(len(records) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "errors": sum(1 for *_, outcome in records if outcome == "error"),
        "refusals": sum(1 for *_, outcome in records if outcome == "refused"),
    }


def run_load(
    db: str,
    clients: int,
    seconds: float,
    pg_url: str | None = None,
    *,
    threads: int | None = None,
    server_workers: int = 1,
    seed_actions: int = SEED_ACTIONS,
    rng_seed: int = 2014,
) -> dict:
    """Seed a fresh `db` ("sqlite" or "postgresql"), serve it with `actionbot run`, and let `clients`
    people send the mix for `seconds`. Returns the totals (requests, rps, p50/p95/p99/max ms, errors,
    refusals), the same per operation, and what the server and the Slack stand-in saw."""
    if clients < 1 or seconds <= 0:
        raise ValueError("clients must be at least 1 and seconds more than 0")
    rng = random.Random(rng_seed)
    people = workspace_people(clients)
    with (
        fresh_database(db, pg_url) as url,
        LoadStandIn(team_id=TEAM, team_name="Load Test", bot_token=BOT_TOKEN) as standin,
    ):
        for p in people:
            standin.add_user(p.user_id, p.handle, real_name=p.handle.title(), tz=p.tz, is_admin=p.is_admin)
        migrate(url)
        changeable = seed(url, people, rng, seed_actions)
        env = child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=standin.api_url, DATABASE_URL=url
        )
        with tempfile.TemporaryDirectory(prefix="actionbot-load-run-") as cwd:
            bot = BotProcess(env, cwd, threads=threads, workers=server_workers)
            try:
                events_url = bot.url.rstrip("/") + "/slack/events"
                open_homes(events_url, people[:clients])
                if not standin.wait_tally("views.publish", clients):
                    raise RuntimeError("the clients' Home tabs were not published")
                start = threading.Barrier(clients + 1)
                workers = [
                    Client(
                        i,
                        people[i],
                        people,
                        changeable[people[i].user_id],
                        events_url,
                        standin,
                        start,
                        seconds,
                        rng_seed * 1000 + i,
                    )
                    for i in range(clients)
                ]
                for w in workers:
                    w.start()
                cpu_before, load_cpu_before = bot.cpu_seconds(), time.process_time()
                bot.counting = True
                start.wait()
                began = time.perf_counter()
                for w in workers:
                    w.join(timeout=seconds + 10 * REQUEST_TIMEOUT)
                elapsed = time.perf_counter() - began
                cpu_after, load_cpu_after = bot.cpu_seconds(), time.process_time()
                stuck = [w.name for w in workers if w.is_alive()]
                # the after-ack work (Home tabs, owners' DMs) still queued when the clients stop: wait
                # until the stand-in has heard nothing for longer than the Home queue's pace between two
                # publishes of one worker (at most DRAIN_LIMIT seconds)
                quiet = 1.0 + 60.0 / (TIER_4_PER_MINUTE / server_workers)
                ended = time.monotonic()
                while time.monotonic() - standin.last_call < quiet and time.monotonic() - ended < DRAIN_LIMIT:
                    time.sleep(0.1)
                drain = max(0.0, standin.last_call - ended)
                drained = time.monotonic() - standin.last_call >= quiet
            finally:
                serving = bot.processes()
                exit_code = bot.stop()
                left = [pid for pid in serving if os.path.exists(f"/proc/{pid}")]
    records = [r for w in workers for r in w.records]
    result = {
        "db": db,
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 2),
        **summarise(records, elapsed),
    }
    by_op = {}
    for op, _ in MIX:
        mine = [r for r in records if r[0] == op]
        by_op[op] = summarise(mine, elapsed)
    refusals = sum((w.refusals for w in workers), Counter())
    # errors: the clients' (status, timeout, failure or unexpected replies), plus what the clients cannot
    # see: Slack error replies to the bot's own Web API calls and errors in the server's log
    kinds = sum((w.error_kinds for w in workers), Counter())
    kinds.update(
        {
            "stuck_client": len(stuck),
            "slack_api": sum(standin.api_failures.values()),
            "server_log": bot.levels["ERROR"] + bot.levels["CRITICAL"],
        }
    )
    error_samples = (
        [e for w in workers for e in w.errors][:20]
        + [f"client thread did not finish: {n}" for n in stuck]
        + [f"slack error reply to the bot: {n}× {what}" for what, n in standin.api_failures.items()]
    )
    result.update(
        {
            "errors": sum(kinds.values()),
            "errors_by_kind": {kind: n for kind, n in sorted(kinds.items()) if n},
            "by_op": by_op,
            "error_samples": error_samples,
            "refusal_reasons": dict(refusals.most_common(10)),
            "server": {
                "threads": threads or 4,
                "workers": server_workers,
                "cpu_s": round(cpu_after - cpu_before, 1) if cpu_before is not None and cpu_after is not None else None,
                "log_warnings": bot.levels["WARNING"],
                "log_errors": bot.levels["ERROR"] + bot.levels["CRITICAL"],
                "log_samples": bot.samples[:30],
                # from the bot's request log: its own work on each request, without the wait for a thread
                "dispatch_ms": {f"p{p}": round(percentile(sorted(bot.dispatch_ms), p), 1) for p in (50, 95, 99)},
                "exit_code": exit_code,
                "processes": len(serving),  # the server, and its workers when it has them
                "processes_left": len(left),  # still running after it was stopped: should be none
            },
            "load_process_cpu_s": round(load_cpu_after - load_cpu_before, 1),
            "slack": {
                "api_calls": standin.api_calls(),
                "by_method": {m: n for m, n in sorted(standin.tally.items()) if m != "response_url"},
                "api_failures": dict(standin.api_failures),
                "after_ack_drain_s": round(drain, 2),
                "after_ack_drained": drained,
            },
            "seeded_actions": seed_actions,
            "people": len(people),
        }
    )
    return result


COLUMNS = [
    ("requests", "Requests", "d"),
    ("rps", "Req/s", ".1f"),
    ("p50_ms", "p50 ms", ".1f"),
    ("p95_ms", "p95 ms", ".1f"),
    ("p99_ms", "p99 ms", ".1f"),
    ("max_ms", "max ms", ".1f"),
    ("errors", "Errors", "d"),
    ("refusals", "Refusals", "d"),
]


def table(rows: list[tuple[str, dict]], first: str) -> str:
    cells = [[first] + [title for _, title, _ in COLUMNS]]
    cells += [[name] + [format(r[key], fmt) for key, _, fmt in COLUMNS] for name, r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(result: dict) -> str:
    out = [table([(op, r) for op, r in result["by_op"].items()] + [("all", result)], "operation")]
    server, slack = result["server"], result["slack"]
    out.append(
        f"server: {server['workers']} worker(s) of {server['threads']} threads, {server['cpu_s']} CPU s in {result['elapsed_s']} s; "
        f"log: {server['log_warnings']} warnings, {server['log_errors']} errors. "
        f"load generator + stand-in: {result['load_process_cpu_s']} CPU s"
    )
    mine = server["dispatch_ms"]
    out.append(
        f"the bot's own timing (request log), without the wait for a free thread: p50 {mine['p50']} ms, "
        f"p95 {mine['p95']} ms, p99 {mine['p99']} ms"
    )
    out.append(
        f"slack stand-in: {slack['api_calls']} Web API calls, {sum(slack['api_failures'].values())} not ok; "
        f"after-ack work (Home tabs, DMs) went on {slack['after_ack_drain_s']} s after the clients stopped"
        + ("" if slack["after_ack_drained"] else " and had not finished when we stopped waiting")
    )
    if result["errors"]:
        out.append("errors by kind: " + ", ".join(f"{k} {n}" for k, n in result["errors_by_kind"].items()))
    if result["refusal_reasons"]:
        out.append("refusals: " + "; ".join(f"{n}× {why}" for why, n in result["refusal_reasons"].items()))
    for line in result["error_samples"][:10]:
        out.append("error: " + line)
    for line in server["log_samples"][:10]:
        out.append("server log: " + line)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="duration per database (default 60)")
    add_database_options(parser)
    parser.add_argument(
        "--json",
        default=str(ROOT / "bench" / "results" / "load.json"),
        help="write the results here (default bench/results/load.json)",
    )
    parser.add_argument("--threads", type=int, help="pass --threads to actionbot run (default: its own, 4)")
    parser.add_argument("--workers", type=int, default=1, help="pass --workers to actionbot run (default 1)")
    args = parser.parse_args(argv)
    dbs = databases(args.db)
    started = dt.datetime.now(dt.timezone.utc)
    results = []
    for db in dbs:
        print(f"== {db}: {args.clients} clients for {args.seconds:g} s", flush=True)
        result = run_load(
            db, args.clients, args.seconds, args.pg_url, threads=args.threads, server_workers=args.workers
        )
        print(report(result) + "\n", flush=True)
        results.append(result)
    print(table([(r["db"], r) for r in results], "database"))
    doc = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([sys.executable, *sys.argv] if argv is None else ["bench/load.py", *argv]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "results": results,
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
