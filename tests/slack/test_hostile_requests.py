"""Hostile and malformed HTTP requests, through the real port (SQLite and PostgreSQL): a huge unsigned
body is refused unread (413) and costs the process no memory; a thousand malformed requests, signed or
not, get 400 or 401, never a 500 or a stack trace; no request body reaches the log at any level and no
text in a request can split or forge a log line; the calendar feed answers 503 while the database is
down. The size and log tests run `actionbot run` as a subprocess, reading its RSS and its stderr."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest

from bench.load import actionbot_executable, child_env
from bot.config import DEFAULT_MAX_BODY_BYTES, Config, ConfigError
from bot.runtime import BackgroundServer, build_runtime
from handlers.slack.devkit.requests import (
    VERIFICATION_TOKEN,
    interaction_body,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from handlers.slack.views.import_form import MAX_PASTE, form_view
from tests.conftest import SECRET, TEAM, app_config
from tests.core.test_calendar import fetch
from tests.helpers import all_text
from tests.slack.test_security import raw_post

MB = 1024 * 1024
MARK = "ZQXBODYMARK"  # in every hostile body: it must never reach the log
FORGED = "2014-11-21 15:00:00,000 ERROR actionbot: FORGED"


# -- the bot as a subprocess -------------------------------------------------------------------------


class Served:
    """`actionbot run` on a loopback port, its whole stderr kept."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [actionbot_executable(), "run", "--no-scheduler", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.url: str | None = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(60) or self.url is None:
            self.stop()
            raise RuntimeError("actionbot run did not start:\n" + "".join(self.lines))

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(next(line for line in f if line.startswith("VmHWM:")).split()[1]) / 1024

    def stop(self) -> str:
        """Stops the bot; its whole log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return "".join(self.lines)


@pytest.fixture
def served(db_url, slack):
    bot = Served(
        child_env(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=db_url,
        )
    )
    yield bot
    bot.stop()


def stream_post(url: str, headers: dict[str, str], chunks, total: int | None = None) -> tuple[int, int]:
    """POST a body of `chunks` (bytes, made as they go: nothing buffered here) until the server answers;
    (status, bytes sent). With `total` the body has a Content-Length, else it is sent chunked."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
        f"Content-Length: {total}" if total is not None else "Transfer-Encoding: chunked",
    ]
    sent = 0
    with sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:  # answered early: stop sending
                break
            try:
                sock.sendall(chunk if total is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            if total is None:
                sock.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1]), sent


def megabytes(count: int):
    chunk = (f"payload={MARK}&token=xoxp-{MARK}\n" * 40000).encode()[:MB]
    return (chunk for _ in range(count))


# -- size ---------------------------------------------------------------------------------------------


def test_a_200_mb_unsigned_body_is_refused_unread(served):
    status, sent = stream_post(
        served.url + "/slack/events",
        {"Content-Type": "application/x-www-form-urlencoded"},
        megabytes(200),
        total=200 * MB,
    )
    chunked_status, chunked_sent = stream_post(
        served.url + "/slack/events", {"Content-Type": "application/json"}, megabytes(200)
    )
    assert (status, chunked_status) == (413, 413)
    assert chunked_sent < 200 * MB
    assert served.peak_rss_mb() < 200
    log = served.stop()
    assert MARK not in log and "Traceback" not in log
    assert max(len(line) for line in log.splitlines()) < 3000


def test_the_biggest_real_body_fits_under_the_cap(app, slack):
    """The import form's submission with its paste box full of 4-byte characters, in the form's initial
    value and in its state, beside 99 long region names: well under the cap, and answered."""
    server, _ = app
    text = "\U0001f600" * MAX_PASTE
    view = form_view(
        [f"Region {i} " + "é" * 60 for i in range(99)],
        {"team": TEAM, "channel": "C0GENERAL", "text": text, "meeting": "é" * 3000, "group": "é" * 100},
    )
    values = {"text": {"value": {"type": "plain_text_input", "value": text}}}
    body = interaction_body(
        view_submission_payload(view={**view, "id": "V0IMPORT"}, values=values, user_id="UTIM", team_id=TEAM)
    )
    assert 150_000 < len(body) < DEFAULT_MAX_BODY_BYTES / 4
    reply = raw_post(server.url + "/slack/events", body, signed_headers(SECRET, body))
    assert reply.status == 200


def test_the_cap_is_configurable(db_url, slack, clock):
    assert Config.from_env({"ACTIONBOT_MAX_BODY_BYTES": "200000"}).max_body_bytes == 200_000
    for bad in ("abc", "-1", "1000", "１００００００"):
        with pytest.raises(ConfigError, match="ACTIONBOT_MAX_BODY_BYTES must be a number of bytes"):
            Config.from_env({"ACTIONBOT_MAX_BODY_BYTES": bad})
    config = app_config(slack, db_url, max_body_bytes=100_000)
    runtime = build_runtime(config, clock=clock)
    server = BackgroundServer(runtime).start()
    try:
        events = server.url + "/slack/events"
        at_cap, over = b"x" * 100_000, b"x" * 100_001
        assert raw_post(events, at_cap, signed_headers(SECRET, at_cap)).status == 400  # read, and not Slack's
        assert raw_post(events, over, signed_headers(SECRET, over)).status == 413
        assert stream_post(events, signed_headers(SECRET, over), iter([over[:60_000], over[60_000:]]))[0] == 413
    finally:
        server.stop()
        runtime.ctx.shutdown(wait=True)
        runtime.db.dispose()


