"""Microsoft Teams behind the platform contract (bot.platform): configured by TEAMS_APP_ID and
TEAMS_APP_PASSWORD; serves `POST /api/messages` through the bridge (handlers.teams.bridge: one event
loop per process, the synchronous core off it), with the SDK App and our listeners (handlers.teams.app);
its notifier sends cards to stored conversations (handlers.teams.notifier); its workspace is the tenant
(TEAMS_TENANT_ID).

The Teams SDK is an extra (`pip install -e '.[teams]'`): this module imports it only inside open() and
serve(), so a Slack-only install still imports bot.platforms, and check() says in one line what is
missing.

Settings (README, "Connect Microsoft Teams"): TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID,
TEAMS_OPENID_METADATA_URL (default Bot Framework's), TEAMS_TOKEN_URL (default Microsoft's for the
tenant), TEAMS_ADMINS (object IDs or e-mail addresses, comma-separated)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from bot.config import Config, ConfigError
from bot.core.service import ActionService
from bot.platform import ChannelFound, Courier, Route, Runner

if TYPE_CHECKING:
    from handlers.teams.bridge import LoopThread
    from handlers.teams.connector import BotConnector, RetryPolicy
    from handlers.teams.context import TeamsContext
    from handlers.teams.notifier import TeamsNotifier

log = logging.getLogger("actionbot.teams")
NAME = "teams"
README_HINT = "see README.md, “Connect Microsoft Teams”"
BOT_FRAMEWORK_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"


def setting(config: Config, name: str) -> str | None:
    return (config.env.get(name) or "").strip() or None


def admins_of(config: Config) -> frozenset[str]:
    """TEAMS_ADMINS: object IDs and e-mail addresses, comma- or space-separated, lower case."""
    raw = (setting(config, "TEAMS_ADMINS") or "").replace(",", " ").split()
    return frozenset(a.strip().lower() for a in raw if 0 < len(a.strip()) <= 320)


class TeamsKind:
    name = NAME

    def configured(self, config: Config) -> bool:
        return bool(setting(config, "TEAMS_APP_ID") or setting(config, "TEAMS_APP_PASSWORD"))

    def check(self, config: Config, *, serving: bool) -> None:
        if importlib.util.find_spec("microsoft_teams") is None:
            raise ConfigError(
                "Teams is configured but the teams extra is not installed: pip install 'actionbot[teams]'"
            )
        if not setting(config, "TEAMS_APP_ID"):
            raise ConfigError(f"TEAMS_APP_ID is not set but TEAMS_APP_PASSWORD is ({README_HINT})")
        if not setting(config, "TEAMS_APP_PASSWORD"):
            raise ConfigError(f"TEAMS_APP_PASSWORD is not set but TEAMS_APP_ID is ({README_HINT})")
        if not setting(config, "TEAMS_TOKEN_URL") and not setting(config, "TEAMS_TENANT_ID"):
            raise ConfigError(f"TEAMS_TENANT_ID is not set (or set TEAMS_TOKEN_URL) ({README_HINT})")
        for name in ("TEAMS_TOKEN_URL", "TEAMS_OPENID_METADATA_URL"):
            value = setting(config, name)
            if value and not value.startswith(("https://", "http://")):
                raise ConfigError(f"{name} must be an http(s) URL ({README_HINT})")

    def one_process(self, config: Config) -> bool:
        return False

    def open(self, config: Config, actions: ActionService) -> TeamsPlatform:
        return TeamsPlatform(config, actions)


KIND = TeamsKind()


@dataclass
class TeamsServed:
    """Teams serving in this process: its context, the bridge (and its loop) and the route."""

    ctx: TeamsContext
    bridge: Any  # handlers.teams.bridge.TeamsBridge
    app: Any  # the SDK App
    routes: Sequence[Route] = ()
    runners: Sequence[Runner] = field(default_factory=list)

    def settle(self, timeout: float = 30) -> None:
        from handlers.teams import dashboards, turns

        turns.settle(self.ctx, timeout)
        dashboards.settle(self.ctx, timeout)

    def shutdown(self, wait: bool = True) -> None:
        from handlers.teams import dashboards, turns

        turns.shutdown(self.ctx, wait)
        dashboards.shutdown(self.ctx, wait)
        try:
            self.bridge.run(self.ctx.connector.aclose(), timeout=5)
        except Exception as exc:  # closing quietly: the process is stopping
            log.debug("teams connector not closed: %s", type(exc).__name__)
        self.bridge.loop.stop()


class TeamsPlatform:
    name = NAME

    def __init__(self, config: Config, actions: ActionService):
        self.config, self.actions = config, actions
        self.app_id = setting(config, "TEAMS_APP_ID") or ""
        self.tenant_id = setting(config, "TEAMS_TENANT_ID")

    def _connector(self, policy: RetryPolicy | None = None) -> BotConnector:
        from handlers.teams.connector import BotConnector, ClientCredentials, default_token_url

        token_url = setting(self.config, "TEAMS_TOKEN_URL") or default_token_url(self.tenant_id)
        credentials = ClientCredentials(self.app_id, setting(self.config, "TEAMS_APP_PASSWORD") or "", token_url)
        return BotConnector(credentials, policy=policy)

    def notifier(self, loop: LoopThread | None = None) -> TeamsNotifier:
        from handlers.teams.bridge import LoopThread
        from handlers.teams.notifier import SEND_POLICY, TeamsNotifier

        return TeamsNotifier(self.actions, self._connector(SEND_POLICY), loop or LoopThread("teams-notifier"))

    def serve(self, clock: Callable[[], dt.datetime], courier: Courier | None, processes: int = 1) -> TeamsServed:
        from handlers.teams import dashboards
        from handlers.teams.app import build_app
        from handlers.teams.auth import BotFrameworkAuth, SigningKeys
        from handlers.teams.bridge import MESSAGES_PATH, TeamsBridge, flask_view
        from handlers.teams.context import TeamsContext
        from handlers.teams.sdk_app import SdkHandler

        connector = self._connector()
        ctx = TeamsContext(
            self.actions,
            connector,
            self.app_id,
            admins=admins_of(self.config),
            clock=clock,
            public_url=self.config.public_url,  # unset: no link is given, and the person is told why
            courier=courier,
        )
        app = build_app(ctx, connector.credentials, connector, self.tenant_id)
        metadata = setting(self.config, "TEAMS_OPENID_METADATA_URL") or BOT_FRAMEWORK_METADATA_URL
        bridge = TeamsBridge(BotFrameworkAuth(self.app_id, SigningKeys(metadata)), SdkHandler(app))
        route = Route("POST", MESSAGES_PATH, flask_view(bridge), "teams_messages")
        dashboards.serve(ctx, bridge.run, processes)
        return TeamsServed(ctx, bridge, app, routes=[route])

    def directory(self, team_id: str) -> None:
        """A tenant's whole directory needs Microsoft Graph, which this bot does not use: an import's
        owners are matched by the core against the people already known, else stay named owners."""
        return None

    def own_workspace(self) -> str | None:
        return self.tenant_id

    def find_person(self, team_id: str, text: str) -> str | None:
        """Without Microsoft Graph, only someone the bot has met: by their object ID or their name."""
        from bot.core.owner_match import Member, OwnerMatcher
        from bot.core.people import PeopleService

        known = PeopleService(self.actions).directory(team_id, limit=10_000)
        wanted = text.strip()
        if wanted in known:
            return wanted
        return OwnerMatcher(Member(uid, real_name=name) for uid, name in known.items()).match(wanted)

    def find_channel(self, team_id: str, text: str) -> ChannelFound | None:
        """A channel of a team the bot was added to (handlers.teams.channels), by its ID, "Team ›
        Channel" or a name only one team has; one of a team the app left cannot be posted in."""
        from bot.core.addresses import AddressBook
        from handlers.teams import channels

        return channels.find(AddressBook(self.actions), team_id, text)

    def forget_workspace(self, team_id: str) -> None:
        """Nothing is kept outside the database (addresses go with the workspace's rows); the bot's
        registration is the admin's to remove in Azure."""
        return None
