"""Slack in Socket Mode beside a platform served over HTTP, in one process: Slack's connection is a runner
started beside the server, and its events route is not mounted (Bolt checks no signatures in Socket
Mode, so `/slack/events` over HTTP would take unsigned requests); the other platform's route is served."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request

import pytest

from bot import platforms
from bot.runtime import BackgroundServer, build_runtime
from handlers.slack.platform import SocketModeRunner
from tests.conftest import app_config

ECHO = "tests.platforms.echo.platform"


def status_of(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method="POST" if data else "GET"), timeout=10
        ):
            return 200
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("socket_mode", [True, False])
def test_slack_in_socket_mode_serves_no_http_route_but_the_others_do(monkeypatch, db_url, slack, clock, socket_mode):
    monkeypatch.setattr(platforms, "PLATFORMS", [*platforms.PLATFORMS, ECHO])
    config = dataclasses.replace(
        app_config(slack, db_url, env={"ECHO_TOKEN": "t"}), app_token="xapp-1-A" if socket_mode else None
    )
    runtime = build_runtime(config, clock=clock)
    server = BackgroundServer(runtime).start()
    try:
        paths = {route.path for route in runtime.routes()}
        runners = [type(r) for r in runtime.runners()]
        assert "/echo/messages" in paths
        assert status_of(server.url + "/echo/messages", b"{}") == 400  # served (and refused: not its shape)
        if socket_mode:
            assert runners == [SocketModeRunner] and "/slack/events" not in paths
            assert status_of(server.url + "/slack/events", b"token=x&command=%2Faction") == 404
        else:
            assert runners == [] and "/slack/events" in paths
            assert status_of(server.url + "/slack/events", b"token=x&command=%2Faction") == 401  # unsigned
    finally:
        server.stop()
        runtime.shutdown(wait=True)
        runtime.db.dispose()
