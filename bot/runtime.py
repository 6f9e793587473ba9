"""Wiring: config → database → core → Slack app → HTTP server (waitress) or Socket Mode."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from bot.config import Config, ConfigError
from bot.core.service import ActionService
from store.database import Database
from store.migrate import is_current, upgrade

if TYPE_CHECKING:  # the Slack side is imported only where it is used
    from slack_bolt import App

    from handlers.slack.context import HandlerContext

log = logging.getLogger("actionbot")


def open_database(config: Config) -> Database:
    """The database, migrated: the embedded SQLite upgrades itself; PostgreSQL must be upgraded by release."""
    db = Database(config.database_url)
    if db.engine.dialect.name == "sqlite":
        upgrade(db.engine)
    elif not is_current(db.engine):
        raise ConfigError("the database is not at the newest migration: run `actionbot db upgrade`")
    return db


def action_service(config: Config, db: Database) -> ActionService:
    return ActionService(db, default_timezone=config.timezone, default_date_order=config.date_order)


def database_ok(db: Database) -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as err:  # one line, no stack trace: every poll while it is down writes one
        log.warning("database unreachable: %s", type(err).__name__)
        return False


@dataclass
class Runtime:
    """Everything one bot process holds."""

    config: Config
    db: Database
    bolt_app: App
    ctx: HandlerContext

    def scheduler(self, blocking: bool = False):
        """The nudge and summary scheduler on this process's services (not started)."""
        from scheduler.clock import make_scheduler

        return make_scheduler(
            scheduler_services(self.config, self.ctx.actions, self.ctx.clock, dms=self.ctx.dms), blocking=blocking
        )

    def wsgi(self):
        from bot.core.calendar_feeds import CalendarService
        from handlers.web import make_wsgi

        feed = lambda secret: CalendarService(self.ctx.actions).ics_for_secret(secret, self.ctx.clock())  # noqa: E731
        return make_wsgi(
            self.bolt_app,
            lambda: database_ok(self.db),
            calendar=feed,
            signing_secret=self.config.signing_secret or "",
            max_body=self.config.max_body_bytes,
        )

    def http_server(self, host: str = "0.0.0.0", port: int | None = None, threads: int = 4, sock=None):
        """A production WSGI server (waitress) on host:port, or on `sock` (already listening, shared
        by workers); `.run()` serves, `.close()` stops."""
        from bot.http_server import FreeThreadServer, listening_socket

        if sock is None:
            sock = listening_socket(host, self.config.port if port is None else port)
        # waitress refuses a larger body (413) from its Content-Length, or once a chunked one passes it
        return FreeThreadServer(
            self.wsgi(), sock, threads=threads, ident="actionbot", max_request_body_size=self.config.max_body_bytes + 1
        )  # it refuses at >=

    def socket_mode(self):
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from handlers.slack.clients import web_client

        handler = SocketModeHandler(self.bolt_app, self.config.app_token)
        handler.client.web_client = web_client(self.config.app_token, self.config.api_url)
        return handler


def team_clients(config: Config, db: Database):
    """The Web API client for each workspace: the one bot token, or each installation's own."""
    from handlers.slack.clients import BACKGROUND_TIMEOUT, TokenClients, web_client

    if not config.distributed:
        client = web_client(config.bot_token, config.api_url, BACKGROUND_TIMEOUT)
        return lambda team_id: client
    from handlers.slack.app import installation_store

    store = installation_store(config, db.engine)

    def token_for(team_id: str) -> str | None:
        bot = store.bot_for_team(team_id)
        return bot.bot_token if bot else None

    return TokenClients(config.api_url, token_for).for_team


def scheduler_services(config: Config, actions: ActionService, clock=None, dms=None):
    """What the scheduler needs: the core and a Slack notifier with each workspace's token (sharing the
    web process's remembered DM channels, `dms`, when it runs in one)."""
    from bot.core.dates import utc_now
    from handlers.slack.notifier import SlackNotifier
    from scheduler.clock import Services

    return Services(actions, SlackNotifier(team_clients(config, actions.db), dms), clock or utc_now)


def build_runtime(config: Config, clock=None, processes: int = 1) -> Runtime:
    """The bot of one serving process; `processes` is how many serve the same workspaces side by side,
    so each one's Home tab refreshes keep to its share of Slack's limit on `views.publish`."""
    config.require_slack()
    from handlers.slack.app import build_app
    from handlers.slack.context import HandlerContext
    from handlers.slack.home_queue import BURST, TIER_4_PER_MINUTE, HomeQueue

    db = open_database(config)
    ctx = HandlerContext(
        action_service(config, db),
        public_url=config.public_url or f"http://localhost:{config.port or 3000}",
        homes=HomeQueue(TIER_4_PER_MINUTE / processes, max(1.0, BURST / processes)),
    )
    if config.distributed:
        from handlers.slack.app import installation_store

        ctx.installations = installation_store(config, db.engine)
    if clock is not None:
        ctx.clock = clock
    from handlers.slack.notifier import SlackNotifier
    from scheduler.courier import Courier

    ctx.courier = Courier(ctx.actions, SlackNotifier(team_clients(config, db), ctx.dms), lambda: ctx.clock())
    bolt_app = build_app(
        ctx,
        token=config.bot_token,
        signing_secret=config.signing_secret or "",
        api_url=config.api_url,
        socket_mode=bool(config.app_token),
        client_id=config.client_id,
        client_secret=config.client_secret,
        engine=db.engine,
    )
    return Runtime(config, db, bolt_app, ctx)


class BackgroundServer:
    """The real HTTP server on a loopback port in a thread (the demo and the tests use it)."""

    def __init__(self, runtime: Runtime, host: str = "127.0.0.1", port: int = 0):
        self.server = runtime.http_server(host=host, port=port)
        self.thread = threading.Thread(target=self.server.run, name="actionbot-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.server.effective_port}"

    def start(self) -> "BackgroundServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        # finish the requests in flight first: a task finishing after close() would pull a closed trigger
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=10)
        try:  # close() on the server loop's own thread wakes it at once
            self.server.trigger.pull_trigger(self.server.close)
        except OSError:  # the wake-up pipe is already closed: close from here; the loop ends within a second
            self.server.close()
        self.thread.join(timeout=10)
