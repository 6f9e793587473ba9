"""Hosting Teams beside the synchronous WSGI app: the door of `POST /api/messages`.

The Teams SDK is async; the web server (waitress under Flask) is threaded and synchronous. Each worker
process gets one asyncio event loop in a daemon thread (`LoopThread`), started on first use so that it is
created after a fork. `TeamsBridge.handle(headers, body)` runs in the WSGI request thread: it refuses an
oversized body (413), anything but a JSON activity object (400) and a bad token (401, see auth.py) before
any handler runs, then hands the activity to the async handler on the loop with
`asyncio.run_coroutine_threadsafe(...).result(timeout=...)` and returns `(status, headers, body)`.
Handlers run synchronous work (the core, the database) with `asyncio.to_thread`, never on the loop.

`TeamsBridge.run(coro)` runs any coroutine on the same loop from synchronous code (proactive sends from
the scheduler). `wsgi_app(bridge)` is a bare WSGI app for the route; `flask_view(bridge)` is the view
function to mount in the Flask app (`web.post("/api/messages")(flask_view(bridge))`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Coroutine, Iterable, Mapping, TypeVar

from handlers.teams.auth import BotFrameworkAuth, KeysUnavailable, Refused, Verified

log = logging.getLogger("actionbot.teams")

DEFAULT_MAX_BODY = 256 * 1024  # Teams activities are at most ~100 KB (a pasted matrix included)
DEFAULT_TIMEOUT = 15.0  # Bot Framework gives up on a bot after 15 s
MESSAGES_PATH = "/api/messages"

T = TypeVar("T")
Response = tuple[int, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class Inbound:
    """An authenticated activity as a handler gets it. `token` is the raw inbound JWT (the SDK wants it);
    it is kept out of repr so it cannot reach a log by accident."""

    activity: dict
    verified: Verified
    token: str = field(repr=False)


Handler = Callable[[Inbound], Coroutine[Any, Any, tuple[int, Any]]]  # → (status, JSON body or None)


class LoopThread:
    """One asyncio event loop in a daemon thread per process, started on first use (after any fork)."""

    def __init__(self, name: str = "teams-loop"):
        self.name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                # a forked child inherits the parent's loop object but not its thread: make its own
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                ready = threading.Event()
                thread = threading.Thread(target=self._serve, args=(self._loop, ready), name=self.name, daemon=True)
                thread.start()
                ready.wait()
            return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and wait for it from this (non-loop) thread; on timeout it is
        cancelled and TimeoutError raised."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError() from None

    def stop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None and self._pid == os.getpid():
            loop.call_soon_threadsafe(loop.stop)


def _header(headers: Mapping[str, str] | Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _json_response(status: int, body: Any, extra: Iterable[tuple[str, str]] = ()) -> Response:
    data = b"" if body is None else json.dumps(body).encode()
    headers = [("Content-Type", "application/json; charset=utf-8"), *extra] if data else list(extra)
    return status, headers, data


class TeamsBridge:
    """The synchronous door to an async activity handler. One per process; thread-safe."""

    def __init__(
        self,
        auth: BotFrameworkAuth,
        handler: Handler,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        timeout: float = DEFAULT_TIMEOUT,
        loop: LoopThread | None = None,
    ):
        self.auth = auth
        self.handler = handler
        self.max_body = max_body
        self.timeout = timeout
        self.loop = loop or LoopThread()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the Teams loop from synchronous code (e.g. a proactive send)."""
        return self.loop.run(coro, self.timeout if timeout is None else timeout)

    def handle(self, headers: Mapping[str, str] | Any, body: bytes) -> Response:
        """One `POST /api/messages`: (status, headers, body). Never raises."""
        started = time.perf_counter()
        if len(body) > self.max_body:
            return self._refuse(413, "request too large", started)
        try:
            activity = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return self._refuse(400, "body is not JSON", started)
        if (
            not isinstance(activity, dict)
            or not isinstance(activity.get("type"), str)
            or not isinstance(activity.get("serviceUrl"), str)
        ):
            return self._refuse(400, "not an activity", started)
        authorization = _header(headers, "Authorization")
        try:
            verified = self.auth.verify(authorization, activity)
        except Refused as refused:
            log.info("teams request refused (401): %s", refused.reason)
            return _json_response(401, {"error": "Unauthorized"})
        except KeysUnavailable:
            log.warning("teams request refused (503): no signing keys")
            return _json_response(503, {"error": "signing keys unavailable"}, [("Retry-After", "30")])
        token = (authorization or "").strip().partition(" ")[2].strip()
        kind = str(activity.get("type"))[:40]
        try:
            status, answer = self.run(self.handler(Inbound(activity, verified, token)))
        except TimeoutError:
            log.warning("teams %s activity timed out after %.0fs", kind, self.timeout)
            return _json_response(504, {"error": "timed out"})
        except Exception as exc:  # a handler bug: a short answer, the type in the log, never the text
            log.error("teams %s activity failed: %s", kind, type(exc).__name__)
            return _json_response(500, {"error": "internal error"})
        log.debug("teams %s activity: %d in %.1f ms", kind, status, (time.perf_counter() - started) * 1000)
        return _json_response(status, answer)

    def _refuse(self, status: int, reason: str, started: float) -> Response:
        log.info("teams request refused (%d): %s", status, reason)
        return _json_response(status, {"error": reason})


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def wsgi_app(bridge: TeamsBridge, path: str = MESSAGES_PATH):
    """A bare WSGI app serving only `POST <path>` (tests, benchmarks, or mounting without Flask).
    The body is capped before it is read."""

    def app(environ, start_response):
        def answer(response: Response):
            status, headers, data = response
            start_response(f"{status} {_REASONS.get(status, 'Status')}", headers + [("Content-Length", str(len(data)))])
            return [data]

        if environ.get("PATH_INFO") != path:
            return answer(_json_response(404, {"error": "not found"}))
        if environ.get("REQUEST_METHOD") != "POST":
            return answer(_json_response(405, {"error": "method not allowed"}))
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return answer(_json_response(400, {"error": "bad length"}))
        if length > bridge.max_body:
            return answer(_json_response(413, {"error": "request too large"}))
        stream = environ["wsgi.input"]
        body = stream.read(length) if length >= 0 else stream.read(bridge.max_body + 1)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        return answer(bridge.handle(headers, body))

    return app


def flask_view(bridge: TeamsBridge):
    """A Flask view for `POST /api/messages` (Flask's MAX_CONTENT_LENGTH caps the body before this
    reads it; the bridge checks again)."""
    from flask import Response as FlaskResponse
    from flask import request

    def teams_messages():
        status, headers, data = bridge.handle(request.headers, request.get_data())
        return FlaskResponse(data, status=status, headers=headers)

    return teams_messages
