"""What the bot remembers of chat users (name, zone, admin flag), so it need not ask every time.

Who is asking is looked up on every request, so the remembered rows are also kept in memory for a minute
(`MEMO_SECONDS`): the database row is itself a cache of the chat platform's profile, asked again after a
request when older than `FRESH_FOR`, and a minute more only matters when another process (a second web
worker, the CLI) changed it. Changes made through this service update the memory at once. Rights are
stricter: the admin flag counts only while younger than `ADMIN_FRESH_FOR`; older, an admin-only
operation asks again first (`Actor.admin_unconfirmed`). Who has opened their Home tab is asked
after every change; once someone has, that stays true, so it is remembered too."""

from __future__ import annotations

import datetime as dt
import threading

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.records import Actor
from bot.core.schedule import known_zone
from bot.core.service import ActionService
from store import queries as q
from store.models import Person

FRESH_FOR = dt.timedelta(hours=12)  # name and zone
ADMIN_FRESH_FOR = dt.timedelta(minutes=5)  # the admin flag, for admin-only operations
MEMO_SECONDS = 60
ASK_EVERY_SECONDS = 60  # someone whose profile is being asked for is not asked for again sooner
MEMO_SIZE = 10_000


class PeopleService:
    def __init__(self, actions: ActionService):
        self.actions = actions
        self._memo: TTLCache = TTLCache(MEMO_SIZE, MEMO_SECONDS)  # (team, user) -> (is_admin, tz, refreshed_at)
        self._opened: TTLCache = TTLCache(MEMO_SIZE, 3600)  # (team, user) of Homes known to be opened
        self._asked: TTLCache = TTLCache(MEMO_SIZE, ASK_EVERY_SECONDS)  # (team, user) whose profile is asked for
        self._memo_lock = threading.Lock()

    def known(self, team_id: str, user_id: str, now: dt.datetime) -> tuple[Actor | None, bool]:
        """(the remembered actor or None when never seen, whether to ask for their profile now). The
        actor's admin flag is unconfirmed when older than ADMIN_FRESH_FOR; asking is due when the profile
        is unknown or older than FRESH_FOR, and nobody asked for it in the last minute."""
        found = self._remembered(team_id, user_id)
        if found is None:
            return None, self._ask(team_id, user_id)
        is_admin, tz, refreshed_at = found
        age = now - refreshed_at
        actor = Actor(user_id, is_admin, tz, admin_unconfirmed=age > ADMIN_FRESH_FOR)
        return actor, age > FRESH_FOR and self._ask(team_id, user_id)

    def _ask(self, team_id: str, user_id: str) -> bool:
        with self._memo_lock:
            if (team_id, user_id) in self._asked:
                return False
            self._asked[(team_id, user_id)] = True
            return True

    def _remembered(self, team_id: str, user_id: str) -> tuple | None:
        key = (team_id, user_id)
        with self._memo_lock:
            found = self._memo.get(key)
        if found is None:
            with self.actions.db.reading() as s:
                row = q.remembered(s, team_id, user_id, self.actions.platform)
            if row is None:
                return None
            found = (row.is_admin, row.tz, row.refreshed_at)
            with self._memo_lock:
                self._memo[key] = found
        return found

    def opened_home(self, team_id: str, user_id: str, now: dt.datetime) -> None:
        """They opened the Home tab: from now on changes that concern them refresh it."""
        with self.actions.db.session() as s:
            ws = q.workspace_by_team(s, team_id, self.actions.platform)
            row = q.person(s, ws.id, user_id) if ws else None
            if row is not None:
                row.home_opened_at = now
        with self._memo_lock:
            self._opened[(team_id, user_id)] = True

    def with_home(self, team_id: str, user_ids: set[str]) -> set[str]:
        """Which of `user_ids` have a Home tab to keep fresh (they have opened it). Nobody closes one, so
        those known to have opened it are remembered; only the others are looked up."""
        with self._memo_lock:
            opened = {u for u in user_ids if (team_id, u) in self._opened}
        unknown = set(user_ids) - opened
        if unknown:
            ws = self.actions.workspaces.known(team_id)
            with self.actions.db.reading() as s:
                found = q.home_openers(s, ws.id, unknown) if ws else set()
            with self._memo_lock:
                for user_id in found:
                    self._opened[(team_id, user_id)] = True
            opened |= found
        return opened

    def remember(
        self,
        team_id: str,
        user_id: str,
        now: dt.datetime,
        *,
        name: str = "",
        tz: str | None = None,
        is_admin: bool = False,
    ) -> Actor:
        tz = tz if known_zone(tz) else None  # a profile's zone that is not an IANA zone counts as none
        for attempt in range(2):  # a concurrent first sighting may insert the same row
            try:
                with self.actions.db.session() as s:
                    ws = self.actions.workspaces.row(s, team_id, now)
                    row = q.person(s, ws.id, user_id)
                    if row is None:
                        row = Person(workspace_id=ws.id, user_id=user_id)
                        s.add(row)
                    row.name, row.tz, row.is_admin, row.refreshed_at = name[:200], tz, is_admin, now
                with self._memo_lock:
                    self._memo[(team_id, user_id)] = (is_admin, tz, now)
                    self._asked.pop((team_id, user_id), None)
                break
            except IntegrityError:
                if attempt:
                    raise
        return Actor(user_id, is_admin, tz)

    def directory(self, team_id: str, limit: int = 500) -> dict[str, str]:
        """User ID → name of the people the bot has met in the workspace (a form's owner choices where the
        platform gives no member list, such as a personal chat), most recently seen first."""
        ws = self.actions.workspaces.known(team_id)
        if ws is None:
            return {}
        with self.actions.db.reading() as s:
            rows = s.execute(
                select(Person.user_id, Person.name)
                .where(Person.workspace_id == ws.id, Person.name != "")
                .order_by(Person.refreshed_at.desc(), Person.id)
                .limit(limit)
            ).all()
        return {user_id: name for user_id, name in rows}

    def names(self, team_id: str, user_ids: set[str]) -> dict[str, str]:
        """User ID → remembered name, of those of `user_ids` the bot has met (a notice naming someone)."""
        ws = self.actions.workspaces.known(team_id)
        if ws is None or not user_ids:
            return {}
        with self.actions.db.rows() as conn:
            return q.people_names(conn, ws.id, set(user_ids))
