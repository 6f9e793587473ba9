"""A store for any chat platform, on SQLite and PostgreSQL: migration 0007 upgrading (and downgrading) a
database with data in place; Microsoft Teams-shaped IDs (a tenant GUID, `29:…` user IDs past 100
characters, `19:…@thread.tacv2` channels) through the core, including who the planner nudges and
escalates to and who hears of a delivery problem; the same external ID on two platforms as two
workspaces; conversation references."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from bot.core.grammar import ActionSpec, ListQuery
from bot.core.ledger import Ledger
from bot.core.planner import Planner
from bot.core.records import CLI, Actor
from bot.core.regions import RegionService, RegionSpec
from bot.core.service import ActionService
from store import queries as q
from store.database import Database, make_engine
from store.migrate import alembic_config, is_current, upgrade
from store.models import ConversationRef
from store.scratch import scratch_database
from tests.conftest import PG_URL, WORKSHOP_NOW

UTC = dt.timezone.utc
START = WORKSHOP_NOW  # Friday 21 November 2014
TENANT = "3f2a7c1e-9b4d-4e8a-a6f0-5c2d1b7e9a43"  # a Teams tenant ID: a GUID
CREATOR = "29:1" + "aB3-xY_9" * 14  # Teams user IDs run past 100 characters
OWNER = "29:1" + "Qz7_Lm-2" * 14
SECOND = "29:1" + "Hk4-Vn_6" * 14
LEAD = "29:1" + "Rt5-Wp_8" * 14
ADMIN = "29:1" + "Ad9_Mn-1" * 14
CHANNEL = "19:" + "a1b2c3d4" * 5 + "e5f6" + "@thread.tacv2"  # 60 characters
SHELL = Actor("cli", is_admin=True, kind=CLI)


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0006(request, tmp_path):
    """A database migrated to 0006 (before this step), on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        engine = make_engine(url)
        upgrade(engine, "0006")
        engine.dispose()
        yield url
        return
    if not PG_URL:
        pytest.skip("ACTIONBOT_TEST_DATABASE_URL is not set")
    with scratch_database(PG_URL, "actionbot_0007") as url:
        engine = make_engine(url)
        upgrade(engine, "0006")
        engine.dispose()
        yield url


