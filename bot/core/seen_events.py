"""Which platform events were already taken: Slack retries an event it thinks went unanswered (same
`event_id`, header `X-Slack-Retry-Num`), and any web process may get the retry. The database decides:
the first process to insert (workspace, event_id) answers, every later delivery does nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from bot.core.service import ActionService
from store import queries as q
from store.models import ProcessedEvent

MAX_EVENT_ID = ProcessedEvent.event_id.type.length  # the column's width; platforms' IDs are shorter


class SeenEvents:
    def __init__(self, actions: ActionService):
        self.actions = actions

    def first_time(self, team_id: str, event_id: str, now: dt.datetime) -> bool:
        """True exactly once per (workspace, event_id): the caller should answer. The row is
        committed in its own transaction before the caller does anything else."""
        try:
            with self.actions.db.session() as s:
                ws = self.actions.workspaces.row(s, team_id, now)
                q.record_event(s, ws.id, event_id[:MAX_EVENT_ID], now)
        except IntegrityError:
            return False  # a retry, or another process took it first
        return True

    def prune(self, team_id: str, older_than: dt.datetime) -> int:
        """Housekeeping: forget events received before `older_than`; returns how many."""
        with self.actions.db.session() as s:
            ws = q.workspace_by_team(s, team_id, self.actions.platform)
            return q.prune_events(s, ws.id, older_than) if ws else 0
