"""Queries: every function takes the workspace, so no query can cross two workspaces. A workspace is
found by its platform's name (`platform`, always given by the caller) and its ID there (`team_id`)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    Date,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from store.models import (
    Action,
    CalendarFeed,
    ConversationRef,
    Delivery,
    Event,
    ExportLink,
    Group,
    Meeting,
    Note,
    Owner,
    Person,
    ProcessedEvent,
    Region,
    RegionAlias,
    Workspace,
)
from store.rows import ActionRow, fetch_rows, select_rows


def fold(name: str) -> str:
    """The matching key of a name: case and surrounding space do not count."""
    return " ".join(name.split()).casefold()


# Statements asked on every request are built once, with bound parameters: building a statement costs
# about as much as running a small one.
_WORKSPACE_BY_TEAM = select(Workspace).where(
    Workspace.platform == bindparam("platform"), Workspace.team_id == bindparam("team_id")
)


def workspace_by_team(session: Session, team_id: str, platform: str) -> Workspace | None:
    return session.scalar(_WORKSPACE_BY_TEAM, {"platform": platform, "team_id": team_id})


def create_workspace(
    session: Session,
    team_id: str,
    *,
    now: dt.datetime,
    platform: str,
    name: str = "",
    timezone: str = "UTC",
    date_order: str = "MDY",
) -> Workspace:
    return insert_or_get(
        session,
        Workspace(
            platform=platform,
            team_id=team_id,
            name=name,
            timezone=timezone,
            date_order=date_order,
            last_number=0,
            created_at=now,
        ),
        lambda: workspace_by_team(session, team_id, platform),
    )


def insert_or_get(session: Session, row, lookup):
    """Insert `row`; if a concurrent transaction inserted its twin first, return that one."""
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        found = lookup()
        if found is None:
            raise
        return found


def delete_workspace(session: Session, ws: Workspace) -> None:
    """Every row of the workspace goes with it (foreign keys cascade; the ORM deletes what SQLite keeps)."""
    models: tuple[type[Any], ...] = (Delivery, ProcessedEvent, Event, Note, Owner, Action, RegionAlias, Region)
    for model in models + (Group, Meeting, Person, CalendarFeed, ConversationRef, ExportLink):
        session.execute(delete(model).where(model.workspace_id == ws.id))
    session.delete(ws)


def all_workspaces(session: Session, platform: str) -> list[Workspace]:
    """The platform's workspaces."""
    return list(session.scalars(select(Workspace).where(Workspace.platform == platform).order_by(Workspace.id)))


def reserve_numbers(session: Session, workspace_id: int, count: int) -> int:
    """Hand out `count` consecutive action numbers at once (one UPDATE … RETURNING); returns the first.
    The row lock serialises concurrent creators."""
    last = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(last_number=Workspace.last_number + count)
        .returning(Workspace.last_number)
    ).scalar_one()
    return last - count + 1


def _with_details(stmt: Select) -> Select:
    """Load what a row shows: owners in a second statement, region, group and meeting joined in."""
    return stmt.options(
        selectinload(Action.owners),
        joinedload(Action.region),
        joinedload(Action.group),
        joinedload(Action.meeting),
    )


# one action with all it shows, owners included, in one statement (it runs inside write transactions)
_ACTION_BY_NUMBER = (
    select(Action)
    .options(
        joinedload(Action.owners),
        joinedload(Action.region),
        joinedload(Action.group),
        joinedload(Action.meeting),
    )
    .where(Action.workspace_id == bindparam("ws"), Action.number == bindparam("number"))
)


def action_by_number(session: Session, workspace_id: int, number: int) -> Action | None:
    return session.execute(_ACTION_BY_NUMBER, {"ws": workspace_id, "number": number}).unique().scalar_one_or_none()


