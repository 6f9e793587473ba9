"""Publishing the App Home tab: one person's (`publish_home`) or, after a change, everyone's it touched
(`refresh_homes`, which logs a failure and goes on with the next person)."""

from __future__ import annotations

import logging
from typing import Iterable

from bot.core.home import home_view
from handlers.slack.context import HandlerContext
from handlers.slack.identity import actor_for
from handlers.slack.render_home import home_view_payload

log = logging.getLogger("actionbot.home")


def publish_home(ctx: HandlerContext, client, team_id: str, user_id: str) -> None:
    """Build `user_id`'s Home tab as of now and publish it (`views.publish`); errors are raised."""
    actor = actor_for(ctx, client, team_id, user_id)
    home = home_view(ctx.actions, team_id, actor, ctx.clock())
    client.views_publish(user_id=user_id, view=home_view_payload(home))


def refresh_homes(ctx: HandlerContext, client, team_id: str, user_ids: Iterable[str | None]) -> None:
    """Republish the Home tab of each distinct Slack user ID in `user_ids` (blanks, a named owner's missing
    ID, are skipped); a failure for one person is logged, never raised, and the others still get theirs."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        try:
            publish_home(ctx, client, team_id, user_id)
        except Exception as err:  # the Home tab is a convenience: a failed refresh must not fail a change
            log.warning(
                "Home tab refresh failed for %s (team %s): %s",
                user_id,
                team_id,
                getattr(err, "response", None) or repr(err),
            )


def after_change(ctx: HandlerContext, client, team_id: str, actor_id: str, action) -> None:
    """After the response: republish the Homes of whoever made a change and whoever it concerns, through
    the Home queue (merged, paced to Slack's limit; the one who made the change first in line). Only
    Homes someone has opened are kept fresh: opening one publishes it anew."""
    concerned = {u for u in (actor_id, action.user_creator, *action.owner_ids) if u}
    for user_id in sorted(ctx.people.with_home(team_id, concerned)):
        ctx.homes.request(team_id, user_id, refresh_homes, ctx, client, team_id, [user_id], first=user_id == actor_id)
