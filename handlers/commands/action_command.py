"""`/action …`: parse, call the core, answer with an ephemeral Block Kit reply in the ack."""
from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.core import grammar
from bot.core.errors import UserError
from bot.core.regions import parse_region_command
from handlers import render
from handlers.context import HandlerContext
from handlers.identity import actor_for
from handlers.notify import send_assignments

log = logging.getLogger("actionbot.command")

def register(app, ctx: HandlerContext) -> None:
    @app.command("/action")
    def handle_action(ack, command, client):
        ack(**answer(ctx, client, command))


def answer(ctx: HandlerContext, client: WebClient, payload: dict) -> dict:
    """The reply to one `/action` invocation; never raises."""
    try:
        return _answer(ctx, client, payload)
    except UserError as err:
        return render.error_message(err)
    except Exception:
        log.exception("/action failed (team %s)", payload.get("team_id"))
        return render.sorry_message()


def _answer(ctx: HandlerContext, client: WebClient, payload: dict) -> dict:
    cmd = grammar.parse(payload.get("text") or "")
    if cmd.verb == "help":
        return render.help_message()
    team_id, now = payload["team_id"], ctx.clock()
    actor = actor_for(ctx, client, team_id, payload["user_id"])
    if cmd.verb == "region":
        sub, spec = parse_region_command(cmd.tokens)
        if sub == "add":
            ctx.regions.add(team_id, actor, spec, now)
        return render.regions_message(ctx.regions.list(team_id, now))
    if cmd.verb == "list":
        listing = ctx.actions.list(team_id, actor, cmd.query, now)
        return render.listing_message(listing, cmd.query.describe())
    if cmd.verb == "add":
        outcome = ctx.actions.add(team_id, actor, cmd.spec, now, channel_id=payload.get("channel_id"))
    elif cmd.verb in ("done", "reopen", "cancel"):
        outcome = ctx.actions.set_status(team_id, actor, cmd.number, cmd.verb, now)
    elif cmd.verb == "note":
        outcome = ctx.actions.note(team_id, actor, cmd.number, cmd.text, now)
    elif cmd.verb == "assign":
        outcome = ctx.actions.assign(team_id, actor, cmd.number, cmd.spec, now)
    elif cmd.verb == "due":
        outcome = ctx.actions.set_due(team_id, actor, cmd.number, cmd.text, now)
    else:
        outcome = ctx.actions.edit(team_id, actor, cmd.number, cmd.spec, now)
    if outcome.assignments:
        ctx.later(send_assignments, ctx, client, team_id, outcome.assignments)
    return render.outcome_message(outcome, cmd.verb)