@dataclass
class ActionFilter:
    statuses: tuple[str, ...] = ("open",)
    due_before: dt.date | None = None  # strictly before: overdue
    region_id: int | None = None
    group_id: int | None = None
    meeting_id: int | None = None
    owner_user_id: str | None = None
    owner_name: str | None = None
    created_by: str | None = None  # the user who created the action


_DUE_ORDER = (Action.due_date.is_(None), Action.due_date, Action.number)  # soonest due first, undated last


_FILTER_FIELDS = (
    "statuses",
    "due_before",
    "region_id",
    "group_id",
    "meeting_id",
    "owner_user_id",
    "owner_name",
    "created_by",
)


def _conditions(flt_shape: frozenset) -> list:
    """The WHERE of a filter whose set fields are `flt_shape`, with bound parameters of the same names
    (and `ws`): built once per shape, not once per request."""
    ws: Any = bindparam("ws")
    cond = [Action.workspace_id == ws]
    if "statuses" in flt_shape:
        cond.append(Action.status.in_(bindparam("statuses", expanding=True)))
    if "due_before" in flt_shape:
        cond += [Action.due_kind == "date", Action.due_date < bindparam("due_before", type_=Date)]
    for column, name in (
        (Action.region_id, "region_id"),
        (Action.group_id, "group_id"),
        (Action.meeting_id, "meeting_id"),
        (Action.created_by, "created_by"),
    ):
        if name in flt_shape:
            cond.append(column == bindparam(name))
    if "owner_user_id" in flt_shape:  # the IDs are read first (_OWNED_IDS): see _filter_params
        cond.append(Action.id.in_(bindparam("owned_ids", expanding=True)))
    if "owner_name" in flt_shape:
        cond.append(
            Action.id.in_(
                select(Owner.action_id).where(
                    Owner.workspace_id == ws, func.lower(Owner.name) == bindparam("owner_name")
                )
            )
        )
    return cond


_OWNED_IDS = select(Owner.action_id).where(
    Owner.workspace_id == bindparam("ws"), Owner.user_id == bindparam("owner_user_id")
)


def _filter_params(session: Session | Connection, workspace_id: int, flt: ActionFilter) -> dict:
    """The bound parameters of a filter. A person's actions are named by ID, read first through the
    (workspace, user) index: as a subquery, a planner with stale statistics (a young database) loops
    over every open action for each of the person's, and the cost grows with the square."""
    params = {name: getattr(flt, name) for name in _FILTER_FIELDS if getattr(flt, name)}
    if flt.owner_user_id:
        params["owned_ids"] = list(
            session.scalars(_OWNED_IDS, {"ws": workspace_id, "owner_user_id": flt.owner_user_id})
        )
    if flt.owner_name:
        params["owner_name"] = flt.owner_name.lower()
    if flt.statuses:
        params["statuses"] = list(flt.statuses)
    return {"ws": workspace_id, **params}


def _shape(params: dict) -> frozenset:
    return frozenset(params) - {"ws", "owned_ids"}


@functools.lru_cache(maxsize=128)
def _find_statements(flt_shape: frozenset, paged: bool) -> tuple[Select, Select, Select]:
    cond = _conditions(flt_shape)
    count = select(func.count()).select_from(Action).where(*cond)
    # each row carries the total too (a window count), so a page that has rows needs no count of its own
    page = select_rows(func.count().over()).where(*cond).order_by(*_DUE_ORDER).offset(bindparam("offset"))
    if paged:
        page = page.limit(bindparam("limit"))
    return count, page, _with_details(select(Action)).where(*cond).order_by(*_DUE_ORDER)


def find_actions(session: Session, workspace_id: int, flt: ActionFilter) -> list[Action]:
    """Actions matching `flt` as ORM objects, soonest due first (undated last)."""
    params = _filter_params(session, workspace_id, flt)
    return list(session.scalars(_find_statements(_shape(params), False)[2], params))


