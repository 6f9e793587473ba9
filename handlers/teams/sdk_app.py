"""The Teams SDK's `App` behind the bridge: its activity routing (`@app.on_message`, `on_invoke`…), its
reply client, our door and our token.

`make_app(credentials, connector)` builds an `App` that
- is given a `BridgeAdapter` as its HTTP server adapter (the SDK's pluggable HTTP layer, see
  `microsoft_teams.apps.http.adapter.HttpServerAdapter`): it serves nothing itself, so no FastAPI or
  uvicorn server is started; the WSGI server is the one that listens;
- gets its Bot Connector token from our `ClientCredentials` (a custom token provider: MSAL would refuse
  the loopback stand-in's http authority) and its HTTP client, with timeouts and our retries, from
  `BotConnector.sdk_client()`.

`SdkHandler(app)` is the bridge's handler: the bridge has already checked the token (auth.py), so it hands
the activity to the App's own pipeline at the point after the SDK's check (`app.server.on_request`, the
callback the SDK's `HttpServer` calls once *its* JWT check passed), with the verified token, and turns the
SDK's InvokeResponse into the HTTP answer. The SDK's own check is not used: see auth.py for why.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.api.auth.json_web_token import JsonWebToken
from microsoft_teams.apps import App
from microsoft_teams.apps.events import ActivityEvent, CoreActivity
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRouteHandler
from pydantic import BaseModel

from handlers.teams.bridge import MESSAGES_PATH, Inbound
from handlers.teams.connector import BotConnector, ClientCredentials


class BridgeAdapter:
    """An `HttpServerAdapter` that serves nothing: the WSGI server and the bridge are the HTTP side.
    It keeps the routes the SDK registers so a caller can see them."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], HttpRouteHandler] = {}

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        self.routes[(method, path)] = handler

    def serve_static(self, path: str, directory: str) -> None:
        pass

    async def start(self, port: int) -> None:
        raise NotImplementedError("the WSGI server hosts Teams; see handlers/teams/bridge.py")

    async def stop(self) -> None:
        pass


def make_app(credentials: ClientCredentials, connector: BotConnector, *, tenant_id: str | None = None) -> App:
    """A Teams SDK App for our hosting. Register its handlers (`@app.on_message` …), then give
    `SdkHandler(app)` to the bridge. (Leave CLIENT_SECRET unset in the environment: the SDK would then
    prefer MSAL to our token provider.)"""
    return App(
        client_id=credentials.app_id,
        tenant_id=tenant_id,
        token=credentials.token_provider,
        client=connector.sdk_client(),
        http_server_adapter=BridgeAdapter(),
        messaging_endpoint=MESSAGES_PATH,
        dangerously_allow_unauthenticated_requests=False,
        state=False,
    )


class SdkHandler:
    """The bridge's handler for an SDK App: routes each authenticated activity through the App."""

    def __init__(self, app: App):
        self.app = app
        self._ready = False

    async def __call__(self, inbound: Inbound) -> tuple[int, Any]:
        if not self._ready:
            await self.app.initialize()  # idempotent; on the loop, once
            self._ready = True
        on_request = self.app.server.on_request
        if on_request is None:
            raise RuntimeError("the Teams app is not initialized")
        event = ActivityEvent(body=CoreActivity.model_validate(inbound.activity), token=JsonWebToken(inbound.token))
        result = await on_request(event)
        return _as_http(result)


def _as_http(result: Any) -> tuple[int, Any]:
    """The SDK's InvokeResponse (a model or dict with status and body) as (status, body)."""
    data: dict | None = None
    if isinstance(result, BaseModel):
        data = result.model_dump(exclude_none=True)
    elif isinstance(result, dict):
        data = result
    if not data:
        return 200, None
    status = data.get("status") or 200
    return int(status), data.get("body")
