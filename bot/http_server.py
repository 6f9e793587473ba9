"""The HTTP server: waitress, taking a connection off the listening socket only when a thread is free.

Waitress accepts every connection as it arrives and queues the requests for its threads. With several
worker processes on one socket (`--workers N`) that queues requests unevenly: a busy process keeps
taking connections it cannot serve yet while another sits idle. Here a server leaves a new connection
in the kernel's accept queue until one of its threads is free, so that queue, shared by every worker,
is the one line requests wait in, first come first served, and whichever worker frees a thread first
takes the next. An idle keep-alive connection holds no thread and does not count, and neither does a
connection that has sent no whole request within a second of being accepted: a few silent clients must
not stop the server taking the connections of everyone else.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

BACKLOG = 1024
FIRST_REQUEST_GRACE = 1.0  # seconds a new connection holds a thread's place while its request arrives


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=BACKLOG)


class _Channel(HTTPChannel):
    """A connection; tells its server when it has been accepted and when a request of its is done."""

    server: FreeThreadServer

    def __init__(self, server: FreeThreadServer, sock, addr, adj, map=None):
        server.waiting_channels[self] = time.monotonic()  # accepted, its request not yet handed to a thread
        super().__init__(server, sock, addr, adj, map)

    def service(self):
        try:
            super().service()
        finally:
            self.server.request_done()

    def handle_close(self):
        self.server.waiting_channels.pop(self, None)
        super().handle_close()


class FreeThreadServer(TcpWSGIServer):
    """A waitress server on an already-listening socket that accepts only while a thread is free."""

    channel_class = _Channel

    def __init__(self, application, sock: socket.socket, threads: int, **adjustments):
        # requests now wait in the kernel's accept queue, not waitress's: its "Task queue depth" warning
        # would only report the instant between a thread finishing a request and waiting for the next
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        adj = Adjustments(sockets=[sock], threads=threads, backlog=BACKLOG, **adjustments)
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        self.threads = threads
        self.waiting_channels: dict = {}  # channel -> when it was accepted
        self._in_service = 0  # requests handed to the threads and not yet done
        self._count_lock = threading.Lock()
        super().__init__(
            application,
            map={},
            _sock=sock,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        )

    def add_task(self, channel):
        self.waiting_channels.pop(channel, None)
        with self._count_lock:
            self._in_service += 1
        super().add_task(channel)

    def request_done(self) -> None:
        with self._count_lock:
            self._in_service -= 1
        self.pull_trigger()  # wake the accept loop: a thread is free again

    def has_free_thread(self) -> bool:
        if self._in_service + len(self.waiting_channels) >= self.threads:  # full: drop stale places first
            too_old = time.monotonic() - FIRST_REQUEST_GRACE
            for channel, accepted in list(self.waiting_channels.items()):
                if accepted < too_old or not channel.connected:
                    self.waiting_channels.pop(channel, None)
        return self._in_service + len(self.waiting_channels) < self.threads

    def readable(self):
        return super().readable() and self.has_free_thread()
