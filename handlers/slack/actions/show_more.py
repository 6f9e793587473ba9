"""Show more under a long list: the next page replaces the one shown."""

from __future__ import annotations

from bot.core import grammar
from bot.core.errors import BadInput
from bot.messages import Example
from handlers.slack import button_values, markup, render
from handlers.slack.actions.pressing import answer, press
from handlers.slack.context import HandlerContext


def register(app, ctx: HandlerContext) -> None:
    @app.action(render.MORE_ACTION)
    def handle_more(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, next_page(ctx, client, body, action))


def next_page(ctx: HandlerContext, client, body: dict, action: dict) -> dict:
    def work(team_id, actor):
        try:
            value = button_values.decode(action.get("value")) or {}
            query_text, offset = str(value["q"]), int(value["o"])
        except (ValueError, KeyError, TypeError):
            raise BadInput("stale_button", command=Example("list")) from None
        query = grammar.parse_query(grammar.tokenize(markup.parse(query_text)))
        listing = ctx.actions.list(team_id, actor, query, ctx.clock(), offset=max(offset, 0))
        return {"replace_original": True, **render.listing_message(listing, query_text, offset=offset)}

    return press(ctx, client, body, "Show more", work)
