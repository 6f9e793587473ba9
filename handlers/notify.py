"""Messages the app sends after answering: DMs to new owners, follow-ups through a response URL."""
from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.core.records import Assignment, Outcome
from handlers.context import HandlerContext
from handlers.identity import actor_for
from handlers.render import assignment_message, import_digest_message


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


def send_import_digests(client: WebClient, meeting: str | None, outcomes: list[Outcome]) -> None:
    """After an import: one DM to each Slack-user owner listing all their new actions."""
    by_owner: dict[str, list] = {}
    creator = None
    for outcome in outcomes:
        for assignment in outcome.assignments:
            by_owner.setdefault(assignment.user_id, []).append(assignment.action)
            creator = assignment.by
    for user_id, actions in by_owner.items():
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, **import_digest_message(creator, meeting, actions))


def send_file(client: WebClient, user_id: str, content: str, filename: str, comment: str) -> None:
    """A file in the person's DM (files_upload_v2)."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=channel, content=content, filename=filename, title=filename,
                           initial_comment=comment)
