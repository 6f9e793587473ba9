"""Who may change an action: its owners (platform users among them), its creator, or a workspace admin.
The one check every change goes through, whatever platform or command line asked."""

from __future__ import annotations

from bot.core.errors import NotAllowed
from bot.core.records import Actor
from store.models import Action


def may_change(actor: Actor, action: Action) -> bool:
    """Whether `actor` may change `action` (AdminUnconfirmed when only admin rights could decide and
    those are not known now)."""
    if actor.user_id == action.created_by or actor.user_id in {o.user_id for o in action.owners if o.user_id}:
        return True
    return actor.has_admin_rights()


def check_may_change(actor: Actor, action: Action) -> None:
    if not may_change(actor, action):
        raise NotAllowed("not_changeable", number=action.number)
