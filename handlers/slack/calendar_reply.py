"""`/action calendar [region:<name>] [reset]` and its Reset button: the private address of a calendar
feed of due dates (the person's own, or a region's), to subscribe to from any calendar app."""

from __future__ import annotations

from bot.core.calendar_feeds import feed_path
from bot.core.errors import BadInput, NotAllowed
from handlers.slack import button_values, render
from handlers.slack.actions.pressing import answer, press
from handlers.slack.context import HandlerContext

RESET_ACTION = "calendar_reset"


def parse_calendar_command(tokens) -> tuple[str, str | None, bool]:
    """(kind, region name or None, reset?)"""
    region, reset = None, False
    for tok in tokens:
        if tok.kind == "option" and tok.key == "region":
            region = tok.value.strip()
        elif tok.kind == "word" and tok.raw.lower() == "reset":
            reset = True
        else:
            raise BadInput(
                f"`calendar` takes `region:<name>` and `reset`, not “{tok.raw}”.",
                "/action calendar region:LAC",
            )
    return ("region" if region else "user"), region, reset


def check_reset(kind: str, actor) -> None:
    if kind == "region" and not actor.has_admin_rights():
        raise NotAllowed("Only a workspace admin can reset a region's feed address.")


def calendar_reply(ctx: HandlerContext, team_id: str, actor, tokens, now) -> dict:
    kind, region, reset = parse_calendar_command(tokens)
    subject = region or actor.user_id
    if reset:
        check_reset(kind, actor)
        return feed_message(ctx, kind, subject, ctx.calendars.reset(team_id, kind, subject, now), True)
    return feed_message(ctx, kind, subject, ctx.calendars.feed_for(team_id, kind, subject, now), False)


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
                raise BadInput("That button is out of date; run `/action calendar` again.") from None
            if kind == "user" and subject != actor.user_id:
                raise NotAllowed("Only the person whose feed it is can reset it.")
            check_reset(kind, actor)
            secret = ctx.calendars.reset(team_id, kind, subject, ctx.clock())
            return {"replace_original": True, **feed_message(ctx, kind, subject, secret, True)}

        answer(ctx, respond, client, body, press(ctx, client, body, "Calendar reset", work))