def find_action_rows(
    session: Session | Connection, workspace_id: int, flt: ActionFilter, limit: int | None = None, offset: int = 0
) -> tuple[list[ActionRow], int]:
    """A page of the actions matching `flt` as rows, soonest due first (undated last), and how many
    match in all."""
    params = _filter_params(session, workspace_id, flt)
    count, page, _ = _find_statements(_shape(params), limit is not None)
    rows, extra = fetch_rows(session, workspace_id, page, {**params, "offset": offset, "limit": limit})
    if rows:
        return rows, extra[0][0]
    return rows, (session.scalar(count, params) if offset else 0)


def regions(session: Session, workspace_id: int) -> list[Region]:
    return list(
        session.scalars(
            select(Region)
            .where(Region.workspace_id == workspace_id)
            .options(selectinload(Region.aliases))
            .order_by(Region.name)
        )
    )


def _region_named(workspace_id: int, name: str):
    key = fold(name)
    return (
        Region.workspace_id == workspace_id,
        or_(
            Region.key == key,
            Region.id.in_(
                select(RegionAlias.region_id).where(RegionAlias.workspace_id == workspace_id, RegionAlias.key == key)
            ),
        ),
    )


def region_by_name(session: Session, workspace_id: int, name: str) -> Region | None:
    """A region by its name or one of its aliases, case-insensitively."""
    return session.scalar(select(Region).where(*_region_named(workspace_id, name)))


def region_id_by_name(conn: Connection | Session, workspace_id: int, name: str) -> int | None:
    """The ID of `region_by_name`'s region, as a plain value (for reads on a connection)."""
    return conn.scalar(select(Region.id).where(*_region_named(workspace_id, name)))


def named_id(conn: Connection | Session, model, workspace_id: int, name: str) -> int | None:
    """The ID of the group or meeting (`model`) called `name`, case-insensitively, or None."""
    return conn.scalar(select(model.id).where(model.workspace_id == workspace_id, model.key == fold(name)))


def open_counts_by_region(session: Session, workspace_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Action.region_id, func.count())
        .where(Action.workspace_id == workspace_id, Action.status == "open", Action.region_id.is_not(None))
        .group_by(Action.region_id)
    )
    return {region_id: count for region_id, count in rows.all() if region_id is not None}


def _named(session: Session, model, workspace_id: int, name: str, create: bool):
    key = fold(name)
    row = session.scalar(select(model).where(model.workspace_id == workspace_id, model.key == key))
    if row is None and create:
        row = insert_or_get(
            session,
            model(workspace_id=workspace_id, name=" ".join(name.split()), key=key),
            lambda: session.scalar(select(model).where(model.workspace_id == workspace_id, model.key == key)),
        )
    return row


def group_by_name(session: Session, workspace_id: int, name: str, create: bool = False) -> Group | None:
    return _named(session, Group, workspace_id, name, create)


def meeting_by_name(session: Session, workspace_id: int, name: str, create: bool = False) -> Meeting | None:
    return _named(session, Meeting, workspace_id, name, create)


def person(session: Session, workspace_id: int, user_id: str) -> Person | None:
    return session.scalar(select(Person).where(Person.workspace_id == workspace_id, Person.user_id == user_id))


_REMEMBERED = (
    select(Person.is_admin, Person.tz, Person.refreshed_at)
    .join(Workspace, Workspace.id == Person.workspace_id)
    .where(
        Workspace.platform == bindparam("platform"),
        Workspace.team_id == bindparam("team_id"),
        Person.user_id == bindparam("user_id"),
    )
)


def remembered(session: Session, team_id: str, user_id: str, platform: str):
    """(is_admin, tz, refreshed_at) of a person, found by their workspace's platform and ID, or None:
    one statement, asked on every request."""
    return session.execute(_REMEMBERED, {"platform": platform, "team_id": team_id, "user_id": user_id}).first()


