"""Delivery against Slack's rate limits: how close the scheduler's sweeps come to the most the limits
allow, and whether every due notice went out exactly once.

    .venv/bin/python bench/delivery.py [--dm-actions 2400] [--people 650] [--spread-channels 300]
                                       [--spread-actions 400] [--hot-channels 4] [--hot-actions 160]
                                       [--regions 50] [--post-per-minute 2400] [--open-per-minute 1200]
                                       [--channel-rate 1] [--channel-burst 3] [--workers 8] [--budget S]
                                       [--db sqlite|postgresql|both] [--pg-url URL]
                                       [--platform slack|teams|both] [--teams-owners 1500]
                                       [--teams-dm-actions 3000] [--teams-channels 40]
                                       [--teams-channel-actions 400] [--teams-hot-actions 2200]
                                       [--json bench/results/delivery.json]

For each database it makes a fresh one (a temporary SQLite file, or a PostgreSQL database beside the one
--pg-url names, dropped afterwards), migrates it and seeds, for a Monday afternoon:

- `--dm-actions` actions with one Slack-user owner and one nudge due (bench/programme.py), spread over
  `--people` people: a few DMs each;
- `--spread-actions` actions with a named owner, nudged in their channel, over `--spread-channels`
  channels; `--hot-actions` more concentrated in `--hot-channels` channels (busy channels);
- `--regions` regions, each with a channel: each gets its Monday summary (long ones in a thread).

It starts the devkit's Slack stand-in in this process with its rate limits on: `--channel-rate` messages
a second per channel with bursts of `--channel-burst` (Slack: about one a second, short bursts allowed),
`chat.postMessage` at `--post-per-minute` per workspace and `conversations.open` at `--open-per-minute`
(Slack: Tier 3, 50+; raised here so a run takes about a minute). Over a limit the stand-in answers 429
with Retry-After. Then it runs the scheduler's real sweep (scheduler.sweep, Slack notifier, Web API
client) at the seeded instant, and again a minute later (simulated) while a sweep still finds something
to send, on the stand-in's real clock.

Measured: messages Slack accepted a second, from the start of the first sweep to the last accepted
message, against the most the limits allow for this mix (its messages over the longest any one limit
needs: the workspace's chat.postMessage bucket, the conversations.open bucket for the DMs to open, and
the busiest channel's bucket, each starting full). Target (issue 7): at least 90%, zero duplicates (a
message accepted twice), zero lost (a due notice not recorded sent, or a planned message never accepted).

`run_delivery(db, ...)` does one database and returns the result as a dict; `clock=` runs the stand-in's
limits and the sender's waits on fake time (the test suite's tiny run).

Teams (bench/teams_delivery.py) runs beside it on each database, twice: on real time a tenant's worth of
personal chats and channels (`--teams-owners`, `--teams-dm-actions`, `--teams-channels`,
`--teams-channel-actions`: the tenant's 50 requests a second binds), and on fake time the same with
`--teams-hot-actions` more into one busy channel (its 1,800 an hour binds). Printed: the share of Teams'
allowed rate reached per tenant and per conversation, duplicates and lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/delivery.py` from anywhere: import the checkout's packages
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.load import fresh_database  # noqa: E402
from bench.programme import TEAM, seed_programme, user_id  # noqa: E402
from bench.tables import add_database_options, databases, table, write_results  # noqa: E402
from bot.core.grammar import ActionSpec  # noqa: E402
from bot.core.records import Actor  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from handlers.slack.clients import web_client  # noqa: E402
from handlers.slack.devkit.fake_time import FakeTime  # noqa: E402
from handlers.slack.devkit.ratelimits import Rate, RateLimits  # noqa: E402
from handlers.slack.devkit.standin import SlackStandIn  # noqa: E402
from handlers.slack.notifier import SlackNotifier  # noqa: E402
from scheduler.sweep import sweep  # noqa: E402
from store.database import Database, make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Delivery  # noqa: E402

BOT_TOKEN = "xoxb-delivery-bench"
MONDAY = dt.datetime(2026, 3, 9, 14, 30, tzinfo=dt.timezone.utc)  # 09:00 has passed in every seeded zone
TARGET_RATIO = 0.9
MAX_SWEEPS = 30
NAMED = ["KM Regional Coordinators", "Regional KM team", "Comms unit", "Country focal points"]


def seed(
    url: str,
    *,
    dm_actions: int,
    people: int,
    regions: int,
    spread_channels: int,
    spread_actions: int,
    hot_channels: int,
    hot_actions: int,
    now: dt.datetime,
) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    seed_programme(url, actions=dm_actions, due=dm_actions, regions=regions, people=people, now=now)
    db = Database(url)
    try:
        service = ActionService(db, platform="slack")
        targets = [f"CSPREAD{n % spread_channels:04d}" for n in range(spread_actions if spread_channels else 0)]
        targets += [f"CHOT{n % hot_channels:02d}" for n in range(hot_actions if hot_channels else 0)]
        by_channel: dict[str, list[ActionSpec]] = {}
        for n, channel in enumerate(targets):
            by_channel.setdefault(channel, []).append(
                ActionSpec(
                    f"Channel follow-up {n}", named_owners=[NAMED[n % len(NAMED)]], due_phrase=now.date().isoformat()
                )
            )
        for channel, specs in by_channel.items():
            service.add_many(TEAM, Actor(user_id(1)), specs, now - dt.timedelta(days=20), channel_id=channel)
    finally:
        db.dispose()


def destination(recipient: str) -> str:
    """The channel a recipient's messages land in, as the stand-in records it (a DM is D…)."""
    kind, target = recipient.split(":", 1)
    return "D" + target[1:] if kind == "user" else target


