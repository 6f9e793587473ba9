"""Operations: upgrading from every earlier migration on both databases, a database connection lost in
the middle of a request, the pool recovering, the health check, and the one log line per request."""

from __future__ import annotations

import logging
import time

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text

from bot.core.grammar import ListQuery
from handlers.slack.devkit.requests import post_signed, slash_command_body
from store.database import make_engine, normalise_url
from store.migrate import alembic_config, is_current, upgrade
from store.scratch import scratch_database
from tests.conftest import PG_URL, TEAM, WORKSHOP_NOW
from tests.helpers import all_text

REVISIONS = [s.revision for s in reversed(list(ScriptDirectory.from_config(alembic_config(None)).walk_revisions()))]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("ACTIONBOT_TEST_DATABASE_URL is not set")
    with scratch_database(PG_URL, "actionbot_mig") as url:
        yield url


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_upgrade_from_every_earlier_migration_keeps_the_data(empty_url, start):
    engine = make_engine(empty_url)
    try:
        upgrade(engine, start)
        with engine.begin() as conn:  # a workspace with one action, as that version stored it
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, name, timezone, date_order, last_number, created_at) "
                    "VALUES ('T0OLD', 'Old', 'UTC', 'MDY', 1, :now)"
                ),
                {"now": WORKSHOP_NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO actions (workspace_id, number, title, status, due_kind, due_date, channel_id, "
                    "created_by, created_at, updated_at) SELECT id, 1, 'Kept across upgrades', 'open', 'date', "
                    "'2014-11-30', NULL, 'UTIM', :now, :now FROM workspaces WHERE team_id = 'T0OLD'"
                ),
                {"now": WORKSHOP_NOW},
            )
        upgrade(engine)
        assert is_current(engine)
        from bot.core.service import ActionService
        from store.database import Database

        db = Database(empty_url)
        listing = ActionService(db, platform="slack").list("T0OLD", None, ListQuery(status="all"), WORKSHOP_NOW)
        assert [a.title for a in listing.actions] == ["Kept across upgrades"]
        db.dispose()
        tables = set(inspect(engine).get_table_names())
        assert {"deliveries", "calendar_feeds", "slack_installations", "slack_bots", "slack_oauth_states"} <= tables
    finally:
        engine.dispose()


def test_downgrade_to_the_first_migration_and_back(empty_url):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        command.downgrade(alembic_config(engine), REVISIONS[0])
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
    finally:
        engine.dispose()


def test_a_connection_lost_mid_request_says_try_again_and_writes_nothing(app, driver, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("terminating a server connection needs PostgreSQL")
    _, runtime = app
    assert "Added *#1*" in all_text(driver.command("UTIM", "add First one due Dec 1, 2014").json())
    killer = create_engine(normalise_url(db_url), isolation_level="AUTOCOMMIT")
    armed = {"on": True}

    def kill_own_connection(conn, cursor, statement, parameters, context, executemany):
        if armed["on"] and statement.lstrip().upper().startswith("INSERT INTO ACTIONS"):
            armed["on"] = False
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(runtime.db.engine, "before_cursor_execute", kill_own_connection)
    try:
        reply = all_text(driver.command("UTIM", "add Second one due Dec 2, 2014").json())
        assert "nothing was changed. Please try again" in reply
        listing = runtime.ctx.actions.list(TEAM, None, ListQuery(status="all"), WORKSHOP_NOW)
        assert [a.title for a in listing.actions] == ["First one"]  # no half-written action
        again = all_text(driver.command("UTIM", "add Second one due Dec 2, 2014").json())
        assert "Added *#2*" in again  # the pool threw the dead connection away (pool_pre_ping)
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", kill_own_connection)
        killer.dispose()


def test_health_check_reports_the_database(app):
    import json
    import urllib.request

    server, runtime = app
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(server.url + "/healthz", timeout=10) as ok:
        assert ok.status == 200 and json.loads(ok.read()) == {"ok": True}
    original = runtime.db.engine
    runtime.db.engine = create_engine("sqlite:////nonexistent/dir/actionbot.db")  # a database that is gone
    try:
        with pytest.raises(urllib.error.HTTPError) as down:
            opener.open(server.url + "/healthz", timeout=10)
        assert down.value.code == 503 and json.loads(down.value.read()) == {"ok": False}
    finally:
        runtime.db.engine.dispose()
        runtime.db.engine = original


def request_lines(caplog) -> list[dict]:
    return [
        dict(field.split("=", 1) for field in r.getMessage().split()[1:])
        for r in caplog.records
        if r.name == "actionbot.request"
    ]


def test_one_structured_line_per_request(driver, caplog):
    with caplog.at_level(logging.INFO, logger="actionbot.request"):
        driver.command("UTIM", "list overdue")
        driver.command("UTIM", "done 99")
    lines = [r.getMessage() for r in caplog.records if r.name == "actionbot.request"]
    assert len(lines) == 2
    assert lines[0].startswith(f"request team={TEAM} kind=command name=/action_list ms=")
    assert lines[0].endswith("outcome=ok") and "overdue" not in lines[0]  # names only, never user text
    assert lines[1].endswith("outcome=refused")  # there is no #99: the person was told so


def test_the_logged_latency_covers_the_listeners_work(app, driver, caplog):
    """`ms` is measured around the whole dispatch, listener included: at least the time its SQL took."""
    _, runtime = app
    spent = {"s": 0.0}

    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def ended(conn, cursor, statement, parameters, context, executemany):
        spent["s"] += time.perf_counter() - conn.info.pop("started")

    event.listen(runtime.db.engine, "before_cursor_execute", started)
    event.listen(runtime.db.engine, "after_cursor_execute", ended)
    try:
        with caplog.at_level(logging.INFO, logger="actionbot.request"):
            driver.command("UTIM", "add Draft the KM strategy @UTIM due Dec 1, 2014")
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", started)
        event.remove(runtime.db.engine, "after_cursor_execute", ended)
    [line] = request_lines(caplog)
    assert line["outcome"] == "ok" and spent["s"] > 0
    assert float(line["ms"]) >= round(spent["s"] * 1000, 1)


def test_a_failed_request_and_a_bad_signature_are_logged_as_such(app, driver, caplog, monkeypatch):
    _, runtime = app

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(runtime.ctx.actions, "list", broken)
    with caplog.at_level(logging.INFO, logger="actionbot.request"):
        reply = driver.command("UTIM", "list mine")
        forged = post_signed(
            driver.events_url,
            slash_command_body(
                "list", user_id="UTIM", team_id="T0\n evil=1", response_url=driver.standin.response_url()
            ),
            "not-the-secret",
        )
    assert "Something went wrong" in all_text(reply.json()) and forged.status == 401
    failed, refused = request_lines(caplog)
    assert (failed["name"], failed["outcome"]) == ("/action_list", "error")
    assert refused["outcome"] == "http401" and refused["team"] == "-"  # nothing of an unsigned body is read
