"""Dialog invokes: `task/fetch` opens a form, `task/submit` saves one; both routed by the `form` field of
the submitted data (handlers.teams.dialogs.open_data). Anything unreadable gets a short dialog saying so,
never an error; the core runs off the event loop (TeamsContext.run)."""

from __future__ import annotations

import logging
from typing import Any

from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import ADD, EDIT, IMPORT, NOTE, REGION, action_form, import_form, note_form, region_form
from handlers.teams.dialogs._identity import NotAPerson, obj, where, with_admin
from handlers.teams.dialogs.action_form import notice

log = logging.getLogger("actionbot.teams.dialogs")
CANNOT = "I cannot open that form here."


def activity_dict(activity: Any) -> dict:
    """The SDK's activity model as the plain JSON Teams sent (our readers take dicts)."""
    if isinstance(activity, dict):
        return activity
    return activity.model_dump(by_alias=True, exclude_none=True)


def submitted(activity: dict) -> dict:
    return obj(obj(activity.get("value")).get("data"))


async def open_dialog(ctx: TeamsContext, activity: dict) -> dict:
    try:
        at = await with_admin(ctx, where(activity))
    except NotAPerson:
        return notice("Actionbot", CANNOT)
    data = submitted(activity)
    form = data.get("form")
    if form == ADD:
        return await action_form.open_add(ctx, at)
    if form == EDIT:
        return await action_form.open_edit(ctx, at, data.get("n"))
    if form == NOTE:
        return await note_form.open_note(ctx, at, data.get("n"))
    if form == REGION:
        return await region_form.open_region(ctx, at, data.get("name"))
    if form == IMPORT:
        return await import_form.open_import(ctx, at)
    return notice("Actionbot", CANNOT)


async def submit_dialog(ctx: TeamsContext, activity: dict) -> dict:
    try:
        at = await with_admin(ctx, where(activity))
    except NotAPerson:
        return notice("Actionbot", CANNOT)
    data = submitted(activity)
    form = data.get("form")
    if form in (ADD, EDIT):
        return await action_form.submit_form(ctx, at, data)
    if form == NOTE:
        return await note_form.submit_note(ctx, at, data)
    if form == REGION:
        return await region_form.submit_region(ctx, at, data)
    if form == IMPORT:
        return await import_form.submit_import(ctx, at, data)
    return notice("Actionbot", action_form.OUT_OF_DATE)


def register(app, ctx: TeamsContext) -> None:
    @app.on_dialog_open
    async def on_open(event):
        try:
            return await open_dialog(ctx, activity_dict(event.activity))
        except Exception as err:  # a bug here must not show the person a blank dialog or a traceback
            log.error("teams dialog open failed: %s", type(err).__name__)
            return notice("Actionbot", action_form.SORRY)

    @app.on_dialog_submit
    async def on_submit(event):
        try:
            return await submit_dialog(ctx, activity_dict(event.activity))
        except Exception as err:
            log.error("teams dialog submit failed: %s", type(err).__name__)
            return notice("Actionbot", action_form.SORRY)
