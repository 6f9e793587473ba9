"""Serving a WSGI app on the production server class (waitress, bot/http_server.py) on a loopback port."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from bot.http_server import FreeThreadServer, listening_socket


@contextmanager
def serving(wsgi_app):
    """Yields the server's base URL; finishes requests in flight before closing."""
    sock = listening_socket("127.0.0.1", 0)
    server = FreeThreadServer(wsgi_app, sock, threads=4)
    thread = threading.Thread(target=server.run, name="teams-test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=10)
        try:  # close on the server loop's own thread
            server.trigger.pull_trigger(server.close)
        except OSError:
            server.close()
        thread.join(timeout=10)