def home_openers(session: Session, workspace_id: int, user_ids: set[str]) -> set[str]:
    """Which of `user_ids` have opened the Home tab."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(Person.user_id).where(
                Person.workspace_id == workspace_id, Person.user_id.in_(user_ids), Person.home_opened_at.is_not(None)
            )
        )
    )


def people_names(session: Session | Connection, workspace_id: int, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(Person.user_id, Person.name).where(Person.workspace_id == workspace_id, Person.user_id.in_(user_ids))
    )
    return {uid: name for uid, name in rows if name}


# bands of a person's home page, in the order it shows them
OVERDUE_BAND, WEEK_BAND, LATER_BAND, UNDATED_BAND, CREATED_BAND = range(5)


def _home_statements():
    ws: Any = bindparam("ws")
    owned_ids = select(Owner.action_id).where(Owner.workspace_id == ws, Owner.user_id == bindparam("user"))
    created_ids = select(Action.id).where(
        Action.workspace_id == ws, Action.created_by == bindparam("user"), Action.status == "open"
    )
    owned = Action.id.in_(owned_ids)
    dated = Action.due_kind == "date"
    band = case(
        (~owned, CREATED_BAND),
        (and_(dated, Action.due_date < bindparam("today", type_=Date)), OVERDUE_BAND),
        (and_(dated, Action.due_date < bindparam("week_end", type_=Date)), WEEK_BAND),
        (and_(dated, Action.due_date.is_not(None)), LATER_BAND),
        else_=UNDATED_BAND,
    )
    ranked = (
        select(
            Action.id.label("id"),
            band.label("band"),
            func.row_number().over(order_by=(band, *_DUE_ORDER)).label("rank"),
            func.row_number().over(partition_by=band, order_by=_DUE_ORDER).label("band_rank"),
            func.count().over(partition_by=band).label("total"),
        )
        .where(
            Action.id.in_(bindparam("ids", expanding=True)),
            Action.status == "open",
            # "+ 0": still scoped to the workspace, but no planner picks the (workspace, status) index
            # and scans the workspace's open actions over the primary key and the IDs in hand
            Action.workspace_id + 0 == ws,
        )
        .subquery()
    )
    # past the limit, each band's first row still comes, for its total
    rows = (
        select_rows(ranked.c.band, ranked.c.total, ranked.c.rank)
        .join(ranked, ranked.c.id == Action.id)
        .where(or_(ranked.c.rank <= bindparam("limit"), ranked.c.band_rank == 1))
        .order_by(ranked.c.rank)
    )
    return owned_ids.union(created_ids), rows


_HOME_IDS, _HOME_ROWS = _home_statements()


def home_actions(
    session: Session, workspace_id: int, user_id: str, today: dt.date, week_end: dt.date, limit: int
) -> tuple[list[tuple[int, ActionRow]], dict[int, int]]:
    """A person's open actions in home-page bands: the ones they own that are overdue (due before
    `today`), due before `week_end`, due later or undated, then the ones they created and do not own.
    Returns the first `limit` of them in that order (band by band, soonest due first within a band)
    as (band, row), and how many each band holds in all.

    Three statements whatever the size of the workspace: the person's own action IDs (owned or
    created, both indexed), one ranked statement over just those (a window over the bands), and the
    owners. Naming the IDs keeps both databases on the primary key rather than scanning the workspace."""
    ids = list(session.scalars(_HOME_IDS, {"ws": workspace_id, "user": user_id}))
    if not ids:
        return [], {}
    rows, extras = fetch_rows(
        session,
        workspace_id,
        _HOME_ROWS,
        {"ws": workspace_id, "user": user_id, "today": today, "week_end": week_end, "limit": limit, "ids": ids},
    )
    return (
        [(b, row) for row, (b, _, rank) in zip(rows, extras) if rank <= limit],
        {b: total for b, total, _ in extras},
    )


# -- scheduling --------------------------------------------------------------------------------

_ZONES = select(Person.user_id, Person.tz).where(Person.workspace_id == bindparam("ws"), Person.tz.is_not(None))
_ZONES_OF = _ZONES.where(Person.user_id.in_(bindparam("users", expanding=True)))


def people_zones(session: Session, workspace_id: int, user_ids=None) -> dict[str, str]:
    """{user: zone} of the workspace's people with one; of only `user_ids` when given."""
    if user_ids is None:
        rows = session.execute(_ZONES, {"ws": workspace_id}).all()
    else:
        rows = session.execute(_ZONES_OF, {"ws": workspace_id, "users": list(user_ids)}).all()
    return {user: zone for user, zone in rows if zone}


