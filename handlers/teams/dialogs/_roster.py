"""The people a form offers: the members of the team the dialog was opened in (or of the chat), read
from the Bot Connector (`pagedMembers`) by their Entra object ID. A roster that cannot be read leaves the
form with the people it already knows; the form still opens. The members read are remembered after the
answer, with an address a personal chat can be opened from (handlers.teams.identity.learn_members)."""

from __future__ import annotations

import asyncio
import logging

from handlers.teams import turns
from handlers.teams.dialogs._identity import GUID, Where

log = logging.getLogger("actionbot.teams.roster")
ROSTER_SECONDS = 2.5  # a dialog must answer in time (5 s for a message action); a slow roster leaves the list short
MAX_PEOPLE = 1000


async def roster(ctx, at: Where) -> list[dict]:
    """Members (`aadObjectId`, `name`, `email`…) of the team, or of the conversation; [] when unreadable."""
    conversation = at.team or at.conversation.split(";")[0]
    if not conversation or not at.service_url:
        return []
    try:
        members = await asyncio.wait_for(ctx.connector.members(at.service_url, conversation), ROSTER_SECONDS)
    except Exception as err:  # the connector's errors, a timeout, a connection lost: the form opens anyway
        log.warning("roster not read: %s", type(err).__name__)
        return []
    if at.tenant and members:  # after the answer: who can be reached in a personal chat (lifecycle.added_to_a_team)
        turns.later(ctx, turns.directory(ctx).learn_members, at.tenant, list(members[:MAX_PEOPLE]), at.service_url)
    return [m for m in members if isinstance(m, dict) and GUID.fullmatch(str(m.get("aadObjectId") or ""))][:MAX_PEOPLE]


def names(members: list[dict]) -> dict[str, str]:
    """Object ID → name of roster members."""
    return {m["aadObjectId"].lower(): str(m.get("name") or m.get("email") or m["aadObjectId"])[:200] for m in members}


async def choosable(ctx, at: Where, members: list[dict] | None = None) -> dict[str, str]:
    """Object ID → name of the people a form offers: those the bot has met in the tenant, then the
    members of this team or chat (the roster's names win), the person acting always among them."""
    if members is None:
        members = await roster(ctx, at)
    people = {u: n for u, n in (await ctx.run(ctx.people.directory, at.tenant)).items() if GUID.fullmatch(u)}
    people.update(names(members))
    people.setdefault(at.user, at.name or at.user)
    return people
