"""An action's history: every change is an event (who, when, what field, old and new value), written in
the change's own transaction. Values are kept neutral: owners as `{"user": ID}` for a platform user and
a named owner's name, dues as an ISO date or their kind."""

from __future__ import annotations

import datetime as dt

from bot.core.dates import Due
from bot.core.records import Actor
from store.models import Action, Event


def due_value(due: Due) -> str:
    return due.date.isoformat() if due.date is not None else due.kind


def owner_labels(action: Action) -> list[dict | str]:
    """The owners as history keeps them: `{"user": ID}` for a platform user, a named owner's name."""
    return [{"user": o.user_id} if o.user_id else o.name or "" for o in action.owners]


def snapshot(action: Action) -> dict:
    """The fields of an action as a `created` event keeps them."""
    return {
        "title": action.title,
        "owners": owner_labels(action),
        "due": due_value(Due(action.due_kind, action.due_date)),
        "region": action.region.name if action.region else None,
        "group": action.group.name if action.group else None,
        "meeting": action.meeting.name if action.meeting else None,
    }


def record(
    s,
    action: Action,
    actor: Actor,
    now: dt.datetime,
    kind: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
) -> Event:
    """Add the event of a change to the session (its ID comes at the next flush)."""
    event = Event(
        workspace_id=action.workspace_id,
        action_id=action.id,
        actor=actor.user_id,
        kind=kind,
        field=field,
        old=old,
        new=new,
        at=now,
    )
    s.add(event)
    return event
