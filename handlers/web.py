"""The HTTP surface: every served platform's routes (Slack's `POST /slack/events`, …), `GET /healthz`
for load balancers, `GET /calendar/<secret>.ics` for calendar feeds when a feed source is given, and
`GET /exports/<secret>.csv` for export download links when a download source is given.
Request bodies over `max_body` bytes are refused (413) before they are read; while the database is down
every page that needs it answers 503, as /healthz does, not 500."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Callable

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from bot.config import DEFAULT_MAX_BODY_BYTES
from bot.core.export_links import Download
from bot.platform import Route
from handlers.calendar_route import register_calendar
from handlers.export_route import register_exports

log = logging.getLogger("actionbot.web")
OWN_PATHS = ("/healthz", "/calendar/", "/exports/")  # the bot's own: no platform may take them


def make_wsgi(
    routes: Iterable[Route],
    healthy: Callable[[], bool],
    calendar: Callable[[str], bytes | None] | None = None,
    exports: Callable[[str], Download | None] | None = None,
    *,
    max_body: int = DEFAULT_MAX_BODY_BYTES,
) -> Flask:
    web = Flask("actionbot")
    # Werkzeug refuses a larger Content-Length unread and stops a chunked body at the cap (413)
    web.config["MAX_CONTENT_LENGTH"] = max_body

    taken: dict[tuple[str, str], str] = {}
    for route in routes:
        key = (route.method.upper(), route.path)
        if key in taken or route.path.startswith(OWN_PATHS):
            raise ValueError(f"two routes for {key[0]} {route.path} ({taken.get(key, 'the bot')}, {route.endpoint})")
        taken[key] = route.endpoint
        web.add_url_rule(route.path, endpoint=route.endpoint, view_func=route.view, methods=[key[0]])

    def unavailable():
        response = jsonify(ok=False)
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response

    @web.get("/healthz")
    def healthz():
        return jsonify(ok=True) if healthy() else unavailable()

    @web.errorhandler(Exception)
    def failed(error: Exception):
        if isinstance(error, HTTPException):  # 404, 405, 413…: Werkzeug's own answer
            return error
        if not healthy():
            return unavailable()
        log.error("request failed: %s on %s", type(error).__name__, request.endpoint, exc_info=error)
        return jsonify(ok=False, error="internal error"), 500

    if calendar is not None:
        register_calendar(web, calendar)
    if exports is not None:
        register_exports(web, exports)

    return web
