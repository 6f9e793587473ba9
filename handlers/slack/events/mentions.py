"""Ask the bot: "@actionbot what's open for LAC?" in a channel, or "overdue" in a DM, answered in the
message's thread. Events are deduplicated by `event_id` (Slack retries), the question parsed by the
core (bot.core.questions), the answer rendered like `/action list` and posted after the ack. Never
raises into Bolt."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.core.execute import Listed, execute
from bot.core.grammar import Command
from bot.core.questions import parse_question
from bot.core.seen_events import SeenEvents
from handlers.slack import markup, render, request_log
from handlers.slack.clients import patient
from handlers.slack.context import HandlerContext
from handlers.slack.identity import actor_for

log = logging.getLogger("actionbot.mentions")

HINT = "Try “what's open for LAC?”, “overdue”, “my actions” or “help”."
EXAMPLES = [
    ("what's open for LAC?", "open actions of a region (its name or alias)"),
    ("overdue", "everything past its due date; “overdue in Asia” for one region"),
    ("my actions", "what you own (also “mine”, “what do I have?”)"),
    ("done", "what has been finished"),
    ("list region:LAC group:KM", "any `/action list` filter"),
]


def register(app, ctx: HandlerContext) -> None:
    seen = SeenEvents(ctx.actions)

    @app.event("app_mention")
    def on_mention(body, event, client, context):
        if event.get("bot_id") or event.get("subtype") or event.get("channel_type") == "im":
            return  # another bot talking (no loops); a DM is answered as a message below
        answer_event(ctx, seen, client, body, event, context.bot_user_id)

    @app.event("message")
    def on_message(body, event, client, context):
        # every message event lands here (a listener that matched nothing would make Bolt answer 404,
        # and Slack would retry); only a person's own new message in a DM with the bot is a question
        if is_direct_question(event):
            answer_event(ctx, seen, client, body, event, context.bot_user_id)


def is_direct_question(event: dict) -> bool:
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("text"))
    )


def answer_event(
    ctx: HandlerContext, seen: SeenEvents, client: WebClient, body: dict, event: dict, bot_user_id: str | None = None
) -> None:
    """Answer one question event in its thread, once; logs instead of raising."""
    team_id = body.get("team_id") or event.get("team")
    try:
        event_id = body.get("event_id")
        if event_id and not seen.first_time(team_id, event_id, ctx.clock()):
            log.info("event %s (team %s) already answered: skipped", event_id, team_id)
            return
        reply = answer(ctx, client, team_id, event, bot_user_id)
    except UserError as err:
        request_log.refused()
        reply = render.error_message(err)
    except Exception:
        log.exception("answering a question failed (team %s, event %s)", team_id, body.get("event_id"))
        reply = render.sorry_message()
    ctx.later(post_answer, patient(client), team_id, event, reply)


def post_answer(client: WebClient, team_id: str, event: dict, reply: dict) -> None:
    try:
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], **reply)
    except Exception:
        log.exception("posting the answer failed (team %s, channel %s)", team_id, event.get("channel"))


def answer(ctx: HandlerContext, client: WebClient, team_id: str, event: dict, bot_user_id: str | None = None) -> dict:
    question = parse_question(markup.question(event.get("text") or "", bot_user_id), markup.COMMAND)
    if question.kind == "help":
        return help_message()
    if question.kind != "list":
        return render.message(HINT, [render.section(HINT)])
    actor = actor_for(ctx, client, team_id, event["user"], event.get("user_team"))
    listed = execute(ctx, team_id, actor, Command("list", query=question.query), ctx.clock())
    assert isinstance(listed, Listed)
    return render.listing_message(listed.listing, markup.render(listed.query.as_input()))


def help_message() -> dict:
    lines = ["*Ask me* in a mention or a DM, for example:"]
    lines += [f"• `{render.escape(example)}`: {render.escape(what)}" for example, what in EXAMPLES]
    return render.message(
        "Ask me: what's open for LAC? · overdue · my actions · done · /action help",
        [
            render.section("\n".join(lines)),
            render.context("Everything else, and how to add and change actions: `/action help`."),
        ],
    )
