"""The HTTP server takes a connection only while it has a free thread, so servers sharing one listening
socket (`actionbot run --workers N`) never queue a request behind a busy one while another is idle."""

from __future__ import annotations

import http.client
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.http_server import FreeThreadServer, listening_socket

WAIT = 10.0  # seconds: generous bounds on waits that should end in milliseconds


class Served:
    """A FreeThreadServer of one thread on `sock`, serving `/block` (held until released) and `/who`."""

    def __init__(self, name: str, sock: socket.socket, anyone: threading.Event | None = None):
        self.name = name
        self.entered, self.release = threading.Event(), threading.Event()
        self.anyone = anyone or threading.Event()  # set when any server sharing it is held
        self.server = FreeThreadServer(self.app, sock, threads=1)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def app(self, environ, start_response):
        if environ["PATH_INFO"] == "/block":
            self.entered.set()
            self.anyone.set()
            self.release.wait(WAIT)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [self.name.encode()]

    def stop(self) -> None:
        self.release.set()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=WAIT)
        self.server.trigger.pull_trigger(self.server.close)
        self.thread.join(WAIT)


def get(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        return conn.getresponse().read().decode()
    finally:
        conn.close()


@pytest.fixture
def shared_socket():
    sock = listening_socket("127.0.0.1", 0)
    yield sock, sock.getsockname()[1]
    sock.close()


def test_a_busy_server_leaves_the_next_request_to_an_idle_one(shared_socket):
    sock, port = shared_socket
    anyone = threading.Event()
    servers = [Served("a", sock, anyone), Served("b", sock, anyone)]
    try:
        with ThreadPoolExecutor(1) as pool:
            for _ in range(6):  # the kernel wakes both servers for each connection: never left to chance
                blocked = pool.submit(get, port, "/block")
                assert anyone.wait(WAIT), "no server took the first request"
                busy = next(s for s in servers if s.entered.is_set())
                # answered while the busy server is still held: it went to the idle one
                assert get(port, "/who") == next(s.name for s in servers if s is not busy)
                busy.release.set()
                assert blocked.result(WAIT) == busy.name
                busy.entered.clear()
                busy.release.clear()
                anyone.clear()
    finally:
        for s in servers:
            s.stop()


def test_a_request_waits_for_the_busy_thread_and_is_then_served(shared_socket):
    sock, port = shared_socket
    server = Served("only", sock)
    try:
        with ThreadPoolExecutor(2) as pool:
            blocked = pool.submit(get, port, "/block")
            assert server.entered.wait(WAIT)
            waiting = pool.submit(get, port, "/who")
            assert not server.server.has_free_thread()
            server.release.set()
            assert blocked.result(WAIT) == "only" and waiting.result(WAIT) == "only"
    finally:
        server.stop()


def test_connections_that_send_nothing_do_not_stop_it_serving_others(shared_socket):
    sock, port = shared_socket
    server = Served("only", sock)
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    try:
        assert get(port, "/who") == "only"  # within a second or so, not after waitress's 120 s timeout
    finally:
        for s in silent:
            s.close()
        server.stop()
