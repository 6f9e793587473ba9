"""Publishing the App Home tab: one person's (`publish_home`) or, after a change, everyone's it touched
(`refresh_homes`, which logs a failure and goes on with the next person)."""
from __future__ import annotations

import logging
import threading
from typing import Iterable

from bot.core.home import home_view
from bot.core.records import CHAT_USER
from handlers.context import HandlerContext
from handlers.identity import actor_for
from handlers.render_home import home_view_payload

log = logging.getLogger("actionbot.home")


def publish_home(ctx: HandlerContext, client, team_id: str, user_id: str) -> None:
    """Build `user_id`'s Home tab as of now and publish it (`views.publish`); errors are raised."""
    actor = actor_for(ctx, client, team_id, user_id)
    home = home_view(ctx.actions, team_id, actor, ctx.clock())
    client.views_publish(user_id=user_id, view=home_view_payload(home))


def refresh_homes(ctx: HandlerContext, client, team_id: str, user_ids: Iterable[str | None]) -> None:
    """Republish the Home tab of each distinct Slack user in `user_ids` (named owners and blanks are
    skipped); a failure for one person is logged, never raised, and the others still get theirs."""
    for user_id in dict.fromkeys(u for u in user_ids if u and CHAT_USER.match(u)):
        try:
            publish_home(ctx, client, team_id, user_id)
        except Exception as err:  # the Home tab is a convenience: a failed refresh must not fail a change
            log.warning("Home tab refresh failed for %s (team %s): %s", user_id, team_id,
                        getattr(err, "response", None) or repr(err))


_queued: set[tuple[str, str]] = set()  # Homes with a refresh waiting: a second change rides along
_queued_lock = threading.Lock()


def after_change(ctx: HandlerContext, client, team_id: str, actor_id: str, action) -> None:
    """After the response: republish the Homes of whoever made a change and whoever it concerns. A Home
    already waiting for a refresh is not queued twice (the refresh reads the state when it runs), so a
    burst of changes costs one publish a person, not one a change."""
    fresh = []
    with _queued_lock:
        for user_id in dict.fromkeys([actor_id, action.created_by, *action.owner_ids]):
            if user_id and CHAT_USER.match(user_id) and (team_id, user_id) not in _queued:
                _queued.add((team_id, user_id))
                fresh.append(user_id)
    if fresh:
        ctx.later(_refresh_queued, ctx, client, team_id, fresh)


def _refresh_queued(ctx: HandlerContext, client, team_id: str, user_ids: list[str]) -> None:
    with _queued_lock:
        for user_id in user_ids:
            _queued.discard((team_id, user_id))
    refresh_homes(ctx, client, team_id, user_ids)
