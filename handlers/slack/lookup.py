"""Finding a member or a channel of a Slack workspace by what an operator types (the command line's
`--lead`, `--as`, `--channel`): a user ID, `@handle`, an e-mail address or a name; a channel ID or
`#name`. A channel found says whether the bot can post there (it is a member) and, if not, how to
invite it: summaries to a channel the bot was never invited to fail with `not_in_channel`."""

from __future__ import annotations

import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.platform import ChannelFound
from handlers.slack.members import slack_owner_matcher

USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,30}")
MAX_PAGES = 50  # conversations.list pages of 1000: a workspace with more channels is looked up by ID


def find_person(client: WebClient, text: str) -> str | None:
    text = text.strip()
    if USER_ID.fullmatch(text):
        try:
            user = client.users_info(user=text)["user"]
        except SlackApiError:
            return None
        return None if user.get("deleted") else str(user["id"])
    matcher = slack_owner_matcher(client)
    return matcher.match(text) if matcher is not None else None


NO_SCOPE = "the app was installed before it asked to read channels (channels:read, groups:read): reinstall it"


def find_channel(client: WebClient, text: str) -> ChannelFound | None:
    bare = text.strip().lstrip("#").strip()
    try:
        if CHANNEL_ID.fullmatch(bare):
            channel = client.conversations_info(channel=bare)["channel"]
        else:
            channel = _by_name(client, bare.lower())
    except SlackApiError as err:
        if err.response is not None and err.response.get("error") == "missing_scope":
            by_id = CHANNEL_ID.fullmatch(bare) is not None
            return ChannelFound(bare if by_id else "", bare, by_id, unchecked=NO_SCOPE)
        return None
    except OSError:
        return None
    if channel is None:
        return None
    name = str(channel.get("name") or bare)
    if channel.get("is_member"):
        return ChannelFound(str(channel["id"]), name, True)
    try:
        bot = str(client.auth_test().get("user") or "actionbot")
    except (SlackApiError, OSError):
        bot = "actionbot"
    return ChannelFound(str(channel["id"]), name, False, f"in #{name}, type /invite @{bot}")


def _by_name(client: WebClient, name: str) -> dict | None:
    cursor = None
    for _ in range(MAX_PAGES):
        page = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
        )
        for channel in page.get("channels") or []:
            if str(channel.get("name", "")).lower() == name:
                return channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def cannot_post(client: WebClient, channel_id: str) -> str | None:
    """Why the bot cannot post in a region's channel (chosen in the form, or `channel:` of `/action region
    add`), or None. A channel it cannot look up (an install from before the channels:read scope) is not
    held against the choice."""
    found = find_channel(client, channel_id)
    if found is None or found.can_post:
        return None
    return f"I'm not in #{found.name[:40]} yet, so its summaries would fail: {found.invite}."
