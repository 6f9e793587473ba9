"""A large programme's database, written fast: bulk INSERTs (SQLAlchemy Core, lists of dicts) into the
real, migrated schema, for the sweep-planning and summary benchmarks.

`seed_programme(url, ...)` writes one workspace with its regions (each with a channel, a lead, a zone and
working days), its people (each with a zone) and its open actions, and returns what it wrote. Actions are
of two kinds:

- *due*: one Slack-user owner each and a due date from 5 days ago to 2 days ahead of `now`, so each has
  exactly one nudge due at `now` (the ledger is empty) and no escalation;
- *later*: due 30 to 365 days after `now` (some ongoing or undated), with one to three owners, some of
  them named owners; nothing about them is due at `now`.

With `recent` (summaries) some actions of every region are done, and some created, in the last 7 days.
Every row is computed from its index, so a seed is the same every time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text

from store.database import Database
from store.models import Action, Group, Meeting, Owner, Person, Region, Workspace

TEAM = "T0BENCH"
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
GROUPS = ["KM", "Comms", "MRV", "Finance", "Policy"]
NAMED = ["KM Regional Coordinators", "Regional KM team", "Comms unit", "Country focal points"]
VERBS = ["Draft", "Send", "Review", "Circulate", "Share", "Prepare", "Submit", "Agree on", "Update", "Collect"]
THINGS = [
    "the KM strategy",
    "the regional work plan",
    "the budget note",
    "the country proposal",
    "the workshop report",
    "the comms calendar",
    "the MRV guidance",
    "the donor brief",
    "minutes of the coordination call",
    "the country survey",
]
BATCH = 5000  # rows per INSERT call: keeps each statement's parameters well inside every driver's limits
# a Wednesday afternoon in Europe: 09:00 has passed today in every zone above west of Sydney (where it is
# already Thursday night); no weekly summary is due (they go out on Mondays)
DEFAULT_NOW = dt.datetime(2026, 3, 11, 14, 30, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Seeded:
    team_id: str
    actions: int
    due: int  # actions with one nudge due at `now`
    regions: int
    people: int
    owners: int  # owner rows


def user_id(i: int) -> str:
    return f"U{i:05d}"


def seed_programme(
    url: str,
    *,
    actions: int,
    due: int,
    regions: int = 50,
    people: int = 2000,
    now: dt.datetime = DEFAULT_NOW,
    recent: bool = False,
) -> Seeded:
    """Write the programme into the migrated, empty database at `url`; see the module's docstring."""
    if not 0 <= due <= actions or people <= regions:
        raise ValueError("due must be between 0 and the number of actions, and people outnumber regions")
    db = Database(url)
    long_ago = now - dt.timedelta(days=60)
    today = now.date()
    try:
        with db.engine.begin() as conn:
            ws_id = conn.execute(
                insert(Workspace).returning(Workspace.id),
                [
                    dict(
                        team_id=TEAM,
                        name="Bench programme",
                        timezone="UTC",
                        date_order="MDY",
                        last_number=actions,
                        created_at=long_ago,
                        nudge_offsets="-3,0,1",
                        nudge_repeat_days=7,
                        escalate_after_days=7,
                    )
                ],
            ).scalar_one()
            conn.execute(
                insert(Person),
                [
                    dict(
                        workspace_id=ws_id,
                        user_id=user_id(i),
                        name=f"Person {i}",
                        tz=ZONES[i % len(ZONES)],
                        is_admin=i == 0,
                        refreshed_at=long_ago,
                    )
                    for i in range(people)
                ],
            )
            conn.execute(
                insert(Region),
                [
                    dict(
                        workspace_id=ws_id,
                        name=f"Region {r:02d}",
                        key=f"region {r:02d}",
                        channel_id=f"C{r:05d}",
                        lead_user_id=user_id(r),
                        timezone=ZONES[r % len(ZONES)],
                        working_days="sun-thu" if r % 10 == 9 else "mon-fri",
                        summary_schedule="mon 09:00",
                        created_at=long_ago,
                    )
                    for r in range(regions)
                ],
            )
            region_ids = list(conn.scalars(select(Region.id).where(Region.workspace_id == ws_id).order_by(Region.id)))
            conn.execute(insert(Group), [dict(workspace_id=ws_id, name=g, key=g.casefold()) for g in GROUPS])
            group_ids = list(conn.scalars(select(Group.id).where(Group.workspace_id == ws_id).order_by(Group.id)))
            meeting_id = conn.execute(
                insert(Meeting).returning(Meeting.id),
                [dict(workspace_id=ws_id, name="Global KM workshop", key="global km workshop")],
            ).scalar_one()
            first_id = (conn.scalar(select(func.max(Action.id))) or 0) + 1
            owners = 0
            for start in range(0, actions, BATCH):
                rows, owner_rows = [], []
                for i in range(start, min(start + BATCH, actions)):
                    row, its_owners = _action(
                        i, first_id + i, ws_id, due, region_ids, group_ids, meeting_id, people, today, now, recent
                    )
                    rows.append(row)
                    owner_rows += its_owners
                conn.execute(insert(Action), rows)
                conn.execute(insert(Owner), owner_rows)
                owners += len(owner_rows)
            if conn.dialect.name == "postgresql":  # ids were given explicitly: move the sequences past them
                for table in ("actions", "action_owners"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )
        # the planner statistics autovacuum keeps on a live database (it may not have run yet on a new one)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        return Seeded(TEAM, actions, due, regions, people, owners)
    finally:
        db.dispose()


