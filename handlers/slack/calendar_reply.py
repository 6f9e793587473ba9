"""The answer to `/action calendar [region:<name>] [reset]` and its Reset button: the private address of a
calendar feed of due dates (the person's own, or a region's), to subscribe to from any calendar app. Who
may reset which feed is the core's decision (bot.core.calendar_feeds)."""

from __future__ import annotations

from bot.core.calendar_feeds import feed_path
from bot.core.errors import BadInput
from bot.messages import Example
from handlers.slack import button_values, render
from handlers.slack.actions.pressing import answer, press
from handlers.slack.context import HandlerContext

RESET_ACTION = "calendar_reset"


def feed_message(ctx: HandlerContext, kind: str, subject: str, secret: str, was_reset: bool) -> dict:
    url = ctx.public_url + feed_path(secret)
    whose = "your actions" if kind == "user" else f"the region {render.escape(subject)}"
    lines = [
        f":calendar: {'New address' if was_reset else 'Calendar feed'} for the due dates of {whose}:",
        f"`{url}`",
        "Subscribe to it from Google Calendar, Outlook or Apple Calendar (\u201cFrom URL\u201d). "
        "Keep it private: anyone with the address can read it.",
    ]
    if was_reset:
        lines.append("The old address no longer works.")
    button = {
        "type": "button",
        "action_id": RESET_ACTION,
        "text": {"type": "plain_text", "text": "Reset address"},
        "value": button_values.encode({"kind": kind, "subject": " ".join(subject.split())}),
        "confirm": {
            "title": {"type": "plain_text", "text": "Reset the address?"},
            "text": {"type": "plain_text", "text": "Calendars subscribed to the old one stop updating."},
            "confirm": {"type": "plain_text", "text": "Reset"},
            "deny": {"type": "plain_text", "text": "Keep it"},
        },
    }
    return render.message(f"Calendar feed: {url}", [render.section("\n".join(lines), button)])


def register(app, ctx: HandlerContext) -> None:
    @app.action(RESET_ACTION)
    def handle_reset(ack, body, action, client, respond):
        ack()

        def work(team_id, actor):
            try:
                value = button_values.decode(action.get("value")) or {}
                kind, subject = value["kind"], value["subject"]
            except (ValueError, KeyError, TypeError):
                raise BadInput("stale_button", command=Example("calendar")) from None
            secret = ctx.calendars.reset(team_id, str(kind), str(subject), ctx.clock(), actor=actor)
            return {"replace_original": True, **feed_message(ctx, kind, subject, secret, True)}

        answer(ctx, respond, client, body, press(ctx, client, body, "Calendar reset", work))
