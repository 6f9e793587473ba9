"""Who is acting: the Slack user, their admin flag and time zone, from what is remembered and what the
request says, without asking Slack before the ack. Someone new (or remembered long ago) is served at
once, as a non-admin in the workspace's zone, and their profile (`users.info`) is learned after the ack.

Rights rest on fresh answers: an admin-only operation on a flag older than a few minutes raises
AdminUnconfirmed in the core, and `confirming_admin` then asks `users.info` (bounded by the request
client's timeout) and runs the operation once more; no answer in time refuses it. Only an admin or
owner of the request's own workspace is an admin there."""

from __future__ import annotations

import logging
from typing import Callable, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import AdminUnconfirmed
from bot.core.records import Actor
from handlers.slack.clients import patient
from handlers.slack.context import HandlerContext

log = logging.getLogger("actionbot.identity")
T = TypeVar("T")


def actor_for(
    ctx: HandlerContext, client: WebClient, team_id: str, user_id: str, user_team: str | None = None
) -> Actor:
    """`user_team`: the user's own workspace when the request names it (an interaction's user.team_id);
    someone from another workspace is never an admin of this one."""
    actor, ask = ctx.people.known(team_id, user_id, ctx.clock())
    if ask:
        ctx.later(learn_quietly, ctx, patient(client), team_id, user_id)
    actor = actor or Actor(user_id, admin_unconfirmed=True)
    if user_team and user_team != team_id:
        return Actor(user_id, tz=actor.tz)
    return actor


def profile_of(user: dict, team_id: str) -> tuple[str, str | None, bool]:
    """(name, zone, admin of `team_id`) of a `users.info` or `users.list` user."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name") or ""
    admin = bool(user.get("is_admin") or user.get("is_owner")) and user.get("team_id") == team_id
    return name, user.get("tz"), admin


def learn(ctx: HandlerContext, client: WebClient, team_id: str, user_id: str) -> Actor:
    """Ask `users.info` and remember the answer; SlackApiError or OSError when Slack does not give one."""
    name, tz, is_admin = profile_of(client.users_info(user=user_id)["user"], team_id)
    return ctx.people.remember(team_id, user_id, ctx.clock(), name=name, tz=tz, is_admin=is_admin)


def learn_quietly(ctx: HandlerContext, client: WebClient, team_id: str, user_id: str) -> None:
    """`learn` after the ack: a failure is logged and asked again on a later request."""
    try:
        learn(ctx, client, team_id, user_id)
    except (SlackApiError, OSError) as err:
        log.warning("users.info failed for %s: %s", user_id, getattr(err, "response", None) or repr(err))


def confirming_admin(ctx: HandlerContext, client: WebClient, team_id: str, user_id: str, work: Callable[[], T]) -> T:
    """Run `work`; if it needs admin rights on a flag too old to rest on, ask Slack and run it again on
    the fresh answer. Slack not answering in time refuses it (AdminUnconfirmed, a message to the user)."""
    try:
        return work()
    except AdminUnconfirmed:
        try:
            learn(ctx, client, team_id, user_id)
        except (SlackApiError, OSError) as err:
            log.warning("users.info failed for %s: %s", user_id, getattr(err, "response", None) or repr(err))
            raise AdminUnconfirmed() from None
        return work()


def team_of(body: dict) -> str:
    """The workspace of an interaction payload (block_actions, view_submission, shortcut)."""
    return body["team"]["id"] if body.get("team") else body["user"]["team_id"]


def user_team_of(body: dict) -> str | None:
    """The interacting user's own workspace, as the payload says."""
    return (body.get("user") or {}).get("team_id")
