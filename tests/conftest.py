"""Shared fixtures: a migrated database on SQLite and (when ACTIONBOT_TEST_DATABASE_URL is set)
PostgreSQL, the Slack stand-in, and the real app served over HTTP on a loopback port."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from bot.config import Config
from bot.core.service import ActionService
from bot.runtime import BackgroundServer, build_runtime
from handlers.slack.devkit.driver import SlackDriver
from handlers.slack.devkit.standin import SlackStandIn
from store.database import Database, make_engine, normalise_url
from store.migrate import upgrade
from store.models import Base
from store.scratch import scratch_database

PG_URL = os.environ.get("ACTIONBOT_TEST_DATABASE_URL")
# The day after the seed workshop: its matrix's dates are all ahead.
WORKSHOP_NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
SECRET = "test-signing-secret"
TEAM, OTHER_TEAM = "T0UNREDD", "T0OTHER"
SEED_USERS = [  # id, handle, real name, zone, admin
    ("UTIM", "tim", "Tim Boyle", "Europe/Rome", False),
    ("UJEN", "jennifer", "Jennifer Fergurson-Mitchel", "America/New_York", False),
    ("UPAT", "patricia", "Patricia Toquica", "America/Bogota", False),
    ("ULINA", "lina", "Lina Salazar", "Europe/Zurich", False),
    ("UADMIN", "ana", "Ana Admin", "UTC", True),
    ("UOUT", "olga", "Olga Outsider", "Africa/Nairobi", False),
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@contextmanager
def migrated_pg_database(prefix: str):
    """A fresh, migrated PostgreSQL scratch database's URL, dropped at the end (skips without PostgreSQL)."""
    if not PG_URL:
        pytest.skip("ACTIONBOT_TEST_DATABASE_URL is not set")
    with scratch_database(PG_URL, prefix) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test session, migrated once, dropped at the end."""
    with migrated_pg_database("actionbot_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A migrated, empty database URL, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "actionbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def service(db):
    return ActionService(db, platform="slack")


@pytest.fixture
def slack():
    with SlackStandIn(team_id=TEAM, bot_token="xoxb-unredd") as standin:
        standin.add_workspace(OTHER_TEAM, "Other Org", "xoxb-other")
        for uid, handle, real, tz, admin in SEED_USERS:
            standin.add_user(uid, handle, real_name=real, tz=tz, is_admin=admin)
        standin.add_user("UFOREIGN", "fred", team_id=OTHER_TEAM, tz="Asia/Bangkok")
        yield standin


class Clock:
    """The app's clock in tests: set, never slept."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(WORKSHOP_NOW)


def app_config(slack, db_url: str, **extra) -> Config:
    """The bot's configuration in the tests: the stand-in's token and address, the test signing secret."""
    return Config(
        bot_token=slack.bot_token,
        signing_secret=SECRET,
        app_token=None,
        api_url=slack.api_url,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
        **extra,
    )


@pytest.fixture
def app(db_url, slack, clock):
    """The real app (Bolt + Flask + waitress) on a loopback port, talking to the stand-in."""
    runtime = build_runtime(app_config(slack, db_url), clock=clock)
    server = BackgroundServer(runtime).start()
    yield server, runtime
    server.stop()
    runtime.ctx.shutdown(wait=True)
    runtime.db.dispose()


@pytest.fixture
def driver(app, slack):
    server, _ = app
    return SlackDriver(server.url, slack, SECRET, team_id=TEAM)