def delivery(session: Session, workspace_id: int, kind: str, subject: str, occurrence: str) -> Delivery | None:
    return session.scalar(
        select(Delivery).where(
            Delivery.workspace_id == workspace_id,
            Delivery.kind == kind,
            Delivery.subject == subject,
            Delivery.occurrence == occurrence,
        )
    )


def action_events(session: Session, workspace_id: int, action_id: int) -> list[Event]:
    """An action's history, oldest first."""
    return list(
        session.scalars(
            select(Event).where(Event.workspace_id == workspace_id, Event.action_id == action_id).order_by(Event.id)
        )
    )


def insert_deliveries(session: Session, rows: list[dict]) -> list[int]:
    """Insert ledger rows (column values) in one statement; their IDs, in the order given."""
    result = session.execute(insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def take_deliveries(
    session: Session, ids: list[int], claimer: str, now: dt.datetime, stale_before: dt.datetime, pending: str
) -> list:
    """Claim the rows `ids` still to send (pending, failed, or claimed before `stale_before`) in one plain
    UPDATE on the session's connection; returns (id, workspace_id, parts_sent, ref) of each taken."""
    return list(
        session.connection()
        .execute(
            update(Delivery)
            .where(
                Delivery.id.in_(ids),
                or_(
                    Delivery.status.in_(("failed", pending)),
                    and_(Delivery.status == "claimed", Delivery.claimed_at < stale_before),
                ),
            )
            .values(status="claimed", claimed_by=claimer, claimed_at=now, attempts=Delivery.attempts + 1)
            .returning(Delivery.id, Delivery.workspace_id, Delivery.parts_sent, Delivery.ref)
        )
        .all()
    )


def set_delivery(session: Session, delivery_id: int, values: dict) -> None:
    """One plain UPDATE of a ledger row by primary key: no read first, no ORM bookkeeping."""
    session.connection().execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def set_deliveries(session: Session, outcomes: list[tuple[int, dict]]) -> None:
    """Ledger rows updated by primary key ((row ID, values) pairs, later values of a row over earlier
    ones): one executemany per set of columns."""
    merged: dict[int, dict] = {}
    for delivery_id, values in outcomes:
        merged.setdefault(delivery_id, {}).update(values)
    by_columns: dict[tuple[str, ...], list[dict]] = {}
    for delivery_id, values in merged.items():
        by_columns.setdefault(tuple(sorted(values)), []).append({"row_id": delivery_id, **values})
    conn = session.connection()
    for columns, params in by_columns.items():
        stmt = update(Delivery).where(Delivery.id == bindparam("row_id")).values({c: bindparam(c) for c in columns})
        conn.execute(stmt, params)


def reclaim_delivery(
    session: Session,
    workspace_id: int,
    delivery_id: int,
    seen_status: str,
    seen_claimed_at: dt.datetime,
    claimer: str,
    now: dt.datetime,
) -> bool:
    """Take over a failed or stale claim, only if nobody else changed the row since we read it."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.id == delivery_id,
            Delivery.status == seen_status,
            Delivery.claimed_at == seen_claimed_at,
        )
        .values(status="claimed", claimed_by=claimer, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def release_stale_claims(session: Session, workspace_id: int, older_than: dt.datetime) -> int:
    """Claims whose sender died before recording the outcome become failures, so a sweep retries them."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.status == "claimed",
            Delivery.claimed_at < older_than,
        )
        .values(status="failed", error="claim expired: the sender stopped before recording the outcome")
    )
    return cast(CursorResult, result).rowcount


