"""Who is acting: the Slack user, their admin flag and time zone (remembered, else `users.info`)."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.records import Actor
from handlers.context import HandlerContext

log = logging.getLogger("actionbot.identity")


def actor_for(ctx: HandlerContext, client: WebClient, team_id: str, user_id: str) -> Actor:
    now = ctx.clock()
    known = ctx.people.known(team_id, user_id, now)
    if known is not None:
        return known
    try:
        user = client.users_info(user=user_id)["user"]
    except (SlackApiError, OSError) as err:
        # Without users.info we still serve the request, as a non-admin in the workspace zone.
        log.warning("users.info failed for %s: %s", user_id, getattr(err, "response", err))
        return Actor(user_id)
    profile = user.get("profile") or {}
    return ctx.people.remember(
        team_id, user_id, now,
        name=profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name") or "",
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )


def team_of(body: dict) -> str:
    """The workspace of an interaction payload (block_actions, view_submission, shortcut)."""
    return body["team"]["id"] if body.get("team") else body["user"]["team_id"]
