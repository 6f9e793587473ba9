"""Every Slack Web API client the process makes: pointed at SLACK_API_URL when set, retrying what is
worth retrying (slack_sdk's handlers) within a bounded time, and one per workspace token.

Every call is bounded: a client made for a request waits at most REQUEST_TIMEOUT seconds for an answer
(Slack wants the ack within three, and a slow Slack must not hold the request threads), one made for
the scheduler or for work after the ack BACKGROUND_TIMEOUT.

Retries: a dropped or refused connection and a 5xx, twice with backoff; a 429 in place only when Slack
asks for a short wait (Retry-After up to MAX_WAIT seconds). A longer wait fails the call at once, and the
scheduler's ledger sends on a later sweep instead, so no request thread sleeps for long. The scheduler's
notifier takes its clients `without_rate_limit_retries`: its send loop paces each channel itself and
must hear of every 429 rather than have a client sleep through it.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

MAX_WAIT = 3  # seconds of Retry-After honoured in place
REQUEST_TIMEOUT = 2  # seconds a call made before the ack may take
BACKGROUND_TIMEOUT = 10  # seconds a call made by the scheduler or after the ack may take


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        try:
            return int(values[0]) <= MAX_WAIT
        except (TypeError, ValueError):
            return False


class AllServerErrorsRetryHandler(ServerErrorRetryHandler):
    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and 500 <= response.status_code < 600


BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.2)  # 0.2 s, then 0.4 s (with jitter)


def retry_handlers() -> list:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=BACKOFF),
        AllServerErrorsRetryHandler(max_retry_count=2, interval_calculator=BACKOFF),
        BoundedRateLimitRetryHandler(max_retry_count=2),
    ]


def without_rate_limit_retries(client: WebClient) -> WebClient:
    """A twin of `client` (same token, URL and timeout) whose 429s raise at once."""
    handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=handlers)


def quiet_sdk_logs() -> None:
    """slack_sdk logs each retry (INFO) and each failed attempt (ERROR) itself, and Bolt and Socket Mode
    their machinery at INFO; whoever made a call reports its failure once (the delivery log, a one-line
    error at start), so those lines are noise, unless the process logs at DEBUG (then all of it shows)."""
    debugging = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    logging.getLogger("slack_sdk.web.base_client").setLevel(logging.NOTSET if debugging else logging.CRITICAL)
    logging.getLogger("actionbot.bolt").setLevel(logging.NOTSET if debugging else logging.WARNING)


def web_client(token: str | None, api_url: str | None, timeout: float = REQUEST_TIMEOUT) -> WebClient:
    """A Web API client for `token` (None: for OAuth exchanges), with the retries above."""
    quiet_sdk_logs()
    if api_url:
        return WebClient(token=token, base_url=api_url, timeout=timeout, retry_handlers=retry_handlers())
    return WebClient(token=token, timeout=timeout, retry_handlers=retry_handlers())


def patient(client: WebClient) -> WebClient:
    """A twin of a request's `client` (same token, URL and retries) for work after the ack, where
    nobody waits for the answer and a slow Slack may take BACKGROUND_TIMEOUT."""
    return WebClient(
        token=client.token, base_url=client.base_url, timeout=BACKGROUND_TIMEOUT, retry_handlers=client.retry_handlers
    )


class TokenClients:
    """One client per bot token, made on first use (the scheduler sends for many workspaces)."""

    def __init__(
        self, api_url: str | None, token_for_team: Callable[[str], str | None], timeout: float = BACKGROUND_TIMEOUT
    ):
        self.api_url = api_url
        self.timeout = timeout
        self.token_for_team = token_for_team
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> WebClient | None:
        token = self.token_for_team(team_id)
        if not token:
            return None
        with self._lock:
            if token not in self._clients:
                self._clients[token] = web_client(token, self.api_url, self.timeout)
            return self._clients[token]
