"""The app installed and removed, and what changes in the teams it is in: the addresses needed to message
people and channels later are stored, and installations are counted per tenant.

- `installationUpdate` add: in a person's chat, their conversation reference (kind "user"); in a team,
  the team's General channel (kind "channel"); either way one installation (kind "install", key the
  conversation) and the tenant marked installed (sends resume).
- `installationUpdate` remove: that installation is forgotten (and a person's address with it); when no
  installation is left in the tenant, it is marked uninstalled: nothing more is sent there, and its data
  stays until an admin deletes it (`actionbot workspace delete`).
- `conversationUpdate`: the bot added to a team counts as its installation there; channels created,
  renamed or deleted are kept in step (handlers.teams.channels); members added are remembered as
  accounts (29: ID → object ID), for mentions.
- The app added to a team, either way: the team's name and channels are read and stored
  (handlers.teams.channels.learn_team), for the region form's channel choice; and the team's roster is
  read, so everyone in it has an address a personal chat can be opened from (members added later come in
  `membersAdded`).
- Reaching people: a person who installs the app for themselves, or is newly addressed, has their
  recorded delivery problems cleared (bot.core.reach), so the next sweep nudges them.
Never raises into the SDK."""

from __future__ import annotations

import logging

from bot.core.addresses import AddressBook
from bot.core.reach import Reach
from handlers.teams import channels, turns
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import CHANNEL, USER, NotAPerson, Who, reference_of, tenant_of, who

log = logging.getLogger("actionbot.teams.lifecycle")
INSTALL = "install"


def register(app, ctx: TeamsContext) -> None:
    @app.on_installation_update
    async def on_installation_update(sdk_ctx):
        await _safely(ctx, installation_update, turns.raw(sdk_ctx.activity))

    @app.on_conversation_update
    async def on_conversation_update(sdk_ctx):
        await _safely(ctx, conversation_update, turns.raw(sdk_ctx.activity))


async def _safely(ctx: TeamsContext, fn, activity: dict) -> None:
    try:
        await ctx.run(fn, ctx, activity)
        await added_to_a_team(ctx, activity)
    except NotAPerson:
        return
    except Exception as exc:
        log.error("teams %s failed: %s", str(activity.get("type"))[:40], type(exc).__name__)


def _installation_key(w: Who) -> str:
    return w.team_id or w.conversation_id.split(";", 1)[0]


def installation_update(ctx: TeamsContext, activity: dict) -> None:
    w = who(activity)
    book, now = AddressBook(ctx.actions), ctx.clock()
    key = _installation_key(w)
    if activity.get("action") in ("add", "add-upgrade"):
        team = activity.get("channelData", {}).get("team") or {}
        book.save(w.tenant_id, INSTALL, key, {"by": w.user_id}, w.service_url, now)
        if w.personal:
            book.save(w.tenant_id, USER, w.user_id, reference_of(w), w.service_url, now)
            Reach(ctx.actions).reachable(w.tenant_id, [w.user_id], now)  # nudges reach them again
        else:
            reference = {"conversation": {"id": key, "conversationType": "channel", "tenantId": w.tenant_id}}
            book.save(w.tenant_id, CHANNEL, key, {**reference, "teamId": key}, w.service_url, now)
        ctx.actions.workspaces.installed(w.tenant_id, "", now)
        log.info("teams app installed in tenant %s (%s)", w.tenant_id, "team" if team else w.conversation_type)
    elif activity.get("action") in ("remove", "remove-upgrade"):
        book.remove(w.tenant_id, INSTALL, key)
        if w.personal:
            book.remove(w.tenant_id, USER, w.user_id)
        if book.count(w.tenant_id, INSTALL) == 0:
            ctx.actions.workspaces.uninstalled(w.tenant_id, now)
            log.info("teams app removed from tenant %s: its last installation; sends stopped", w.tenant_id)


async def added_to_a_team(ctx: TeamsContext, activity: dict) -> None:
    """When the activity adds the app to a team: its channels are read (for the region form's choice),
    and its roster, so everyone in it can be messaged in a personal chat from now on (what could not
    reach them before is cleared)."""
    tenant, added = tenant_of(activity), channels.added_to_team(ctx, activity)
    if not tenant or added is None:
        return
    await channels.learn_team(ctx, tenant, *added)
    team_id, _, service_url = added
    try:
        members = await ctx.connector.members(service_url, team_id)
        await ctx.run(turns.directory(ctx).learn_members, tenant, members, service_url)
    except ConnectorError as err:
        log.info("teams team roster not read: %s", err.status or err.code)


def conversation_update(ctx: TeamsContext, activity: dict) -> None:
    tenant = tenant_of(activity)
    if not tenant:
        return
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    book, now = AddressBook(ctx.actions), ctx.clock()
    service_url = activity.get("serviceUrl") if isinstance(activity.get("serviceUrl"), str) else None
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    team_id = team.get("id") if isinstance(team.get("id"), str) else None
    added = [m for m in activity.get("membersAdded") or [] if isinstance(m, dict)]
    removed = [m for m in activity.get("membersRemoved") or [] if isinstance(m, dict)]
    bot = {"28:" + ctx.app_id, (activity.get("recipient") or {}).get("id")}
    if team_id and any(m.get("id") in bot for m in added):
        book.save(tenant, INSTALL, team_id, {"team": True}, service_url, now)
        reference = {"conversation": {"id": team_id, "conversationType": "channel", "tenantId": tenant}}
        book.save(tenant, CHANNEL, team_id, {**reference, "teamId": team_id}, service_url, now)
        ctx.actions.workspaces.installed(tenant, "", now)
    if team_id and any(m.get("id") in bot for m in removed):
        book.remove(tenant, INSTALL, team_id)
        if book.count(tenant, INSTALL) == 0:
            ctx.actions.workspaces.uninstalled(tenant, now)
    if team_id:
        channels.team_event(ctx, tenant, activity, now)
    people = [m for m in added if m.get("id") not in bot]
    if people:
        turns.directory(ctx).learn_members(tenant, people, service_url)
