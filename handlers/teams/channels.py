"""The Teams channels a region's weekly summary can go to: the channels of the teams the app is installed
in, as the region form offers them ("Team › Channel") and as `actionbot region … --channel` finds them.

What is stored (bot.core.addresses, per tenant):
- kind "team", key the team's ID: its name, remembered when the bot is added to it (and kept after it is
  removed, so a hint can name the team);
- kind "channel", key the channel's `19:…@thread.tacv2` ID: the conversation reference the notifier posts
  to, with the team's ID and the channel's name (None for General, whose ID is the team's);
- kind "install", key the team's ID (handlers.teams.listeners.lifecycle): present while the app is in
  the team, which is what makes its channels postable.

The bot learns a team's channels when it is added to it (`conversationUpdate` with the bot among the
members added, or `installationUpdate` in a team): `GET /v3/teams/{id}/conversations` lists them
(`learn_team`); channels created, renamed or deleted later arrive as `conversationUpdate` events
(`team_event`). A team's list is read again when the region form is opened in one of its channels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.core.addresses import AddressBook
from bot.platform import ChannelFound
from handlers.teams import wording
from handlers.teams.context import TeamsContext

log = logging.getLogger("actionbot.teams.channels")

TEAM, CHANNEL, INSTALL = "team", "channel", "install"
CHANNEL_ID = re.compile(r"19:[A-Za-z0-9_.@-]{1,200}")
SEPARATOR = " › "
MAX_NAME = 200
MAX_CHANNELS = 5_000  # of a tenant, read at once
READ_SECONDS = 2.5  # a form must answer in time; a slow list leaves the stored one


@dataclass(frozen=True)
class TeamChannel:
    channel_id: str
    team_id: str
    team_name: str
    name: str  # "General" for the team's first channel
    installed: bool  # the app is in the team: the bot can post here

    @property
    def label(self) -> str:
        return f"{self.team_name}{SEPARATOR}{self.name}"


def _name(value: Any) -> str:
    return " ".join(value.split())[:MAX_NAME] if isinstance(value, str) else ""


def _reference(tenant: str, team_id: str, channel_id: str, name: str | None) -> dict:
    return {
        "conversation": {"id": channel_id, "conversationType": "channel", "tenantId": tenant},
        "teamId": team_id,
        "name": name,
    }


# -- learning ---------------------------------------------------------------------------------------


def save_team(book: AddressBook, tenant: str, team_id: str, name: str, service_url: str | None, now: dt.datetime):
    """Remember the team (its name: a new one replaces the old, none keeps it)."""
    if not name:
        known = book.get(tenant, TEAM, team_id)
        name = _name(known.reference.get("name")) if known else ""
    book.save(tenant, TEAM, team_id, {"name": name}, service_url, now)


def save_channels(
    book: AddressBook, tenant: str, team_id: str, found: list[dict], service_url: str | None, now: dt.datetime
) -> int:
    """Store the team's channels as the Bot Connector listed them, and forget its stored ones the list no
    longer has (deleted); returns how many were stored."""
    listed: dict[str, str | None] = {}
    for c in found[:MAX_CHANNELS]:
        channel_id = c.get("id") if isinstance(c, dict) else None
        if isinstance(channel_id, str) and CHANNEL_ID.fullmatch(channel_id):
            listed[channel_id] = _name(c.get("name")) or None
    if not listed:
        return 0
    for channel_id, name in listed.items():
        book.save(tenant, CHANNEL, channel_id, _reference(tenant, team_id, channel_id, name), service_url, now)
    for channel_id, address in book.all(tenant, CHANNEL, MAX_CHANNELS).items():
        if address.reference.get("teamId") == team_id and channel_id not in listed:
            book.remove(tenant, CHANNEL, channel_id)
    return len(listed)


def team_event(ctx: TeamsContext, tenant: str, activity: dict, now: dt.datetime) -> None:
    """A `conversationUpdate` about a team's channels or name (channelCreated, channelRenamed,
    channelDeleted, teamRenamed): the stored list kept in step."""
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    channel = data.get("channel") if isinstance(data.get("channel"), dict) else {}
    team_id, channel_id, event = team.get("id"), channel.get("id"), data.get("eventType")
    if not isinstance(team_id, str) or not CHANNEL_ID.fullmatch(team_id):
        return
    book = AddressBook(ctx.actions)
    service_url = activity.get("serviceUrl") if isinstance(activity.get("serviceUrl"), str) else None
    if event == "teamRenamed" and _name(team.get("name")):
        save_team(book, tenant, team_id, _name(team.get("name")), service_url, now)
    if not isinstance(channel_id, str) or not CHANNEL_ID.fullmatch(channel_id):
        return
    if event in ("channelCreated", "channelRenamed", "channelRestored"):
        reference = _reference(tenant, team_id, channel_id, _name(channel.get("name")) or None)
        book.save(tenant, CHANNEL, channel_id, reference, service_url, now)
    elif event == "channelDeleted":
        book.remove(tenant, CHANNEL, channel_id)


def added_to_team(ctx: TeamsContext, activity: dict) -> tuple[str, str, str] | None:
    """(team ID, team name, service URL) when this lifecycle activity adds the app to a team."""
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    team_id, service_url = team.get("id") or data.get("teamsTeamId"), activity.get("serviceUrl")
    if not isinstance(team_id, str) or not CHANNEL_ID.fullmatch(team_id) or not isinstance(service_url, str):
        return None
    if activity.get("type") == "installationUpdate":
        adds = activity.get("action") in ("add", "add-upgrade")
    else:
        ours = {"28:" + ctx.app_id, (activity.get("recipient") or {}).get("id")}
        adds = any(isinstance(m, dict) and m.get("id") in ours for m in activity.get("membersAdded") or [])
    return (team_id, _name(team.get("name")), service_url) if adds else None


def save_present(book: AddressBook, tenant: str, team_id: str, service_url: str | None, now: dt.datetime) -> None:
    """An activity came from the team, so the app is in it: its installation stored when it was not (the
    app added before the bot kept installations, or the event lost)."""
    if book.get(tenant, INSTALL, team_id) is None:
        book.save(tenant, INSTALL, team_id, {"team": True}, service_url, now)


async def learn_team(
    ctx: TeamsContext, tenant: str, team_id: str, team_name: str, service_url: str, *, present: bool = False
) -> int:
    """Remember the team and read its channels from the Bot Connector (`present`: an activity came from
    the team); returns how many were stored (0 when the list could not be read: the General channel
    stored on install still serves)."""
    book, now = AddressBook(ctx.actions), ctx.clock()
    await ctx.run(save_team, book, tenant, team_id, team_name, service_url, now)
    if present:
        await ctx.run(save_present, book, tenant, team_id, service_url, now)
    try:
        found = await asyncio.wait_for(ctx.connector.channels(service_url, team_id), READ_SECONDS)
    except Exception as err:  # the connector's errors, a timeout: the list stays as stored
        log.warning("teams channels not read: %s", type(err).__name__)
        return 0
    return await ctx.run(save_channels, AddressBook(ctx.actions), tenant, team_id, found, service_url, ctx.clock())


# -- reading ----------------------------------------------------------------------------------------


def known_channels(book: AddressBook, tenant: str) -> list[TeamChannel]:
    """Every stored channel of a team, installed or not, by label."""
    teams = {k: _name(a.reference.get("name")) for k, a in book.all(tenant, TEAM, MAX_CHANNELS).items()}
    installed = set(book.all(tenant, INSTALL, MAX_CHANNELS))
    out = []
    for channel_id, address in book.all(tenant, CHANNEL, MAX_CHANNELS).items():
        team_id = address.reference.get("teamId")
        if not isinstance(team_id, str) or not CHANNEL_ID.fullmatch(channel_id):
            continue  # a group chat the bot was mentioned in: not a team's channel
        name = _name(address.reference.get("name")) or ("General" if channel_id == team_id else channel_id)
        team_name = teams.get(team_id) or "A team"
        out.append(TeamChannel(channel_id, team_id, team_name, name, team_id in installed))
    return sorted(out, key=lambda c: (c.team_name.casefold(), c.name != "General", c.name.casefold(), c.channel_id))


def postable(book: AddressBook, tenant: str) -> list[TeamChannel]:
    """The channels the bot can post in: those of the teams the app is installed in."""
    return [c for c in known_channels(book, tenant) if c.installed]


def labels(book: AddressBook, tenant: str) -> dict[str, str]:
    """Channel ID → "Team › Channel", for showing a region's channel by name."""
    return {c.channel_id: c.label for c in known_channels(book, tenant)}


def _folded(text: str) -> str:
    return " ".join(text.replace("›", " › ").replace(">", " › ").split()).casefold()


def find(book: AddressBook, tenant: str, text: str) -> ChannelFound | None:
    """The channel `text` names: its ID, "Team › Channel" (or "Team > Channel"), or a channel name
    that only one team has; None when none (or several) match."""
    wanted = text.strip()
    if not wanted or len(wanted) > 2 * MAX_NAME + 10:
        return None
    channels = known_channels(book, tenant)
    matches = [c for c in channels if c.channel_id == wanted]
    if not matches:
        folded = _folded(wanted)
        matches = [c for c in channels if _folded(c.label) == folded]
    if not matches:
        bare = _folded(wanted.lstrip("#"))
        matches = [c for c in channels if _folded(c.name) == bare]
        if len({c.channel_id for c in matches}) > 1:
            installed = [c for c in matches if c.installed]
            matches = installed if len(installed) == 1 else []
    if len(matches) != 1:
        return None
    found = matches[0]
    invite = "" if found.installed else wording.add_to_team(found.team_name)
    return ChannelFound(found.channel_id, found.label, found.installed, invite)
