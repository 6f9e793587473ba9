"""The Add note dialog: one text field under the action's number and title. An empty note or a refusal
shows under the field; a saved note closes the dialog with a confirmation."""

from __future__ import annotations

import logging

from bot.core.errors import UserError
from bot.core.grammar import MAX_NOTE
from bot.core.records import ActionInfo
from handlers.teams import dashboards
from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import NOTE
from handlers.teams.dialogs._cards import card, close, dialog, plain, submit, text_input, with_errors
from handlers.teams.dialogs._identity import Where, actor_for
from handlers.teams.dialogs.action_form import OUT_OF_DATE, SORRY, as_number, field, notice
from handlers.teams.wording import plain as words

log = logging.getLogger("actionbot.teams.note_form")


def note_card(action: ActionInfo, value: str = "", error: str | None = None) -> dict:
    title = f"#{action.number} {action.title}"
    body = [
        plain(title if len(title) <= 300 else title[:299] + "…", weight="bolder"),
        text_input(
            "text",
            "Progress note",
            value,
            required=True,
            multiline=True,
            max_length=MAX_NOTE,
            placeholder="What happened, what is next",
        ),
    ]
    return card(
        with_errors(body, {"text": error} if error else {}),
        [submit("Add note", {"form": NOTE, "n": action.number}, style="positive")],
    )


async def open_note(ctx: TeamsContext, at: Where, number: object) -> dict:
    n = as_number(number)
    if n is None:
        return notice("Add a note", OUT_OF_DATE)

    def load() -> ActionInfo:
        actor = actor_for(ctx, at)
        return ctx.actions.get(at.tenant, n, ctx.clock(), actor)

    try:
        action = await ctx.run(load)
    except UserError as err:
        return notice("Add a note", words(err.message))
    return dialog("Add a note", note_card(action), height="small")


async def submit_note(ctx: TeamsContext, at: Where, data: dict) -> dict:
    n = as_number(data.get("n"))
    if n is None:
        return notice("Add a note", OUT_OF_DATE)
    note = field(data, "text", MAX_NOTE).strip()

    def save() -> tuple[ActionInfo | None, str | None]:
        actor = actor_for(ctx, at)
        now = ctx.clock()
        if not note:
            return ctx.actions.get(at.tenant, n, now, actor), "Write a note, or close this dialog."
        try:
            return ctx.actions.note(at.tenant, actor, n, note, now).action, None
        except UserError as err:
            return ctx.actions.get(at.tenant, n, now, actor), words(err.message)

    try:
        action, error = await ctx.run(save)
    except UserError as err:  # the action itself is gone or not to be seen
        return notice("Add a note", words(err.message))
    except Exception as err:
        log.error("teams note form failed: %s", type(err).__name__)
        return notice("Add a note", SORRY)
    assert action is not None
    if error:
        return dialog("Add a note", note_card(action, note, error), height="small")
    dashboards.after_change(ctx, at.tenant, at.user, action)
    return close(f"Note added to #{action.number}.")