def _action(
    i: int,
    action_id: int,
    ws_id: int,
    due: int,
    region_ids: list[int],
    group_ids: list[int],
    meeting_id: int,
    people: int,
    today: dt.date,
    now: dt.datetime,
    recent: bool,
):
    region_index = i % len(region_ids)
    created = now - dt.timedelta(days=30 + i % 20)
    status, closed = "open", None
    if i < due:  # one nudge due now: due from 5 days ago to 2 days ahead
        due_kind, due_date = "date", today + dt.timedelta(days=i % 8 - 5)
        count, named = 1, False
    else:
        kind = i % 20
        due_kind = "ongoing" if kind == 0 else "none" if kind == 1 else "date"
        due_date = today + dt.timedelta(days=30 + i % 336) if due_kind == "date" else None
        count, named = 1 + i % 3, i % 7 == 0
        if recent and i % 25 == 2:
            status, closed = "done", now - dt.timedelta(days=i % 6 + 1)
        if recent and i % 25 == 3:
            created = now - dt.timedelta(days=i % 6 + 1)
    row = dict(
        id=action_id,
        workspace_id=ws_id,
        number=i + 1,
        title=f"{VERBS[i % len(VERBS)]} {THINGS[i % len(THINGS)]}",
        status=status,
        due_kind=due_kind,
        due_date=due_date,
        region_id=region_ids[region_index],
        group_id=group_ids[i % len(group_ids)],
        meeting_id=meeting_id if i % 3 == 0 else None,
        channel_id=f"C{region_index:05d}",
        created_by=user_id((i * 7 + 1) % people),
        created_at=created,
        updated_at=created,
        closed_at=closed,
        schedule_from=created,
    )
    owner_rows = []
    for position in range(count):
        if named and position == count - 1 and count > 1:
            owner_rows.append(
                dict(
                    workspace_id=ws_id, action_id=action_id, user_id=None, name=NAMED[i % len(NAMED)], position=position
                )
            )
        else:
            # the owner is never the region's lead, so an overdue action's escalation goes to the lead
            who = len(region_ids) + (i * 13 + position * 101) % (people - len(region_ids))
            owner_rows.append(
                dict(workspace_id=ws_id, action_id=action_id, user_id=user_id(who), name=None, position=position)
            )
    return row, owner_rows
