"""The app installed and removed, and what changes in the teams it is in: the addresses needed to message
people and channels later are stored, and installations are counted per tenant.

- `installationUpdate` add: in a person's chat, their conversation reference (kind "user"); in a team,
  the team's General channel (kind "channel"); either way one installation (kind "install", key the
  conversation) and the tenant marked installed (sends resume).
- `installationUpdate` remove: that installation is forgotten (and a person's address with it); when no
  installation is left in the tenant, it is marked uninstalled: nothing more is sent there, and its data
  stays until an admin deletes it (`actionbot workspace delete`).
- `conversationUpdate`: the bot added to a team counts as its installation there; channels created are
  remembered; members added are remembered as accounts (29: ID → object ID), for mentions.
- Reaching people: the app added to a team (either activity) reads the team's roster, so everyone in it
  has an address a personal chat can be opened from (members added later come in `membersAdded`); a
  person who installs the app for themselves, or is newly addressed, has their recorded delivery
  problems cleared (bot.core.reach), so the next sweep nudges them.
Never raises into the SDK."""

from __future__ import annotations

import logging

from bot.core.addresses import AddressBook
from bot.core.reach import Reach
from handlers.teams import turns
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import CHANNEL, USER, NotAPerson, Who, reference_of, tenant_of, who

log = logging.getLogger("actionbot.teams.lifecycle")
INSTALL = "install"


def register(app, ctx: TeamsContext) -> None:
    @app.on_installation_update
    async def on_installation_update(sdk_ctx):
        activity = turns.raw(sdk_ctx.activity)
        await _safely(ctx, installation_update, activity)
        await team_roster(ctx, activity)

    @app.on_conversation_update
    async def on_conversation_update(sdk_ctx):
        activity = turns.raw(sdk_ctx.activity)
        await _safely(ctx, conversation_update, activity)
        await team_roster(ctx, activity)


async def _safely(ctx: TeamsContext, fn, activity: dict) -> None:
    try:
        await ctx.run(fn, ctx, activity)
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


def installed_in_team(ctx: TeamsContext, activity: dict) -> tuple[str, str, str] | None:
    """(tenant, team ID, service URL) when the activity says the app was just added to a team."""
    tenant = tenant_of(activity)
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    team_id, service_url = team.get("id"), activity.get("serviceUrl")
    if not tenant or not isinstance(team_id, str) or not team_id or not isinstance(service_url, str):
        return None
    if activity.get("type") == "installationUpdate":
        added = activity.get("action") in ("add", "add-upgrade")
    else:
        bot = turns.bot_ids(ctx, activity)
        added = any(isinstance(m, dict) and m.get("id") in bot for m in activity.get("membersAdded") or [])
    return (tenant, team_id, service_url) if added else None


async def team_roster(ctx: TeamsContext, activity: dict) -> None:
    """The app was added to a team: everyone in it can be messaged in a personal chat from now on, so
    their addresses are stored from the team's roster (what could not reach them before is cleared)."""
    found = installed_in_team(ctx, activity)
    if found is None:
        return
    tenant, team_id, service_url = found
    try:
        members = await ctx.connector.members(service_url, team_id)
        await ctx.run(turns.directory(ctx).learn_members, tenant, members, service_url)
    except ConnectorError as err:
        log.info("teams team roster not read: %s", err.status or err.code)
    except Exception as exc:
        log.error("teams team roster failed: %s", type(exc).__name__)


def conversation_update(ctx: TeamsContext, activity: dict) -> None:
    tenant = tenant_of(activity)
    if not tenant:
        return
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    event = data.get("eventType")
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
    if event == "channelCreated" and team_id:
        channel = data.get("channel") if isinstance(data.get("channel"), dict) else {}
        if isinstance(channel.get("id"), str):
            reference = {"conversation": {"id": channel["id"], "conversationType": "channel", "tenantId": tenant}}
            book.save(tenant, CHANNEL, channel["id"], {**reference, "teamId": team_id}, service_url, now)
    people = [m for m in added if m.get("id") not in bot]
    if people:
        turns.directory(ctx).learn_members(tenant, people, service_url)