def _fill_as_0006_stored_it(conn) -> None:
    """A Slack workspace as 0006 stored it: people, a region whose channel is gone, an action whose
    owner's account is inactive (problems as text), one made at the command line, a sent nudge."""
    now = {"now": START}
    conn.execute(
        text(
            "INSERT INTO workspaces (team_id, name, timezone, date_order, last_number, created_at) "
            "VALUES ('T0OLD', 'Old', 'UTC', 'MDY', 2, :now)"
        ),
        now,
    )
    ws = conn.execute(text("SELECT id FROM workspaces")).scalar()
    for user in ("UTIM", "UPAT", "ULINA"):
        conn.execute(
            text(
                "INSERT INTO people (workspace_id, user_id, name, is_admin, refreshed_at) "
                "VALUES (:ws, :user, :user, :no, :now)"
            ),
            {"ws": ws, "user": user, "no": False, **now},
        )
    conn.execute(
        text(
            "INSERT INTO regions (workspace_id, name, key, channel_id, lead_user_id, working_days, summary_schedule, "
            "created_at, delivery_problem) VALUES (:ws, 'LAC', 'lac', 'CLAC', NULL, 'mon-fri', 'mon 09:00', :now, "
            "'channel:CLAC channel_not_found')"
        ),
        {"ws": ws, **now},
    )
    region = conn.execute(text("SELECT id FROM regions")).scalar()
    for number, title, creator, problem, in_region in (
        (1, "Kept with a problem", "UTIM", "user:UPAT account_inactive", region),
        (2, "Made at the shell", "cli", None, None),
    ):
        conn.execute(
            text(
                "INSERT INTO actions (workspace_id, number, title, status, due_kind, due_date, region_id, created_by, "
                "created_at, updated_at, delivery_problem) VALUES (:ws, :number, :title, 'open', 'date', "
                "'2014-12-01', :region, :creator, :now, :now, :problem)"
            ),
            {
                "ws": ws,
                "number": number,
                "title": title,
                "region": in_region,
                "creator": creator,
                "problem": problem,
                **now,
            },
        )
    first, shell = conn.execute(text("SELECT id FROM actions ORDER BY number")).scalars().all()
    for action, position, user, name in (
        (first, 0, "UPAT", None),
        (first, 1, "ULINA", None),
        (shell, 0, None, "KM team"),
    ):
        conn.execute(
            text(
                "INSERT INTO action_owners (workspace_id, action_id, user_id, name, position) "
                "VALUES (:ws, :action, :user, :name, :position)"
            ),
            {"ws": ws, "action": action, "user": user, "name": name, "position": position},
        )
    conn.execute(
        text(
            "INSERT INTO deliveries (workspace_id, kind, subject, occurrence, action_id, recipient, scheduled_for, "
            "status, attempts, claimed_by, claimed_at, parts_sent, ref) VALUES (:ws, 'nudge', :subject, "
            "'2014-11-28/-3/user:ULINA', :action, 'user:ULINA', :now, 'sent', 1, 'sweep', :now, 1, '1416992400.000100')"
        ),
        {"ws": ws, "subject": f"action:{first}", "action": first, **now},
    )


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_upgrading_from_0006_keeps_the_data_and_splits_problems_and_downgrading_restores_them(at_0006):
    engine = make_engine(at_0006)
    try:
        with engine.begin() as conn:
            _fill_as_0006_stored_it(conn)
        upgrade(engine)
        assert is_current(engine)
        assert _rows(engine, "SELECT platform, team_id, name FROM workspaces") == [("slack", "T0OLD", "Old")]
        assert _rows(
            engine,
            "SELECT number, creator_kind, delivery_problem_recipient, delivery_problem_code "
            "FROM actions ORDER BY number",
        ) == [(1, "user", "user:UPAT", "account_inactive"), (2, "cli", None, None)]
        assert _rows(engine, "SELECT delivery_problem_recipient, delivery_problem_code FROM regions") == [
            ("channel:CLAC", "channel_not_found")
        ]
        assert _rows(engine, "SELECT recipient, occurrence, ref FROM deliveries") == [
            ("user:ULINA", "2014-11-28/-3/user:ULINA", "1416992400.000100")
        ]
        assert "delivery_problem" not in {c["name"] for c in inspect(engine).get_columns("actions")}

        db = Database(at_0006)
        try:  # the core reads the upgraded rows as it would have read them before
            slack = ActionService(db, platform="slack")
            listing = slack.list("T0OLD", None, ListQuery(status="all"), START)
            assert [(a.number, a.title, a.owner_ids) for a in listing.actions] == [
                (1, "Kept with a problem", ("UPAT", "ULINA")),
                (2, "Made at the shell", ()),
            ]
            # Monday 1 December, the due day: Lina is nudged, Pat (inactive) is not; the shell's action
            # with a named owner and no channel nudges nobody; LAC's channel is gone: no summary
            planned = Planner(slack).plan("T0OLD", dt.datetime(2014, 12, 1, 12, 0, tzinfo=UTC))
            assert [(n.kind, n.recipient) for n in planned] == [("nudge", "user:ULINA")]
        finally:
            db.dispose()

        command.downgrade(alembic_config(engine), "0006")
        assert _rows(engine, "SELECT number, delivery_problem FROM actions ORDER BY number") == [
            (1, "user:UPAT account_inactive"),
            (2, None),
        ]
        assert _rows(engine, "SELECT delivery_problem FROM regions") == [("channel:CLAC channel_not_found",)]
        assert "platform" not in {c["name"] for c in inspect(engine).get_columns("workspaces")}
        assert [u["column_names"] for u in inspect(engine).get_unique_constraints("workspaces")] == [["team_id"]]
        upgrade(engine)
        assert _rows(engine, "SELECT number, creator_kind, delivery_problem_code FROM actions ORDER BY number") == [
            (1, "user", "account_inactive"),
            (2, "cli", None),
        ]
    finally:
        engine.dispose()


def test_downgrading_below_0007_refuses_while_a_teams_workspace_is_stored(at_0006):
    engine = make_engine(at_0006)
    try:
        upgrade(engine)
        db = Database(at_0006)
        ActionService(db, platform="teams").add(TENANT, Actor(CREATOR), ActionSpec("Kept"), START)
        db.dispose()
        with pytest.raises(RuntimeError, match="other than Slack"):
            command.downgrade(alembic_config(engine), "0006")
        assert is_current(engine)
        assert _rows(engine, "SELECT platform, team_id FROM workspaces") == [("teams", TENANT)]
    finally:
        engine.dispose()


