"""Where to reach a person or a channel unasked, for platforms that need a stored address to send a
message nobody asked for (proactive messages): the platform's own reference, kept as it came (opaque
JSON here), and the service URL to post it to. Also the installations a platform counts (kind
"install"), so it knows when none is left. Platform-neutral: keys and references are opaque."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from bot.core.service import ActionService
from store import queries as q

MAX_REFERENCE_CHARS = 8_000  # a Teams conversation reference is well under 1 KB


@dataclass(frozen=True)
class Address:
    reference: dict[str, Any]
    service_url: str | None


class AddressBook:
    """Stored addresses of one platform's workspaces (`actions.platform`)."""

    def __init__(self, actions: ActionService):
        self.actions = actions

    def save(
        self, team_id: str, kind: str, key: str, reference: dict[str, Any], service_url: str | None, now: dt.datetime
    ) -> None:
        data = json.dumps(reference, separators=(",", ":"), sort_keys=True)
        if len(data) > MAX_REFERENCE_CHARS or len(key) > 250:
            raise ValueError("address too large")
        with self.actions.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            q.save_conversation_ref(s, ws.id, kind, key, data, service_url, now)

    def get(self, team_id: str, kind: str, key: str) -> Address | None:
        ref = self.actions.workspaces.known(team_id)
        if ref is None:
            return None
        with self.actions.db.reading() as s:
            row = q.conversation_ref(s, ref.id, kind, key)
            if row is None:
                return None
            return Address(json.loads(row.reference), row.service_url)

    def all(self, team_id: str, kind: str, limit: int = 5_000) -> dict[str, Address]:
        """Key → address of every stored address of `kind` in the workspace (at most `limit`)."""
        ref = self.actions.workspaces.known(team_id)
        if ref is None:
            return {}
        with self.actions.db.reading() as s:
            rows = q.conversation_refs(s, ref.id, kind, limit)
            return {row.key: Address(json.loads(row.reference), row.service_url) for row in rows}

    def remove(self, team_id: str, kind: str, key: str) -> None:
        ref = self.actions.workspaces.known(team_id)
        if ref is None:
            return
        with self.actions.db.session() as s:
            q.delete_conversation_ref(s, ref.id, kind, key)

    def count(self, team_id: str, kind: str) -> int:
        ref = self.actions.workspaces.known(team_id)
        if ref is None:
            return 0
        with self.actions.db.reading() as s:
            return q.count_conversation_refs(s, ref.id, kind)
