"""A person the bot could not reach becomes reachable: their recorded delivery problems are cleared.

When a send to someone can never work (the platform has no way to their chat, or it refused: the app not
installed for them, blocked), the send loop records a delivery problem on the action or region
(bot.core.ledger.record_problem): the creator or region lead hears once, and the planner skips that
recipient there, so nothing is retried forever. When the platform then learns the person can be reached
(they installed the app, or wrote to the bot), its handlers call `Reach.reachable`: every problem
recorded for that person in that workspace is cleared, and their nudges and escalations given up lately
become failures again, so the next sweep sends what is still due.

Platform-neutral: the person is the platform's user ID, as the core stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.core.service import ActionService
from store import queries as q

REVIVED_KINDS = ("nudge", "escalation")  # a person's own scheduled notices (summaries go to channels)
REVIVE_WITHIN = dt.timedelta(days=8)  # the planner plans only an occurrence's latest; older ones stay given up
CHUNK = 500  # recipients an UPDATE names at once (a roster read may bring thousands)


class Reach:
    """Clears delivery problems of one platform's workspaces (`actions.platform`)."""

    def __init__(self, actions: ActionService):
        self.actions = actions

    def reachable(self, team_id: str, user_ids: Iterable[str], now: dt.datetime) -> int:
        """The people `user_ids` can be reached in `team_id` from now on: clear the problems recorded for
        them (and revive their nudges and escalations given up within REVIVE_WITHIN); how many problems
        were cleared. Nothing is written for a workspace never seen."""
        ref = self.actions.workspaces.known(team_id)
        recipients = sorted({f"user:{u}" for u in user_ids if u})
        if ref is None or not recipients:
            return 0
        cleared = 0
        with self.actions.db.session() as s:
            for start in range(0, len(recipients), CHUNK):
                chunk = recipients[start : start + CHUNK]
                cleared += q.clear_problems_of(s, ref.id, chunk)
                q.revive_dead_deliveries(s, ref.id, chunk, REVIVED_KINDS, now - REVIVE_WITHIN)
        return cleared