def test_teams_ids_round_trip_through_the_core(db):
    assert len(TENANT) == 36 and len(CREATOR) > 100 and len(CHANNEL) == 60
    teams = ActionService(db, platform="teams")
    creator, owner = Actor(CREATOR, tz="Europe/Berlin"), Actor(OWNER)
    added = teams.add(
        TENANT,
        creator,
        ActionSpec("Draft the KM strategy", user_owners=[OWNER], due_phrase="Dec 1, 2014"),
        START,
        channel_id=CHANNEL,
    )
    assert (added.action.created_by, added.action.owner_ids, added.action.channel_id) == (CREATOR, (OWNER,), CHANNEL)
    assert [n.recipient for n in added.told] == [f"user:{OWNER}"]  # a new owner is a platform user: told
    assigned = teams.assign(TENANT, creator, 1, ActionSpec(user_owners=[OWNER, SECOND]), START)
    assert assigned.action.owner_ids == (OWNER, SECOND)
    assert [n.recipient for n in assigned.told] == [f"user:{SECOND}"]
    teams.note(TENANT, owner, 1, "Started on the outline", START)
    teams.add(TENANT, creator, ActionSpec("Book the room", user_owners=[OWNER]), START, channel_id=CHANNEL)
    assert teams.set_status(TENANT, owner, 2, "done", START).action.status == "done"

    listing = teams.list(TENANT, None, ListQuery(status="all"), START)
    assert [(a.number, a.status, a.created_by, a.owner_ids, a.channel_id) for a in listing.actions] == [
        (1, "open", CREATOR, (OWNER, SECOND), CHANNEL),
        (2, "done", CREATOR, (OWNER,), CHANNEL),
    ]
    assert [a.number for a in teams.list(TENANT, owner, ListQuery(mine=True, status="all"), START).actions] == [1, 2]
    assert teams.get(TENANT, 1, START).notes == ("Started on the outline",)
    assert [e.actor for e in teams.history(TENANT, 1, START)] == [CREATOR, CREATOR, OWNER]
    assert [w.team_id for w in teams.workspaces.all()] == [TENANT]


def _plan(service: ActionService, now: dt.datetime) -> dict[tuple[str, str, int], object]:
    return {
        (n.kind, n.recipient, n.action.number): n
        for n in Planner(service).plan(TENANT, now)
        if n.kind in ("nudge", "escalation")
    }


def test_teams_creators_and_leads_are_nudged_escalated_and_told_of_problems(db):
    teams = ActionService(db, platform="teams")
    RegionService(teams).add(TENANT, Actor(ADMIN, is_admin=True), RegionSpec("Global", lead_user_id=LEAD), START)
    creator = Actor(CREATOR)
    # 1: a named owner and nowhere to post: its creator is nudged, and escalated to once overdue
    teams.add(
        TENANT, creator, ActionSpec("Brief the KM team", named_owners=["KM team"], due_phrase="Dec 1, 2014"), START
    )
    # 2: a person owns it in a region with a lead: the lead hears when it is a week overdue
    teams.add(
        TENANT,
        creator,
        ActionSpec("Send the minutes", user_owners=[OWNER], region="Global", due_phrase="Dec 1, 2014"),
        START,
    )
    # 3: made at the command line: nobody to nudge for the named owner, nobody to escalate to
    teams.add(TENANT, SHELL, ActionSpec("Sort the archive", named_owners=["KM team"], due_phrase="Dec 1, 2014"), START)

    now = dt.datetime(2014, 12, 8, 12, 0, tzinfo=UTC)  # Monday, a week past the due date
    planned = _plan(teams, now)
    assert sorted((kind, who, number) for kind, who, number in planned) == sorted(
        [
            ("nudge", f"user:{CREATOR}", 1),
            ("escalation", f"user:{CREATOR}", 1),
            ("nudge", f"user:{OWNER}", 2),
            ("escalation", f"user:{LEAD}", 2),
        ]
    )
    assert planned["escalation", f"user:{CREATOR}", 1].role == "creator"
    assert planned["escalation", f"user:{LEAD}", 2].role == "lead"
    assert Planner(teams).team_ids() == [TENANT] and Planner(ActionService(db, platform="slack")).team_ids() == []

    # the owner's account is gone: the problem is stored as recipient and code, and the creator is told
    ledger = Ledger(db, "teams")
    problem = ledger.record_problem(planned["nudge", f"user:{OWNER}", 2], "account_inactive", now)
    assert problem is not None and problem.kind == "problem" and problem.recipient == f"user:{CREATOR}"
    assert ledger.claim(problem, now, "test") is not None
    with db.reading() as s:
        ws = q.workspace_by_team(s, TENANT, "teams")
        stored = q.action_by_number(s, ws.id, 2)
        assert (stored.delivery_problem_recipient, stored.delivery_problem_code) == (
            f"user:{OWNER}",
            "account_inactive",
        )
    assert ("nudge", f"user:{OWNER}", 2) not in _plan(teams, now)
    assert ("escalation", f"user:{LEAD}", 2) in _plan(teams, now)
    # new owners earn another try: the problem is cleared, both fields
    teams.assign(TENANT, creator, 2, ActionSpec(user_owners=[OWNER, SECOND]), now)
    with db.reading() as s:
        stored = q.action_by_number(s, ws.id, 2)
        assert (stored.delivery_problem_recipient, stored.delivery_problem_code) == (None, None)
    assert ("nudge", f"user:{OWNER}", 2) in _plan(teams, now)


