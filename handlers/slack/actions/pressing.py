"""What every button and picker on a message shares: whose press it is, what it names, and how its
outcome replaces the message (or, on an error, leaves it and answers only the presser)."""

from __future__ import annotations

import logging
from typing import Callable

from bot.core.errors import BadInput, UserError
from bot.core.records import Actor, Outcome
from bot.messages import Example
from handlers.slack import button_values, render, request_log
from handlers.slack.context import HandlerContext
from handlers.slack.identity import actor_for, confirming_admin, team_of, user_team_of

log = logging.getLogger("actionbot.buttons")


def button_value(raw: str | None) -> dict:
    """What a button carries (see button_values): at least the action number `n`."""
    value = button_values.decode(raw)
    if value is not None and isinstance(value.get("n"), int):
        return value
    raise BadInput("stale_button", command=Example("list"))


def outcome_in_place(outcome: Outcome, note: str) -> dict:
    """A message that replaces the one pressed: the action as it is now, and what just happened."""
    return {
        "replace_original": True,
        **render.message(
            f"#{outcome.action.number}: {note}",
            [render.section(render.action_line(outcome.action)), render.context(note)],
        ),
    }


def answer(ctx: HandlerContext, respond, client, body: dict, reply: dict | None) -> None:
    """Where the press was: a message is replaced (or answered beside) through its response URL. A Home
    tab has none: it is republished after the change, and a refusal goes to the presser's DM."""
    if not reply:
        return
    if body.get("response_url"):
        respond(**reply)
    elif reply.get("replace_original") is False:
        ctx.dms.post(client, team_of(body), body["user"]["id"], text=reply.get("text", ""), blocks=reply.get("blocks"))


def press(ctx: HandlerContext, client, body: dict, what: str, work: Callable[[str, Actor], dict]) -> dict:
    """Run `work(team_id, actor)` for a press; a refusal or a failure answers the presser alone."""
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        return confirming_admin(
            ctx,
            client,
            team_id,
            user_id,
            lambda: work(team_id, actor_for(ctx, client, team_id, user_id, user_team_of(body))),
        )
    except UserError as err:
        request_log.refused()
        return {"replace_original": False, "response_type": "ephemeral", **render.error_message(err)}
    except Exception:
        log.exception("%s failed (team %s)", what, team_id)
        return {"replace_original": False, "response_type": "ephemeral", **render.sorry_message()}
