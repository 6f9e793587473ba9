"""Each person's "My actions" card (handlers.teams.dashboard_card) in their personal chat with the bot,
kept up to date in place: Teams' stand-in for Slack's Home tab.

- Opened by typing `my actions` or `dashboard` in the personal chat (`asks_for_it`), or by a "My actions"
  button (verb "dashboard") on any card: a new card is posted in the person's personal chat and its
  activity remembered (bot.core.addresses, kind "dashboard", key their object ID: the conversation and
  the activity ID). Only the latest one is kept fresh; Refresh on a dashboard makes that one the latest.
- After a change made on Teams (`after_change`: done, edit, note, assign, due, an import…) the dashboards
  of whoever made it and whoever it concerns (its owners and its creator) are refreshed, those that
  exist: read anew and PUT over the latest card, through the refresh queue (bot.refresh_queue): one
  update per person per burst (a change while one waits merges into it), at most one a second per
  person and within Teams' per-conversation limits (7/s, 8/2 s, 60/30 s, 1,800/h), and the tenant's
  50 requests a second shared among the serving processes.
- A dashboard deleted in Teams (404 on the PUT) or a chat the person blocked (403) is forgotten quietly;
  the next open posts a new one.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable

from bot.clocks import WALL, Clock
from bot.core.addresses import AddressBook
from bot.core.command_input import Said, as_text
from bot.core.home import HomeView, home_view
from bot.core.records import ActionInfo, Actor
from bot.refresh_queue import RefreshQueue, SlidingWindows, TokenBucket, by_person, by_workspace
from handlers.teams import cards, dashboard_card, turns
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import Who
from handlers.teams.notifier import PER_CONVERSATION, PER_TENANT
from handlers.teams.personal_chat import personal_conversation

log = logging.getLogger("actionbot.teams.dashboards")

KIND = "dashboard"
VERB = dashboard_card.VERB
QUEUE, RUN = "dashboards", "dashboards.run"  # in TeamsContext.services
ASKED = frozenset({"my actions", "dashboard", "my dashboard"})
MESSAGE = "application/vnd.microsoft.activity.message"
NO_CHAT = (
    "I can't write to you in our chat: add Actionbot for yourself in Teams (Apps → Actionbot → Add), then try again."
)
PUT_SECONDS = 30.0
MAX_ID = 200

PER_PERSON = 1.0  # updates a second of one person's dashboard: a burst within it merges
CONVERSATION_LIMITS = PER_CONVERSATION  # Teams' published limits per bot per conversation (as sends keep to)
TENANT_PER_SECOND = float(PER_TENANT[0][0])


def queue(processes: int = 1, clock: Clock = WALL) -> RefreshQueue:
    """The dashboards' refresh queue of one serving process (of `processes`)."""
    share = TENANT_PER_SECOND / max(1, processes)
    return RefreshQueue(
        [
            (TokenBucket(PER_PERSON, 1.0), by_person),
            (SlidingWindows(CONVERSATION_LIMITS), by_person),
            (TokenBucket(share, share), by_workspace),
        ],
        clock,
        name="teams-dashboards",
    )


def serve(ctx: TeamsContext, run: Callable, processes: int = 1) -> None:
    """Keep dashboards fresh from this process: `run(coro, timeout)` runs a coroutine on the Teams loop."""
    ctx.services[QUEUE] = queue(processes)
    ctx.services[RUN] = run


def settle(ctx: TeamsContext, timeout: float) -> None:
    found = ctx.services.get(QUEUE)
    if found is not None:
        found.settle(timeout)


def shutdown(ctx: TeamsContext, wait: bool) -> None:
    found = ctx.services.get(QUEUE)
    if found is not None:
        found.shutdown(wait)


def asks_for_it(what: Said) -> bool:
    """`my actions`, `dashboard`, `my dashboard` (any case, trailing punctuation)."""
    text = as_text(what)
    if len(text) > 40:
        return False
    return " ".join(text.strip().rstrip(string.punctuation).split()).casefold() in ASKED


# -- the card -------------------------------------------------------------------------------------


def home_of(ctx: TeamsContext, tenant: str, actor: Actor) -> HomeView:
    return home_view(ctx.actions, tenant, actor, ctx.clock())


def view(ctx: TeamsContext, tenant: str, actor: Actor, note: str | None = None) -> dict:
    """The dashboard card of `actor` as of now (synchronous: the core)."""
    return dashboard_card.dashboard_card(home_of(ctx, tenant, actor), note)