def digest(channel: str, text: str, blocks) -> tuple[str, str]:
    body = json.dumps([text, blocks], sort_keys=True, default=str).encode()
    return channel, hashlib.sha1(body).hexdigest()


def allowed(messages_by_channel: Counter, dms_to_open: int, limits: RateLimits) -> tuple[float, dict]:
    """The least time the limits need for this mix (each bucket full at the start), and why."""
    posts = sum(messages_by_channel.values())
    needs = {
        "chat.postMessage per workspace": limits.per_method["chat.postMessage"].seconds_for(posts),
        "conversations.open per workspace": limits.per_method["conversations.open"].seconds_for(dms_to_open),
        "busiest channel": max((limits.per_channel.seconds_for(n) for n in messages_by_channel.values()), default=0.0),
    }
    return max(needs.values()), {k: round(v, 2) for k, v in needs.items()}


def sweep_options(workers: int, clock, budget: float | None) -> dict:
    """The options this checkout's sweep takes (the script also measures the send loop before it had any)."""
    accepted = inspect.signature(sweep).parameters
    wanted = {"workers": workers, "clock": clock, "budget": budget}
    return {k: v for k, v in wanted.items() if k in accepted and v is not None}


def sweep_until_done(actions, notifier, now: dt.datetime, options: dict) -> tuple[list[dict], int, int, int]:
    """Sweep at `now`, then a (simulated) minute later and so on while a sweep still finds something to
    send: each sweep's counts, and the notices sent, failed and throttled in all."""
    sweeps, sent, failed, throttled = [], 0, 0, 0
    for k in range(MAX_SWEEPS):
        report = sweep(actions, notifier, now + dt.timedelta(minutes=k), **options)
        sweeps.append(
            {
                "planned": len(report.planned),
                "sent": len(report.sent),
                "failed": len(report.failed),
                "left": getattr(report, "left", 0),
            }
        )
        sent, failed = sent + len(report.sent), failed + len(report.failed)
        throttled += getattr(report, "throttled", 0)
        if not report.planned:
            break
    return sweeps, sent, failed, throttled


