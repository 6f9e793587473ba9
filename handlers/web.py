"""The HTTP surface: `POST /slack/events` into Bolt, `GET /healthz` for load balancers."""
from __future__ import annotations

from typing import Callable

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler


def make_wsgi(bolt_app: App, healthy: Callable[[], bool]) -> Flask:
    web = Flask("actionbot")
    slack = SlackRequestHandler(bolt_app)

    @web.post("/slack/events")
    def slack_events():
        return slack.handle(request)

    @web.get("/healthz")
    def healthz():
        ok = healthy()
        return jsonify(ok=ok), 200 if ok else 503

    return web
