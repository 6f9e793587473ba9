"""Buttons on the bot's cards that act at once (`Action.Execute`, invoke `adaptiveCard/action`): Done
(verb "done": close the action; the card is replaced in place with the list as it is now, the person's
dashboard as it is now, or the action as it is now), My actions and Refresh (verb "dashboard":
handlers.teams.dashboards) and Show more (verb "more": the list's next page). The new card is the
invoke's answer (the presser sees it at once) and replaces the message for everyone (`PUT` of the activity
it was on). A refusal leaves the card as it was and tells the presser alone (a message answer). A nudge's
Snooze and Set date (verbs "snooze", "newdate") are handled in handlers.teams.listeners.nudge_buttons.
Never raises."""

from __future__ import annotations

import logging
from typing import Any

from bot.core import grammar
from bot.core.errors import BadInput, UserError
from bot.messages import Example
from handlers.teams import cards, dashboards, turns, wording
from handlers.teams.context import TeamsContext
from handlers.teams.identity import NotAPerson, Who, who
from handlers.teams.listeners import nudge_buttons
from handlers.teams.notice_cards import NEW_DATE_VERB, SNOOZE_VERB

log = logging.getLogger("actionbot.teams.buttons")

MESSAGE = "application/vnd.microsoft.activity.message"
MAX_OFFSET = 100_000


def register(app, ctx: TeamsContext) -> None:
    @app.on_card_action
    async def on_card_action(sdk_ctx):
        return await press(ctx, turns.raw(sdk_ctx.activity))


def told(text: str) -> dict:
    """An answer shown to the presser only; the card stays as it was."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


async def press(ctx: TeamsContext, activity: dict) -> dict:
    try:
        w = who(activity)
    except NotAPerson:
        return told("This button is not for you.")
    value = activity.get("value") if isinstance(activity.get("value"), dict) else {}
    action = value.get("action") if isinstance(value.get("action"), dict) else {}
    verb, data = action.get("verb"), action.get("data") if isinstance(action.get("data"), dict) else {}
    try:
        actor = await turns.sender(ctx, w)
        if verb == cards.DONE_VERB:
            content = await ctx.run(_done, ctx, w, actor, data)
        elif verb == cards.MORE_VERB:
            content = await ctx.run(_more, ctx, w, actor, data)
        elif verb == SNOOZE_VERB:
            content = await ctx.run(nudge_buttons.snooze, ctx, w, actor, data)
        elif verb == NEW_DATE_VERB:
            content = await ctx.run(nudge_buttons.new_date, ctx, w, actor, data)
        elif verb == dashboards.VERB:
            return await dashboards.press(ctx, w, actor, activity, data)
        else:
            raise BadInput("stale_button", command=Example("list"))
    except UserError as err:
        text = wording.plain(err.message)
        if err.example is not None:
            text += " Try: " + wording.example(err.example)
        return told(text)
    except Exception as exc:
        log.error("teams button failed (tenant %s): %s", w.tenant_id, type(exc).__name__)
        return told(cards.SORRY)
    await _update_for_everyone(ctx, w, activity, content)
    return cards.refreshed(content)


_number = nudge_buttons.number_of


def _query(data: dict) -> Any:
    query = cards.decode_query(data.get("q"))
    if query is None:
        raise BadInput("stale_button", command=Example("list"))
    return grammar.parse_query(grammar.tokenize(query)), query


def _done(ctx: TeamsContext, w: Who, actor, data: dict) -> dict:
    number, now = _number(data), ctx.clock()
    listed = _query(data) if "q" in data else None  # checked before anything changes
    outcome = ctx.actions.set_status(w.tenant_id, actor, number, "done", now)
    note = f"✅ {cards.escape(w.name or 'Someone')} marked **#{outcome.action.number}** done."
    on_dashboard = data.get("d") == 1 and w.personal
    dashboards.after_change(ctx, w.tenant_id, actor.user_id, outcome.action, seen=on_dashboard)
    if on_dashboard:
        return dashboards.view(ctx, w.tenant_id, actor, note)
    if listed is not None:
        parsed, query = listed
        listing = ctx.actions.list(w.tenant_id, actor, parsed, now)
        return cards.listing_card(listing, query, note=note)
    return cards.in_place_card(outcome.action, note)


def _more(ctx: TeamsContext, w: Who, actor, data: dict) -> dict:
    parsed, query = _query(data)
    offset = data.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise BadInput("stale_button", command=Example("list"))
    listing = ctx.actions.list(w.tenant_id, actor, parsed, ctx.clock(), limit=cards.PAGE_ROWS, offset=offset)
    return cards.listing_card(listing, query, offset=offset)


async def _update_for_everyone(ctx: TeamsContext, w: Who, activity: dict, content: dict) -> None:
    message_id = activity.get("replyToId")
    if isinstance(message_id, str) and 0 < len(message_id) <= 200:
        try:
            await ctx.connector.update(w.service_url, w.conversation_id, message_id, cards.activity(content, "Updated"))
        except Exception as exc:  # the presser has the new card already
            log.info("teams card not updated for everyone: %s", type(exc).__name__)
