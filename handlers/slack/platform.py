"""Slack behind the platform contract (bot.platform): the Bolt app and its routes or Socket Mode, the
notifier with Slack's pacing, the member directory for imports, the workspace of a bot token
(`auth.test`), and forgetting an installation when its workspace is deleted."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.config import Config, ConfigError
from bot.core.service import ActionService
from bot.platform import ChannelFound, Courier, Route, Runner
from handlers.slack.clients import BACKGROUND_TIMEOUT, TokenClients, web_client
from handlers.slack.context import HandlerContext
from handlers.slack.dm_channels import DmChannels
from handlers.slack.members import SlackOwnerMatcher, slack_owner_matcher
from handlers.slack.notifier import SlackNotifier

log = logging.getLogger("actionbot.slack")
NAME = "slack"
TOKEN_HINT = "check the token on the app's settings page (README.md, “Troubleshooting”)"
NETWORK_HINT = "check this machine's network, proxy and SLACK_API_URL"


class SlackKind:
    name = NAME

    def configured(self, config: Config) -> bool:
        return bool(config.bot_token or config.app_token or config.signing_secret or config.client_id)

    def check(self, config: Config, *, serving: bool) -> None:
        if serving:
            config.require_slack()
        else:
            config.require_token()

    def one_process(self, config: Config) -> bool:
        return bool(config.app_token)  # Socket Mode: one WebSocket connection

    def open(self, config: Config, actions: ActionService) -> SlackPlatform:
        return SlackPlatform(config, actions)


KIND = SlackKind()


class SocketModeRunner:
    """Slack's Socket Mode: events over a WebSocket Slack authenticates, instead of signed HTTP."""

    def __init__(self, bolt_app: App, config: Config):
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # its own logger: silent while the first connection is tried (a refusal is then one line of ours)
        self.log = logging.getLogger("actionbot.slack.socket_mode")
        self.handler = SocketModeHandler(bolt_app, config.app_token, logger=self.log)
        self.handler.client.web_client = web_client(config.app_token, config.api_url)

    def start(self) -> None:
        self.log.setLevel(logging.CRITICAL)
        try:
            self.handler.connect()
            if not self.handler.client.is_connected():  # a refused WebSocket is logged and retried, not raised
                self.handler.close()
                raise ConfigError(
                    f"Slack's Socket Mode connection was refused or dropped at once: {NETWORK_HINT}, "
                    "and that SLACK_APP_TOKEN belongs to this app"
                )
        except SlackApiError as err:
            raise ConfigError(f"SLACK_APP_TOKEN was not accepted by Slack ({_reason(err)}): {TOKEN_HINT}") from None
        except OSError as err:
            raise ConfigError(
                f"Slack did not answer the Socket Mode connection ({_reason(err)}): {NETWORK_HINT}"
            ) from None
        finally:
            self.log.setLevel(logging.WARNING)  # once connected, a drop and its reconnection are news

    def close(self) -> None:
        self.handler.close()


@dataclass
class SlackServed:
    """Slack serving in this process: `ctx` is what its listeners share, `bolt_app` the Bolt app."""

    ctx: HandlerContext
    bolt_app: App
    routes: Sequence[Route] = ()
    runners: Sequence[Runner] = field(default_factory=list)

    def settle(self, timeout: float = 30) -> None:
        self.ctx.settle(timeout=timeout)

    def shutdown(self, wait: bool = True) -> None:
        self.ctx.shutdown(wait=wait)


