"""Queries for the scheduler's planning and the weekly summaries, shaped for workspaces with a hundred
thousand actions: each is one statement whatever the number of actions, reads plain rows (SQLAlchemy Core,
see store.rows) rather than ORM objects, and reads only what can matter as of the instant asked about:

- `nudge_candidates`: the open actions whose nudge or escalation could fall due by then (the due date
  near enough, or a snooze that ended lately), not every open action;
- `ledger_entries`: the delivery ledger's recent rows about those actions and about summaries;
- `told_entries`, `told_actions`, `event_actors`: the ledger rows a change wrote to tell new owners and
  are not sent yet, the actions they tell of and who made each change;
- `summary_listed`, `summary_counts`, `summary_owner_counts`: what several regions' summaries list (one
  statement, the actions joined to their owners, streamed), and their counts, computed by the database;
  `people_names` for the users among the owners.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Date, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session

from store.models import Action, Delivery, Event, Group, Meeting, Owner, Person
from store.rows import ActionRow, fetch_rows, select_rows

Owners = tuple[tuple[str | None, str | None], ...]  # (user ID, display name) in order, as ActionRow's


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open dated action the planner must look at, with what scheduling needs beyond its row."""

    row: ActionRow
    region_id: int | None
    schedule_from: dt.datetime | None
    problem_recipient: str | None  # the recipient a permanent delivery failure was recorded for


def _owners(session: Session, workspace_id: int, action_ids) -> dict[int, Owners]:
    """The owners of the actions `action_ids` (a subquery) selects: (user ID, display name), in order."""
    found: dict[int, list] = defaultdict(list)
    for action_id, user_id, name, remembered in session.execute(
        select(Owner.action_id, Owner.user_id, Owner.name, Person.name)
        .outerjoin(Person, and_(Person.workspace_id == workspace_id, Person.user_id == Owner.user_id))
        .where(Owner.workspace_id == workspace_id, Owner.action_id.in_(action_ids))
        .order_by(Owner.action_id, Owner.position)
    ):
        found[action_id].append((user_id, (remembered or None) if user_id else name))
    return {action_id: tuple(owners) for action_id, owners in found.items()}


def _rows(session: Session, workspace_id: int, cond: list, *extra) -> list[tuple[ActionRow, tuple]]:
    """Actions matching `cond` (in number order) as rows, with their owners, and each one's `extra`
    columns: two statements, the owners' selected by the same conditions rather than a list of ids."""
    found = session.execute(select_rows(*extra).where(*cond).order_by(Action.number)).all()
    owners = _owners(session, workspace_id, select(Action.id).where(*cond))
    width = len(found[0]) - len(extra) if found else 0
    # mypy takes *r for possibly reaching `owners`: it holds exactly the columns before it
    return [(ActionRow(*r[:width], owners=owners.get(r[0], ())), tuple(r[width:])) for r in found]  # type: ignore[misc]


def _candidate_cond(workspace_id: int, due_until: dt.date, snoozed_since: dt.datetime, now: dt.datetime) -> list:
    return [
        Action.workspace_id == workspace_id,
        Action.status == "open",
        Action.due_kind == "date",
        or_(Action.due_date <= due_until, Action.snoozed_until.between(snoozed_since, now)),
    ]


def nudge_candidates(
    session: Session, workspace_id: int, due_until: dt.date, snoozed_since: dt.datetime, now: dt.datetime
) -> list[Candidate]:
    """Open dated actions due on or before `due_until`, or whose snooze ended between `snoozed_since`
    and `now`: a superset of those with a nudge or escalation due at `now`."""
    cond = _candidate_cond(workspace_id, due_until, snoozed_since, now)
    return [
        Candidate(row, *extra)
        for row, extra in _rows(
            session, workspace_id, cond, Action.region_id, Action.schedule_from, Action.delivery_problem_recipient
        )
    ]


