"""Wiring, the composition root: config → database → the core → every configured chat platform
(bot.platforms) → one HTTP server (waitress) serving all their routes, their background runners (Slack's
Socket Mode) beside it, and a scheduler that sends each platform's notices through its own notifier."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, cast

from sqlalchemy import text

from bot import platforms
from bot.config import Config, ConfigError
from bot.core.dates import utc_now
from bot.core.service import ActionService
from bot.platform import Platform, PlatformKind, Served
from store.database import Database
from store.migrate import is_current, upgrade

log = logging.getLogger("actionbot")


def open_database(config: Config) -> Database:
    """The database, migrated: the embedded SQLite upgrades itself; PostgreSQL must be upgraded by release."""
    db = Database(config.database_url)
    if db.engine.dialect.name == "sqlite":
        upgrade(db.engine)
    elif not is_current(db.engine):
        raise ConfigError("the database is not at the newest migration: run `actionbot db upgrade`")
    return db


def action_service(config: Config, db: Database, platform: str) -> ActionService:
    """The core on one platform's workspaces."""
    return ActionService(db, platform=platform, default_timezone=config.timezone, default_date_order=config.date_order)


def database_ok(db: Database) -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as err:  # one line, no stack trace: every poll while it is down writes one
        log.warning("database unreachable: %s", type(err).__name__)
        return False


def configured_kinds(config: Config, *, serving: bool) -> list[PlatformKind]:
    """Every configured platform, its settings checked (`serving`: for `actionbot run`, else for sending
    only), before anything is opened. With none configured, the first listed one says what it misses."""
    kinds = platforms.configured(config)
    if not kinds:
        platforms.kinds()[0].check(config, serving=serving)
        raise ConfigError("no chat platform is configured (see README.md, “Configure”)")
    for kind in kinds:
        kind.check(config, serving=serving)
    return kinds


def open_platforms(
    config: Config, db: Database, *, serving: bool, actions: ActionService | None = None
) -> list[Platform]:
    """Every configured platform (see configured_kinds) opened on `db`; `actions`, when given, is the
    core the platform of its name uses."""
    opened: list[Platform] = []
    for kind in configured_kinds(config, serving=serving):
        own = actions if actions is not None and actions.platform == kind.name else None
        opened.append(kind.open(config, own or action_service(config, db, kind.name)))
    return opened


def scheduler_services(config: Config, actions: ActionService, clock=None):
    """What a clock or a sweep needs: per configured platform, the core on its workspaces (`actions` for
    its own platform) and that platform's notifier."""
    return services_of(open_platforms(config, actions.db, serving=False, actions=actions), clock)


def services_of(opened: list[Platform], clock=None):
    from scheduler.clock import Services
    from scheduler.sweep import Outlet

    return Services({p.name: Outlet(p.actions, p.notifier()) for p in opened}, clock or utc_now)


@dataclass
class Runtime:
    """Everything one bot process holds: each configured platform, and what it serves here."""

    config: Config
    db: Database
    platforms: dict[str, Platform]
    served: dict[str, Served]
    clock: Callable[[], dt.datetime] = utc_now

    @property
    def ctx(self) -> Any:
        """Slack's handler context (its tests and the demo reach into it)."""
        return cast(Any, self.served["slack"]).ctx

    @property
    def bolt_app(self) -> Any:
        return cast(Any, self.served["slack"]).bolt_app

    def actions(self) -> ActionService:
        """The core on the first platform's workspaces (the calendar feeds are found across all of them)."""
        return next(iter(self.platforms.values())).actions

    def scheduler_services(self):
        """The scheduler's services for every platform served here: each sends through its platform's
        notifier, sharing what the web process remembers (Slack's DM channels)."""
        return services_of(list(self.platforms.values()), lambda: self.clock())

    def scheduler(self, blocking: bool = False):
        """The nudge and summary scheduler of `scheduler_services` (not started)."""
        from scheduler.clock import make_scheduler

        return make_scheduler(self.scheduler_services(), blocking=blocking)

    def routes(self) -> list:
        return [route for served in self.served.values() for route in served.routes]

    def runners(self) -> list:
        return [runner for served in self.served.values() for runner in served.runners]

    def wsgi(self):
        from bot.core.calendar_feeds import CalendarService
        from bot.core.export_links import download
        from handlers.web import make_wsgi

        feed = lambda secret: CalendarService(self.actions()).ics_for_secret(secret, self.clock())  # noqa: E731
        services = {name: p.actions for name, p in self.platforms.items()}
        return make_wsgi(
            self.routes(),
            lambda: database_ok(self.db),
            calendar=feed,
            exports=lambda secret: download(services, secret, self.clock()),
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

    def settle(self, timeout: float = 30) -> None:
        """Wait for the work every platform queued after its answers (at most `timeout` seconds each)."""
        for served in self.served.values():
            served.settle(timeout)

    def shutdown(self, wait: bool = True) -> None:
        for served in self.served.values():
            served.shutdown(wait=wait)


def build_runtime(config: Config, clock=None, processes: int = 1) -> Runtime:
    """The bot of one serving process, every configured platform in it; `processes` is how many serve
    the same workspaces side by side, so each keeps to its share of a platform's limits."""
    from scheduler.courier import Courier

    configured_kinds(config, serving=True)  # a setting missing: one line, and no database created
    db = open_database(config)
    now = clock or utc_now
    opened = {p.name: p for p in open_platforms(config, db, serving=True)}
    served = {
        name: p.serve(now, Courier(p.actions, p.notifier(), lambda: now()), processes=processes)
        for name, p in opened.items()
    }
    return Runtime(config, db, opened, served, now)


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