class SlackPlatform:
    name = NAME

    def __init__(self, config: Config, actions: ActionService):
        self.config, self.actions = config, actions
        self.dms = DmChannels()  # the IM channels opened, shared by the web process's senders
        self._installations = None

    def installations(self):
        """slack_sdk's installation store, when installed by OAuth (`config.distributed`), else None."""
        if self._installations is None and self.config.distributed:
            from handlers.slack.app import installation_store

            self._installations = installation_store(self.config, self.actions.db.engine)
        return self._installations

    def team_clients(self) -> Callable:
        """The Web API client for each workspace: the one bot token, or each installation's own."""
        store = self.installations()
        if store is None:
            client = web_client(self.config.bot_token, self.config.api_url, BACKGROUND_TIMEOUT)
            return lambda team_id: client

        def token_for(team_id: str) -> str | None:
            bot = store.bot_for_team(team_id)
            return bot.bot_token if bot else None

        return TokenClients(self.config.api_url, token_for).for_team

    def notifier(self) -> SlackNotifier:
        return SlackNotifier(self.team_clients(), self.dms)

    def serve(self, clock: Callable[[], dt.datetime], courier: Courier | None, processes: int = 1) -> SlackServed:
        from handlers.slack.app import build_app
        from handlers.slack.home_queue import BURST, TIER_4_PER_MINUTE, HomeQueue
        from handlers.slack.routes import slack_routes

        config = self.config
        ctx = HandlerContext(
            self.actions,
            clock=clock,
            public_url=config.public_url or f"http://localhost:{config.port or 3000}",
            homes=HomeQueue(TIER_4_PER_MINUTE / processes, max(1.0, BURST / processes)),
            dms=self.dms,
            courier=courier,
        )
        ctx.installations = self.installations()
        socket_mode = bool(config.app_token)
        try:  # Bolt checks the bot token (auth.test) as it starts
            bolt_app = build_app(
                ctx,
                token=config.bot_token,
                signing_secret=config.signing_secret or "",
                api_url=config.api_url,
                socket_mode=socket_mode,
                client_id=config.client_id,
                client_secret=config.client_secret,
                engine=self.actions.db.engine,
            )
        except BoltError as err:  # its message names Slack's error code, never the token
            found = re.search(r"""['"]error['"]: ['"]([a-z_]{1,40})['"]""", str(err))
            reason = found.group(1) if found else "refused"
            raise ConfigError(f"SLACK_BOT_TOKEN was not accepted by Slack ({reason[:60]}): {TOKEN_HINT}") from None
        except OSError as err:
            raise ConfigError(f"Slack's Web API did not answer ({_reason(err)}): {NETWORK_HINT}") from None
        if socket_mode:  # Bolt checks no signatures then: its events must not be reachable over HTTP
            return SlackServed(ctx, bolt_app, routes=(), runners=[SocketModeRunner(bolt_app, config)])
        return SlackServed(ctx, bolt_app, routes=slack_routes(bolt_app, config.signing_secret or ""))

    def directory(self, team_id: str) -> SlackOwnerMatcher | None:
        client = self._client_for(team_id)
        return slack_owner_matcher(client) if client is not None else None

    def own_workspace(self) -> str | None:
        if not self.config.bot_token:
            return None
        client = web_client(self.config.bot_token, self.config.api_url, BACKGROUND_TIMEOUT)
        try:
            team = client.auth_test().get("team_id")
        except (SlackApiError, OSError) as err:
            if isinstance(err, OSError):
                raise ConfigError(f"Slack's Web API did not answer ({_reason(err)}): {NETWORK_HINT}") from None
            raise ConfigError(f"SLACK_BOT_TOKEN was not accepted by Slack ({_reason(err)}): {TOKEN_HINT}") from None
        return team if isinstance(team, str) and team else None

    def find_person(self, team_id: str, text: str) -> str | None:
        from handlers.slack.lookup import find_person

        client = self._client_for(team_id)
        return find_person(client, text) if client is not None else None

    def find_channel(self, team_id: str, text: str) -> ChannelFound | None:
        from handlers.slack.lookup import find_channel

        client = self._client_for(team_id)
        return find_channel(client, text) if client is not None else None

    def forget_workspace(self, team_id: str) -> None:
        store = self.installations()
        if store is None:
            return  # one workspace on a token from the environment: nothing kept here to forget
        bot = store.bot_for_team(team_id)
        if bot is not None and bot.bot_token:
            try:
                web_client(bot.bot_token, self.config.api_url, BACKGROUND_TIMEOUT).auth_revoke()
            except (SlackApiError, OSError) as err:  # already revoked (uninstalled): forget it all the same
                log.info("token of %s not revoked: %s", team_id, _reason(err))
        store.forget_team(team_id)

    def _client_for(self, team_id: str):
        if self.config.bot_token and not self.config.distributed:
            return web_client(self.config.bot_token, self.config.api_url, BACKGROUND_TIMEOUT)
        return self.team_clients()(team_id) if self.config.distributed else None


def _reason(err: Exception) -> str:
    """Slack's error code, or the exception's kind: never a token, never a body."""
    response = getattr(err, "response", None)
    if response is not None and hasattr(response, "get"):
        return str(response.get("error") or "error")
    return type(err).__name__