def ledger_entries(
    session: Session,
    workspace_id: int,
    since: dt.datetime,
    due_until: dt.date,
    snoozed_since: dt.datetime,
    now: dt.datetime,
) -> dict[tuple[str, str, str], tuple]:
    """The ledger's rows scheduled since `since` about the `nudge_candidates` of the same arguments, and
    the summaries': {(kind, subject, occurrence): row with `status` and `claimed_at`}."""
    candidates = select(Action.id).where(*_candidate_cond(workspace_id, due_until, snoozed_since, now))
    rows = session.execute(
        select(Delivery.kind, Delivery.subject, Delivery.occurrence, Delivery.status, Delivery.claimed_at).where(
            Delivery.workspace_id == workspace_id,
            Delivery.scheduled_for >= since,
            or_(Delivery.kind == "summary", Delivery.action_id.in_(candidates)),
        )
    )
    return {(r.kind, r.subject, r.occurrence): r for r in rows}


_TOLD_COLUMNS = (
    Delivery.id,
    Delivery.kind,
    Delivery.subject,
    Delivery.occurrence,
    Delivery.recipient,
    Delivery.status,
    Delivery.claimed_at,
    Delivery.scheduled_for,
    Delivery.action_id,
)
_UNSENT = ("pending", "failed", "claimed")
_ACTIONS_BY_ID = (
    select_rows()
    .where(Action.workspace_id == bindparam("ws"), Action.id.in_(bindparam("ids", expanding=True)))
    .order_by(Action.number)
)
_EVENT_ACTORS = select(Event.id, Event.actor).where(
    Event.workspace_id == bindparam("ws"), Event.id.in_(bindparam("ids", expanding=True))
)


def told_entries(session: Session, workspace_id: int, kinds: tuple[str, ...], since: dt.datetime) -> Sequence:
    """The ledger's rows of `kinds` written since `since` and not yet sent or given up (pending, failed
    or claimed: whether a claim is stale is the caller's call), oldest first."""
    return session.execute(
        select(*_TOLD_COLUMNS)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.kind.in_(kinds),
            Delivery.status.in_(_UNSENT),
            Delivery.scheduled_for >= since,
        )
        .order_by(Delivery.id)
    ).all()


def told_actions(session: Session, workspace_id: int, action_ids, blocks) -> list[ActionRow]:
    """The actions with the given ids or numbers within one of `blocks` ((first, last) pairs), in number
    order, with their owners."""
    if not blocks:
        return fetch_rows(session, workspace_id, _ACTIONS_BY_ID, {"ws": workspace_id, "ids": list(action_ids)})[0]
    wanted = [Action.id.in_(list(action_ids))] + [Action.number.between(a, b) for a, b in blocks]
    return [row for row, _ in _rows(session, workspace_id, [Action.workspace_id == workspace_id, or_(*wanted)])]


def event_actors(session: Session, workspace_id: int, event_ids) -> dict[int | None, str]:
    """{history event id: who made that change}."""
    return dict(session.execute(_EVENT_ACTORS, {"ws": workspace_id, "ids": list(event_ids)}).all())


# -- weekly summaries ----------------------------------------------------------------------------

_PEOPLE = select(Person.user_id, Person.name).where(Person.workspace_id == bindparam("ws"))


def people_names(session: Session, workspace_id: int) -> dict[str, str | None]:
    """{user ID: the name the bot remembers for them} for the workspace's people (a few thousand at most):
    read once for a summary's listed owners and its per-owner counts."""
    return dict(session.connection().execute(_PEOPLE, {"ws": workspace_id}).all())


def _by_region(region_ids: list[int], values: dict[int, dt.date]):
    """A SQL expression worth `values[region_id]` for an action's region."""
    return case({rid: literal(values[rid], Date) for rid in region_ids}, value=Action.region_id)


# What a summary shows of a listed action, in this order (the columns of summary_listed's rows)
LISTED = (
    Action.id,
    Action.region_id,
    Action.number,
    Action.title,
    Action.status,
    Action.due_kind,
    Action.due_date,
    Group.name.label("group"),
    Meeting.name.label("meeting"),
    Action.channel_id,
    Action.created_by,
    Action.created_at,
    Action.closed_at,
    Action.creator_kind,
)

