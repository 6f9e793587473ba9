"""Snooze on a nudge: hold the action's nudges until the next working day or next week, 09:00 local."""

from __future__ import annotations

import re

from handlers.slack import wording
from handlers.slack.actions.pressing import answer, button_value, outcome_in_place, press
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.render_notices import SNOOZE_ACTION


def register(app, ctx: HandlerContext) -> None:
    @app.action(re.compile(f"^{SNOOZE_ACTION}_(day|week)$"))
    def handle_snooze(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, press_snooze(ctx, client, body, action))


def press_snooze(ctx: HandlerContext, client, body: dict, action: dict) -> dict:
    def work(team_id, actor):
        value = button_value(action.get("value"))
        until = "week" if value.get("until") == "week" else "day"
        outcome = ctx.actions.snooze(team_id, actor, value["n"], until, ctx.clock())
        after_change(ctx, client, team_id, actor.user_id, outcome.action)
        return outcome_in_place(outcome, f":zzz: <@{actor.user_id}> {wording.words(outcome.changes[0])}.")

    return press(ctx, client, body, "Snooze", work)
