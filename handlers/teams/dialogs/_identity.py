"""Who is acting in a Teams invoke (a dialog, a message action), as the forms need it: the sender read by
handlers.teams.identity (the tenant is the workspace, the person their Entra object ID), remembered there
with their zone, personal-chat address and account link (handlers.teams.turns.sender, as for a
message), plus where the dialog was opened (the team, the channel)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.core.records import Actor
from handlers.teams.context import TeamsContext
from handlers.teams.identity import GUID, MAX_ID, NotAPerson, Who, who

__all__ = ["GUID", "NotAPerson", "Where", "actor_for", "learn_names", "obj", "where", "with_admin"]


@dataclass(frozen=True)
class Where:
    """Where an invoke came from, as the (authenticated) activity says."""

    tenant: str
    user: str  # the Entra object ID
    name: str
    tz: str | None
    service_url: str
    conversation: str  # the conversation ID as sent (a channel thread keeps its ;messageid=)
    channel: str | None  # the team channel's ID, None in a personal or group chat
    team: str | None  # the team's ID, when in a team
    sender: Who | None = None
    actor: Actor | None = None  # set by `with_admin`, once the sender is remembered

    @property
    def admin(self) -> bool:
        return bool(self.actor and self.actor.is_admin)


def _str(value: object, limit: int = MAX_ID) -> str:
    return value if isinstance(value, str) and len(value) <= limit else ""


def obj(value: object) -> dict:
    """A JSON object, or {} for anything else (every part of an activity may be missing or misshapen)."""
    return value if isinstance(value, dict) else {}


def where(activity: dict) -> Where:
    """Raises NotAPerson when the tenant or the sender's object ID is missing or malformed."""
    w = who(activity)
    data = obj(activity.get("channelData"))
    channel = _str(data.get("teamsChannelId")) or None
    if channel is None and w.conversation_type == "channel":
        channel = w.conversation_id.split(";")[0] or None
    return Where(
        tenant=w.tenant_id,
        user=w.user_id,
        name=w.name,
        tz=w.tz,
        service_url=w.service_url,
        conversation=w.conversation_id,
        channel=channel,
        team=w.team_id or _str(obj(data.get("team")).get("id")) or None,
        sender=w,
    )


async def with_admin(ctx: TeamsContext, at: Where) -> Where:
    """`at` with its sender remembered as for any message (name, zone, personal-chat address, account
    link) and whether TEAMS_ADMINS names them, by object ID or e-mail (handlers.teams.turns.sender)."""
    from handlers.teams.turns import sender  # here: turns imports the listeners' modules' helpers

    if at.sender is None:
        return at
    return dataclasses.replace(at, actor=await sender(ctx, at.sender))


def actor_for(ctx: TeamsContext, at: Where) -> Actor:
    """The acting person (remembered by `with_admin`; else with the name and zone this activity gives: runs
    the database, call it off the event loop)."""
    if at.actor is not None:
        return at.actor
    return ctx.people.remember(at.tenant, at.user, ctx.clock(), name=at.name, tz=at.tz)


def learn_names(ctx: TeamsContext, tenant: str, people: dict[str, str]) -> None:
    """Remember the names of people chosen from a roster (object ID → name) whom the bot has never seen,
    so lists show a name; someone already known keeps what they told us themselves."""
    now = ctx.clock()
    for user_id, name in people.items():
        known, _ = ctx.people.known(tenant, user_id, now)
        if known is None:
            ctx.people.remember(tenant, user_id, now, name=name)
