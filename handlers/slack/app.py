"""Builds the Bolt app and registers every listener. One workspace: the bot token from the environment.
Distributed (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set): Bolt's OAuth flow at /slack/install and
/slack/oauth_redirect, with slack_sdk's SQLAlchemy installation and state stores in our database; each
request then carries its own workspace's token. Enterprise Grid workspaces install like any other; an
org-wide install is refused with a page saying why (handlers.slack.installations). Bolt logs through
`actionbot.bolt`, with its messages cut to their first words: many end in the request's body, its answer
or an event (user text, `response_url`, the legacy `token`); so do the Web API client's."""

from __future__ import annotations

import logging
import re

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Config
from handlers.slack import actions, calendar_reply, commands, events, shortcuts, views
from handlers.slack.clients import quiet_sdk_logs, web_client
from handlers.slack.context import HandlerContext
from handlers.slack.installations import InstallationStore, WorkspaceOAuthFlow, failure_page
from handlers.slack.request_log import TimedApp

# the bot scopes of manifest.yaml (a test keeps the two the same)
SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "files:write",
    "app_mentions:read",
    "im:history",
    "channels:read",  # a region's channel found by its #name, and whether the bot is in it
    "groups:read",  # the same for a private channel the bot was invited to
]
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
_DETAIL = re.compile(r"[(:{\[\"'\n]")  # where Bolt's messages go on to what it was given


class _WithoutDetail(logging.Filter):
    """Keeps only the words before the first bracket, colon or quote of a Bolt log message
    ("Unhandled request ({...body...})" → "Unhandled request"), at every level."""

    def filter(self, record: logging.LogRecord) -> bool:
        head = _DETAIL.split(record.getMessage(), 1)[0].strip()
        record.msg, record.args = head or "Bolt message withheld", None
        return True


class _WithoutTokenSkipped(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that it is unused when given a client: the client it
    is given holds that same token, so the warning says nothing an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_logger() -> logging.Logger:
    """The logger Bolt is given (Bolt copies its filters to each of its own loggers); the Web API
    client's log, whose debug lines hold the messages sent, is cut the same way."""
    for name in ("actionbot.bolt", "slack_sdk.web.base_client"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WithoutDetail) for f in logger.filters):
            logger.addFilter(_WithoutDetail())
    bolt = logging.getLogger("actionbot.bolt")
    quiet_sdk_logs()  # Bolt's INFO lines are machinery; the bot's own lines say what started and what failed
    if not any(isinstance(f, _WithoutTokenSkipped) for f in bolt.filters):
        bolt.addFilter(_WithoutTokenSkipped())
    return logging.getLogger("actionbot.bolt")


def installation_store(config: Config, engine) -> InstallationStore:
    """Where a distributed app (`config.distributed`: client ID and secret set) keeps its installations."""
    assert config.client_id is not None, "only a distributed app has installations"
    return InstallationStore(client_id=config.client_id, engine=engine)


def oauth_settings(ctx: HandlerContext, client_id: str, client_secret: str, engine) -> OAuthSettings:
    def installed(args: SuccessArgs):
        ctx.actions.workspaces.installed(args.installation.team_id, args.installation.team_name or "", ctx.clock())
        return args.default.success(args)

    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=SCOPES,
        installation_store=ctx.installations,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=installed, failure=failure_page),
    )


def build_app(
    ctx: HandlerContext,
    *,
    token: str | None,
    signing_secret: str,
    api_url: str | None,
    socket_mode: bool = False,
    client_id: str | None = None,
    client_secret: str | None = None,
    engine=None,
) -> TimedApp:
    distributed = bool(client_id and client_secret)
    app = TimedApp(
        signing_secret=signing_secret,
        logger=bolt_logger(),
        client=web_client(None if distributed else token, api_url),
        oauth_flow=WorkspaceOAuthFlow(settings=oauth_settings(ctx, client_id, client_secret, engine))
        if distributed
        else None,
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