def clear_problems_of(session: Session, workspace_id: int, recipients: list[str]) -> int:
    """Forget the permanent delivery failures recorded for `recipients` on the workspace's actions and
    regions (they can be reached now): the planner plans their notices again. How many were cleared."""
    cleared = 0
    for model in (Action, Region):
        result = session.execute(
            update(model)
            .where(model.workspace_id == workspace_id, model.delivery_problem_recipient.in_(recipients))
            .values(delivery_problem_recipient=None, delivery_problem_code=None)
        )
        cleared += cast(CursorResult, result).rowcount
    return cleared


def revive_dead_deliveries(
    session: Session, workspace_id: int, recipients: list[str], kinds: tuple[str, ...], since: dt.datetime
) -> int:
    """Ledger rows of `kinds` to `recipients`, scheduled since `since`, given up as never deliverable
    (`dead`), become failures again: a sweep that still plans them retries them."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.scheduled_for >= since,
            Delivery.recipient.in_(recipients),
            Delivery.status == "dead",
            Delivery.kind.in_(kinds),
        )
        .values(status="failed", error="reachable again")
    )
    return cast(CursorResult, result).rowcount


# -- processed events (Events API deduplication) -------------------------------------------------


def record_event(session: Session, workspace_id: int, event_id: str, now: dt.datetime) -> None:
    """Note that `event_id` was received; raises IntegrityError (at this flush) when it already was."""

    session.add(ProcessedEvent(workspace_id=workspace_id, event_id=event_id, received_at=now))
    session.flush()


def prune_events(session: Session, workspace_id: int, older_than: dt.datetime) -> int:
    """Forget events received before `older_than` (Slack stops retrying after about an hour)."""

    result = session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.workspace_id == workspace_id, ProcessedEvent.received_at < older_than
        )
    )
    return cast(CursorResult, result).rowcount


# -- calendar feeds ----------------------------------------------------------------------------


def calendar_feed(session: Session, workspace_id: int, kind: str, subject: str):
    """The workspace's feed of `kind` ("user" or "region") for `subject`, or None."""

    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.workspace_id == workspace_id, CalendarFeed.kind == kind, CalendarFeed.subject == subject
        )
    )


def calendar_feed_by_secret(session: Session, secret: str):
    """The feed whose URL carries `secret`, in whichever workspace it is.

    Global by nature: a calendar client fetching the URL names no workspace, and the secret (unique
    across all workspaces) is the only credential. The caller scopes everything else by the feed's
    `workspace_id`."""

    return session.scalar(select(CalendarFeed).where(CalendarFeed.secret == secret))


def add_calendar_feed(session: Session, workspace_id: int, kind: str, subject: str, secret: str, now: dt.datetime):
    """Create the feed; if a concurrent transaction created the same one first, return that one."""

    return insert_or_get(
        session,
        CalendarFeed(workspace_id=workspace_id, kind=kind, subject=subject, secret=secret, created_at=now),
        lambda: calendar_feed(session, workspace_id, kind, subject),
    )


# -- export links ------------------------------------------------------------------------------


def export_link_by_hash(session: Session, secret_hash: str) -> ExportLink | None:
    """The link whose secret hashes to `secret_hash`, in whichever workspace it is.

    Global by nature, as a calendar feed's secret: the URL names no workspace. The caller scopes the
    export by the link's `workspace_id`."""

    return session.scalar(select(ExportLink).where(ExportLink.secret_hash == secret_hash))


def add_export_link(session: Session, link: ExportLink, keep: int) -> None:
    """Store `link`, keep only its person's `keep` newest links, and forget every expired link."""

    session.add(link)
    session.flush()
    older = select(ExportLink.id).where(
        ExportLink.workspace_id == link.workspace_id, ExportLink.user_id == link.user_id
    )
    stale = list(session.scalars(older.order_by(ExportLink.id.desc()).offset(keep)))
    if stale:
        session.execute(delete(ExportLink).where(ExportLink.id.in_(stale)))
    session.execute(delete(ExportLink).where(ExportLink.expires_at <= link.created_at))


