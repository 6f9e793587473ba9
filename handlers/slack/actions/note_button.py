"""Add note on a nudge, a list row or a Home row: open a small form (`views.open`); its submission is handled in views/note_form."""

from __future__ import annotations

import json

from handlers.slack.actions.pressing import answer, button_value, press
from handlers.slack.context import HandlerContext
from handlers.slack.render import NOTE_ACTION
from handlers.slack.views.note_form import note_form


def register(app, ctx: HandlerContext) -> None:
    @app.action(NOTE_ACTION)
    def handle_note(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, open_note_form(ctx, client, body, action))


def open_note_form(ctx: HandlerContext, client, body: dict, action: dict) -> dict | None:
    def work(team_id, actor):
        number = button_value(action.get("value"))["n"]
        info = ctx.actions.get(team_id, number, ctx.clock(), actor)  # the action must exist here
        meta = json.dumps({"n": number, "team": team_id, "response_url": body.get("response_url")})
        client.views_open(trigger_id=body["trigger_id"], view=note_form(info, meta))
        return {}

    return press(ctx, client, body, "Add note", work) or None
