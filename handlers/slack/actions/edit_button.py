"""The Edit button on list items, Home rows and DMs: open the action form, prefilled."""

from __future__ import annotations

from handlers.slack import render
from handlers.slack.actions.pressing import answer, button_value, press
from handlers.slack.context import HandlerContext
from handlers.slack.views.action_form import open_edit_form


def register(app, ctx: HandlerContext) -> None:
    @app.action(render.EDIT_ACTION)
    def handle_edit(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, press_edit(ctx, client, body, action))


def press_edit(ctx: HandlerContext, client, body: dict, action: dict) -> dict | None:
    """Opens the form; a refusal (not allowed, gone) answers the presser alone."""

    def work(team_id, actor):
        number = button_value(action.get("value"))["n"]
        channel = (body.get("channel") or {}).get("id")
        open_edit_form(ctx, client, body["trigger_id"], team_id, actor, number, channel)
        return {}

    return press(ctx, client, body, "Edit", work) or None
