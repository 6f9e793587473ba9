"""Messages the app sends after answering: new owners told (through the scheduler's ledgered send loop),
follow-ups through a response URL, files in a DM."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.core.records import Outcome
from handlers.slack.context import HandlerContext
from handlers.slack.dm_channels import DmChannels
from handlers.slack.identity import actor_for


def tell_new_owners(ctx: HandlerContext, client: WebClient, team_id: str, outcomes: list[Outcome]) -> None:
    """After the ack, when a change made someone an owner: learn each new owner's name and time zone
    (lists show the name, nudges need the zone), then deliver the DMs the change stored in the ledger
    (ctx.courier: paced, each sent once; a fault leaves it to the next sweep)."""
    for user_id in dict.fromkeys(a.user_id for o in outcomes for a in o.assignments):
        actor_for(ctx, client, team_id, user_id)
    told = [n for o in outcomes for n in o.told]
    if ctx.courier is not None and told:
        ctx.courier.deliver(team_id, told)


def after_assigning(ctx: HandlerContext, client: WebClient, team_id: str, outcomes: list[Outcome]) -> None:
    """Queue `tell_new_owners` after the response, when the outcomes have anyone to tell."""
    if any(o.assignments for o in outcomes):
        ctx.later(tell_new_owners, ctx, client, team_id, outcomes)


def send_to_response_url(url: str, *messages: dict) -> None:
    """Further ephemeral messages to whoever ran the command or pressed the button."""
    client = WebhookClient(url)
    for message in messages:
        client.send(response_type="ephemeral", replace_original=False, **message)


def send_file(
    dms: DmChannels, client: WebClient, team_id: str, user_id: str, content: str, filename: str, comment: str
) -> None:
    """A file in the person's DM (files_upload_v2)."""
    client.files_upload_v2(
        channel=dms.open(client, team_id, user_id),
        content=content,
        filename=filename,
        title=filename,
        initial_comment=comment,
    )
