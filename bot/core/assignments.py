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
from typing import NamedTuple

from bot.core.notices import TOLD_ON_CHANGE, Notice
from bot.core.records import ActionInfo

ASSIGNED, IMPORTED = TOLD_ON_CHANGE
PENDING = "pending"  # written by the change, not yet claimed by a sender
_BLOCK = re.compile(r"^numbers:(\d+)-(\d+)$")
_EVENT = re.compile(r"^(\d+)/")


def _row(
    workspace_id: int,
    kind: str,
    subject: str,
    occurrence: str,
    user_id: str,
    now: dt.datetime,
    action_id: int | None = None,
) -> dict:
    """A pending ledger row's columns (written with one multi-row INSERT: no ORM object per DM)."""
    return dict(
        workspace_id=workspace_id,
        kind=kind,
        subject=subject,
        occurrence=occurrence,
        action_id=action_id,
        region_id=None,
        recipient=f"user:{user_id}",
        scheduled_for=now,
        status=PENDING,
        attempts=0,
        claimed_by="",
        claimed_at=now,
        parts_sent=0,
    )


def claim(rows: list[dict], claimer: str) -> None:
    """Mark rows a change is writing as claimed by `claimer`, the sender that will deliver them right after
    the answer: no one else takes them until the claim's lease runs out (the sweep then sends any that
    sender never did, as for any sender that died)."""
    for row in rows:
        row.update(status="claimed", claimed_by=claimer, attempts=1)


def told(user_ids, actor_id: str) -> list[str]:
    """Who hears of a change: `user_ids` (owners' IDs: platform users), once each, never the one who made it."""
    return [u for u in dict.fromkeys(user_ids) if u and u != actor_id]


def assigned(workspace_id: int, action_id: int, event_id: int, user_ids, now: dt.datetime) -> list[dict]:
    """The pending DMs telling `user_ids` that the change recorded as `event_id` made them owners."""
    return [
        _row(workspace_id, ASSIGNED, f"action:{action_id}", f"{event_id}/user:{u}", u, now, action_id) for u in user_ids
    ]


def imported(workspace_id: int, first: int, last: int, user_ids, now: dt.datetime) -> list[dict]:
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


class Written(NamedTuple):
    """A ledger row a change wrote, as its web process needs it to deliver at once (no re-reading)."""

    id: int
    kind: str
    subject: str
    occurrence: str
    user_id: str
    action_id: int | None


def written(ids: list[int], rows: list[dict]) -> list[Written]:
    """The rows as stored (`ids`: their IDs, in the same order) as plain records."""
    return [
        Written(i, r["kind"], r["subject"], r["occurrence"], r["recipient"].split(":", 1)[1], r["action_id"])
        for i, r in zip(ids, rows)
    ]


def notices(
    team_id: str, rows: list[Written], infos: list[ActionInfo], by: str, now: dt.datetime, zone: str, today: dt.date
) -> list[Notice]:
    """The notices of rows a change just wrote, from what the change already knows: `infos` are its
    actions as it left them (an import's, or the one action changed), `by` who made it. The web process
    sends these at once; the ledger keeps each to one sender, and the sweep sends any it could not."""
    found = []
    for row in rows:
        mine = tuple(i for i in infos if row.user_id in i.owner_ids)
        if row.kind == ASSIGNED:
            mine = mine[:1]
        if mine:
            found.append(
                Notice(
                    kind=row.kind,
                    team_id=team_id,
                    subject=row.subject,
                    occurrence=row.occurrence,
                    recipient=f"user:{row.user_id}",
                    scheduled_for=now,
                    local_day=today,
                    timezone=zone,
                    action=mine[0],
                    action_id=row.action_id,
                    by=by,
                    actions=mine,
                    delivery_id=row.id,
                )
            )
    return found