# -- malformed requests ------------------------------------------------------------------------------


def _hostile_bodies(rng: random.Random):
    """(body, content type) pairs of every malformed kind, each carrying MARK and a forged log line."""
    text = f"{MARK}\n{FORGED}\r\n"
    slash = slash_command_body(text, user_id="UTIM", team_id=f"T0\n{FORGED}", response_url=f"http://x/{MARK}")
    good_payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UTIM"},
        "actions": [{"action_id": "action_done", "value": MARK}],
        "token": VERIFICATION_TOKEN,
    }
    return [
        (b"[1]", "application/json"),
        (b"1", "application/json"),
        (b'"' + MARK.encode() + b'"', "application/json"),
        (b"null", "application/json"),
        (b"{", "application/json"),
        (b"{}" + text.encode(), "application/json"),
        (b"payload=notjson" + MARK.encode(), "application/x-www-form-urlencoded"),
        (b"payload=[1]", "application/x-www-form-urlencoded"),
        (b"payload=%7B", "application/x-www-form-urlencoded"),
        (b"payload=" + MARK.encode() + b"%0A" + FORGED.encode(), "application/x-www-form-urlencoded"),
        (b"\xff\xfe" + MARK.encode() + b"\xc3\x28\n" + FORGED.encode(), "application/x-www-form-urlencoded"),
        (b"\x00" * 50 + MARK.encode(), "application/json"),
        (slash, "text/plain"),
        (slash, "application/xml"),
        (slash, "multipart/form-data; boundary=x"),
        (slash, ""),
        (json.dumps({**good_payload, "team": [MARK]}).encode(), "application/json"),
        (interaction_body({**good_payload, "actions": MARK}), "application/x-www-form-urlencoded"),
        (interaction_body({**good_payload, "actions": [MARK]}), "application/x-www-form-urlencoded"),
        (interaction_body({**good_payload, "authorizations": MARK}), "application/x-www-form-urlencoded"),
        (
            interaction_body({**good_payload, "type": "view_submission", "view": MARK}),
            "application/x-www-form-urlencoded",
        ),
        (
            json.dumps(
                {"type": "event_callback", "team_id": TEAM, "event": MARK, "token": VERIFICATION_TOKEN}
            ).encode(),
            "application/json",
        ),
        (
            json.dumps(
                {"type": "event_callback", "team_id": TEAM, "event": {"type": ["app_mention"], "text": MARK}}
            ).encode(),
            "application/json",
        ),
        (
            urlencode({"command": ["/action"], "text": MARK, "team_id": TEAM}, doseq=True).encode() + b"&payload=1",
            "application/x-www-form-urlencoded",
        ),
        (json.dumps([good_payload]).encode(), "application/json"),
        (rng.randbytes(300) + MARK.encode(), "application/octet-stream"),
    ]


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None, content_type: str = "") -> dict:
    """Slack's signature headers over any bytes (slack_sdk signs only UTF-8 text)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest, "Content-Type": content_type}


def _hostile_requests(count: int):
    """`count` (path, body, headers, signed?) requests cycling through every malformed kind."""
    rng = random.Random(14)
    bodies = _hostile_bodies(rng)
    now = str(int(time.time()))
    header_kinds = [
        lambda b, t: {"Content-Type": t},  # no signature headers
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": now},
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=1"},
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=é" + MARK},
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=" + "f" * 64},
        lambda b, t: {**sign(b, content_type=t), "X-Slack-Signature": "v0=" + "0" * 64},
        lambda b, t: sign(b, "not-the-secret", content_type=t),
        lambda b, t: sign(b, timestamp=1_400_000_000, content_type=t),
        lambda b, t: {"Content-Type": t, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": MARK * 5000},
        lambda b, t: {"Content-Type": t + "; charset=" + MARK * 3000},
        lambda b, t: {**sign(b, content_type=t), "X-Junk": MARK * 20000},  # 220 KB, under waitress's limit
    ]
    for i in range(count):
        body, content_type = bodies[i % len(bodies)]
        signed = i % 3 == 0  # a third signed with the right secret: malformed all the same
        headers = (
            sign(body, content_type=content_type)
            if signed
            else header_kinds[(i // 3) % len(header_kinds)](body, content_type)
        )
        path = "/slack/events" if i % 50 else f"/slack/events%0A{FORGED.replace(' ', '%20')}"
        yield path, body, headers, signed


def test_a_thousand_malformed_requests_get_400_or_401_and_no_stack_trace(served):
    statuses: dict[int, int] = {}
    signed_statuses: set[int] = set()
    for path, body, headers, signed in _hostile_requests(1000):
        status = raw_post(served.url + path, body, headers).status
        statuses[status] = statuses.get(status, 0) + 1
        if signed and path == "/slack/events":
            signed_statuses.add(status)
    assert sum(statuses.values()) == 1000
    assert set(statuses) <= {400, 401, 404} and statuses[400] > 300 and statuses[401] > 300, statuses
    assert signed_statuses == {400}
    log = served.stop()
    assert "Traceback" not in log
    assert MARK not in log and "FORGED" not in log.replace("\\n" + FORGED, "")
    for line in log.splitlines():  # every line is a record of its own: none split, none forged
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) [\w.:]+: ", line), line
        assert not line.startswith(FORGED)


def test_no_body_reaches_the_log_at_any_level(app, driver, caplog):
    """Accepted and refused requests alike, with every logger at DEBUG: the words people typed, the
    response_url and the legacy token stay out of every record (Bolt's own included)."""
    server, _ = app
    events = server.url + "/slack/events"
    with caplog.at_level(logging.DEBUG):
        driver.command("UTIM", f"add Draft the {MARK} strategy @UTIM due Dec 1, 2014")
        driver.command("UTIM", f"list {MARK}")
        driver.command("UTIM", f"{MARK} is not a verb")
        for path, body, headers, _ in _hostile_requests(60):
            assert raw_post(server.url + path, body, headers).status < 500
        unhandled = interaction_body(
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": "UTIM"},
                "actions": [{"action_id": "nothing_here", "value": MARK}],
                "response_url": f"http://x/{MARK}",
                "token": VERIFICATION_TOKEN,
            }
        )
        assert raw_post(events, unhandled, signed_headers(SECRET, unhandled)).status == 404
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert any(name.startswith("actionbot.bolt") or name.startswith("slack_bolt") for name, _ in logged)
    leaks = [
        (name, message[:200])
        for name, message in logged
        if MARK in message or "response_url" in message or VERIFICATION_TOKEN in message
    ]
    assert leaks == []


