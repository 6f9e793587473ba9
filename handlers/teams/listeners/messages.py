"""What people type to the bot: in its personal chat, or with an @mention in a channel or group chat
(answered in the thread). A command (`add …`, `list region:LAC`, `done 12`, `help`) goes through the
grammar and bot.core.execute; a question ("what's open for LAC?", "my actions", "overdue") through
bot.core.questions; each answer is an Adaptive Card (handlers.teams.cards). An export's download link
and a calendar address go to the asker's personal chat alone (handlers.teams.link_cards, personal_chat).
A refusal says what to write; a failure says sorry and logs only its kind. Never raises into the SDK."""

from __future__ import annotations

import hashlib
import logging

from bot.core import grammar
from bot.core.addresses import AddressBook
from bot.core.command_input import Said
from bot.core.errors import UserError
from bot.core.execute import (
    CalendarFeed,
    Changed,
    Exported,
    Help,
    Listed,
    OpenForm,
    Regions,
    Result,
    Settings,
    Summaries,
    execute,
)
from bot.core.grammar import Command
from bot.core.questions import parse_question
from bot.core.records import Actor
from bot.core.seen_events import SeenEvents
from handlers.teams import cards, channels, dashboards, link_cards, markup, turns
from handlers.teams.context import TeamsContext
from handlers.teams.identity import NotAPerson, Who, who
from handlers.teams.personal_chat import Private, hand_over

log = logging.getLogger("actionbot.teams.messages")

FORM_TITLES = {"add": "Add an action", "edit": "Edit #{n}", "import": "Import a matrix", "region": "Edit the region"}


def register(app, ctx: TeamsContext) -> None:
    @app.on_message
    async def on_message(sdk_ctx):
        activity = turns.raw(sdk_ctx.activity)
        message = await answer(ctx, activity)
        if message is not None:
            w, card = message
            await turns.reply(ctx, w, card)


async def answer(ctx: TeamsContext, activity: dict) -> tuple[Who, dict] | None:
    """The reply to one message, or None when it is not for the bot (a bot's own, no mention)."""
    try:
        w = who(activity)
    except NotAPerson:
        return None
    text = activity.get("text")
    if not isinstance(text, str) or not text.strip():
        return None  # a card's submitted values, a reaction, an edit: nothing typed to answer
    if not w.personal and not turns.mentions_bot(ctx, activity):
        return None  # in a channel, only what mentions the bot is for it
    activity_id = activity.get("id")
    if isinstance(activity_id, str) and activity_id:
        if not await ctx.run(_first_time, ctx, w, activity_id):
            log.info("teams message %s (tenant %s) already answered: skipped", activity_id[:40], w.tenant_id)
            return None
    try:
        if markup.too_long(text):
            grammar.check_length(len(text))  # refused before any markup is read
        actor = await turns.sender(ctx, w)
        if not w.personal:
            await ctx.run(turns.directory(ctx).seen_channel, w)
        what = await turns.said_in(ctx, w, activity)
        if w.personal and dashboards.asks_for_it(what):
            await dashboards.post(ctx, w, actor)
            return None
        reply = await ctx.run(respond, ctx, w, actor, what)
        return w, (await hand_over(ctx, w, reply) if isinstance(reply, Private) else reply)
    except UserError as err:
        return w, cards.error_activity(err)
    except Exception as exc:
        log.error("teams message failed (tenant %s): %s", w.tenant_id, type(exc).__name__)
        return w, cards.sorry_activity()


def _first_time(ctx: TeamsContext, w: Who, activity_id: str) -> bool:
    """Whether this message is new: Bot Framework may deliver it again when an answer was slow, and
    another process may get it. Activity IDs are unique per conversation."""
    seen = ctx.services.get("seen")
    if seen is None:
        seen = ctx.services["seen"] = SeenEvents(ctx.actions)
    key = "teams:" + hashlib.sha256(f"{w.conversation_id}|{activity_id}".encode()).hexdigest()[:40]
    return seen.first_time(w.tenant_id, key, ctx.clock())


def respond(ctx: TeamsContext, w: Who, actor: Actor, what: Said) -> dict | Private:
    """The card answering `what` (synchronous: the core; runs off the loop); a Private one is for the
    asker's personal chat alone."""
    try:
        question = parse_question(markup.question(what))
        if question.kind == "help":
            return cards.help_activity()
        if question.kind == "list":
            assert question.query is not None
            listed = execute(ctx, w.tenant_id, actor, Command("list", query=question.query), ctx.clock())
            assert isinstance(listed, Listed)
            return cards.listing_activity(listed.listing, listed.query.as_input())
        typed = markup.command(what)
        tokens = grammar.tokenize(typed)
        if not tokens or tokens[0].kind != "word" or tokens[0].raw.lower() not in grammar.VERBS:
            return cards.hint_activity()
        cmd = grammar.parse(typed)
        channel = None if w.personal else w.conversation_id.split(";", 1)[0]
        result = execute(ctx, w.tenant_id, actor, cmd, ctx.clock(), channel_id=channel)
        return show(ctx, w, actor, result)
    except UserError as err:
        return cards.error_activity(err)


def show(ctx: TeamsContext, w: Who, actor: Actor, result: Result) -> dict | Private:
    if isinstance(result, Help):
        return cards.help_activity()
    if isinstance(result, Listed):
        return cards.listing_activity(result.listing, result.query.as_input())
    if isinstance(result, Changed):
        turns.tell_new_owners(ctx, w.tenant_id, [result.outcome])
        dashboards.after_change(ctx, w.tenant_id, w.user_id, result.outcome.action)
        return cards.outcome_activity(result.outcome, result.verb)
    if isinstance(result, OpenForm):
        return form_button(result)
    if isinstance(result, Regions):
        return cards.regions_activity(result, region_names(ctx, w.tenant_id))
    if isinstance(result, Settings):
        return cards.settings_activity(result)
    if isinstance(result, Summaries):
        return cards.summaries_activity(result)
    if isinstance(result, Exported):
        return link_cards.export_reply(ctx, w.tenant_id, actor, result)
    if isinstance(result, CalendarFeed):
        return link_cards.calendar_reply(ctx, result)
    raise TypeError(type(result).__name__)


def form_button(result: OpenForm) -> dict:
    """A message cannot open a dialog by itself: a card with the button that does."""
    title = FORM_TITLES.get(result.form, "Open the form").format(n=result.number)
    data: dict = {"msteams": {"type": "task/fetch"}, "form": result.form}
    if result.number is not None:
        data["n"] = result.number
    if result.name is not None:
        data["name"] = result.name
    content = cards.card(
        [cards.text_block(cards.escape(title))], [{"type": "Action.Submit", "title": title, "data": data}]
    )
    return cards.activity(content, title)


def region_names(ctx: TeamsContext, tenant: str) -> dict[str, str]:
    """Channel IDs → "Team › Channel" and people's IDs → names, for the region list."""
    return {**ctx.people.directory(tenant, limit=10_000), **channels.labels(AddressBook(ctx.actions), tenant)}
