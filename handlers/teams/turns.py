"""What every Teams listener does around the core: read the activity (as a plain dict), find who sent it
(handlers.teams.identity), resolve the people it mentions to object IDs (stored accounts first, then the
conversation's roster), send the reply into the conversation it came from, and queue the work after the
answer (telling new owners) off the event loop."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable

from bot.core.command_input import Said
from bot.core.records import Actor, Outcome
from handlers.teams import markup
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import Directory, Who

log = logging.getLogger("actionbot.teams")

MAX_ROSTER_READS = 1  # a roster is read at most once an activity


def raw(sdk_activity: Any) -> dict:
    """The SDK's activity model as the dict Teams sent."""
    if isinstance(sdk_activity, dict):
        return sdk_activity
    return sdk_activity.model_dump(by_alias=True, exclude_none=True, mode="json")


def directory(ctx: TeamsContext) -> Directory:
    found = ctx.services.get("directory")
    if found is None:
        found = ctx.services["directory"] = Directory(ctx)
    return found


def bot_ids(ctx: TeamsContext, activity: dict) -> set[str]:
    ids = {"28:" + ctx.app_id}
    recipient = activity.get("recipient")
    if isinstance(recipient, dict) and isinstance(recipient.get("id"), str):
        ids.add(recipient["id"])
    return ids


def roster_of(w: Who) -> str:
    """Whose members to read: the team's (a channel), else the conversation's."""
    return w.team_id or w.conversation_id.split(";", 1)[0]


async def read_roster(ctx: TeamsContext, w: Who) -> list[dict]:
    try:
        return await ctx.connector.members(w.service_url, roster_of(w))
    except ConnectorError as err:
        log.info("teams roster not read: %s", err.status or err.code)
        return []


async def sender(ctx: TeamsContext, w: Who) -> Actor:
    """The sender as the core's actor, remembered (and their e-mail read when TEAMS_ADMINS needs it)."""
    book = directory(ctx)
    email = None
    if await ctx.run(book.needs_email, w):
        for m in await read_roster(ctx, w):
            if m.get("id") == w.account_id or str(m.get("aadObjectId", "")).lower() == w.user_id:
                email = m.get("email") or m.get("userPrincipalName")
                break
    return await ctx.run(book.seen, w, email if isinstance(email, str) else None)


async def said_in(ctx: TeamsContext, w: Who, activity: dict) -> Said:
    """The activity's text as the core reads it, its mentions resolved to object IDs."""
    text = activity.get("text") if isinstance(activity.get("text"), str) else ""
    mentions = markup.mentions_of(activity)
    ours = bot_ids(ctx, activity)
    book = directory(ctx)
    known: dict[str, str] = {}
    for account, _ in mentions:
        if account not in ours and account not in known:
            oid = await ctx.run(book.object_id_of, w.tenant_id, account)
            if oid:
                known[account] = oid
    missing = [a for a, _ in mentions if a not in ours and a not in known]
    if missing:
        members = await read_roster(ctx, w)
        known.update(await ctx.run(book.learn_members, w.tenant_id, members, w.service_url))
    return markup.parse(text, mentions, ours, known.get)


def mentions_bot(ctx: TeamsContext, activity: dict) -> bool:
    ours = bot_ids(ctx, activity)
    return any(account in ours for account, _ in markup.mentions_of(activity))


async def reply(ctx: TeamsContext, w: Who, message: dict) -> str | None:
    """Send `message` (an activity) into the conversation (a channel's thread) the person wrote in."""
    try:
        return await ctx.connector.send(w.service_url, w.conversation_id, message)
    except ConnectorError as err:
        log.warning("teams reply not sent: %s %s", err.status or "no answer", err.code)
        return None


def later(ctx: TeamsContext, fn: Callable[..., Any], *args: Any) -> None:
    """Run `fn` after the answer, in a worker thread (never on the loop)."""
    pool = ctx.services.get("later")
    if pool is None:
        pool = ctx.services["later"] = ThreadPoolExecutor(2, thread_name_prefix="teams-later")
        ctx.services["pending"] = set()
    pending: set[Future] = ctx.services["pending"]
    future = pool.submit(_quietly, fn, *args)
    pending.add(future)
    future.add_done_callback(pending.discard)


def _quietly(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception as exc:  # logged by kind only: the work may hold user text
        log.error("teams work after the answer failed: %s", type(exc).__name__)


def settle(ctx: TeamsContext, timeout: float = 30) -> None:
    pending = ctx.services.get("pending")
    if pending:
        wait(list(pending), timeout=timeout)


def shutdown(ctx: TeamsContext, wait_for: bool = True) -> None:
    pool = ctx.services.get("later")
    if pool is not None:
        pool.shutdown(wait=wait_for)


def tell_new_owners(ctx: TeamsContext, team_id: str, outcomes: list[Outcome]) -> None:
    """Hand the notices the change wrote for new owners to the courier (after the answer)."""
    told = [n for o in outcomes for n in o.told]
    courier = ctx.courier
    if told and courier is not None:
        later(ctx, courier.deliver, team_id, told)  # type: ignore[attr-defined]