def region_by_id(session: Session, workspace_id: int, region_id: int) -> Region | None:
    return session.scalar(select(Region).where(Region.workspace_id == workspace_id, Region.id == region_id))


def dated_actions(
    session: Session,
    workspace_id: int,
    statuses: tuple[str, ...],
    *,
    owner_user_id: str | None = None,
    region_id: int | None = None,
) -> list[Action]:
    """Actions with a due date in these statuses, of one user as owner and/or one region, soonest first,
    with owners, region and notes loaded: what a calendar feed shows."""
    cond = [Action.workspace_id == workspace_id, Action.status.in_(statuses), Action.due_kind == "date"]
    if owner_user_id is not None:
        cond.append(
            exists().where(
                Owner.action_id == Action.id, Owner.workspace_id == workspace_id, Owner.user_id == owner_user_id
            )
        )
    if region_id is not None:
        cond.append(Action.region_id == region_id)
    return list(
        session.scalars(
            _with_details(select(Action))
            .options(selectinload(Action.notes))
            .where(*cond)
            .order_by(Action.due_date, Action.number)
        )
    )


def notes_by_number(session: Session, workspace_id: int, numbers: list[int]) -> dict[int, list[str]]:
    """The notes' texts of these actions (by number), oldest first."""
    if not numbers:
        return {}
    found: dict[int, list[str]] = {}
    for start in range(0, len(numbers), 500):  # keep each IN list well inside every driver's limits
        rows = session.execute(
            select(Action.number, Note.text)
            .join(Note, Note.action_id == Action.id)
            .where(
                Action.workspace_id == workspace_id,
                Note.workspace_id == workspace_id,
                Action.number.in_(numbers[start : start + 500]),
            )
            .order_by(Action.number, Note.id)
        )
        for number, text_ in rows:
            found.setdefault(number, []).append(text_)
    return found


# -- conversation references (where to reach someone unasked, on platforms that need one) -------


def save_conversation_ref(
    session: Session, workspace_id: int, kind: str, key: str, reference: str, service_url: str | None, now: dt.datetime
) -> None:
    """Store the address of the person or channel (`kind` "user" or "channel", `key` its ID), replacing
    the one stored before: one INSERT … ON CONFLICT UPDATE, so two processes saving at once both succeed."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ConversationRef).values(
        workspace_id=workspace_id, kind=kind, key=key, reference=reference, service_url=service_url, updated_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ConversationRef.workspace_id, ConversationRef.kind, ConversationRef.key],
            set_={c: stmt.excluded[c] for c in ("reference", "service_url", "updated_at")},
        )
    )


def conversation_ref(session: Session, workspace_id: int, kind: str, key: str) -> ConversationRef | None:
    """The stored address of the person or channel, or None."""
    return session.scalar(
        select(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id, ConversationRef.kind == kind, ConversationRef.key == key
        )
    )


def conversation_refs(session: Session, workspace_id: int, kind: str, limit: int) -> list[ConversationRef]:
    """The stored addresses of one kind (at most `limit`, by key)."""
    return list(
        session.scalars(
            select(ConversationRef)
            .where(ConversationRef.workspace_id == workspace_id, ConversationRef.kind == kind)
            .order_by(ConversationRef.key)
            .limit(limit)
        )
    )


def delete_conversation_ref(session: Session, workspace_id: int, kind: str, key: str) -> None:
    session.execute(
        delete(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id, ConversationRef.kind == kind, ConversationRef.key == key
        )
    )


def count_conversation_refs(session: Session, workspace_id: int, kind: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ConversationRef)
            .where(ConversationRef.workspace_id == workspace_id, ConversationRef.kind == kind)
        )
        or 0
    )
