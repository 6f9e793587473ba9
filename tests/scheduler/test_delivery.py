"""The sweep's send loop against a rate-limited Slack stand-in, on fake time (nothing here sleeps): a busy
channel waits without holding up the others, a workspace limit pauses the workspace instead of being
hammered, a time budget leaves the rest to the next sweep, and every notice goes out exactly once, also
with two sweeps racing. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from bot.core.grammar import ActionSpec
from bot.core.notices import TOLD_ON_CHANGE
from bot.core.records import Actor
from handlers.slack.clients import web_client
from handlers.slack.devkit.fake_time import FakeTime
from handlers.slack.devkit.ratelimits import Rate, RateLimits
from handlers.slack.notifier import SlackNotifier
from scheduler.sweep import sweep
from store.models import Delivery
from tests.conftest import TEAM

UTC = dt.timezone.utc
CREATED = dt.datetime(2014, 11, 21, 15, 0, tzinfo=UTC)
NOW = dt.datetime(2014, 12, 10, 10, 0, tzinfo=UTC)  # a Wednesday: the due-day nudges of Dec 10 are due


@pytest.fixture
def fake():
    return FakeTime()


@pytest.fixture
def notifier(slack):
    client = web_client(slack.bot_token, slack.api_url)
    return SlackNotifier(lambda team_id: client)


def limit(slack, fake, *, channel=Rate(1.0, 3.0), posts=None, opens=None) -> RateLimits:
    per_method = {}
    if posts:
        per_method["chat.postMessage"] = posts
    if opens:
        per_method["conversations.open"] = opens
    limits = RateLimits(per_channel=channel, per_method=per_method, clock=fake)
    slack.limit(limits)
    return limits


def seed(service, *, dms: int = 0, hot: int = 0, channel: str = "CHOT") -> None:
    """`dms` actions each nudging a different user by DM, `hot` nudging named owners in one channel."""
    tim = Actor("UTIM")
    if dms:
        service.add_many(
            TEAM,
            tim,
            [
                ActionSpec(f"Personal follow-up {i}", user_owners=[f"UDM{i:03d}"], due_phrase="Dec 10, 2014")
                for i in range(dms)
            ],
            CREATED,
        )
    if hot:
        service.add_many(
            TEAM,
            tim,
            [
                ActionSpec(f"Team follow-up {i}", named_owners=["KM Regional Coordinators"], due_phrase="Dec 10, 2014")
                for i in range(hot)
            ],
            CREATED,
            channel_id=channel,
        )


def statuses(db) -> Counter:
    """The nudges' ledger rows by status (not the new owners' DMs their creation wrote, long past)."""
    with db.session() as s:
        return Counter(s.scalars(select(Delivery.status).where(Delivery.kind.not_in(TOLD_ON_CHANGE))))


def accepted_once(slack) -> Counter:
    return Counter((p.channel, p.text) for p in slack.posted)


def test_a_busy_channel_waits_without_holding_up_the_others(service, notifier, slack, fake, db):
    seed(service, dms=20, hot=20)
    limit(slack, fake)
    start = fake.now()
    report = sweep(service, notifier, NOW, workers=1, clock=fake)  # one sender: ordering is the whole story

    assert len(report.sent) == 40 and report.failed == [] and report.left == 0
    hot = [p for p in slack.posted if p.channel == "CHOT"]
    dms = [p for p in slack.posted if p.channel.startswith("D")]
    assert len(hot) == 20 and len(dms) == 20
    # the channel took its burst, was told to wait, and every DM went out meanwhile, with no waiting at all
    assert all(p.at == start for p in dms)
    assert max(p.at for p in hot) - start >= 20 - 3  # one a second after the burst: Slack's pace
    assert all(b.at - a.at >= 1.0 for a, b in zip(hot[3:], hot[4:]))  # paced after the first 429
    assert report.throttled == 1  # told once; from then on the lane kept Slack's pace by itself
    assert set(accepted_once(slack).values()) == {1} and statuses(db) == Counter({"sent": 40})


def test_a_workspace_limit_pauses_the_workspace_instead_of_hammering_it(service, notifier, slack, fake, db):
    seed(service, dms=60)
    limit(slack, fake, posts=Rate.per_minute(60, burst=5), opens=Rate.per_minute(600, burst=60))
    start = fake.now()
    report = sweep(service, notifier, NOW, clock=fake)

    assert len(report.sent) == 60 and report.failed == []
    rejected = slack.calls_to("ratelimited:chat.postMessage")
    # a 429 pauses every DM of the workspace for its Retry-After: a handful of 429s, not one per message
    assert 0 < len(rejected) <= 20
    assert max(p.at for p in slack.posted) - start >= (60 - 5) / 1.0 - 1  # the limit was the pace
    assert set(accepted_once(slack).values()) == {1} and statuses(db) == Counter({"sent": 60})


def test_dm_channels_are_opened_once_per_user(service, notifier, slack, fake):
    seed(service, dms=3)
    sweep(service, notifier, NOW, clock=fake)
    sweep(service, notifier, dt.datetime(2014, 12, 11, 10, 0, tzinfo=UTC), clock=fake)  # the +1 nudges
    assert len(slack.calls_to("chat.postMessage")) == 6
    assert sorted(c.params["users"] for c in slack.calls_to("conversations.open")) == ["UDM000", "UDM001", "UDM002"]


def test_a_time_budget_leaves_the_rest_to_the_next_sweeps(service, notifier, slack, fake, db):
    seed(service, hot=20)
    limit(slack, fake)
    first = sweep(service, notifier, NOW, clock=fake, budget=5.0)
    assert 0 < len(first.sent) < 20 and first.left == 20 - len(first.sent) and first.failed == []
    assert statuses(db) == Counter({"sent": len(first.sent)})  # nothing left claimed: nothing to expire
    sweeps, sent = 1, len(first.sent)
    while sent < 20 and sweeps < 10:
        sent += len(sweep(service, notifier, NOW + dt.timedelta(minutes=sweeps), clock=fake, budget=5.0).sent)
        sweeps += 1
    assert sent == 20 and sweeps > 2
    assert sweep(service, notifier, NOW + dt.timedelta(minutes=sweeps), clock=fake).planned == []
    assert len(slack.posted) == 20 and set(accepted_once(slack).values()) == {1}


def test_claims_are_stamped_when_they_are_made_not_when_the_sweep_began(service, notifier, slack, fake, db):
    """A long sweep's late claims must not look older than they are, or a second scheduler would take
    them over after the lease and send them again."""
    seed(service, hot=15)
    limit(slack, fake)
    sweep(service, notifier, NOW, clock=fake)
    with db.session() as s:
        claimed = sorted(s.scalars(select(Delivery.claimed_at)))
        sent = sorted(s.scalars(select(Delivery.sent_at)))
    assert claimed[0] - NOW < dt.timedelta(seconds=1)
    assert claimed[-1] - NOW >= dt.timedelta(seconds=15 - 3 - 1)
    assert all(b >= c for b, c in zip(sent, claimed))


def test_two_sweeps_racing_send_everything_once(service, notifier, slack, fake, db):
    seed(service, dms=30, hot=12)
    seed(service, hot=12, channel="CHOT2")
    limit(slack, fake, posts=Rate.per_minute(300, burst=10))
    reports = []

    def run(name):
        reports.append(sweep(service, notifier, NOW, clock=fake, claimer=name, workers=4))

    threads = [threading.Thread(target=run, args=(f"clock-{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(len(r.sent) for r in reports) == 54
    assert sum(r.skipped for r in reports) >= 1  # they did race for the same notices
    assert len(slack.posted) == 54 and set(accepted_once(slack).values()) == {1}
    assert statuses(db) == Counter({"sent": 54})
    with db.session() as s:
        assert {
            c.rsplit("-", 1)[0]
            for c in s.scalars(select(Delivery.claimed_by).where(Delivery.kind.not_in(TOLD_ON_CHANGE)))
        } == {"clock"}


def test_the_stand_in_limits_only_when_asked(slack, fake):
    client = web_client(slack.bot_token, slack.api_url)
    for _ in range(5):
        assert client.chat_postMessage(channel="CFREE", text="no limits by default")["ok"]
    assert slack.posted == [] and slack.calls_to("ratelimited:chat.postMessage") == []

    limit(slack, fake, posts=Rate.per_minute(60, burst=4))
    raw = web_client(slack.bot_token, slack.api_url)
    raw.retry_handlers.clear()  # see every 429 as it comes
    from slack_sdk.errors import SlackApiError

    outcomes = []
    for channel in ("CA", "CA", "CA", "CA", "CB"):
        try:
            raw.chat_postMessage(channel=channel, text="hello")
            outcomes.append("ok")
        except SlackApiError as err:
            outcomes.append((err.response.status_code, err.response["error"], err.response.headers["Retry-After"]))
    # the channel's burst is 3; then the workspace's 4 are spent too
    assert outcomes == ["ok", "ok", "ok", (429, "ratelimited", "1"), "ok"]
    try:
        raw.chat_postMessage(channel="CC", text="the workspace is out")
        raise AssertionError("expected a 429")
    except SlackApiError as err:
        assert err.response.status_code == 429
    fake.advance(1.0)
    assert raw.chat_postMessage(channel="CC", text="a second later")["ok"]
    assert [(p.channel, p.text) for p in slack.posted] == [("CA", "hello")] * 3 + [
        ("CB", "hello"),
        ("CC", "a second later"),
    ]
