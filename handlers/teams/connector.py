"""The bot's outbound client for the Bot Connector REST, at a conversation's `serviceUrl`.

Built on the Teams SDK's own API client (`microsoft_teams.api.ApiClient`: its URL shapes, models and
reply semantics are Microsoft's to keep current), with two pieces of ours plugged into the SDK's HTTP
client (`microsoft_teams.common.Client`):

- `ClientCredentials`: the bot's token from a client-credentials form POST to `TEAMS_TOKEN_URL` (default
  `https://login.microsoftonline.com/{TEAMS_TENANT_ID}/oauth2/v2.0/token`, scope
  `https://api.botframework.com/.default`), cached until `margin` seconds before it expires. The SDK
  would get it through MSAL, which refuses a non-https authority, so it could not be pointed at the
  loopback stand-in; the SDK accepts a custom token provider instead, and this is one
  (`token_provider` is also what `App(token=...)` takes).
- `RetryMiddleware`: 429, 412, 502, 503 and 504 are retried honouring `Retry-After` (or a short backoff),
  with an injectable `sleep` so tests never wait on wall time (a caller that paces itself, the scheduler's
  send loop, takes 429s back at once: `RetryPolicy(retry_throttled=False)`); a 401 refreshes the token once; 403 and 404
  (blocked, removed, no such conversation) and other 4xx are `ConnectorError(permanent=True)`. A connection
  that fails before the request is sent is retried; one lost after a POST was sent is not (the message
  may have arrived), it is reported `ambiguous` for the caller's delivery ledger to settle.

Every call has a bounded timeout. Tokens never reach a log.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import httpx
from microsoft_teams.api import ApiClient
from microsoft_teams.api.activities import ActivityParams
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.common import Client, ClientOptions
from microsoft_teams.common.http.client import MiddlewareContext, MiddlewareNext
from pydantic import TypeAdapter

log = logging.getLogger("actionbot.teams.connector")

BOT_SCOPE = "https://api.botframework.com/.default"
MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
RETRY_STATUSES = frozenset({429, 412, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

Sleep = Callable[[float], Awaitable[None]]
_activity = TypeAdapter(ActivityParams)


class ConnectorError(Exception):
    """A Bot Connector call that did not succeed.

    status: the HTTP status (None when no answer came); code: Teams' error code (MessageWritesBlocked,
    ConversationNotFound…); permanent: retrying will not help (blocked, not found, refused);
    ambiguous: the request may have taken effect (connection lost after it was sent);
    retry_after: seconds Teams asked to wait, when it gave up on a throttled call."""

    def __init__(
        self,
        operation: str,
        status: int | None,
        code: str = "",
        *,
        permanent: bool = False,
        ambiguous: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(f"{operation}: {status or 'no answer'} {code}".strip())
        self.operation = operation
        self.status = status
        self.code = code
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.retry_after = retry_after

    @property
    def blocked(self) -> bool:
        """The person blocked or removed the bot (403 MessageWritesBlocked)."""
        return self.status == 403 and self.code == "MessageWritesBlocked"


def default_token_url(tenant_id: str | None) -> str:
    if not tenant_id:
        raise ValueError("TEAMS_TENANT_ID is required for Microsoft's token endpoint (or set TEAMS_TOKEN_URL)")
    return MICROSOFT_TOKEN_URL.format(tenant=tenant_id)


class ClientCredentials:
    """The bot's own access token (OAuth 2.0 client credentials), cached until shortly before expiry.

    One instance per event loop (its lock belongs to the loop it is first awaited on)."""

    def __init__(
        self,
        app_id: str,
        app_password: str,
        token_url: str,
        *,
        scope: str = BOT_SCOPE,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        margin: float = 300.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.app_id = app_id
        self._password = app_password
        self.token_url = token_url
        self.scope = scope
        self._timeout = timeout
        self._margin = margin
        self._clock = clock
        self._transport = transport
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.fetches = 0

    def __repr__(self) -> str:  # never show the secret or the token
        return f"ClientCredentials(app_id={self.app_id!r}, token_url={self.token_url!r})"

    def invalidate(self) -> None:
        self._token = None

    async def token(self) -> str:
        if self._token and self._clock() < self._expires_at:
            return self._token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token and self._clock() < self._expires_at:
                return self._token
            self._token, lifetime = await self._fetch()
            self._expires_at = self._clock() + max(0.0, lifetime - self._margin)
            return self._token

    async def token_provider(self, scope: str | list[str] | None = None, tenant_id: str | None = None) -> str:
        """For `App(token=...)`: the SDK asks with a scope and tenant; the bot has one of each."""
        return await self.token()

    async def _fetch(self) -> tuple[str, float]:
        self.fetches += 1
        form = {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self._password,
            "scope": self.scope,
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
                response = await http.post(self.token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ConnectorError("token", None, type(exc).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            code = body.get("error", "") if isinstance(body, dict) else ""
            status = response.status_code
            raise ConnectorError("token", status, str(code), permanent=status in (400, 401, 403))
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        return token, lifetime


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else error
    return str(code)[:100] if code else ""


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    max_wait: float = 60.0  # a Retry-After longer than this ends the call (the caller retries later)
    base_delay: float = 0.5  # backoff without Retry-After: 0.5, 1, 2, 4… seconds
    max_delay: float = 8.0
    # False: a 429 ends the call at once with its Retry-After (`throttle_wait` when it gives none), for a
    # caller that paces itself (the scheduler's send loop): waiting here would hold its lane blind
    retry_throttled: bool = True
    throttle_wait: float = 1.0


class RetryMiddleware:
    """Middleware for the SDK's HTTP client: retries, token refresh on 401, errors as ConnectorError."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        credentials: ClientCredentials | None = None,
    ):
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.credentials = credentials

    async def send(self, context: MiddlewareContext, next: MiddlewareNext) -> httpx.Response:
        operation = f"{context.method} {httpx.URL(context.url).path}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return await next()
            except httpx.HTTPStatusError as exc:
                response = exc.response
                status = response.status_code
                code = _error_code(response)
                if status == 401 and self.credentials is not None and not refreshed:
                    refreshed = True
                    self.credentials.invalidate()
                    continue
                if status not in RETRY_STATUSES:
                    raise ConnectorError(operation, status, code, permanent=True) from None
                wait = _retry_after(response)
                if status == 429 and not self.policy.retry_throttled:
                    wait = self.policy.throttle_wait if wait is None else wait
                    raise ConnectorError(operation, status, code, retry_after=wait) from None
                if attempt >= self.policy.max_attempts or (wait is not None and wait > self.policy.max_wait):
                    raise ConnectorError(operation, status, code, retry_after=wait) from None
                if wait is None:
                    wait = min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1))
                log.info("teams %s answered %s; retry %d in %.1fs", operation, status, attempt, wait)
                await self.sleep(wait)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # never sent: safe to try again
                if attempt >= self.policy.max_attempts:
                    raise ConnectorError(operation, None, type(exc).__name__) from None
                await self.sleep(min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1)))
            except httpx.TransportError as exc:
                # sent, answer lost: a PUT or GET may be repeated; a POST may have created something
                if context.method == "POST" or attempt >= self.policy.max_attempts:
                    raise ConnectorError(
                        operation, None, type(exc).__name__, ambiguous=context.method == "POST"
                    ) from None
                await self.sleep(min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1)))


