"""The store's engine setup: SQLite writers take turns, within a process and across processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from store.database import Database

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("busy")
"""


def other_process_sees(path: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", TRY_LOCK, path], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def sqlite_db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    yield database
    database.dispose()


def test_a_write_holds_the_turn_for_other_processes_until_it_ends(sqlite_db):
    path = sqlite_db._writer.path
    assert path.endswith("turns.db-writer")
    with sqlite_db.session():
        assert other_process_sees(path) == "busy"  # another worker's writer waits its turn
        with sqlite_db.session():  # re-entrant in one thread
            pass
        assert other_process_sees(path) == "busy"
    assert other_process_sees(path) == "free"
    with sqlite_db.reading():  # reads never take the turn
        assert other_process_sees(path) == "free"
