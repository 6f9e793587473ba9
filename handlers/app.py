"""Builds the Bolt app: one Web API client (pointed at SLACK_API_URL when set) and every listener."""
from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from handlers import actions, calendar_reply, commands, events, shortcuts, views
from handlers.context import HandlerContext


def web_client(token: str | None, api_url: str | None) -> WebClient:
    """Every Slack client the process makes comes from here, so SLACK_API_URL reaches them all."""
    if api_url:
        return WebClient(token=token, base_url=api_url)
    return WebClient(token=token)


def build_app(ctx: HandlerContext, *, token: str, signing_secret: str, api_url: str | None,
              socket_mode: bool = False) -> App:
    app = App(
        signing_secret=signing_secret,
        client=web_client(token, api_url),
        # Socket Mode requests arrive over Slack's authenticated WebSocket, unsigned
        request_verification_enabled=not socket_mode,
        # listeners run in the request's thread; slow work goes to ctx.later after the ack
        process_before_response=True,
    )
    commands.register(app, ctx)
    actions.register(app, ctx)
    views.register(app, ctx)
    events.register(app, ctx)
    shortcuts.register(app, ctx)
    calendar_reply.register(app, ctx)
    return app
