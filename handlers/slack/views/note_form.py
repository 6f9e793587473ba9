"""The Add note form: a modal with one text field. An empty note or a refusal shows on the field;
a saved note is confirmed where the button was pressed (through that message's response URL)."""

from __future__ import annotations

import json
import logging

from bot.core.command_input import clean
from bot.core.errors import UserError
from bot.core.records import ActionInfo
from handlers.slack import render, request_log, wording
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.identity import actor_for, confirming_admin, user_team_of
from handlers.slack.notify import send_to_response_url
from handlers.slack.views.action_form import same_team

log = logging.getLogger("actionbot.note_form")
CALLBACK = "note_form"
BLOCK, FIELD = "note", "text"
MAX_NOTE = 2000


def note_form(action: ActionInfo, private_metadata: str) -> dict:
    title = f"#{action.number} {action.title}"
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Add a note"},
        "submit": {"type": "plain_text", "text": "Add note"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            render.section(render.escape(title if len(title) <= 300 else title[:299] + "…")),
            {
                "type": "input",
                "block_id": BLOCK,
                "label": {"type": "plain_text", "text": "Progress note"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FIELD,
                    "multiline": True,
                    "max_length": MAX_NOTE,
                    "placeholder": {"type": "plain_text", "text": "What happened, what is next"},
                },
            },
        ],
    }


def register(app, ctx: HandlerContext) -> None:
    @app.view(CALLBACK)
    def handle_submission(ack, body, view, client):
        errors, confirmation = submit_note(ctx, client, body, view)
        if errors:
            ack(response_action="errors", errors={BLOCK: errors})
            return
        ack()
        if confirmation:
            ctx.later(send_to_response_url, *confirmation)


def submit_note(ctx: HandlerContext, client, body: dict, view: dict) -> tuple[str | None, tuple | None]:
    """(error for the field, None) or (None, (response_url, message) to confirm with)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        number, team_id = int(meta["n"]), same_team(body, meta["team"])
    except (ValueError, KeyError, TypeError):
        return "This form is out of date; press Add note again.", None
    text = clean((view.get("state", {}).get("values", {}).get(BLOCK, {}).get(FIELD) or {}).get("value") or "").strip()
    if not text:
        return "Write a note, or press Cancel.", None
    try:
        user_id = body["user"]["id"]
        outcome = confirming_admin(
            ctx,
            client,
            team_id,
            user_id,
            lambda: ctx.actions.note(
                team_id, actor_for(ctx, client, team_id, user_id, user_team_of(body)), number, text, ctx.clock()
            ),
        )
        after_change(ctx, client, team_id, user_id, outcome.action)
    except UserError as err:
        request_log.refused()
        return wording.plain(err.message), None
    except Exception:
        log.exception("note form failed (team %s)", team_id)
        return "Something went wrong on our side and nothing was saved. Please try again.", None
    url = meta.get("response_url")
    note = f":memo: <@{user_id}> added a note to *#{outcome.action.number}*: {render.escape(text)}"
    return None, (
        (url, render.message(f"Note added to #{outcome.action.number}", [render.section(note)])) if url else None
    )
