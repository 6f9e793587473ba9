"""One clock, two platforms, a hostile week: a Slack workspace and a Teams tenant on one database, swept
together every hour for a week (explicit `now`, the send loops on fake time), while 30% of both
platforms' calls fail (429 with Retry-After, 5xx, 412, dropped connections). Every nudge, escalation,
new-owner notice and summary planned is delivered exactly once on each platform: the ledger, what was
planned and what each stand-in accepted agree. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.grammar import ActionSpec  # noqa: E402
from bot.core.people import PeopleService  # noqa: E402
from bot.core.records import Actor  # noqa: E402
from bot.core.regions import RegionService, RegionSpec  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from handlers.slack.clients import web_client  # noqa: E402
from handlers.slack.devkit.fake_time import FakeTime  # noqa: E402
from handlers.slack.notifier import SlackNotifier  # noqa: E402
from handlers.teams.bridge import LoopThread  # noqa: E402
from handlers.teams.connector import BotConnector, ClientCredentials  # noqa: E402
from handlers.teams.devkit.seeding import remember_channels, remember_people  # noqa: E402
from handlers.teams.devkit.standin import TeamsStandIn  # noqa: E402
from handlers.teams.notifier import SEND_POLICY, TeamsNotifier  # noqa: E402
from scheduler.sweep import Outlet, sweep_all  # noqa: E402
from store.models import Delivery, Workspace  # noqa: E402
from tests.conftest import TEAM  # noqa: E402

UTC = dt.timezone.utc
CREATED = dt.datetime(2014, 12, 1, 12, 0, tzinfo=UTC)
WEEK = (dt.datetime(2014, 12, 8, 0, 0, tzinfo=UTC), dt.datetime(2014, 12, 15, 12, 0, tzinfo=UTC))  # Mon to Mon
DUE, OVERDUE = "Dec 10, 2014", "Dec 1, 2014"


def seed_slack(actions: ActionService, slack) -> None:
    zones = {"UPAT": "America/Bogota", "UNAI": "Africa/Nairobi", "UJEN": "America/New_York", "UTIM": "Europe/Rome"}
    slack.add_user("UNAI", "nai", tz=zones["UNAI"])
    for uid, tz in zones.items():
        PeopleService(actions).remember(TEAM, uid, CREATED, name=uid.lower(), tz=tz)
    RegionService(actions).add(
        TEAM, Actor("UADMIN", is_admin=True), RegionSpec("Asia", channel_id="CASIA", timezone="Asia/Bangkok"), CREATED
    )
    tim = Actor("UTIM", tz="Europe/Rome")
    actions.add(TEAM, tim, ActionSpec("Two zones", user_owners=["UPAT", "UNAI"], due_phrase=DUE), CREATED)
    actions.add(TEAM, tim, ActionSpec("Overdue", user_owners=["UJEN"], due_phrase=OVERDUE), CREATED)
    actions.add(TEAM, tim, ActionSpec("Asia's", named_owners=["Asia team"], due_phrase=DUE, region="Asia"), CREATED)


def seed_teams(actions: ActionService, teams: TeamsStandIn) -> None:
    lina = teams.add_user("Lina Haddad", tz="Africa/Nairobi")
    omar = teams.add_user("Omar Farouk", tz="America/Bogota")
    tim = teams.add_user("Tim Boyle", tz="Europe/Rome")
    lead = teams.add_user("Ayo Lead", tz="Africa/Lagos")
    team = teams.add_team("Programme", ["Africa"], members=[lina, omar, tim, lead])
    remember_people(actions, teams, [lina, omar, tim, lead], CREATED)
    africa = remember_channels(actions, teams, team, CREATED)[1]
    tenant = teams.tenant_id
    RegionService(actions).add(
        tenant,
        Actor(tim["aadObjectId"], is_admin=True),
        RegionSpec("Africa", channel_id=africa, lead_user_id=lead["aadObjectId"], timezone="Africa/Nairobi"),
        CREATED,
    )
    creator = Actor(tim["aadObjectId"], tz="Europe/Rome")
    owners = [lina["aadObjectId"], omar["aadObjectId"]]
    actions.add(tenant, creator, ActionSpec("Teams two zones", user_owners=owners, due_phrase=DUE), CREATED)
    actions.add(
        tenant, creator, ActionSpec("Teams overdue", user_owners=[omar["aadObjectId"]], due_phrase=OVERDUE), CREATED
    )
    africa_action = ActionSpec("Africa's", named_owners=["Africa team"], due_phrase=DUE, region="Africa")
    actions.add(tenant, creator, africa_action, CREATED)


def ledger(db, platform: str) -> list[Delivery]:
    with db.session() as s:
        return list(
            s.scalars(
                select(Delivery)
                .join(Workspace, Workspace.id == Delivery.workspace_id)
                .where(Workspace.platform == platform)
            )
        )


def test_a_hostile_week_on_two_platforms_delivers_everything_exactly_once(db, slack):
    on_slack, on_teams = ActionService(db, platform="slack"), ActionService(db, platform="teams")
    with TeamsStandIn() as teams:
        seed_slack(on_slack, slack)
        seed_teams(on_teams, teams)
        client = web_client(slack.bot_token, slack.api_url)
        credentials = ClientCredentials(teams.app_id, teams.app_password, teams.token_url)
        outlets = [
            Outlet(on_slack, SlackNotifier(lambda team_id: client)),
            Outlet(
                on_teams, TeamsNotifier(on_teams, BotConnector(credentials, policy=SEND_POLICY), LoopThread("week"))
            ),
        ]
        fake = FakeTime()
        teams.limit(fake)
        slack.chaos(0.3, seed=17, methods={"chat.postMessage", "conversations.open"})
        teams.chaos(0.3, seed=17)
        planned: set[tuple[str, str, str, str]] = set()
        now, end = WEEK
        while now <= end:
            report = sweep_all(outlets, now, clock=fake)
            planned |= {(n.team_id, n.kind, n.subject, n.occurrence) for n in report.planned}
            now += dt.timedelta(hours=1)
        slack.chaos(0)
        teams.chaos(0)
        report = sweep_all(outlets, now, clock=fake)  # what failed in the last hour goes now
        planned |= {(n.team_id, n.kind, n.subject, n.occurrence) for n in report.planned}

    slack_rows, teams_rows = ledger(db, "slack"), ledger(db, "teams")
    for rows in (slack_rows, teams_rows):
        assert rows and {r.status for r in rows} == {"sent"}  # none lost, none given up
    tenant = teams.tenant_id
    keys = {(TEAM, r.kind, r.subject, r.occurrence) for r in slack_rows}
    keys |= {(tenant, r.kind, r.subject, r.occurrence) for r in teams_rows}
    assert keys == planned  # what was planned is what was sent, on each platform
    for rows in (slack_rows, teams_rows):
        kinds = Counter(r.kind for r in rows)
        assert kinds["summary"] == 2 and kinds["assigned"] == 3  # Mondays Dec 8 and Dec 15; three new owners
        assert kinds["escalation"] >= 1 and kinds["nudge"] >= 3 * 3  # two owners and a channel, 3 nudges each

    # Slack took each message once: every call that reached it, less those the chaos failed
    injected = Counter(c.method for c in slack.calls if c.method.startswith(("failed:", "dropped:")))
    assert injected["failed:chat.postMessage"] and injected["dropped:chat.postMessage"]  # the chaos happened
    posted = len(slack.calls_to("chat.postMessage")) - injected["failed:chat.postMessage"]
    assert posted == len(slack_rows) and len({r.ref for r in slack_rows}) == len(slack_rows)

    # Teams took each message once: the activities it created are exactly the ledger's
    refused = Counter(s.kind.split(":")[0] for s in teams.sent if ":" in s.kind)
    assert refused["failed"] and refused["dropped"] and refused["ratelimited"] == 0  # chaos, never over a limit
    created = [s.created_id for s in teams.sent if s.kind in ("send", "reply") and s.status == 201]
    assert len(created) == len(set(created)) == len(teams_rows)
    assert {r.ref for r in teams_rows} == set(created)
