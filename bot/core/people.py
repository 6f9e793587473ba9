"""What the bot remembers of chat users (name, zone, admin flag), so it need not ask every time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from bot.core.records import Actor
from bot.core.service import ActionService
from store import queries as q
from store.models import Person

FRESH_FOR = dt.timedelta(hours=12)


class PeopleService:
    def __init__(self, actions: ActionService):
        self.actions = actions

    def known(self, team_id: str, user_id: str, now: dt.datetime, fresh_for: dt.timedelta = FRESH_FOR) -> Actor | None:
        """The remembered actor, or None when never seen or older than `fresh_for`."""
        with self.actions.db.reading() as s:
            found = q.remembered(s, team_id, user_id)
        if found is None or now - found.refreshed_at > fresh_for:
            return None
        return Actor(user_id, found.is_admin, found.tz)

    def opened_home(self, team_id: str, user_id: str, now: dt.datetime) -> None:
        """They opened the Home tab: from now on changes that concern them refresh it."""
        with self.actions.db.session() as s:
            ws = q.workspace_by_team(s, team_id)
            row = q.person(s, ws.id, user_id) if ws else None
            if row is not None:
                row.home_opened_at = now

    def with_home(self, team_id: str, user_ids: set[str]) -> set[str]:
        """Which of `user_ids` have a Home tab to keep fresh (they have opened it)."""
        with self.actions.db.reading() as s:
            ws = q.workspace_by_team(s, team_id)
            return q.home_openers(s, ws.id, user_ids) if ws else set()

    def remember(self, team_id: str, user_id: str, now: dt.datetime, *, name: str = "",
                 tz: str | None = None, is_admin: bool = False) -> Actor:
        for attempt in range(2):  # a concurrent first sighting may insert the same row
            try:
                with self.actions.db.session() as s:
                    ws = self.actions.workspace(s, team_id, now)
                    row = q.person(s, ws.id, user_id)
                    if row is None:
                        row = Person(workspace_id=ws.id, user_id=user_id)
                        s.add(row)
                    row.name, row.tz, row.is_admin, row.refreshed_at = name[:200], tz, is_admin, now
                break
            except IntegrityError:
                if attempt:
                    raise
        return Actor(user_id, is_admin, tz)
