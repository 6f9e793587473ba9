"""`app_uninstalled` and `tokens_revoked`: stop every send to that workspace and forget its tokens; its
actions stay until an admin deletes them (`actionbot workspace delete`). Reinstalling resumes sends.
Tokens are forgotten by team, so an Enterprise Grid workspace's go too."""

from __future__ import annotations

import logging

from handlers.slack.context import HandlerContext

log = logging.getLogger("actionbot.lifecycle")


def register(app, ctx: HandlerContext) -> None:
    @app.event("app_uninstalled")
    def handle_uninstalled(body):
        stop_sending(ctx, body["team_id"], "app_uninstalled")

    @app.event("tokens_revoked")
    def handle_tokens_revoked(body, event):
        if (event.get("tokens") or {}).get("bot"):
            stop_sending(ctx, body["team_id"], "tokens_revoked")


def stop_sending(ctx: HandlerContext, team_id: str, why: str) -> None:
    ctx.actions.workspaces.uninstalled(team_id, ctx.clock())
    if ctx.installations is not None:
        ctx.installations.forget_team(team_id)
    log.info("workspace %s: %s; sends stopped, data kept", team_id, why)
