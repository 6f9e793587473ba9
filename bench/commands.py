"""Command latency at programme scale, side by side with a bare Bolt app on the same server stack.

    .venv/bin/python bench/commands.py [--actions 100000] [--requests 200] [--db sqlite|postgresql|both]
                                       [--pg-url postgresql://postgres@127.0.0.1:5432/test]
                                       [--json bench/results/commands.json]

For each database: a fresh database holding a programme (bench/programme.py: --actions open actions
in 50 regions, 2,000 people), the Slack stand-in in this process, and two servers as subprocesses on
loopback ports: `actionbot run --no-scheduler`, and a bare Bolt app whose listeners only ack, served
by the same stack (waitress, Flask, Bolt's Flask adapter, the same threads). One client then sends,
one request at a time, --requests of each kind, signed as Slack signs them:

- `/action add` with an owner, a due date and a region;
- `/action list region:…` (a region holds 1/50 of the actions);
- `/action done N`, each on a different action;
- a Home publish: `app_home_opened` for a different person each time (owners of about a hundred
  actions), timed until the stand-in receives the `views.publish` (the bare app only acks it);
- a `view_submission` of the New action form.

Latency is measured at the client (for the Home, to the publish), as p50 and p99 in ms, with each
one's ratio to the bare app's. The targets: p50 within 1.5x of the bare app, p99 under 100 ms. The
peak resident memory (VmHWM) of the bot's server process is reported too (target under 150 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

from handlers.slack.devkit.requests import (  # noqa: E402
    event_body,
    interaction_body,
    post_signed,
    slash_command_body,
    view_submission_payload,
)
from handlers.slack.views.action_form import CALLBACK  # noqa: E402

from load import (  # noqa: E402
    EXPECTED,
    SECRET,
    BotProcess,
    LoadStandIn,
    child_env,
    fresh_database,
    migrate,
    percentile,
)
from programme import TEAM, seed_programme, user_id  # noqa: E402
from tables import add_database_options, databases, table, write_results  # noqa: E402

BOT_TOKEN = "xoxb-commands-bench"
ADMIN = user_id(0)  # the programme's admin: may close any action
OPS = ("add", "list_region", "done", "home", "view_submission")
BARE_VIEW = {"id": "V0BARE", "type": "modal", "callback_id": CALLBACK, "private_metadata": "{}"}
TARGET_RATIO, TARGET_P99_MS, TARGET_RSS_MB = 1.5, 100.0, 150.0


class TimingStandIn(LoadStandIn):
    """The stand-in, noting when each person's Home was published and keeping the last modal opened."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.published: dict[str, float] = {}
        self.opened_view: dict | None = None

    def _api(self, method, params, token):
        if method == "views.publish":
            with self._cond:
                self.published[params.get("user_id")] = time.perf_counter()
                self._cond.notify_all()
        if method == "views.open":
            view = params.get("view")
            with self._cond:
                self.opened_view = json.loads(view) if isinstance(view, str) else view
                self._cond.notify_all()
        return super()._api(method, params, token)

    def wait_opened(self, timeout: float = 10.0) -> dict | None:
        with self._cond:
            self._cond.wait_for(lambda: self.opened_view is not None, timeout)
            return self.opened_view

    def wait_published(self, user: str, timeout: float = 10.0) -> float | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while user not in self.published:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self.published[user]


# -- the bare Bolt app ---------------------------------------------------------------------


def serve_bare(port: int, threads: int) -> None:
    """The floor: a Bolt app whose listeners only ack, on the bot's own stack (make_wsgi, waitress)."""
    import logging
    import re

    from slack_bolt import App
    from waitress.server import create_server

    from handlers.slack.clients import web_client
    from handlers.slack.routes import slack_routes
    from handlers.web import make_wsgi

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
        client=web_client(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"]),
    )
    app.command("/action")(lambda ack: ack())
    app.event("app_home_opened")(lambda ack: ack())
    app.view(re.compile(".*"))(lambda ack: ack())
    app.action(re.compile(".*"))(lambda ack: ack())
    wsgi = make_wsgi(slack_routes(app, os.environ["SLACK_SIGNING_SECRET"]), lambda: True)
    server = create_server(wsgi, host="127.0.0.1", port=port, threads=threads, ident="bare-bolt")
    logging.getLogger("bare").info("listening on http://%s:%s", server.effective_host, server.effective_port)
    server.run()


