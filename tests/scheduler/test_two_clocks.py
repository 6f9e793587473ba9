"""Two clock processes on one PostgreSQL database for a simulated week: every nudge, escalation and
summary goes out exactly once. Each process runs the clock's own sweep job; a barrier makes both sweep
every simulated instant together, so they race for every single delivery."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import Counter

import pytest
from sqlalchemy import select

from bot.core.grammar import ActionSpec
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from store.models import Delivery
from tests.conftest import TEAM

UTC = dt.timezone.utc
WEEK_START = dt.datetime(2014, 12, 8, 0, 0, tzinfo=UTC)
STEP = dt.timedelta(minutes=15)
STEPS = 7 * 24 * 4
ZONES = {
    "UPAT": "America/Bogota",
    "UNAI": "Africa/Nairobi",
    "UBKK": "Asia/Bangkok",
    "UJEN": "America/New_York",
    "ULEAD": "Europe/Zurich",
    "UTIM": "Europe/Rome",
}


def clock_process(name: str, db_url: str, token: str, api_url: str, barrier, results) -> None:
    """One `actionbot clock`: its sweep job, run at each simulated instant."""
    from bot.config import Config
    from bot.runtime import action_service, scheduler_services
    from scheduler.clock import install, sweep_job
    from store.database import Database

    config = Config(
        bot_token=token,
        signing_secret=None,
        app_token=None,
        api_url=api_url,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
    )
    now = [WEEK_START]
    services = scheduler_services(config, action_service(config, Database(db_url), "slack"), clock=lambda: now[0])
    install(services)
    for step in range(STEPS):
        now[0] = WEEK_START + step * STEP
        barrier.wait(timeout=120)
        sweep_job()
    results.put(name)


@pytest.fixture
def pg_url(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("two clock processes need PostgreSQL")
    return db_url


def test_two_clocks_send_everything_exactly_once(pg_url, service, slack, db):
    created = dt.datetime(2014, 12, 1, 12, 0, tzinfo=UTC)
    people = PeopleService(service)
    for uid, tz in ZONES.items():
        people.remember(TEAM, uid, created, name=uid.lower(), tz=tz)
    RegionService(service).add(
        TEAM,
        Actor("UADMIN", is_admin=True),
        RegionSpec("Asia-Pacific", aliases=["Asia"], channel_id="CASIA", lead_user_id="ULEAD", timezone="Asia/Bangkok"),
        created,
    )
    tim = Actor("UTIM", tz="Europe/Rome")
    service.add(
        TEAM, tim, ActionSpec("Three zones", user_owners=["UPAT", "UNAI", "UBKK"], due_phrase="Dec 10, 2014"), created
    )
    service.add(
        TEAM, tim, ActionSpec("Long overdue", user_owners=["UJEN"], due_phrase="Dec 1, 2014", region="Asia"), created
    )
    service.add(
        TEAM,
        tim,
        ActionSpec("Named owners", named_owners=["Regional KM team"], due_phrase="Dec 12, 2014", region="Asia"),
        created,
    )

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    clocks = [
        ctx.Process(target=clock_process, args=(f"clock-{i}", pg_url, slack.bot_token, slack.api_url, barrier, results))
        for i in (1, 2)
    ]
    for p in clocks:
        p.start()
    for p in clocks:
        p.join(timeout=600)
    assert [p.exitcode for p in clocks] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in clocks) == ["clock-1", "clock-2"]

    with db.session() as s:
        rows = s.scalars(select(Delivery)).all()
        ledger = Counter((r.kind, r.recipient, r.occurrence.split("/user:")[0].split("/channel:")[0]) for r in rows)
        assert {r.status for r in rows} == {"sent"}
        refs = [r.ref for r in rows]
        claimers = {r.claimed_by for r in rows}
    expected = Counter(
        {
            # three owners: the Friday catch-up of "3 days before" (sent at the first sweep), due day, 1 day after
            **{
                ("nudge", f"user:{u}", f"2014-12-10/{o}"): 1
                for u in ("UPAT", "UNAI", "UBKK")
                for o in ("-3", "+0", "+1")
            },
            ("nudge", "user:UJEN", "2014-12-01/+1"): 1,  # catch-up: the latest missed one only
            ("nudge", "user:UJEN", "2014-12-01/+8"): 1,
            ("escalation", "user:ULEAD", "2014-12-01/esc0"): 1,
            ("nudge", "channel:CASIA", "2014-12-12/-3"): 1,
            ("nudge", "channel:CASIA", "2014-12-12/+0"): 1,
            ("summary", "channel:CASIA", "2014-W50"): 1,
            # each new owner told of their action once (keyed by the change's history event)
            **{("assigned", f"user:{u}", "1"): 1 for u in ("UPAT", "UNAI", "UBKK")},
            ("assigned", "user:UJEN", "2"): 1,
        }
    )
    assert ledger == expected
    posted = [c for c in slack.calls_to("chat.postMessage")]
    assert len(posted) == sum(expected.values())  # nothing sent twice, nothing lost
    assert len(set(refs)) == len(refs)
    assert {c.rsplit(":", 1)[1] for c in claimers} <= {str(p.pid) for p in clocks}
