"""Direct messages to owners: who assigned them what."""
from __future__ import annotations

from slack_sdk import WebClient

from bot.core.records import Assignment
from handlers.render import assignment_message


def send_assignments(client: WebClient, assignments: list[Assignment]) -> None:
    for assignment in assignments:
        channel = client.conversations_open(users=assignment.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, **assignment_message(assignment))
