"""The Done button on list items and DMs: close the action, then refresh the message it sat in."""
from __future__ import annotations

import json
import logging

from bot.core import grammar
from bot.core.errors import BadInput, UserError
from handlers import render
from handlers.context import HandlerContext
from handlers.identity import actor_for

log = logging.getLogger("actionbot.done")


def register(app, ctx: HandlerContext) -> None:
    @app.action(render.DONE_ACTION)
    def handle_done(ack, body, action, client, respond):
        ack()
        respond(**press_done(ctx, client, body, action))


def press_done(ctx: HandlerContext, client, body: dict, action: dict) -> dict:
    """What replaces the message the button was on (or, on error, an extra ephemeral note)."""
    team_id = body["team"]["id"] if body.get("team") else body["user"]["team_id"]
    try:
        value = _button_value(action.get("value"))
        now = ctx.clock()
        actor = actor_for(ctx, client, team_id, body["user"]["id"])
        outcome = ctx.actions.set_status(team_id, actor, value["n"], "done", now)
        note = f":white_check_mark: <@{actor.user_id}> marked *#{outcome.action.number}* done."
        if "q" in value:
            query = grammar.parse_query(grammar.tokenize(value["q"]))
            listing = ctx.actions.list(team_id, actor, query, now)
            return {"replace_original": True, **render.listing_message(listing, value["q"], note=note)}
        return {"replace_original": True,
                **render.message(f"#{outcome.action.number} marked done",
                                 [render.section(render.action_line(outcome.action)), render.context(note)])}
    except UserError as err:
        return {"replace_original": False, "response_type": "ephemeral", **render.error_message(err)}
    except Exception:
        log.exception("Done button failed (team %s)", team_id)
        return {"replace_original": False, "response_type": "ephemeral",
                **render.sorry_message()}


def _button_value(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "")
        if isinstance(value, dict) and isinstance(value.get("n"), int):
            return value
    except ValueError:
        pass
    raise BadInput("That button is out of date; run `/action list` again.")