Listed = tuple[tuple, tuple[tuple[str | None, str | None], ...]]  # (row of LISTED, owners: (user ID, name))


def summary_listed(
    session: Session, workspace_id: int, today: dict[int, dt.date], since: dt.datetime, names: dict[str, str | None]
) -> Iterator[Listed]:
    """What the summaries of the regions in `today` (region id: its local date) can list, in number
    order: open dated actions overdue or due in the next 7 days (of the latest local date: a few more for
    regions a day behind), and those closed or created since `since`. Each as its row of the `LISTED`
    columns and its owners (user ID, display name) in order, users' names from `names` (people_names).

    One statement, the actions joined to their owners (a row per owner), read as plain Core rows and
    handed on as they arrive (consume it inside the session): no second pass over the actions to find
    the owners, no ORM objects, nothing kept."""
    region_ids = list(today)
    if not region_ids:
        return
    soon = max(today.values()) + dt.timedelta(days=7)  # the caller keeps each region's own week
    stmt = (
        select(*LISTED, Owner.user_id, Owner.name)
        .outerjoin(Group, Group.id == Action.group_id)
        .outerjoin(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(Owner, and_(Owner.workspace_id == workspace_id, Owner.action_id == Action.id))
        .where(
            Action.workspace_id == workspace_id,
            Action.region_id.in_(region_ids),
            or_(
                and_(Action.status == "open", Action.due_kind == "date", Action.due_date < soon),
                Action.closed_at >= since,
                Action.created_at >= since,
            ),
        )
        .order_by(Action.number, Owner.position)
    )
    shown: dict[tuple, tuple] = {}  # (user ID, stored name) -> (user ID, display name): a few thousand
    row = None
    owners: list[tuple[str | None, str | None]] = []
    for r in session.connection().execute(stmt):
        if row is None or r[0] != row[0]:
            if row is not None:
                yield row, tuple(owners)
            row, owners = r, []
        user_id, name = r[-2], r[-1]
        if user_id is None and name is None:
            continue  # no owner: the outer join's empty row
        pair = shown.get((user_id, name))
        if pair is None:
            pair = shown[user_id, name] = (user_id, names.get(user_id) or None) if user_id else (None, name)
        owners.append(pair)
    if row is not None:
        yield row, tuple(owners)


def summary_counts(session: Session, workspace_id: int, region_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{region id: (open actions, open ongoing actions)}."""
    if not region_ids:
        return {}
    rows = session.connection().execute(
        select(Action.region_id, func.count(), func.count(case((Action.due_kind == "ongoing", 1))))
        .where(Action.workspace_id == workspace_id, Action.region_id.in_(region_ids), Action.status == "open")
        .group_by(Action.region_id)
    )
    return {rid: (n, ongoing) for rid, n, ongoing in rows if rid is not None}  # none is: only region_ids


@dataclass(frozen=True, slots=True)
class OwnerTally:
    region_id: int
    user_id: str | None
    name: str | None  # the named owner's name, else the name remembered for the user
    open: int
    overdue: int


def summary_owner_counts(
    session: Session, workspace_id: int, today: dict[int, dt.date], names: dict[str, str | None]
) -> list[OwnerTally]:
    """Per region of `today` (region id: its local date) and owner: open actions, and how many of them
    are overdue there; users' names from `names` (people_names). A chat user counts by ID, a named owner
    by name."""
    region_ids = list(today)
    if not region_ids:
        return []
    overdue = and_(Action.due_kind == "date", Action.due_date < _by_region(region_ids, today))
    named = case((Owner.user_id.is_(None), Owner.name))
    rows = session.connection().execute(
        select(Action.region_id, Owner.user_id, named, func.count(), func.count(case((overdue, 1))))
        .join(Owner, and_(Owner.action_id == Action.id, Owner.workspace_id == workspace_id))
        .where(Action.workspace_id == workspace_id, Action.region_id.in_(region_ids), Action.status == "open")
        .group_by(Action.region_id, Owner.user_id, named)
    )
    return [
        OwnerTally(rid, uid, (names.get(uid) or None) if uid else name, n, late) for rid, uid, name, n, late in rows
    ]
