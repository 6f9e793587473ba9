"""Delivery against Teams' published limits (bench/delivery.py's Teams half): how close the scheduler's
sweeps come to the most Teams allows, and whether every due notice went out exactly once.

One tenant in the devkit's Teams stand-in with its rate-limit mode on (per bot per conversation 7 sends
a second, 8 per 2 s, 60 per 30 s, 1,800 an hour; per tenant 50 requests a second; a call over one gets
429 with Retry-After). Seeded through the core for a Wednesday: `owners` people who used the bot (their
personal chats stored), `dm_actions` actions with one of them as owner, `channels` channels of a team
the app is in with `channel_actions` named-owner nudges over them, and `hot_actions` more into one busy
channel. Then the real sweep (scheduler.sweep, the Teams notifier, the Bot Connector client over HTTP)
runs at the seeded instant, and again a minute later while a sweep still finds something to send.

On real time the per-tenant limit is what binds (a run of a few thousand messages takes a minute or
two); with `clock=FakeTime()` the stand-in's windows and the send loop's waits read fake time, so an
hour's window passes in seconds (the busy channel's 1,800 an hour): what is measured then is the pacing,
not this machine's loopback. Fake time is a poor judge of the tenant's rate, though: a thread that waits
moves it on while others' requests are in flight, and the send loop stamps a send when its answer comes
(the safe side), so on fake time the tenant figure reads low. Measured:

- per tenant: messages accepted a second while the tenant was the bound (from the first message of a
  conversation other than the busiest to the last of them, every message in between counted), against
  50/s;
- per conversation: the busiest conversation's messages over the time they took, against the least
  time its windows allow (`least_time`);
- overall: all messages over the time taken, against the least time the binding limit needs;
- duplicates (an activity accepted twice into one conversation), lost (a planned notice not recorded
  sent, or a planned message never accepted), and 429s (there should be none: the limits are known).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter, defaultdict

from sqlalchemy import select

from bench.delivery import sweep_until_done
from bench.load import fresh_database
from bot.clocks import WALL
from bot.core.grammar import ActionSpec
from bot.core.records import Actor
from bot.core.service import ActionService
from handlers.slack.devkit.fake_time import FakeTime
from handlers.teams.bridge import LoopThread
from handlers.teams.connector import BotConnector, ClientCredentials
from handlers.teams.devkit.seeding import remember_channels, remember_people
from handlers.teams.devkit.standin import SEND_LIMITS, TENANT_LIMITS, TeamsStandIn
from handlers.teams.notifier import SEND_POLICY, TeamsNotifier
from scheduler.pacing import Window
from scheduler.sweep import sweep
from store.database import Database, make_engine
from store.migrate import upgrade
from store.models import Delivery

WEDNESDAY = dt.datetime(2026, 3, 11, 14, 30, tzinfo=dt.timezone.utc)  # 09:00 has passed in every seeded zone
ZONES = ("Africa/Nairobi", "America/Bogota", "Europe/Rome", "Asia/Bangkok", "UTC")
BATCH = 500


def least_time(count: int, limits) -> float:
    """The least seconds `count` sends take under sliding windows `limits` (the first at 0)."""
    window, at = Window(limits), 0.0
    for _ in range(count):
        at = max(at, window.ready_at())
        window.add(at)
    return at


def seed(
    actions: ActionService, standin: TeamsStandIn, *, owners, dm_actions, channels, channel_actions, hot_actions, now
):
    people = [standin.add_user(f"Owner {n:05d}", tz=ZONES[n % len(ZONES)]) for n in range(owners)]
    team = standin.add_team("Programme", [f"Channel {n:03d}" for n in range(channels + 1)], members=people[:50])
    created = now - dt.timedelta(days=20)
    remember_people(actions, standin, people, created)
    channel_ids = remember_channels(actions, standin, team, created)[1:]
    hot, spread = channel_ids[0], channel_ids[1:]
    tenant, creator = standin.tenant_id, Actor(people[0]["aadObjectId"])
    due = now.date().isoformat()
    specs = [
        ActionSpec(f"Follow-up {n}", user_owners=[people[n % owners]["aadObjectId"]], due_phrase=due)
        for n in range(dm_actions)
    ]
    for start in range(0, len(specs), BATCH):
        actions.add_many(tenant, creator, specs[start : start + BATCH], created)
    by_channel: dict[str, list[ActionSpec]] = defaultdict(list)
    for n in range(channel_actions if spread else 0):
        by_channel[spread[n % len(spread)]].append(
            ActionSpec(f"Channel follow-up {n}", named_owners=["KM team"], due_phrase=due)
        )
    by_channel[hot] += [
        ActionSpec(f"Busy follow-up {n}", named_owners=["KM team"], due_phrase=due) for n in range(hot_actions)
    ]
    for channel, channel_specs in by_channel.items():
        for start in range(0, len(channel_specs), BATCH):
            actions.add_many(tenant, creator, channel_specs[start : start + BATCH], created, channel_id=channel)


def run_teams_delivery(
    db: str,
    *,
    owners: int = 1500,
    dm_actions: int = 3000,
    channels: int = 40,
    channel_actions: int = 400,
    hot_actions: int = 2200,
    workers: int = 8,
    budget: float | None = None,
    pg_url: str | None = None,
    now: dt.datetime = WEDNESDAY,
    clock: FakeTime | None = None,
) -> dict:
    """Seed a fresh `db` with a tenant, then sweep through the rate-limited stand-in until nothing is left
    (on `clock`, a FakeTime; None: real time)."""
    pacing = clock or WALL
    reading = clock or time.monotonic
    with fresh_database(db, pg_url) as url, TeamsStandIn() as standin:
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        database = Database(url)
        try:
            actions = ActionService(database, platform="teams")
            seed(
                actions,
                standin,
                owners=owners,
                dm_actions=dm_actions,
                channels=channels,
                channel_actions=channel_actions,
                hot_actions=hot_actions,
                now=now,
            )
            credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url)
            notifier = TeamsNotifier(actions, BotConnector(credentials, policy=SEND_POLICY), LoopThread("bench-teams"))
            planned = sweep(actions, None, now, dry_run=True).planned
            expected = {n.key for n in planned}
            standin.limit(reading)
            began = reading()
            options = {"workers": workers, "clock": pacing} | ({"budget": budget} if budget else {})
            sweeps, sent, failed, throttled = sweep_until_done(actions, notifier, now, options)
            standin.limit(None)
            with database.session() as s:
                rows = s.execute(
                    select(Delivery.kind, Delivery.subject, Delivery.occurrence, Delivery.status, Delivery.ref)
                ).all()
        finally:
            database.dispose()
        calls = [c for c in standin.sent if c.kind != "token"]

    accepted = [c for c in calls if c.kind in ("send", "reply") and c.status == 201]
    digests = Counter(
        (c.conversation_id, hashlib.sha1(json.dumps(c.body, sort_keys=True).encode()).hexdigest()) for c in accepted
    )
    duplicates = sum(n - 1 for n in digests.values())
    status = {(kind, subject, occurrence): st for kind, subject, occurrence, st, _ in rows}
    lost_notices = sorted(k for k in expected if status.get(k) != "sent")
    lost_messages = max(0, len(planned) - len(accepted))
    per_conversation: dict[str, list[float]] = defaultdict(list)
    for c in accepted:
        per_conversation[c.conversation_id].append(c.at)
    busiest_id, busiest = max(per_conversation.items(), key=lambda kv: len(kv[1]), default=("", []))
    others = sorted(t for cid, stamps in per_conversation.items() if cid != busiest_id for t in stamps)
    last = max((c.at for c in accepted), default=began)
    # per tenant: while the other conversations' messages went, the tenant's 50/s was the bound
    stamps = sorted(c.at for c in accepted)
    during = [t for t in stamps if others and others[0] <= t <= others[-1]]
    tenant_rate = (len(during) - 1) / (during[-1] - during[0]) if len(during) > 1 and during[-1] > during[0] else 0.0
    tenant_allowed = TENANT_LIMITS[0][0] / TENANT_LIMITS[0][1]
    conversation_least = least_time(len(busiest), SEND_LIMITS)
    conversation_took = (max(busiest) - began) if busiest else 0.0
    least = max(least_time(len(accepted), TENANT_LIMITS), conversation_least)
    elapsed = max(last - began, 1e-9)
    return {
        "db": db,
        "platform": "teams",
        "notices": len(planned),
        "messages": len(planned),
        "planned_by_kind": dict(Counter(n.kind for n in planned)),
        "conversations": len(per_conversation),
        "busiest_conversation": len(busiest),
        "workers": workers,
        "clock": "fake" if clock else "real",
        "tenant_per_s": round(tenant_rate, 2),
        "tenant_allowed_per_s": tenant_allowed,
        "tenant_share": round(tenant_rate / tenant_allowed, 3),
        "conversation_least_s": round(conversation_least, 1),
        "conversation_took_s": round(conversation_took, 1),
        "conversation_share": round(conversation_least / conversation_took, 3) if conversation_took else None,
        "least_s": round(least, 1),
        "allowed_per_s": round(len(planned) / least, 2) if least else None,
        "achieved_per_s": round(len(accepted) / elapsed, 2),
        "ratio": round(least / elapsed, 3) if least else None,
        "elapsed_s": round(elapsed, 1),
        "sweeps": sweeps,
        "sent": sent,
        "failed": failed,
        "duplicates": duplicates,
        "lost": len(lost_notices) + lost_messages,
        "lost_notices": [list(k) for k in lost_notices[:20]],
        "accepted": len(accepted),
        "throttled": {"send": throttled, "429s": sum(1 for c in calls if c.kind.startswith("ratelimited:"))},
    }


HEADER = [
    "database",
    "messages",
    "tenant/s",
    "tenant share",
    "busiest",
    "its least s",
    "it took s",
    "conversation share",
    "overall",
    "duplicates",
    "lost",
    "429s",
    "sweeps",
]


def row_of(r: dict) -> list[str]:
    """A run's row; a share only where its limit is what bound the run and the clock can judge it (the
    tenant's on real time, the busiest conversation's when its windows needed longest)."""
    share = r["conversation_share"] if r["conversation_least_s"] >= r["least_s"] else None
    tenant_share = f"{r['tenant_share']:.0%}" if r.get("clock") == "real" else "-"
    return [
        r["db"],
        str(r["messages"]),
        f"{r['tenant_per_s']:.1f}",
        tenant_share,
        str(r["busiest_conversation"]),
        f"{r['conversation_least_s']:.0f}",
        f"{r['conversation_took_s']:.0f}",
        f"{share:.0%}" if share is not None else "-",
        f"{r['ratio']:.0%}" if r["ratio"] is not None else "-",
        str(r["duplicates"]),
        str(r["lost"]),
        str(r["throttled"]["429s"]),
        str(len(r["sweeps"])),
    ]
