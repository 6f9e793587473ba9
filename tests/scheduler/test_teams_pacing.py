"""The send loop at Teams' published limits, on fake time (nothing here sleeps): per conversation 7 a
second, 8 per 2 s, 60 per 30 s, 1,800 an hour; per tenant 50 requests a second. Paced to them up front
(`Pace.windows`, `Pace.workspace`), a sweep with a busy channel and many personal chats gets no 429 from
the stand-in in its rate-limit mode, and what it sent keeps to every window. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.grammar import ActionSpec  # noqa: E402
from bot.core.records import Actor  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from handlers.slack.devkit.fake_time import FakeTime  # noqa: E402
from handlers.teams.bridge import LoopThread  # noqa: E402
from handlers.teams.connector import BotConnector, ClientCredentials  # noqa: E402
from handlers.teams.devkit.seeding import remember_channels, remember_people  # noqa: E402
from handlers.teams.devkit.standin import SEND_LIMITS, TENANT_LIMITS, TeamsStandIn  # noqa: E402
from handlers.teams.notifier import PER_CONVERSATION, PER_TENANT, SEND_POLICY, TeamsNotifier  # noqa: E402
from scheduler.pacing import Window  # noqa: E402
from scheduler.sweep import sweep  # noqa: E402

UTC = dt.timezone.utc
CREATED = dt.datetime(2014, 11, 21, 15, 0, tzinfo=UTC)
NOW = dt.datetime(2014, 12, 10, 12, 0, tzinfo=UTC)  # Dec 10's due-day nudges are due in UTC


def within(stamps: list[float], limits) -> bool:
    """No `count + 1` of the instants fall inside any window of `seconds` (the stand-in's rule)."""
    stamps = sorted(stamps)
    return all(
        stamps[i + count] - stamps[i] >= seconds - 1e-9 for count, seconds in limits for i in range(len(stamps) - count)
    )


def test_the_published_limits_are_teams_own():
    assert PER_CONVERSATION == SEND_LIMITS and PER_TENANT == TENANT_LIMITS


def test_a_window_lets_through_no_more_than_it_allows_and_counts_sends_in_flight():
    window = Window(((7, 1.0), (8, 2.0), (60, 30.0)))
    t, sent = 0.0, []
    for _ in range(200):
        t = max(t, window.ready_at())
        window.add(t)
        sent.append(t)
    assert within(sent, ((7, 1.0), (8, 2.0), (60, 30.0)))
    assert sent[6] == 0.0 and sent[7] >= 1.0 and sent[60] >= 30.0  # a burst, then the longer windows bite
    assert sent[-1] < 30 * (200 // 60) + 30  # and no slower than they ask

    tenant = Window(((2, 1.0),))
    tenant.start()
    tenant.start()
    assert tenant.ready_at() == float("inf")  # two in flight fill it: not before one is over
    tenant.done(5.0)
    tenant.done(5.0, sent=False)  # never made: does not count
    assert tenant.ready_at() == float("-inf")
    tenant.add(5.2)
    assert 6.0 < tenant.ready_at() < 6.01


@pytest.fixture
def teams():
    with TeamsStandIn() as standin:
        yield standin


def notifier_for(actions: ActionService, standin: TeamsStandIn) -> TeamsNotifier:
    credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url)
    return TeamsNotifier(actions, BotConnector(credentials, policy=SEND_POLICY), LoopThread("test-teams-pacing"))


def test_a_busy_channel_and_many_chats_go_out_at_teams_limits_without_a_429(db, teams):
    actions = ActionService(db, platform="teams")
    tenant = teams.tenant_id
    people = [teams.add_user(f"Person {i:03d}", tz="UTC") for i in range(130)]
    team = teams.add_team("Programme", ["Hot"], members=people)
    remember_people(actions, teams, people, CREATED)
    hot = remember_channels(actions, teams, team, CREATED)[1]
    creator = Actor(people[0]["aadObjectId"])
    due = "Dec 10, 2014"
    actions.add_many(
        tenant,
        creator,
        [ActionSpec(f"Own {i}", user_owners=[p["aadObjectId"]], due_phrase=due) for i, p in enumerate(people)],
        CREATED,
    )
    actions.add_many(
        tenant,
        creator,
        [ActionSpec(f"Team {i}", named_owners=["KM team"], due_phrase=due) for i in range(90)],
        CREATED,
        channel_id=hot,
    )
    fake = FakeTime()
    teams.limit(fake)
    notifier = notifier_for(actions, teams)
    report = sweep(actions, notifier, NOW, clock=fake)

    assert len(report.sent) == 130 + 90 and not report.failed and report.throttled == 0
    calls = [s for s in teams.sent if s.kind != "token"]
    assert not [s for s in calls if s.status != 201]  # not one 429
    by_conversation = defaultdict(list)
    for s in calls:
        by_conversation[s.conversation_id].append(s.at)
    assert len(by_conversation[hot]) == 90 and len(by_conversation) == 131
    assert all(within(stamps, SEND_LIMITS) for stamps in by_conversation.values())
    assert within([s.at for s in calls], TENANT_LIMITS)
    assert max(by_conversation[hot]) - min(by_conversation[hot]) >= 30.0  # the 60-per-30-s window did bite

    # the next sweep through the same notifier goes on from what this one sent: no fresh burst
    more = [ActionSpec(f"Later {i}", named_owners=["KM team"], due_phrase=due) for i in range(20)]
    actions.add_many(tenant, creator, more, CREATED, channel_id=hot)
    report = sweep(actions, notifier, NOW, clock=fake)
    assert len(report.sent) == 20 and report.throttled == 0
    to_hot = [s for s in teams.sent if s.conversation_id == hot]
    assert len(to_hot) == 110 and all(s.status == 201 for s in to_hot) and within([s.at for s in to_hot], SEND_LIMITS)
