"""The HTTP surface: `POST /slack/events` into Bolt (through the door of handlers/slack/door.py),
`GET /healthz` for load balancers, and `GET /calendar/<secret>.ics` for calendar feeds when a feed
source is given. Request bodies over `max_body` bytes are refused (413) before they are read; while the
database is down every page that needs it answers 503, as /healthz does, not 500."""

from __future__ import annotations

import logging
import time
from typing import Callable

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_sdk.signature import SignatureVerifier
from werkzeug.exceptions import HTTPException

from bot.config import DEFAULT_MAX_BODY_BYTES
from handlers.calendar_route import register_calendar
from handlers.slack.door import Refused, admit
from handlers.slack.request_log import log_request

log = logging.getLogger("actionbot.web")


def make_wsgi(
    bolt_app: App,
    healthy: Callable[[], bool],
    calendar: Callable[[str], bytes | None] | None = None,
    *,
    signing_secret: str,
    max_body: int = DEFAULT_MAX_BODY_BYTES,
) -> Flask:
    web = Flask("actionbot")
    # Werkzeug refuses a larger Content-Length unread and stops a chunked body at the cap (413)
    web.config["MAX_CONTENT_LENGTH"] = max_body
    slack = SlackRequestHandler(bolt_app)
    verifier = SignatureVerifier(signing_secret)

    @web.post("/slack/events")
    def slack_events():
        started = time.perf_counter()
        try:
            admitted = admit(
                request.get_data(), request.headers, request.query_string.decode("utf-8", "replace"), verifier
            )
        except Refused as refused:
            log_request({}, started, f"http{refused.status}")
            return jsonify(error=refused.reason), refused.status
        return to_flask_response(bolt_app.dispatch(admitted))

    @web.get("/slack/install")
    @web.get("/slack/oauth_redirect")
    def slack_oauth():
        # Bolt answers these only when installed by OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)
        return slack.handle(request)

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

    return web