def run_delivery(
    db: str,
    *,
    dm_actions: int = 2400,
    people: int = 650,
    regions: int = 50,
    spread_channels: int = 300,
    spread_actions: int = 400,
    hot_channels: int = 4,
    hot_actions: int = 160,
    post_per_minute: float = 2400,
    open_per_minute: float = 1200,
    channel_rate: float = 1.0,
    channel_burst: float = 3.0,
    workers: int = 8,
    budget: float | None = None,
    pg_url: str | None = None,
    clock=None,
    now: dt.datetime = MONDAY,
) -> dict:
    """Seed a fresh `db`, then sweep through the rate-limited stand-in until nothing is left to send."""
    limits = RateLimits(
        per_channel=Rate(channel_rate, channel_burst),
        per_method={
            "chat.postMessage": Rate.per_minute(post_per_minute),
            "conversations.open": Rate.per_minute(open_per_minute),
        },
        clock=clock or time.monotonic,
    )
    with (
        fresh_database(db, pg_url) as url,
        SlackStandIn(team_id=TEAM, team_name="Bench programme", bot_token=BOT_TOKEN) as standin,
    ):
        seed(
            url,
            dm_actions=dm_actions,
            people=people,
            regions=regions,
            spread_channels=spread_channels,
            spread_actions=spread_actions,
            hot_channels=hot_channels,
            hot_actions=hot_actions,
            now=now,
        )
        database = Database(url)
        try:
            actions = ActionService(database, platform="slack")
            client = web_client(BOT_TOKEN, standin.api_url)
            notifier = SlackNotifier(lambda team_id: client)
            planned = sweep(actions, None, now, dry_run=True).planned
            expected_keys = {(n.team_id, *n.key) for n in planned}
            by_channel: Counter = Counter()
            for n in planned:
                by_channel[destination(n.recipient)] += len(notifier.render(n))
            dm_users = len({n.recipient for n in planned if n.recipient.startswith("user:")})
            least_s, bound_by = allowed(by_channel, dm_users, limits)

            standin.limit(limits)
            options = sweep_options(workers, clock, budget)
            began = limits.clock()
            sweeps, sent, failed, _ = sweep_until_done(actions, notifier, now, options)
            ended = limits.clock()
            standin.limit(None)
            with database.session() as s:
                rows = s.execute(
                    select(Delivery.kind, Delivery.subject, Delivery.occurrence, Delivery.status, Delivery.ref)
                ).all()
        finally:
            database.dispose()
        posted = standin.posted
        throttled = Counter(c.method.split(":", 1)[1] for c in standin.calls if c.method.startswith("ratelimited:"))

    accepted = Counter(digest(p.channel, p.text, p.blocks) for p in posted)
    duplicates = sum(n - 1 for n in accepted.values())
    status = {(TEAM, kind, subject, occurrence): st for kind, subject, occurrence, st, _ in rows}
    lost_notices = sorted(k for k in expected_keys if status.get(k) != "sent")
    messages = sum(by_channel.values())
    lost_messages = max(0, messages - len(accepted))
    refs = {p.ts for p in posted}
    unposted_refs = sum(1 for *_, st, ref in rows if st == "sent" and ref not in refs)
    last = max((p.at for p in posted), default=began)
    first = min((p.at for p in posted), default=began)
    elapsed = max(last - began, 1e-9)
    allowed_rate = messages / least_s if least_s > 0 else float("inf")
    achieved = len(accepted) / elapsed
    return {
        "db": db,
        "notices": len(planned),
        "messages": messages,
        "dm_users": dm_users,
        "channels": len(by_channel),
        "busiest_channel": max(by_channel.values(), default=0),
        "planned_by_kind": dict(Counter(n.kind for n in planned)),
        "limits": {
            "channel_rate": channel_rate,
            "channel_burst": channel_burst,
            "post_per_minute": post_per_minute,
            "open_per_minute": open_per_minute,
        },
        "workers": workers,
        "budget_s": budget,
        "least_s": round(least_s, 2),
        "bound_by": bound_by,
        "allowed_per_s": round(allowed_rate, 2),
        "achieved_per_s": round(achieved, 2),
        "ratio": round(achieved / allowed_rate, 3) if allowed_rate != float("inf") else None,
        "elapsed_s": round(elapsed, 2),
        "first_message_after_s": round(first - began, 2),
        "sweeps_s": round(ended - began, 2),
        "sweeps": sweeps,
        "sent": sent,
        "failed": failed,
        "duplicates": duplicates,
        "lost": len(lost_notices) + lost_messages,
        "lost_notices": [list(k) for k in lost_notices[:20]],
        "lost_messages": lost_messages,
        "sent_without_message": unposted_refs,
        "accepted": len(posted),
        "throttled": dict(throttled),
    }


HEADER = ["database", "messages", "sends/s", "allowed/s", "ratio", "duplicates", "lost", "429s", "sweeps", "seconds"]


def row_of(r: dict) -> list[str]:
    return [
        r["db"],
        str(r["messages"]),
        f"{r['achieved_per_s']:.1f}",
        f"{r['allowed_per_s']:.1f}",
        f"{r['ratio']:.0%}" if r["ratio"] is not None else "-",
        str(r["duplicates"]),
        str(r["lost"]),
        str(sum(r["throttled"].values())),
        str(len(r["sweeps"])),
        f"{r['elapsed_s']:.1f}",
    ]


