"""New date on a nudge (a datepicker): move the due date; the nudges restart from the new one."""

from __future__ import annotations

from bot.core.errors import BadInput
from bot.messages import Example
from handlers.slack.actions.pressing import answer, outcome_in_place, press
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.render import due_text
from handlers.slack.render_notices import NEW_DATE_ACTION


def register(app, ctx: HandlerContext) -> None:
    @app.action(NEW_DATE_ACTION)
    def handle_new_date(ack, body, action, client, respond):
        ack()
        answer(ctx, respond, client, body, pick_date(ctx, client, body, action))


def pick_date(ctx: HandlerContext, client, body: dict, action: dict) -> dict:
    def work(team_id, actor):
        picked = action.get("selected_date")
        number = _number(action.get("block_id", ""))
        if not picked or number is None:
            raise BadInput("stale_date_picker", command=Example("list"))
        outcome = ctx.actions.set_due(team_id, actor, number, picked, ctx.clock())
        after_change(ctx, client, team_id, actor.user_id, outcome.action)
        return outcome_in_place(
            outcome, f":calendar: <@{actor.user_id}> moved the due date to {due_text(outcome.action.due)}."
        )

    return press(ctx, client, body, "New date", work)


def _number(block_id: str) -> int | None:
    """Datepickers carry no value: the nudge's actions block is named `nudge-<N>`."""
    head, _, tail = block_id.partition("-")
    return int(tail) if head == "nudge" and tail.isdigit() else None
