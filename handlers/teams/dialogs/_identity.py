"""Who is acting in a Teams invoke, and in which tenant: the tenant is the workspace (platform "teams"),
the person their Entra object ID (`from.aadObjectId`), their zone the activity's `clientInfo` entity or
`localTimezone` (remembered on every activity), admin when TEAMS_ADMINS names their object ID or the
e-mail address (or user principal name) their roster entry gives (read once in ten minutes a person).

Duplicates what forms need of handlers/teams/identity.py (teams-adapter's); fold at merge."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from cachetools import TTLCache

from bot.core.records import Actor
from handlers.teams.context import TeamsContext

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_ID = 255
_addresses: TTLCache = TTLCache(10_000, 600)  # (tenant, object ID) -> their addresses, lower case


class NotAPerson(ValueError):
    """The activity names no tenant or no Entra user (a bot, a guest from nowhere, a forged shape)."""


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
    admin: bool = False  # set by `with_admin`


def _str(value: object, limit: int = MAX_ID) -> str:
    return value if isinstance(value, str) and len(value) <= limit else ""


def obj(value: object) -> dict:
    """A JSON object, or {} for anything else (every part of an activity may be missing or misshapen)."""
    return value if isinstance(value, dict) else {}


def where(activity: dict) -> Where:
    """Raises NotAPerson when the tenant or the sender's object ID is missing or malformed."""
    data, conversation, sender = (
        obj(activity.get("channelData")),
        obj(activity.get("conversation")),
        obj(activity.get("from")),
    )
    tenant = _str(obj(data.get("tenant")).get("id"))
    tenant = tenant or _str(conversation.get("tenantId"))
    user = _str(sender.get("aadObjectId"))
    if not GUID.fullmatch(tenant) or not GUID.fullmatch(user):
        raise NotAPerson()
    tz = None
    entities = activity.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            tz = _str(entity.get("timezone"), 64) or None
    tz = tz or _str(activity.get("localTimezone"), 64) or None
    team = obj(data.get("team"))
    conversation_id = _str(conversation.get("id"), 1000)
    channel = _str(data.get("teamsChannelId")) or None
    if channel is None and conversation.get("conversationType") == "channel":
        channel = conversation_id.split(";")[0] or None
    return Where(
        tenant=tenant,
        user=user,
        name=_str(sender.get("name"), 200),
        tz=tz,
        service_url=_str(activity.get("serviceUrl"), 500),
        conversation=conversation_id,
        channel=channel,
        team=_str(team.get("id")) or _str(data.get("teamsTeamId")) or None,
    )


async def with_admin(ctx: TeamsContext, at: Where) -> Where:
    """`at` with whether TEAMS_ADMINS names the person, by object ID or by the address on their roster
    entry (the roster is read only when the list holds addresses, and its answer kept a while)."""
    if at.user.lower() in ctx.admins:
        return dataclasses.replace(at, admin=True)
    addresses = {a for a in ctx.admins if "@" in a}
    if not addresses:
        return at
    key = (at.tenant, at.user)
    found = _addresses.get(key)
    if found is None:
        from handlers.teams.dialogs._roster import roster  # here: _roster imports this module

        mine = [m for m in await roster(ctx, at) if m["aadObjectId"] == at.user]
        if not mine:  # unknown now: not an admin this time, asked again next time
            return at
        found = {str(mine[0].get(k) or "").lower() for k in ("email", "userPrincipalName")} - {""}
        _addresses[key] = found
    return dataclasses.replace(at, admin=bool(found & addresses))


def actor_for(ctx: TeamsContext, at: Where) -> Actor:
    """The acting person, remembered with the name and zone this activity gives (runs the database: call
    it off the event loop)."""
    return ctx.people.remember(at.tenant, at.user, ctx.clock(), name=at.name, tz=at.tz, is_admin=at.admin)


def learn_names(ctx: TeamsContext, tenant: str, people: dict[str, str]) -> None:
    """Remember the names of people chosen from a roster (object ID → name) whom the bot has never seen,
    so lists show a name; someone already known keeps what they told us themselves."""
    now = ctx.clock()
    for user_id, name in people.items():
        known, _ = ctx.people.known(tenant, user_id, now)
        if known is None:
            ctx.people.remember(tenant, user_id, now, name=name)
