"""The Done button on list items, DMs and nudges: close the action, then refresh the message it sat in."""

from __future__ import annotations

from bot.core import grammar
from handlers.slack import markup, render
from handlers.slack.actions.pressing import answer, button_value, outcome_in_place, press
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change


def register(app, ctx: HandlerContext) -> None:
    @app.action(render.DONE_ACTION)
    def handle_done(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, press_done(ctx, client, body, action))


def press_done(ctx: HandlerContext, client, body: dict, action: dict) -> dict:
    """What replaces the message the button was on (or, on error, an extra ephemeral note)."""

    def work(team_id, actor):
        value = button_value(action.get("value"))
        now = ctx.clock()
        outcome = ctx.actions.set_status(team_id, actor, value["n"], "done", now)
        after_change(ctx, client, team_id, actor.user_id, outcome.action)
        note = f":white_check_mark: <@{actor.user_id}> marked *#{outcome.action.number}* done."
        if "q" in value:
            query = grammar.parse_query(grammar.tokenize(markup.parse(value["q"])))
            listing = ctx.actions.list(team_id, actor, query, now)
            return {"replace_original": True, **render.listing_message(listing, value["q"], note=note)}
        return outcome_in_place(outcome, note)

    return press(ctx, client, body, "Done button", work)
