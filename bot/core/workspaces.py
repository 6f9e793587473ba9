"""One platform's workspaces (a Slack workspace, a Teams tenant), each named by its ID there: found,
created on first contact, marked installed or uninstalled, listed and deleted; and what most
operations need of one (`WorkspaceRef`: its row's ID, zone and date order), remembered for
`MEMO_SECONDS` so a hot path's write transaction starts without reading it (its ID never changes; a zone
or date order changed in another process shows here within that time)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from cachetools import TTLCache

from bot.core import schedule
from bot.core.records import Actor, WorkspaceInfo
from store import queries as q
from store.database import Database
from store.models import Workspace

MEMO_SECONDS = 60


@dataclass(frozen=True)
class WorkspaceRef:
    """What most operations need of a workspace, read once and remembered: its row's ID, zone and
    date order (the attributes of `store.models.Workspace` by the same names)."""

    id: int
    team_id: str
    timezone: str
    date_order: str


def today(ws: Workspace | WorkspaceRef, actor: Actor | None, now: dt.datetime) -> dt.date:
    """The actor's calendar day: their zone, else the workspace's."""
    return now.astimezone(schedule.zone(actor.tz if actor else None, ws.timezone)).date()


class Workspaces:
    """The workspaces of one platform (`platform`: `workspaces.platform`); a new one starts with the
    default zone and date order."""

    def __init__(self, db: Database, platform: str, default_timezone: str = "UTC", default_date_order: str = "MDY"):
        self.db, self.platform = db, platform
        self.default_timezone, self.default_date_order = default_timezone, default_date_order
        self._refs: TTLCache = TTLCache(10_000, MEMO_SECONDS)
        self._lock = threading.Lock()

    def row(self, session, team_id: str, now: dt.datetime) -> Workspace:
        """The workspace's row in `session`, created on its first contact."""
        ws = q.workspace_by_team(session, team_id, self.platform)
        if ws is None:
            ws = q.create_workspace(
                session,
                team_id,
                now=now,
                platform=self.platform,
                timezone=self.default_timezone,
                date_order=self.default_date_order,
            )
        return ws

    def known(self, team_id: str) -> WorkspaceRef | None:
        """The workspace's ID, zone and date order, remembered; None when it has never been seen."""
        with self._lock:
            ref = self._refs.get(team_id)
        if ref is None:
            with self.db.reading() as s:
                ws = q.workspace_by_team(s, team_id, self.platform)
            ref = None if ws is None else self._remember(ws)
        return ref

    def ref(self, team_id: str, now: dt.datetime) -> WorkspaceRef:
        """The workspace's ID, zone and date order, remembered; created on a workspace's first contact."""
        ref = self.known(team_id)
        if ref is None:
            with self.db.session() as s:
                ref = self._remember(self.row(s, team_id, now))
        return ref

    def _remember(self, ws: Workspace) -> WorkspaceRef:
        ref = WorkspaceRef(ws.id, ws.team_id, ws.timezone, ws.date_order)
        with self._lock:
            self._refs[ws.team_id] = ref
        return ref

    def forget(self, team_id: str) -> None:
        """The workspace's row changed (its zone, date order) or is gone: read it again next time."""
        with self._lock:
            self._refs.pop(team_id, None)

    def add(self, team_id: str, now: dt.datetime) -> bool:
        """An operator adds a workspace by its ID before the app is installed there (an import or regions
        set up first); True when it is new. An installation there later marks it installed."""
        with self.db.session() as s:
            if q.workspace_by_team(s, team_id, self.platform) is not None:
                return False
            self.row(s, team_id, now).added_by_cli = True
            return True

    def installed(self, team_id: str, name: str, now: dt.datetime) -> None:
        """The app was (re)installed in a workspace: sends resume."""
        with self.db.session() as s:
            ws = self.row(s, team_id, now)
            ws.uninstalled_at = None
            ws.added_by_cli = False
            if name:
                ws.name = name[:200]

    def uninstalled(self, team_id: str, now: dt.datetime) -> None:
        """The app was uninstalled or its token revoked: nothing is sent there; the data stays until an
        admin deletes it (`actionbot workspace delete`)."""
        with self.db.session() as s:
            ws = q.workspace_by_team(s, team_id, self.platform)
            if ws is not None and ws.uninstalled_at is None:
                ws.uninstalled_at = now

    def all(self) -> list[WorkspaceInfo]:
        with self.db.reading() as s:
            return [
                WorkspaceInfo(w.team_id, w.name, w.last_number, w.uninstalled_at, w.added_by_cli)
                for w in q.all_workspaces(s, self.platform)
            ]

    def delete(self, team_id: str) -> bool:
        """Remove a workspace and everything in it. True when there was one."""
        self.forget(team_id)
        with self.db.session() as s:
            ws = q.workspace_by_team(s, team_id, self.platform)
            if ws is None:
                return False
            q.delete_workspace(s, ws)
            return True
