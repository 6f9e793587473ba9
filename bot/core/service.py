"""The action service: every operation on actions, scoped to a workspace, with an explicit `now`.

Each public method is one transaction: it either does all it was asked or raises a UserError and
stores nothing. Results are plain records (bot.core.records), safe to use after the session ends.

A write transaction holds SQLite's one write lock from its first statement to its commit, so the hot
paths keep it short: the workspace is looked up before it (and remembered for `workspaces.MEMO_SECONDS`:
its ID never changes, and a zone or date order changed in another process takes at most that long to
show here), and the owners' display names for the reply are read after it (and remembered as long).
Lists read on a plain connection: rows, not ORM objects.
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import threading
from contextlib import contextmanager

from cachetools import TTLCache

from bot.core import assignments, history, limits, permissions, region_names, schedule, workspaces
from bot.core.dates import NO_DUE, DateParseError, Due, format_date, parse_due
from bot.core.errors import BadInput, NotFound
from bot.core.grammar import ActionSpec, ListQuery, words
from bot.core.owner_cap import check_owners
from bot.core.records import ActionInfo, Actor, Assignment, Listing, Outcome, OwnerInfo
from bot.core.workspaces import WorkspaceRef
from bot.messages import Code, Example, Person, msg
from store import queries as q
from store.database import Database
from store.models import Action, Event, Group, Meeting, Note, Owner, Region, Workspace
from store.rows import ActionRow, row_of

STATUS_VERBS = {"done": "done", "reopen": "open", "cancel": "cancelled"}
LIST_LIMIT = 20  # a page of a list
# replace's kept fields and the spec attributes that carry them (due is a phrase, checked when resolved)
SPEC_ATTRS = {
    "title": "title",
    "users": "user_owners",
    "named": "named_owners",
    "region": "region",
    "group": "group",
    "meeting": "meeting",
}


def _untouched_cleared(spec: ActionSpec, keep: frozenset[str]) -> ActionSpec:
    """`spec` without the fields `keep` names: what the person did not touch is not theirs to check."""
    blank = ActionSpec()
    return dataclasses.replace(spec, **{SPEC_ATTRS[f]: getattr(blank, SPEC_ATTRS[f]) for f in keep if f in SPEC_ATTRS})


class ActionService:
    """Operations on one platform's workspaces (`platform`: its name, `workspaces.platform`), each named
    by its ID there."""

    def __init__(self, db: Database, *, platform: str, default_timezone: str = "UTC", default_date_order: str = "MDY"):
        self.db = db
        self.platform = platform
        self.default_timezone = default_timezone
        self.default_date_order = default_date_order
        self.workspaces = workspaces.Workspaces(db, platform, default_timezone, default_date_order)
        self._display_names: TTLCache = TTLCache(50_000, workspaces.MEMO_SECONDS)  # (workspace ID, user) -> name
        self._memo_lock = threading.Lock()
        # the sender that delivers a change's DMs right after answering (the web process's courier): the
        # change writes them already claimed by it, which spares a write per change; None (the command
        # line): they are written pending, for the next sweep
        self.claims_as: str | None = None

    # -- time ---------------------------------------------------------------------------

    def today_for(self, team_id: str, actor: Actor | None, now: dt.datetime) -> dt.date:
        """The actor's calendar day (their zone, else the workspace's)."""
        with self.reading(team_id, now) as (_, ws):
            return self.today(ws, actor, now)

    today = staticmethod(workspaces.today)

    def resolve_due(
        self, phrase: str | None, ws: Workspace | WorkspaceRef, actor: Actor | None, now: dt.datetime
    ) -> Due:
        if phrase is None:
            return NO_DUE
        try:
            return parse_due(phrase, self.today(ws, actor, now), ws.date_order)
        except DateParseError as err:
            raise BadInput(err.message) from None

    # -- reading --------------------------------------------------------------------------

    @contextmanager
    def reading(self, team_id: str, now: dt.datetime):
        """(session, workspace ref) for a read: no write lock on SQLite, except on a workspace's first
        contact, when the workspace row is created."""
        ref = self.workspaces.ref(team_id, now)
        with self.db.reading() as s:
            yield s, ref

    def get(self, team_id: str, number: int, now: dt.datetime, actor: Actor | None = None) -> ActionInfo:
        with self.reading(team_id, now) as (s, ws):
            action = self._action(s, ws, number)
            return self._info(ws, action, self.today(ws, actor, now), with_notes=True)

    def list(
        self,
        team_id: str,
        actor: Actor | None,
        query: ListQuery,
        now: dt.datetime,
        limit: int | None = LIST_LIMIT,
        offset: int = 0,
    ) -> Listing:
        ws = self.workspaces.ref(team_id, now)
        today = self.today(ws, actor, now)
        with self.db.rows() as conn:
            flt = self.action_filter(conn, ws, actor, query, today)
            if flt is None:
                return Listing([], 0, today)
            rows, total = q.find_action_rows(conn, ws.id, flt, limit=limit, offset=offset)
        return Listing([row_info(r, today) for r in rows], total, today)

    def action_filter(
        self, s, ws: Workspace | WorkspaceRef, actor: Actor | None, query: ListQuery, today: dt.date
    ) -> q.ActionFilter | None:
        """The store filter for a list query; None when it names a group or meeting nobody has used.
        `s` may be a Session or a plain connection: only IDs are read."""
        flt = q.ActionFilter(
            statuses=() if query.status == "all" else (query.status,),
            owner_user_id=query.user_id,
            owner_name=query.owner_name,
        )
        if query.overdue:
            flt.statuses, flt.due_before = ("open",), today
        if query.mine:
            if actor is None:
                raise BadInput("mine_needs_who", Example("list", (Person("U123", by_id=True),)), mine=Code("mine"))
            if query.user_id and query.user_id != actor.user_id:
                raise BadInput("mine_or_person", Example("list", ("mine",)), mine=Code("mine"))
            flt.owner_user_id = actor.user_id
        if query.region:
            flt.region_id = q.region_id_by_name(s, ws.id, query.region)
            if flt.region_id is None:  # unknown: region_named says which regions there are
                with self.db.reading() as session:
                    flt.region_id = self.region_named(session, ws, query.region).id
        for field, model in (("group", Group), ("meeting", Meeting)):
            name = getattr(query, field)
            if name:
                found = q.named_id(s, model, ws.id, name)
                if found is None:
                    return None
                setattr(flt, f"{field}_id", found)
        return flt

    # -- changing -------------------------------------------------------------------------

    def add(
        self, team_id: str, actor: Actor, spec: ActionSpec, now: dt.datetime, channel_id: str | None = None
    ) -> Outcome:
        return self.add_many(team_id, actor, [spec], now, channel_id=channel_id)[0]

    def add_many(
        self,
        team_id: str,
        actor: Actor,
        specs: builtins.list[ActionSpec],
        now: dt.datetime,
        channel_id: str | None = None,
        progress=None,
        digest: bool = False,
    ) -> builtins.list[Outcome]:
        """Create actions in one transaction: all of them, or (on a UserError) none. `progress(n)` is
        called as rows are prepared (the CLI's progress bar). Each new owner is told of each action, or
        with `digest` (an import) once of all theirs."""
        for spec in specs:
            if not spec.title.strip():
                raise BadInput(
                    "needs_title",
                    Example("add", (*words("Draft the KM strategy"), Person("lina"), *words("due Nov 30"))),
                )
            limits.check_spec(spec)
        limits.check("user", actor.user_id)
        limits.check("channel", channel_id)
        ws = self.workspaces.ref(team_id, now)
        today = self.today(ws, actor, now)
        with self.db.session() as s:
            regions: dict[str, Region] = {}
            named: dict[tuple[str, str], Group | Meeting | None] = {}
            rows = []
            for spec in specs:
                due = self.resolve_due(spec.due_phrase, ws, actor, now)
                region = None
                if spec.region:
                    if spec.region not in regions:
                        regions[spec.region] = self.region_named(s, ws, spec.region)
                    region = regions[spec.region]
                group = self._cached(named, s, ws, q.group_by_name, "group", spec.group)
                meeting = self._cached(named, s, ws, q.meeting_by_name, "meeting", spec.meeting)
                status = spec.status or "open"
                action = Action(
                    workspace_id=ws.id,
                    title=spec.title.strip(),
                    status=status,
                    due_kind=due.kind,
                    due_date=due.date,
                    region=region,
                    group=group,
                    meeting=meeting,
                    channel_id=channel_id,
                    created_by=actor.user_id,
                    creator_kind=actor.kind,
                    created_at=now,
                    updated_at=now,
                    schedule_from=now,
                    permalink=spec.permalink,
                    closed_at=None if status == "open" else now,
                )
                self._set_owners(action, ws, spec.user_owners, spec.named_owners)
                rows.append((spec, due, action))
                if progress:
                    progress(1)
            # numbers last: on PostgreSQL the workspace row stays locked from here to the commit, and
            # every other creator in the workspace waits for it
            first = q.reserve_numbers(s, ws.id, len(specs))
            for offset, (_, _, action) in enumerate(rows):
                action.number = first + offset
            s.add_all([a for _, _, a in rows])
            s.flush()
            created = []
            for spec, _due, action in rows:
                if spec.note and spec.note.strip():
                    s.add(
                        Note(
                            workspace_id=ws.id,
                            action_id=action.id,
                            author=actor.user_id,
                            text=spec.note.strip(),
                            created_at=now,
                        )
                    )
                created.append(history.record(s, action, actor, now, "created", new=history.snapshot(action)))
            actions = [a for _, _, a in rows]
            if digest:  # the import's DMs go with its first action's outcome
                owners = assignments.told((o.user_id for a in actions for o in a.owners if o.user_id), actor.user_id)
                told = [self._ledger_rows(s, assignments.imported(ws.id, first, first + len(actions) - 1, owners, now))]
                told += [[] for _ in actions[1:]]
            else:
                told = [
                    self._tell_assigned(s, ws, actor, action, event, [o.user_id for o in action.owners], now)
                    for action, event in zip(actions, created)
                ]
        names = self._names(ws, [a for _, _, a in rows])
        infos = [action_info(action, today, names) for _, _, action in rows]
        outcomes = []
        for (_spec, due, action), info, written in zip(rows, infos, told):
            outcome = Outcome(
                info,
                changes=[msg("change.created", number=action.number)],
                told=self._notices(ws, written, infos if digest else [info], actor, now),
            )
            outcome.assignments = [Assignment(u, actor.user_id, info) for u in info.owner_ids if u != actor.user_id]
            if due.date is not None and due.date < today and action.status == "open":
                outcome.changes.append(msg("change.past_due", date=format_date(due.date)))
            outcomes.append(outcome)
        return outcomes

    @staticmethod
    def _cached(cache: dict, s, ws: WorkspaceRef, finder, kind: str, name: str | None):
        if not name:
            return None
        key = (kind, q.fold(name))
        if key not in cache:
            cache[key] = finder(s, ws.id, name, create=True)
        return cache[key]

    def set_status(self, team_id: str, actor: Actor, number: int, verb: str, now: dt.datetime) -> Outcome:
        status = STATUS_VERBS[verb]
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            if action.status == status:
                raise BadInput("already_status", number=number, status=status)
            old = action.status
            action.status = status
            action.closed_at = None if status == "open" else now
            action.updated_at = now
            if status == "open":  # reopened: nudges start again from now, not from the past
                action.schedule_from, action.snoozed_until = now, None
            history.record(s, action, actor, now, "status", "status", old, status)
        return Outcome(
            self._info(ws, action, self.today(ws, actor, now)), changes=[msg("change.status", old=old, new=status)]
        )

    def note(self, team_id: str, actor: Actor, number: int, text: str, now: dt.datetime) -> Outcome:
        limits.check("note", text)
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            s.add(Note(workspace_id=ws.id, action_id=action.id, author=actor.user_id, text=text, created_at=now))
            action.updated_at = now
            history.record(s, action, actor, now, "note", new=text)
        return Outcome(self._info(ws, action, self.today(ws, actor, now)), changes=[msg("change.note_added")])

    def assign(self, team_id: str, actor: Actor, number: int, spec: ActionSpec, now: dt.datetime) -> Outcome:
        limits.check_spec(spec)
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            before = {o.user_id for o in action.owners if o.user_id}
            old = history.owner_labels(action)
            self._set_owners(action, ws, spec.user_owners, spec.named_owners)
            action.updated_at = now
            s.flush()
            new = history.owner_labels(action)
            if old == new:
                raise BadInput("same_owners", number=number)
            event = history.record(s, action, actor, now, "changed", "owners", old, new)
            action.clear_problem()  # new owners: try again
            told = self._tell_assigned(
                s, ws, actor, action, event, [o.user_id for o in action.owners if o.user_id not in before], now
            )
        info = self._info(ws, action, self.today(ws, actor, now))
        added = [u for u in info.owner_ids if u not in before and u != actor.user_id]
        return Outcome(
            info,
            changes=[msg("change.owners")],
            assignments=[Assignment(u, actor.user_id, info) for u in added],
            told=self._notices(ws, told, [info], actor, now),
        )

    def changeable(self, team_id: str, actor: Actor, number: int, now: dt.datetime) -> ActionInfo:
        """The action, if `actor` may change it (else NotFound or NotAllowed): what an edit form shows."""
        with self.reading(team_id, now) as (s, ws):
            action = self._changeable(s, ws, number, actor)
            return self._info(ws, action, self.today(ws, actor, now), with_notes=True)

    def replace(
        self,
        team_id: str,
        actor: Actor,
        number: int,
        spec: ActionSpec,
        now: dt.datetime,
        keep: frozenset[str] = frozenset(),
    ) -> Outcome:
        """Make the action what a full form says (an empty region, group or meeting clears it), recording
        each changed field; a note in the form is added. Fields named in `keep` (of title, users, named, due,
        region, group, meeting: the ones the person did not touch) stay as stored, whatever `spec` says."""
        if "title" not in keep and not spec.title.strip():
            raise BadInput("needs_title", field="title")
        limits.check_spec(_untouched_cleared(spec, keep))
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            before_users = {o.user_id for o in action.owners if o.user_id}
            old = history.snapshot(action)
            if "title" not in keep:
                action.title = spec.title.strip()
            due = (
                Due(action.due_kind, action.due_date)
                if "due" in keep
                else self.resolve_due(spec.due_phrase, ws, actor, now)
            )
            if due != Due(action.due_kind, action.due_date):
                action.due_kind, action.due_date = due.kind, due.date
                action.schedule_from, action.snoozed_until = now, None
            if "region" not in keep:
                action.region = self.region_named(s, ws, spec.region) if spec.region else None
            if "group" not in keep:
                action.group = q.group_by_name(s, ws.id, spec.group, create=True) if spec.group else None
            if "meeting" not in keep:
                action.meeting = q.meeting_by_name(s, ws.id, spec.meeting, create=True) if spec.meeting else None
            users = [o.user_id for o in action.owners if o.user_id] if "users" in keep else spec.user_owners
            names = (
                [o.name for o in action.owners if o.name and not o.user_id] if "named" in keep else spec.named_owners
            )
            if history.owner_labels(action) != [{"user": u} for u in dict.fromkeys(users)] + [
                n.strip() for n in dict.fromkeys(names) if n.strip()
            ]:
                self._set_owners(action, ws, users, names)
                action.clear_problem()  # new owners: try again
            s.flush()
            new = history.snapshot(action)
            changes = [(f, old[f], new[f]) for f in new if old[f] != new[f]]
            note = (spec.note or "").strip()
            if not changes and not note:
                raise BadInput("nothing_to_change", number=number)
            told: list[assignments.Written] = []
            for field, was, now_is in changes:
                event = history.record(s, action, actor, now, "changed", field, was, now_is)
                if field == "owners":
                    told = self._tell_assigned(
                        s,
                        ws,
                        actor,
                        action,
                        event,
                        [o.user_id for o in action.owners if o.user_id not in before_users],
                        now,
                    )
            if note:
                s.add(Note(workspace_id=ws.id, action_id=action.id, author=actor.user_id, text=note, created_at=now))
                history.record(s, action, actor, now, "note", new=note)
            action.updated_at = now
        info = self._info(ws, action, self.today(ws, actor, now))
        added = [u for u in info.owner_ids if u not in before_users and u != actor.user_id]
        return Outcome(
            info,
            changes=[msg("change.field", field=f) for f, _, _ in changes]
            + ([msg("change.note_added")] if note else []),
            assignments=[Assignment(u, actor.user_id, info) for u in added],
            told=self._notices(ws, told, [info], actor, now),
        )

    def set_due(self, team_id: str, actor: Actor, number: int, phrase: str, now: dt.datetime) -> Outcome:
        return self.edit(team_id, actor, number, ActionSpec(due_phrase=phrase), now)

    def edit(self, team_id: str, actor: Actor, number: int, spec: ActionSpec, now: dt.datetime) -> Outcome:
        limits.check_spec(spec)
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            changes: list[tuple[str, object, object]] = []
            if spec.title and spec.title.strip() != action.title:
                changes.append(("title", action.title, spec.title.strip()))
                action.title = spec.title.strip()
            if spec.due_phrase is not None:
                due = self.resolve_due(spec.due_phrase, ws, actor, now)
                old_due = Due(action.due_kind, action.due_date)
                if due != old_due:
                    changes.append(("due", history.due_value(old_due), history.due_value(due)))
                    action.due_kind, action.due_date = due.kind, due.date
                    # a new due date restarts the nudges (and ends a snooze)
                    action.schedule_from, action.snoozed_until = now, None
            if spec.region:
                region = self.region_named(s, ws, spec.region)
                if region.id != action.region_id:
                    changes.append(("region", action.region.name if action.region else None, region.name))
                    action.region = region
            for field, finder in (("group", q.group_by_name), ("meeting", q.meeting_by_name)):
                name = getattr(spec, field)
                if name:
                    current = getattr(action, field)
                    row = finder(s, ws.id, name, create=True)
                    assert row is not None  # create=True makes it
                    if current is None or current.id != row.id:
                        changes.append((field, current.name if current else None, row.name))
                        setattr(action, field, row)
            if not changes:
                raise BadInput("nothing_to_change", number=number)
            action.updated_at = now
            for field, old, new in changes:
                history.record(s, action, actor, now, "changed", field, old, new)
        return Outcome(
            self._info(ws, action, self.today(ws, actor, now)),
            changes=[msg("change.field", field=field) for field, _, _ in changes],
        )

    def snooze(self, team_id: str, actor: Actor, number: int, until: str, now: dt.datetime) -> Outcome:
        """Hold the nudges of an open action until 09:00 on the next working day (`day`) or the first
        working day of next week (`week`), in the actor's zone; a nudge comes then."""
        ws = self.workspaces.ref(team_id, now)
        with self.db.session() as s:
            action = self._changeable(s, ws, number, actor)
            if action.status != "open":
                raise BadInput("nothing_to_snooze", number=number, status=action.status)
            region = action.region
            tz = schedule.zone(actor.tz or (region.timezone if region else None), ws.timezone)
            days = schedule.working_days(region.working_days if region else None)
            pick = schedule.next_week_morning if until == "week" else schedule.next_working_morning
            instant = pick(now, tz, days)
            old = action.snoozed_until
            action.snoozed_until, action.updated_at = instant, now
            history.record(
                s, action, actor, now, "changed", "snooze", old.isoformat() if old else None, instant.isoformat()
            )
        local = instant.astimezone(tz)
        return Outcome(
            self._info(ws, action, self.today(ws, actor, now)),
            changes=[msg("change.snoozed", date=format_date(local.date()), time=f"{local:%H:%M}")],
        )

    def history(self, team_id: str, number: int, now: dt.datetime) -> builtins.list[Event]:
        with self.db.session() as s:
            ws = self.workspaces.row(s, team_id, now)
            return q.action_events(s, ws.id, self._action(s, ws, number).id)

    # -- helpers --------------------------------------------------------------------------

    def _action(self, s, ws: Workspace | WorkspaceRef, number: int) -> Action:
        action = q.action_by_number(s, ws.id, number)
        if action is None:
            raise NotFound("no_action", Example("list"), number=number)
        return action

    def _changeable(self, s, ws: Workspace | WorkspaceRef, number: int, actor: Actor) -> Action:
        action = self._action(s, ws, number)
        permissions.check_may_change(actor, action)
        return action

    def region_named(self, s, ws: Workspace | WorkspaceRef, name: str) -> Region:
        return region_names.region_named(s, ws.id, name)

    def _set_owners(
        self, action: Action, ws: Workspace | WorkspaceRef, user_ids: builtins.list[str], names: builtins.list[str]
    ) -> None:
        check_owners(user_ids, names)
        owners = [Owner(workspace_id=ws.id, user_id=u) for u in dict.fromkeys(user_ids)]
        owners += [Owner(workspace_id=ws.id, name=n.strip()) for n in dict.fromkeys(names) if n.strip()]
        for pos, owner in enumerate(owners):
            owner.position = pos
        action.owners = owners

    def _tell_assigned(
        self, s, ws: WorkspaceRef, actor: Actor, action: Action, event: Event, user_ids, now: dt.datetime
    ) -> builtins.list[assignments.Written]:
        """Write the DMs telling `user_ids` (new owners) of `event`'s change into its own transaction."""
        users = assignments.told((u for u in user_ids if u), actor.user_id)
        if not users:
            return []
        s.flush()  # the event's ID keys the DMs
        return self._ledger_rows(s, assignments.assigned(ws.id, action.id, event.id, users, now))

    def _ledger_rows(self, s, rows: builtins.list[dict]) -> builtins.list[assignments.Written]:
        """Add ledger rows to the session (claimed by `claims_as` when it is set); what the web process
        needs to deliver them at once."""
        if not rows:
            return []
        if self.claims_as is not None:
            assignments.claim(rows, self.claims_as)
        return assignments.written(q.insert_deliveries(s, rows), rows)

    def _notices(
        self,
        ws: WorkspaceRef,
        written: builtins.list[assignments.Written],
        infos: builtins.list[ActionInfo],
        actor: Actor,
        now: dt.datetime,
    ) -> builtins.list:
        """The notices of the ledger rows a change wrote, to send right after it is answered."""
        if not written:
            return []
        return assignments.notices(
            ws.team_id, written, infos, actor.user_id, now, ws.timezone, self.today(ws, None, now)
        )

    def _names(self, ws: WorkspaceRef, actions: builtins.list[Action]) -> dict[str, str]:
        """Display names of the chat users among `actions`' owners: remembered for a minute, else read in
        a transaction of its own."""
        user_ids = {o.user_id for a in actions for o in a.owners if o.user_id}
        with self._memo_lock:
            names = {u: self._display_names[(ws.id, u)] for u in user_ids if (ws.id, u) in self._display_names}
        unknown = user_ids - names.keys()
        if unknown:
            with self.db.rows() as conn:
                found = q.people_names(conn, ws.id, unknown)
            with self._memo_lock:
                for user_id, name in found.items():
                    self._display_names[(ws.id, user_id)] = name
            names.update(found)
        return names

    def _info(self, ws: WorkspaceRef, action: Action, today: dt.date, with_notes: bool = False) -> ActionInfo:
        """The record of an action. A change builds it once its transaction has committed, so the write
        lock is not held for the owners' names; `with_notes` needs the session still open."""
        return action_info(action, today, self._names(ws, [action]), with_notes)


def action_info(action: Action, today: dt.date, names: dict[str, str], with_notes: bool = False) -> ActionInfo:
    """The plain record of an action loaded as an ORM object (owners' display names from `names`)."""
    return row_info(row_of(action, names), today, tuple(n.text for n in action.notes) if with_notes else ())


def row_info(row: ActionRow, today: dt.date, notes: tuple[str, ...] = ()) -> ActionInfo:
    """The plain record of an action row."""
    due = Due(row.due_kind, row.due_date)
    return ActionInfo(
        number=row.number,
        title=row.title,
        status=row.status,
        due=due,
        owners=tuple(OwnerInfo(user_id, name) for user_id, name in row.owners),
        region=row.region,
        group=row.group,
        meeting=row.meeting,
        channel_id=row.channel_id,
        created_by=row.created_by,
        created_at=row.created_at,
        overdue=row.status == "open" and due.date is not None and due.date < today,
        notes=notes,
        closed_at=row.closed_at,
        snoozed_until=row.snoozed_until,
        permalink=row.permalink,
        creator_kind=row.creator_kind,
    )