class BotConnector:
    """Sends to Teams and reads from it, through the SDK's ApiClient with our token and retries.

    All methods are coroutines: run them on the Teams event loop (see bridge.TeamsBridge.run)."""

    def __init__(
        self,
        credentials: ClientCredentials,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ):
        self.credentials = credentials
        self.retry = RetryMiddleware(policy, sleep, credentials)
        self._timeout = timeout
        self._http: Client | None = None
        self._clients: dict[str, ApiClient] = {}

    def sdk_client(self) -> Client:
        """The SDK HTTP client without a token (timeouts and retries): for `App(client=...)`, which adds
        its own token provider."""
        client = Client(ClientOptions(timeout=_seconds(self._timeout)))
        client.use(self.retry)
        return client

    def _api(self, service_url: str) -> ApiClient:
        if not service_url.startswith(("https://", "http://")):
            raise ConnectorError("connector", None, "BadServiceUrl", permanent=True)
        key = service_url.rstrip("/")
        api = self._clients.get(key)
        if api is None:
            if self._http is None:
                self._http = Client(
                    ClientOptions(timeout=_seconds(self._timeout), token=self.credentials.token),
                )
                self._http.use(self.retry)
            api = self._clients[key] = ApiClient(key, self._http)
        return api

    async def send(self, service_url: str, conversation_id: str, activity: dict) -> str:
        """Post an activity into a conversation (a channel thread is `{channel};messageid={root}`);
        returns the new activity's ID."""
        sent = await self._api(service_url).conversations.create_activity(conversation_id, _params(activity))
        return sent.id

    async def reply(self, service_url: str, conversation_id: str, activity_id: str, activity: dict) -> str:
        sent = await self._api(service_url).conversations.reply_to_activity(
            conversation_id, activity_id, _params(activity)
        )
        return sent.id

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict) -> str:
        """Replace a message the bot sent (a card updated in place)."""
        sent = await self._api(service_url).conversations.update_activity(
            conversation_id, activity_id, _params(activity)
        )
        return sent.id

    async def create_personal(self, service_url: str, user_id: str, tenant_id: str) -> str:
        """Open (or find) the 1:1 chat with a person (their `29:` ID); returns the conversation ID.
        403 when the app is not installed for them or they blocked it."""
        params = CreateConversationParams.model_validate(
            {
                "bot": {"id": "28:" + self.credentials.app_id},
                "members": [{"id": user_id}],
                "channelData": {"tenant": {"id": tenant_id}},
                "tenantId": tenant_id,
                "isGroup": False,
            }
        )
        resource = await self._api(service_url).conversations.create(params)
        return resource.id

    async def members(self, service_url: str, conversation_id: str, page_size: int = 200) -> list[dict]:
        """Everyone in a conversation or a team (its ID), all pages: `id` (29:), `aadObjectId`, `name`,
        `email`, `userPrincipalName`…"""
        out: list[dict] = []
        token: str | None = None
        api = self._api(service_url)
        for _ in range(1000):  # a bound on pages, whatever the server says
            page = await api.conversations.get_paged_members(conversation_id, page_size, token)
            out.extend(m.model_dump(by_alias=True, exclude_none=True) for m in page.members)
            token = page.continuation_token
            if not token:
                break
        return out

    async def channels(self, service_url: str, team_id: str) -> list[dict]:
        """A team's channels: `id` and `name` (None for General)."""
        channels = await self._api(service_url).teams.get_conversations(team_id)
        return [{"id": c.id, "name": c.name} for c in channels]

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.http.aclose()
            self._http = None
            self._clients.clear()


def _params(activity: dict) -> Any:
    return _activity.validate_python({"type": "message", **activity})


def _seconds(timeout: httpx.Timeout | float) -> float:
    if isinstance(timeout, httpx.Timeout):
        return timeout.read or 10.0
    return float(timeout)