def run_teams(db: str, args, pg_url: str | None) -> list[dict]:
    """Teams' two runs on `db`: the tenant bound (real time), then a busy channel (fake time)."""
    from bench.teams_delivery import run_teams_delivery  # the teams extra: only when Teams is benched

    common = dict(
        owners=args.teams_owners,
        dm_actions=args.teams_dm_actions,
        channels=args.teams_channels,
        channel_actions=args.teams_channel_actions,
        workers=args.workers,
        pg_url=pg_url,
    )
    tenant = run_teams_delivery(db, **common, hot_actions=0)
    tenant["run"] = "tenant (real time)"
    busy = run_teams_delivery(db, **common, hot_actions=args.teams_hot_actions, clock=FakeTime())
    busy["run"] = "busy channel (fake time)"
    return [tenant, busy]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/delivery.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", choices=("slack", "teams", "both"), default="both")
    parser.add_argument("--dm-actions", type=int, default=2400, help="actions nudging one user each by DM")
    parser.add_argument("--people", type=int, default=650, help="people the DM owners are drawn from")
    parser.add_argument("--regions", type=int, default=50, help="regions, each with a channel and a summary")
    parser.add_argument("--spread-channels", type=int, default=300)
    parser.add_argument("--spread-actions", type=int, default=400, help="named-owner nudges over the channels")
    parser.add_argument("--hot-channels", type=int, default=4)
    parser.add_argument("--hot-actions", type=int, default=160, help="named-owner nudges in the hot channels")
    parser.add_argument("--post-per-minute", type=float, default=2400, help="chat.postMessage per workspace")
    parser.add_argument("--open-per-minute", type=float, default=1200, help="conversations.open per workspace")
    parser.add_argument("--channel-rate", type=float, default=1.0, help="messages a second per channel")
    parser.add_argument("--channel-burst", type=float, default=3.0, help="burst per channel")
    parser.add_argument("--workers", type=int, default=8, help="the sweep's concurrent sends")
    parser.add_argument("--budget", type=float, help="seconds a sweep may start sends for (default: no limit)")
    parser.add_argument("--teams-owners", type=int, default=1500, help="Teams people with a personal chat")
    parser.add_argument("--teams-dm-actions", type=int, default=3000, help="Teams actions with one owner each")
    parser.add_argument("--teams-channels", type=int, default=40, help="channels of the Teams team")
    parser.add_argument("--teams-channel-actions", type=int, default=400, help="named-owner nudges over them")
    parser.add_argument("--teams-hot-actions", type=int, default=2200, help="nudges into one busy channel")
    add_database_options(parser)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "delivery.json"))
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.timezone.utc)
    results, teams_results = [], []
    for db in databases(args.db):
        if args.platform in ("slack", "both"):
            print(f"== slack, {db}", flush=True)
            result = run_delivery(
                db,
                dm_actions=args.dm_actions,
                people=args.people,
                regions=args.regions,
                spread_channels=args.spread_channels,
                spread_actions=args.spread_actions,
                hot_channels=args.hot_channels,
                hot_actions=args.hot_actions,
                post_per_minute=args.post_per_minute,
                open_per_minute=args.open_per_minute,
                channel_rate=args.channel_rate,
                channel_burst=args.channel_burst,
                workers=args.workers,
                budget=args.budget,
                pg_url=args.pg_url,
            )
            print(
                f"{result['notices']} notices ({result['planned_by_kind']}), {result['messages']} messages to "
                f"{result['channels']} channels ({result['dm_users']} DMs, busiest channel "
                f"{result['busiest_channel']}); least time the limits allow {result['least_s']} s "
                f"({result['bound_by']}); sweeps {result['sweeps']}; 429s {result['throttled']}; first message "
                f"after {result['first_message_after_s']} s",
                flush=True,
            )
            results.append(result)
        if args.platform in ("teams", "both"):
            from bench import teams_delivery

            for result in run_teams(db, args, args.pg_url):
                print(f"== teams, {db}, {result['run']}", flush=True)
                print(
                    f"{result['notices']} notices to {result['conversations']} conversations (busiest "
                    f"{result['busiest_conversation']}); tenant {result['tenant_per_s']}/s of "
                    f"{result['tenant_allowed_per_s']}/s; busiest conversation in {result['conversation_took_s']} s, "
                    f"least {result['conversation_least_s']} s; sweeps {result['sweeps']}",
                    flush=True,
                )
                teams_results.append(result)
            teams_header, teams_row = teams_delivery.HEADER, teams_delivery.row_of
    if results:
        print("\nSlack")
        print(table(HEADER, [row_of(r) for r in results]))
    if teams_results:
        print("\nTeams")
        print(table(["run"] + teams_header, [[r["run"]] + teams_row(r) for r in teams_results]))
    path = write_results(args.json, "bench/delivery.py", argv, started, results + teams_results)
    print(f"\nwrote {path}")
    ok = all(r["duplicates"] == 0 and r["lost"] == 0 for r in results + teams_results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
