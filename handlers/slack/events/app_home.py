"""The App Home tab: publish the person's Home when they open it (`app_home_opened`, Home tab only),
and its New action button, which opens the add form."""

from __future__ import annotations

import logging

from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import publish_home
from handlers.slack.identity import team_of
from handlers.slack.render_home import NEW_ACTION

log = logging.getLogger("actionbot.app_home")


def open_home(ctx: HandlerContext, client, team_id: str, user_id: str) -> None:
    """Publish their Home as of now and note that they look at it, so later changes refresh it."""
    publish_home(ctx, client, team_id, user_id)
    ctx.people.opened_home(team_id, user_id, ctx.clock())


def register(app, ctx: HandlerContext) -> None:
    @app.event("app_home_opened")
    def handle_home_opened(event, body, context, client):
        if event.get("tab") != "home":  # the Messages tab needs nothing from us
            return
        team_id = context.team_id or body.get("team_id")
        user_id = event.get("user")
        if not (team_id and user_id):
            log.warning("app_home_opened without team or user: %s", body.get("event_id"))
            return
        # acknowledged as soon as this returns; the Home is built and published after
        ctx.later(open_home, ctx, client, team_id, user_id)

    @app.action(NEW_ACTION)
    def handle_new_action(ack, body, client):
        ack()
        from handlers.slack.views.action_form import open_add_form  # written alongside; loaded when pressed

        open_add_form(ctx, client, body["trigger_id"], team_of(body), body["user"]["id"])
