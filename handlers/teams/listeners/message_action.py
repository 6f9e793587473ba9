"""The message action "Create follow-up action" (More actions → on any message): `composeExtension/
fetchTask` opens the add dialog with the message's text (its HTML made plain) as the title and keeps the
link to the message (`linkToMessage`) as the action's permalink; `composeExtension/submitAction` saves it
through the same form code as the add dialog. Teams waits 5 s for the submit's answer: the save is one
core call and the roster read is bounded (dialogs/_roster.py)."""

from __future__ import annotations

import html
import logging
import re

from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import ADD
from handlers.teams.dialogs._identity import NotAPerson, obj, where, with_admin
from handlers.teams.dialogs.action_form import MAX_TITLE, SORRY, link_of, notice, open_add, submit_form
from handlers.teams.listeners.dialogs import activity_dict
from handlers.teams.package import MESSAGE_ACTION_ID

log = logging.getLogger("actionbot.teams.message_action")
COMMAND_ID = MESSAGE_ACTION_ID  # the manifest's command
UNKNOWN = "I do not know that command."
MAX_HTML = 200_000
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]{0,2000}>")


def plain_text(content: str) -> str:
    """A message body's HTML as one line of plain text: tags dropped (a mention keeps its name), entities
    decoded, spaces collapsed."""
    content = _BREAKS.sub(" ", content[:MAX_HTML])
    return " ".join(html.unescape(_TAGS.sub("", content)).split())


def message_of(activity: dict) -> tuple[str, str | None]:
    """(title, link) of the message the action was invoked on."""
    payload = obj(obj(activity.get("value")).get("messagePayload"))
    body = obj(payload.get("body"))
    raw = body.get("content")
    content = raw if isinstance(raw, str) else ""
    text = plain_text(content) if body.get("contentType", "html") == "html" else " ".join(content.split())
    return text[:MAX_TITLE], link_of(payload.get("linkToMessage"))


def _ours(activity: dict) -> bool:
    return obj(activity.get("value")).get("commandId") == COMMAND_ID


def register(app, ctx: TeamsContext) -> None:
    @app.on_message_ext_open
    async def on_fetch(event):
        activity = activity_dict(event.activity)
        if not _ours(activity):
            return notice("Actionbot", UNKNOWN)
        try:
            title, link = message_of(activity)
            return await open_add(ctx, await with_admin(ctx, where(activity)), title=title, link=link)
        except NotAPerson:
            return notice("Create follow-up action", "I cannot create an action from here.")
        except Exception as err:
            log.error("teams message action failed: %s", type(err).__name__)
            return notice("Create follow-up action", SORRY)

    @app.on_message_ext_submit
    async def on_submit(event):
        activity = activity_dict(event.activity)
        if not _ours(activity):
            return notice("Actionbot", UNKNOWN)
        data = obj(obj(activity.get("value")).get("data"))
        try:
            return await submit_form(ctx, await with_admin(ctx, where(activity)), {**data, "form": ADD})
        except NotAPerson:
            return notice("Create follow-up action", "I cannot create an action from here.")
        except Exception as err:
            log.error("teams message action submit failed: %s", type(err).__name__)
            return notice("Create follow-up action", SORRY)
