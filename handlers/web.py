"""The HTTP surface: `POST /slack/events` into Bolt, `GET /healthz` for load balancers, and
`GET /calendar/<secret>.ics` for calendar feeds when a feed source is given."""
from __future__ import annotations

from typing import Callable

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from handlers.calendar_route import register_calendar


def make_wsgi(bolt_app: App, healthy: Callable[[], bool],
              calendar: Callable[[str], bytes | None] | None = None) -> Flask:
    web = Flask("actionbot")
    slack = SlackRequestHandler(bolt_app)

    @web.post("/slack/events")
    def slack_events():
        return slack.handle(request)

    @web.get("/slack/install")
    @web.get("/slack/oauth_redirect")
    def slack_oauth():
        # Bolt answers these only when installed by OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)
        return slack.handle(request)

    @web.get("/healthz")
    def healthz():
        ok = healthy()
        return jsonify(ok=ok), 200 if ok else 503

    if calendar is not None:
        register_calendar(web, calendar)

    return web
