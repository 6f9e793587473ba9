"""Serving HTTP from several processes (`actionbot run --workers N`).

Python runs one thread at a time in a process, so one process serves from one core however many
threads it has. Here the parent binds the port once and forks N workers; each builds its own runtime
(database pool, Slack clients, after-ack pools) and serves the same listening socket with waitress.
A worker takes a new connection only while one of its threads is free (`bot.http_server`), so the
socket's accept queue is the one line requests wait in, whichever worker serves them. The first
worker also runs the scheduler when asked to (the ledger makes a second one harmless, but one is
enough).

The parent holds no database connection and no threads, so forking stays safe. It restarts a worker
that dies, gives up when workers keep dying at start, and on SIGTERM or Ctrl-C asks every worker to
finish the requests and after-ack work in hand (as a single process does) and waits for them.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Callable

log = logging.getLogger("actionbot")

EARLY_DEATH = 10.0  # seconds: a worker dying sooner than this after its start is failing to start
MAX_EARLY_DEATHS = 3


def serve_workers(sock: socket.socket, workers: int, serve: Callable[[socket.socket, int], object]) -> int:
    """Fork `workers` processes each running `serve(sock, index)` until stopped; returns the exit code."""
    children: dict[int, tuple[int, float]] = {}  # pid -> (worker index, started at)
    stopping = False

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, _interrupt)
                signal.signal(signal.SIGINT, _interrupt)
                serve(sock, index)
                code = 0
            except KeyboardInterrupt:
                code = 0
            except BaseException:
                log.exception("worker %d failed", index)
            finally:
                logging.shutdown()
                os._exit(code)
        children[pid] = (index, time.monotonic())

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(workers):
        spawn(index)
    early_deaths, code = 0, 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid not in children:
            continue
        index, started = children.pop(pid)
        if stopping:
            continue
        early_deaths = early_deaths + 1 if time.monotonic() - started < EARLY_DEATH else 0
        log.error("worker %d (pid %d) exited with status %d", index, pid, os.waitstatus_to_exitcode(status))
        if early_deaths >= MAX_EARLY_DEATHS:
            log.error("workers keep failing at start: stopping")
            code = 1
            stop(signal.SIGTERM, None)
            continue
        spawn(index)
    sock.close()
    return code


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