def test_a_command_with_the_word_payload_in_it_is_read_as_a_command(app, driver):
    # Bolt takes any form body containing "payload" for an interaction's payload= field, and lost these
    reply = driver.command("UTIM", "add Check the payload sizes due 2014-12-01")
    assert reply.status == 200 and "Added #1 Check the payload sizes" in all_text(reply.json())
    assert "Check the payload sizes" in all_text(driver.command("UTIM", "list all").json())


def test_a_log_line_cannot_be_split_by_what_it_carries():
    from bot.log_format import OneLineFormatter

    formatter = OneLineFormatter()
    record = logging.LogRecord("actionbot.web", logging.ERROR, __file__, 1, "served %s", (f"/x\n{FORGED}",), None)
    try:
        raise ValueError(f"bad {MARK}\n{FORGED}")
    except ValueError as err:
        record.exc_info = (type(err), err, err.__traceback__)
    lines = formatter.format(record).splitlines()
    assert lines[0].endswith(f"served /x\\n{FORGED}")
    assert lines[-1] == f"ValueError: bad {MARK}\\n{FORGED}" and not any(ln.startswith("2014") for ln in lines)
    long = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", ("y" * 5_000_000,), None)
    assert len(formatter.format(long)) < 2100


# -- the calendar feed while the database is down ---------------------------------------------------


@pytest.fixture
def own_database(request, tmp_path, sqlite_template):
    """A database this test may take down: a SQLite file, or a PostgreSQL scratch database."""
    if request.param == "sqlite":
        path = tmp_path / "actionbot.db"
        shutil.copy(sqlite_template, path)

        def take_down():  # the file gone and a directory in its place: no connection can open it
            os.rename(path, tmp_path / "moved.db")
            os.mkdir(path)

        yield f"sqlite:///{path}", take_down
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from store.database import normalise_url
    from tests.conftest import PG_URL, migrated_pg_database

    with migrated_pg_database("actionbot_down") as url:

        def take_down():
            admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()

        yield url, take_down


@pytest.mark.parametrize("own_database", ["sqlite", "postgresql"], indirect=True)
def test_the_calendar_feed_answers_503_while_the_database_is_down(own_database, slack, clock, caplog):
    from bot.core.calendar_feeds import CalendarService, feed_path

    url, take_down = own_database
    config = app_config(slack, url)
    runtime = build_runtime(config, clock=clock)
    server = BackgroundServer(runtime).start()
    try:
        feed = server.url + feed_path(CalendarService(runtime.ctx.actions).feed_for(TEAM, "user", "UTIM", clock()))
        assert fetch(feed)[0] == 200
        take_down()
        runtime.db.engine.dispose()  # the pool's open connections go with it
        with caplog.at_level(logging.INFO):
            status, headers, _ = fetch(feed)
            health = fetch(server.url + "/healthz")[0]
        assert (status, health) == (503, 503)
        assert headers["Retry-After"] == "30" and headers["Cache-Control"] == "no-store"
        assert not any(r.exc_info for r in caplog.records)
    finally:
        server.stop()
        runtime.ctx.shutdown(wait=True)
        runtime.db.dispose()
