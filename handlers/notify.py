"""Direct messages to owners: who assigned them what."""
from __future__ import annotations

from slack_sdk import WebClient

from bot.core.records import Assignment
from handlers.context import HandlerContext
from handlers.identity import actor_for
from handlers.render import assignment_message


def send_assignments(ctx: HandlerContext, client: WebClient, team_id: str, assignments: list[Assignment]) -> None:
    for assignment in assignments:
        # Learn the new owner's name and time zone now: lists show the name, nudges need the zone.
        actor_for(ctx, client, team_id, assignment.user_id)
        channel = client.conversations_open(users=assignment.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, **assignment_message(assignment))
