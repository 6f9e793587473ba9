"""Telling new owners, exactly once: a change that makes someone an owner writes a pending row into the
delivery ledger in its own transaction, so the news is stored with the change or not at all, and survives
the process that made it. The scheduler's sender delivers pending rows like any other notice (claimed,
paced, marked sent, retried after a fault); the web process asks for that right after answering, and the
clock's sweep sends whatever is left.

Keys (the ledger's unique workspace, kind, subject, occurrence):
- `assigned`: one action, one owner, one change: `action:<id>`, `<history event id>/user:<id>`; the
  event says who made the change.
- `imported`: one DM per owner per import listing all their new actions: `numbers:<first>-<last>` (an
  import's numbers are one unbroken block), `user:<id>`; the actions' creator made the import.
"""
from __future__ import annotations

import datetime as dt
import re

from bot.core.notices import TOLD_ON_CHANGE
from bot.core.records import CHAT_USER
from store.models import Delivery

ASSIGNED, IMPORTED = TOLD_ON_CHANGE
PENDING = "pending"  # written by the change, not yet claimed by a sender
_BLOCK = re.compile(r"^numbers:(\d+)-(\d+)$")
_EVENT = re.compile(r"^(\d+)/")


def _row(workspace_id: int, kind: str, subject: str, occurrence: str, user_id: str, now: dt.datetime,
         action_id: int | None = None) -> Delivery:
    return Delivery(workspace_id=workspace_id, kind=kind, subject=subject, occurrence=occurrence,
                    action_id=action_id, recipient=f"user:{user_id}", scheduled_for=now, status=PENDING,
                    attempts=0, claimed_by="", claimed_at=now, parts_sent=0)


def told(user_ids, actor_id: str) -> list[str]:
    """Who hears of a change: the chat users among `user_ids`, once each, never the one who made it."""
    return [u for u in dict.fromkeys(user_ids) if u != actor_id and CHAT_USER.match(u)]


def assigned(workspace_id: int, action_id: int, event_id: int, user_ids, now: dt.datetime) -> list[Delivery]:
    """The pending DMs telling `user_ids` that the change recorded as `event_id` made them owners."""
    return [_row(workspace_id, ASSIGNED, f"action:{action_id}", f"{event_id}/user:{u}", u, now, action_id)
            for u in user_ids]


def imported(workspace_id: int, first: int, last: int, user_ids, now: dt.datetime) -> list[Delivery]:
    """The pending DMs, one per owner, listing what the import of actions #first to #last gave them."""
    return [_row(workspace_id, IMPORTED, f"numbers:{first}-{last}", f"user:{u}", u, now) for u in user_ids]


def event_of(occurrence: str) -> int | None:
    """The history event an `assigned` key names."""
    found = _EVENT.match(occurrence)
    return int(found.group(1)) if found else None


def block_of(subject: str) -> tuple[int, int] | None:
    """The numbers (first, last) an `imported` key names."""
    found = _BLOCK.match(subject)
    return (int(found.group(1)), int(found.group(2))) if found else None
