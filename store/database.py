"""Engines and sessions: SQLite by default, PostgreSQL through DATABASE_URL.

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions so that concurrent
web threads queue for the write lock instead of failing with "database is locked". Within one process
writers take turns before SQLite sees them (WriterTurn): SQLite's busy handler polls with sleeps of
up to 100 ms, which under load turns a few milliseconds of waiting into seconds of tail latency.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager, nullcontext
from typing import Iterator

if sys.platform != "win32":
    import fcntl
else:  # Windows has no flock: there, processes meet at SQLite's own lock
    fcntl = None

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///actionbot.db"
READ_ONLY = "actionbot_read_only"


def normalise_url(url: str | None) -> str:
    """Accept the URL forms hosts hand out (postgres://…) and pick the psycopg 3 driver."""
    url = (url or "").strip() or DEFAULT_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            # in WAL mode NORMAL never corrupts the file; a power cut may lose the last commits, but a
            # commit no longer waits for a disk flush (FULL costs milliseconds on every write)
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # writers take the write lock up front (no deadlock on upgrade); readers do not queue for it.
        # Straight to the driver: through SQLAlchemy's statement machinery a BEGIN costs as much as a query.
        conn.connection.dbapi_connection.execute(
            "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )


class WriterTurn:
    """One writer at a time on a SQLite file, woken as soon as the last one finishes: threads of this
    process queue on a lock, processes (web workers, the clock, the CLI) on an flock of a file beside
    the database (`<database>-writer`). Re-entrant within a thread."""

    def __init__(self, database_path: str | None):
        self._lock = threading.RLock()
        self._depth = 0
        self.path = database_path + "-writer" if database_path and fcntl else None
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1 and self.path:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._release()
                raise

    def __exit__(self, *exc) -> None:
        self._release()

    def _release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                os.close(self._fd)  # closing the file lets the next process in
                self._fd = None
        finally:
            self._lock.release()


class Database:
    """An engine plus a session factory; `session()` is one transaction."""

    def __init__(self, url: str | None = None, engine: Engine | None = None):
        self.engine = engine or make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL reads run in autocommit: no BEGIN and COMMIT round trips around a request's reads
        # (each statement sees the data as of its own start; none of them writes)
        reader = self.engine.execution_options(
            **{READ_ONLY: True},
            **({"isolation_level": "AUTOCOMMIT"} if self.engine.dialect.name == "postgresql" else {}),
        )
        self._read_factory = sessionmaker(reader, expire_on_commit=False)
        self._reader = reader
        sqlite = self.engine.dialect.name == "sqlite"
        path = self.engine.url.database if sqlite and self.engine.url.database not in (None, "", ":memory:") else None
        self._writer = WriterTurn(path) if sqlite else nullcontext()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._writer, self._factory() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it does not wait for the write lock."""
        with self._read_factory() as session, session.begin():
            yield session

    @contextmanager
    def rows(self) -> Iterator[Connection]:
        """A read like `reading`, on a plain connection: for statements that return rows rather than ORM
        objects, where a Session's bookkeeping would cost about as much again as the statement."""
        with self._reader.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