def test_a_slack_and_a_teams_workspace_with_the_same_id_are_two_workspaces(db):
    slack, teams = ActionService(db, platform="slack"), ActionService(db, platform="teams")
    slack.add("T0SAME", Actor("UTIM"), ActionSpec("Slack's action"), START)
    teams.add("T0SAME", Actor(CREATOR), ActionSpec("Teams' action"), START)
    assert [(a.number, a.title) for a in slack.list("T0SAME", None, ListQuery(), START).actions] == [
        (1, "Slack's action")
    ]
    assert [(a.number, a.title) for a in teams.list("T0SAME", None, ListQuery(), START).actions] == [
        (1, "Teams' action")
    ]
    assert [w.team_id for w in slack.workspaces.all()] == ["T0SAME"] == [w.team_id for w in teams.workspaces.all()]
    assert slack.workspaces.delete("T0SAME")
    assert [a.title for a in teams.list("T0SAME", None, ListQuery(), START).actions] == ["Teams' action"]
    assert not slack.workspaces.delete("T0SAME")


def _reference(user: str, activity: str) -> str:
    """A Teams conversation reference, as the Bot Framework hands it over."""
    return json.dumps(
        {
            "activityId": activity,
            "user": {"id": user, "aadObjectId": "0b7e1c2a-5d4f-4a3b-9e8d-7c6b5a4f3e2d"},
            "bot": {"id": "28:" + "b0t1d" * 8, "name": "Actionbot"},
            "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": "a:1" + "Zx9" * 60},
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
        }
    )


def test_a_conversation_reference_is_saved_replaced_and_read(db):
    teams = ActionService(db, platform="teams")
    ws = teams.workspaces.ref(TENANT, START)
    later = START + dt.timedelta(hours=3)
    first, second = _reference(CREATOR, "1:1aaa"), _reference(CREATOR, "1:1bbb")
    with db.session() as s:
        q.save_conversation_ref(s, ws.id, "user", CREATOR, first, "https://smba.trafficmanager.net/emea/", START)
        q.save_conversation_ref(s, ws.id, "channel", CHANNEL, _reference(CREATOR, "1:1ccc"), None, START)
    with db.session() as s:
        q.save_conversation_ref(s, ws.id, "user", CREATOR, second, "https://smba.trafficmanager.net/amer/", later)
    with db.reading() as s:
        found = q.conversation_ref(s, ws.id, "user", CREATOR)
        assert (found.reference, found.service_url, found.updated_at) == (
            second,
            "https://smba.trafficmanager.net/amer/",
            later,
        )
        assert json.loads(found.reference)["user"]["id"] == CREATOR
        assert q.conversation_ref(s, ws.id, "channel", CHANNEL).service_url is None
        assert q.conversation_ref(s, ws.id, "user", OWNER) is None
        assert q.conversation_ref(s, ws.id, "channel", CREATOR) is None
        assert s.scalar(select(func.count()).select_from(ConversationRef)) == 2
    other = ActionService(db, platform="slack").workspaces.ref(
        TENANT, START
    )  # a Slack workspace of the same ID: none of them
    with db.reading() as s:
        assert q.conversation_ref(s, other.id, "user", CREATOR) is None
    assert teams.workspaces.delete(TENANT)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ConversationRef)) == 0