def bare_process(env: dict[str, str], cwd: str) -> BotProcess:
    """The bare Bolt app as a subprocess, read and stopped like the bot's."""
    return BotProcess(env, cwd, command=[sys.executable, str(Path(__file__).resolve()), "--serve-bare"])


# -- the client ----------------------------------------------------------------------------


class Client:
    """One person sending each kind of request in turn and timing it."""

    def __init__(self, url: str, standin: TimingStandIn, actions: int, bare: bool):
        self.url, self.standin, self.bare = url + "/slack/events", standin, bare
        self.next_done = actions // 2  # numbers closed from here up, one each
        self.next_home = 100  # people whose Home is opened, one each (not region leads)

    def post(
        self, body: bytes, content_type: str = "application/x-www-form-urlencoded", expect: str | None = None
    ) -> float:
        """POST a signed body; the latency in ms. Anything but a 200 (and, from the bot, an answer
        whose text matches `expect`) stops the run: a fast wrong answer is not a result."""
        start = time.perf_counter()
        reply = post_signed(self.url, body, SECRET, content_type=content_type)
        ms = (time.perf_counter() - start) * 1000
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status}: {reply.body[:200]!r}")
        if expect and not self.bare and not re.match(expect, reply.json().get("text") or ""):
            raise RuntimeError(f"expected {expect!r}, the bot answered {reply.body[:300]!r}")
        return ms

    def command(self, text: str, expect: str | None = None) -> float:
        return self.post(
            slash_command_body(
                text,
                user_id=ADMIN,
                team_id=TEAM,
                channel_id="C00007",
                response_url=self.standin.response_url(),
                user_name="person0",
            ),
            expect=expect,
        )

    def op_add(self) -> float:
        return self.command(
            f'add Draft the country note <@{user_id(300)}|person300> due in 2 weeks region:"Region 07"',
            re.escape(EXPECTED["add"]),
        )

    def op_list_region(self) -> float:
        return self.command('list region:"Region 07"', r"\d+ actions \(region:")

    def op_done(self) -> float:
        self.next_done += 1
        return self.command(f"done {self.next_done}", re.escape(EXPECTED["done"]))

    def op_home(self) -> float:
        self.next_home += 1
        user = user_id(self.next_home)
        start = time.perf_counter()
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        ack_ms = self.post(
            event_body(event, team_id=TEAM, event_id=f"Ev{uuid.uuid4().hex[:12]}"), content_type="application/json"
        )
        if self.bare:
            return ack_ms
        published = self.standin.wait_published(user)
        if published is None:
            raise RuntimeError(f"no views.publish for {user}")
        return (published - start) * 1000

    def op_view_submission(self, view: dict) -> float:
        values = {
            "title": {"value": {"type": "plain_text_input", "value": "Circulate the regional work plan"}},
            "owners": {"value": {"type": "multi_users_select", "selected_users": [user_id(301)]}},
            "named": {"value": {"type": "plain_text_input", "value": None}},
            "due": {
                "value": {"type": "datepicker", "selected_date": (dt.date.today() + dt.timedelta(days=14)).isoformat()}
            },
            "due_opts": {"value": {"type": "checkboxes", "selected_options": []}},
            "region": {"value": {"type": "static_select", "selected_option": None}},
            "group": {"value": {"type": "plain_text_input", "value": "KM"}},
            "meeting": {"value": {"type": "plain_text_input", "value": None}},
            "note": {"value": {"type": "plain_text_input", "value": None}},
        }
        payload = view_submission_payload(view=view, values=values, user_id=ADMIN, team_id=TEAM)
        return self.post(interaction_body(payload))


