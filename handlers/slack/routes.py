"""Slack's HTTP routes: `POST /slack/events` into Bolt through the door (handlers.slack.door), and Bolt's
OAuth pages `GET /slack/install` and `GET /slack/oauth_redirect` (answered when installed by OAuth)."""

from __future__ import annotations

import time

from flask import jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_sdk.signature import SignatureVerifier

from bot.platform import Route
from handlers.slack.app import INSTALL_PATH, REDIRECT_PATH
from handlers.slack.door import Refused, admit
from handlers.slack.request_log import log_request


def slack_routes(bolt_app: App, signing_secret: str) -> list[Route]:
    slack = SlackRequestHandler(bolt_app)
    verifier = SignatureVerifier(signing_secret)

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

    def slack_oauth():
        # Bolt answers these only when installed by OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)
        return slack.handle(request)

    return [
        Route("POST", "/slack/events", slack_events, "slack_events"),
        Route("GET", INSTALL_PATH, slack_oauth, "slack_install"),
        Route("GET", REDIRECT_PATH, slack_oauth, "slack_oauth_redirect"),
    ]
