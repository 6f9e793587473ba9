"""Actions as rows for showing: lists and home pages read tens to hundreds of actions at a time, so
they are read as plain rows (SQLAlchemy Core), not ORM objects, which cost several times as much to
build. Two statements whatever the number of actions: the actions with their region, group and meeting
names joined in, then their owners with the names the bot remembers for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Select, and_, bindparam, select
from sqlalchemy.orm import Session

from store.models import Action, Group, Meeting, Owner, Person, Region


@dataclass(frozen=True, slots=True)
class ActionRow:
    """What a row of a list shows of an action."""

    id: int
    number: int
    title: str
    status: str
    due_kind: str
    due_date: dt.date | None
    region: str | None
    group: str | None
    meeting: str | None
    channel_id: str | None
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    snoozed_until: dt.datetime | None
    permalink: str | None
    creator_kind: str  # user, cli
    owners: tuple[tuple[str | None, str | None], ...]  # (user ID, display name) in order; named owners have no ID


_COLUMNS = (
    Action.id,
    Action.number,
    Action.title,
    Action.status,
    Action.due_kind,
    Action.due_date,
    Region.name,
    Group.name,
    Meeting.name,
    Action.channel_id,
    Action.created_by,
    Action.created_at,
    Action.closed_at,
    Action.snoozed_until,
    Action.permalink,
    Action.creator_kind,
)


def select_rows(*extra) -> Select:
    """SELECT of the shown columns (then `extra`), with region, group and meeting names joined in;
    add the conditions and order, and hand the statement to `fetch_rows`."""
    return (
        select(*_COLUMNS, *extra)
        .outerjoin(Region, Region.id == Action.region_id)
        .outerjoin(Group, Group.id == Action.group_id)
        .outerjoin(Meeting, Meeting.id == Action.meeting_id)
    )


def fetch_rows(
    session: Session | Connection, workspace_id: int, stmt: Select, params: dict | None = None
) -> tuple[list[ActionRow], list[tuple]]:
    """Run a `select_rows` statement (with `params` for its bound parameters); returns the rows, in
    order, and each one's `extra` columns."""
    found = session.execute(stmt, params).all()
    owners = owners_of(session, workspace_id, [r[0] for r in found])
    width = len(_COLUMNS)
    # mypy takes *r for possibly reaching `owners`: it holds exactly the columns before it
    rows = [ActionRow(*r[:width], owners=owners.get(r[0], ())) for r in found]  # type: ignore[misc]
    return rows, [tuple(r[width:]) for r in found]


_OWNERS = (
    select(Owner.action_id, Owner.user_id, Owner.name, Person.name)
    .outerjoin(Person, and_(Person.workspace_id == bindparam("ws"), Person.user_id == Owner.user_id))
    .where(Owner.workspace_id == bindparam("ws"), Owner.action_id.in_(bindparam("ids", expanding=True)))
    .order_by(Owner.action_id, Owner.position)
)


def owners_of(
    session: Session | Connection, workspace_id: int, action_ids: list[int]
) -> dict[int, tuple[tuple[str | None, str | None], ...]]:
    """Each action's owners as (user ID, display name): a named owner's name, else the remembered one."""
    if not action_ids:
        return {}
    found: dict[int, list[tuple[str | None, str | None]]] = {}
    for action_id, user_id, name, remembered in session.execute(_OWNERS, {"ws": workspace_id, "ids": action_ids}):
        found.setdefault(action_id, []).append((user_id, (remembered or None) if user_id else name))
    return {action_id: tuple(owners) for action_id, owners in found.items()}


def row_of(action: Action, names: dict[str, str]) -> ActionRow:
    """The row of an action already loaded as an ORM object (owners' display names from `names`)."""
    return ActionRow(
        action.id,
        action.number,
        action.title,
        action.status,
        action.due_kind,
        action.due_date,
        action.region.name if action.region else None,
        action.group.name if action.group else None,
        action.meeting.name if action.meeting else None,
        action.channel_id,
        action.created_by,
        action.created_at,
        action.closed_at,
        action.snoozed_until,
        action.permalink,
        action.creator_kind,
        tuple((o.user_id, names.get(o.user_id) if o.user_id else o.name) for o in action.owners),
    )