def measure(client: Client, requests: int, view: dict) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {op: [] for op in OPS}
    for op in OPS:
        for i in range(requests + max(3, requests // 10)):  # the first few warm up and are not counted
            if op == "home":
                ms = client.op_home()
            elif op == "view_submission":
                ms = client.op_view_submission(view)
            else:
                ms = getattr(client, "op_" + op)()
            if i >= max(3, requests // 10):
                timings[op].append(ms)
    return timings


def settle_in(url: str) -> None:
    """Make the fresh database look like one in daily use: the bot has seen everyone lately (no
    `users.info` on each request), and the planner has statistics, as autovacuum gathers after a bulk
    load on PostgreSQL (without them it guesses, and scans)."""
    from sqlalchemy import update

    from store.database import Database
    from store.models import Person

    db = Database(url)
    try:
        with db.session() as s:
            s.execute(update(Person).values(refreshed_at=dt.datetime.now(dt.timezone.utc)))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    finally:
        db.dispose()


def run_commands(db: str, actions: int, requests: int, pg_url: str | None = None) -> dict:
    """One database: seed, serve the bot and the bare app, measure each; returns the results."""
    with (
        fresh_database(db, pg_url) as url,
        TimingStandIn(team_id=TEAM, team_name="Bench programme", bot_token=BOT_TOKEN) as standin,
    ):
        standin.add_user(ADMIN, "person0", real_name="Person 0", tz="Europe/Rome", is_admin=True)
        migrate(url)
        seeded_at = time.perf_counter()
        seed_programme(url, actions=actions, due=0)
        settle_in(url)
        seed_s = time.perf_counter() - seeded_at
        env = child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=standin.api_url, DATABASE_URL=url
        )
        results: dict = {"db": db, "actions": actions, "requests": requests, "seed_s": round(seed_s, 1)}
        with tempfile.TemporaryDirectory(prefix="actionbot-commands-") as cwd:
            bare = bare_process(env, cwd)
            try:
                floor = measure(Client(bare.url, standin, actions, bare=True), requests, view=BARE_VIEW)
            finally:
                bare.stop()
            bot = BotProcess(env, cwd)
            try:
                client = Client(bot.url, standin, actions, bare=False)
                client.command("add")  # no text: the New action form opens (views.open)
                view = standin.wait_opened()
                if view is None:
                    raise RuntimeError("the New action form did not open")
                timings = measure(client, requests, view=view)
                results["server_peak_rss_mb"] = bot.peak_rss_mb()
                results["server_log_errors"] = bot.levels["ERROR"] + bot.levels["CRITICAL"]
            finally:
                bot.stop()
        results["by_op"] = {}
        for op in OPS:
            mine, base = sorted(timings[op]), sorted(floor[op])
            p50, p99, b50, b99 = (
                percentile(mine, 50),
                percentile(mine, 99),
                percentile(base, 50),
                percentile(base, 99),
            )
            results["by_op"][op] = {
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "bare_p50_ms": round(b50, 2),
                "bare_p99_ms": round(b99, 2),
                "p50_ratio": round(p50 / b50, 2),
                "p99_ratio": round(p99 / b99, 2),
            }
        return results


def report(result: dict) -> str:
    rows = []
    for op, r in result["by_op"].items():
        rows.append(
            [
                op,
                f"{r['p50_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['bare_p50_ms']:.1f}",
                f"{r['bare_p99_ms']:.1f}",
                f"{r['p50_ratio']:.2f}x",
                f"{r['p99_ratio']:.2f}x",
                "yes" if r["p50_ratio"] <= TARGET_RATIO and r["p99_ms"] < TARGET_P99_MS else "no",
            ]
        )
    out = [
        table(["operation", "p50 ms", "p99 ms", "bare p50", "bare p99", "p50 ratio", "p99 ratio", "on target"], rows)
    ]
    out.append(
        f"server peak RSS: {result.get('server_peak_rss_mb')} MB (target under {TARGET_RSS_MB:g}); "
        f"seeded {result['actions']} actions in {result['seed_s']} s"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/commands.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100_000, help="open actions (default 100000)")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    add_database_options(parser)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "commands.json"))
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(int(os.environ.get("PORT", "0")), 8)
        return 0
    started = dt.datetime.now(dt.timezone.utc)
    results = []
    for db in databases(args.db):
        print(f"== {db}: {args.actions} actions, {args.requests} requests of each kind", flush=True)
        result = run_commands(db, args.actions, args.requests, args.pg_url)
        print(report(result) + "\n", flush=True)
        results.append(result)
    print("wrote", write_results(args.json, "bench/commands.py", argv, started, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
