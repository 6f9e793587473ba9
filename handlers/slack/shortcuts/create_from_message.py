"""Message shortcut "Create follow-up action": the add form, prefilled with the message's text; the
action keeps a permalink to the message (`chat.getPermalink`)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from handlers.slack.context import HandlerContext
from handlers.slack.markup import to_plain
from handlers.slack.views.action_form import MAX_TITLE, open_add_form

log = logging.getLogger("actionbot.shortcut")
CALLBACK = "create_followup_action"


def register(app, ctx: HandlerContext) -> None:
    @app.shortcut(CALLBACK)
    def handle_shortcut(ack, body, client):
        ack()
        team_id = body["team"]["id"]
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        permalink = None
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=message.get("ts"))["permalink"]
        except (SlackApiError, OSError) as err:  # the form still opens; only the link back is missing
            log.warning("chat.getPermalink failed: %s", getattr(err, "response", err))
        title = " ".join(to_plain(message.get("text") or "").split())[:MAX_TITLE]
        open_add_form(
            ctx,
            client,
            body["trigger_id"],
            team_id,
            body["user"]["id"],
            title=title,
            channel=channel,
            permalink=permalink,
        )
