"""Messages the app sends after answering: DMs to new owners, follow-ups through a response URL."""
from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

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


def send_to_response_url(url: str, *messages: dict) -> None:
    """Further ephemeral messages to whoever ran the command or pressed the button."""
    client = WebhookClient(url)
    for message in messages:
        client.send(response_type="ephemeral", replace_original=False, **message)