def actor_of(ctx: TeamsContext, tenant: str, user_id: str) -> Actor:
    """Someone else's dashboard is read as them (their zone says what "this week" is)."""
    found, _ = ctx.people.known(tenant, user_id, ctx.clock())
    return found or Actor(user_id)


def remember(ctx: TeamsContext, tenant: str, user_id: str, service_url: str, conversation: str, activity_id: str):
    reference = {"conversation": {"id": conversation}, "activityId": activity_id}
    AddressBook(ctx.actions).save(tenant, KIND, user_id, reference, service_url, ctx.clock())


# -- opening --------------------------------------------------------------------------------------


async def post(ctx: TeamsContext, w: Who, actor: Actor) -> str:
    """Post a new dashboard in the person's personal chat and remember it as their latest."""
    home = await ctx.run(home_of, ctx, w.tenant_id, actor)
    service_url, conversation = await personal_conversation(ctx, w)
    activity_id = await ctx.connector.send(service_url, conversation, dashboard_card.dashboard_activity(home))
    await ctx.run(remember, ctx, w.tenant_id, w.user_id, service_url, conversation, activity_id)
    return activity_id


async def press(ctx: TeamsContext, w: Who, actor: Actor, activity: dict, data: dict) -> dict:
    """The "dashboard" verb: Refresh on a dashboard (`d: 1`) answers with it as it is now and makes it
    the latest; "My actions" on any other card posts a new dashboard in the personal chat."""
    pressed = activity.get("replyToId")
    if data.get("d") == 1 and w.personal and isinstance(pressed, str) and 0 < len(pressed) <= MAX_ID:
        content = await ctx.run(view, ctx, w.tenant_id, actor)
        await ctx.run(remember, ctx, w.tenant_id, w.user_id, w.service_url, w.conversation_id, pressed)
        return cards.refreshed(content)
    try:
        await post(ctx, w, actor)
    except ConnectorError as err:
        if not err.permanent:
            raise
        return _told(NO_CHAT)  # the app is not installed for them, or they blocked it
    return _told(f"Your actions are {'below' if w.personal else 'in your chat with me'}.")


def _told(text: str) -> dict:
    """An answer shown to the presser only; the card pressed stays as it was."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


# -- keeping them fresh ---------------------------------------------------------------------------


def after_change(ctx: TeamsContext, tenant: str, actor_id: str, action: ActionInfo, *, seen: bool = False) -> None:
    """After the answer: refresh the dashboards of whoever made the change and whoever it concerns
    (`seen`: the one who made it pressed a button on their dashboard, which the answer already shows)."""
    refreshes = ctx.services.get(QUEUE)
    if refreshes is None:
        return
    concerned = {u for u in (actor_id, action.user_creator, *action.owner_ids) if u}
    if seen:
        concerned.discard(actor_id)
    if concerned:
        turns.later(ctx, _request, ctx, refreshes, tenant, actor_id, sorted(concerned))


def _request(ctx: TeamsContext, refreshes: RefreshQueue, tenant: str, actor_id: str, users: list[str]) -> None:
    book = AddressBook(ctx.actions)
    for user_id in users:
        if book.get(tenant, KIND, user_id) is not None:
            refreshes.request(tenant, user_id, refresh, ctx, tenant, user_id, first=user_id == actor_id)


def refresh(ctx: TeamsContext, tenant: str, user_id: str) -> None:
    """PUT `user_id`'s dashboard as of now over their latest one (in the refresh queue's thread)."""
    book = AddressBook(ctx.actions)
    address = book.get(tenant, KIND, user_id)
    if address is None:
        return
    conversation = (address.reference.get("conversation") or {}).get("id")
    activity_id = address.reference.get("activityId")
    if not (isinstance(conversation, str) and isinstance(activity_id, str) and address.service_url):
        book.remove(tenant, KIND, user_id)
        return
    home = home_of(ctx, tenant, actor_of(ctx, tenant, user_id))
    message = dashboard_card.dashboard_activity(home)
    try:
        ctx.services[RUN](ctx.connector.update(address.service_url, conversation, activity_id, message), PUT_SECONDS)
    except ConnectorError as err:
        if err.status in (403, 404):  # deleted, or the chat blocked: forgotten, unless a newer one came
            now = book.get(tenant, KIND, user_id)
            if now is not None and now.reference.get("activityId") == activity_id:
                book.remove(tenant, KIND, user_id)
            log.info("teams dashboard forgotten (tenant %s): %s %s", tenant, err.status, err.code)
        else:
            log.warning("teams dashboard not refreshed (tenant %s): %s %s", tenant, err.status or "-", err.code)
    except TimeoutError:
        log.warning("teams dashboard not refreshed (tenant %s): no answer in time", tenant)
