"""Messages the app sends after answering: DMs to new owners, follow-ups through a response URL."""
from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.core.records import Assignment, Outcome
from handlers.context import HandlerContext
from handlers.dm_channels import DmChannels
from handlers.identity import actor_for
from handlers.render import assignment_message, import_digest_message


def send_assignments(ctx: HandlerContext, client: WebClient, team_id: str, assignments: list[Assignment]) -> None:
    for assignment in assignments:
        # Learn the new owner's name and time zone now: lists show the name, nudges need the zone.
        actor_for(ctx, client, team_id, assignment.user_id)
        ctx.dms.post(client, team_id, assignment.user_id, **assignment_message(assignment))


def send_to_response_url(url: str, *messages: dict) -> None:
    """Further ephemeral messages to whoever ran the command or pressed the button."""
    client = WebhookClient(url)
    for message in messages:
        client.send(response_type="ephemeral", replace_original=False, **message)


def send_import_digests(dms: DmChannels, client: WebClient, team_id: str, meeting: str | None,
                        outcomes: list[Outcome]) -> None:
    """After an import: one DM to each Slack-user owner listing all their new actions."""
    by_owner: dict[str, list] = {}
    creator = None
    for outcome in outcomes:
        for assignment in outcome.assignments:
            by_owner.setdefault(assignment.user_id, []).append(assignment.action)
            creator = assignment.by
    for user_id, actions in by_owner.items():
        dms.post(client, team_id, user_id, **import_digest_message(creator, meeting, actions))


def send_file(dms: DmChannels, client: WebClient, team_id: str, user_id: str, content: str, filename: str,
              comment: str) -> None:
    """A file in the person's DM (files_upload_v2)."""
    client.files_upload_v2(channel=dms.open(client, team_id, user_id), content=content, filename=filename,
                           title=filename, initial_comment=comment)
