"""The Slack notifier the scheduler delivers through: DMs to users, posts to channels, thread replies.

Slack errors that retrying cannot fix (the channel is gone, the bot is not in it, the user is
deactivated) are permanent; a rate limit comes back with Slack's `Retry-After` for the send loop to
honour; anything else (outages, dropped connections) is retried by a later sweep.

A DM needs the IM channel's ID from `conversations.open` (Tier 3: about 50 a minute per workspace); the
notifier remembers it per workspace and user (handlers.slack.dm_channels), so each DM is opened once per
process, not once a message. Safe to call from several threads at once.
"""

from __future__ import annotations

import threading
from typing import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.notices import DeliveryError, Notice
from bot.platform import Pace
from handlers.slack.clients import without_rate_limit_retries
from handlers.slack.dm_channels import GONE, DmChannels
from handlers.slack.render_notices import notice_messages

PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_not_found",
    "cannot_dm_bot",
    "user_disabled",
    "restricted_action",
    "invalid_auth",
}
SLACK_PACE = Pace(1.0, None)  # about one message a second per channel, short bursts allowed
OPEN, POST = "conversations.open", "chat.postMessage"  # Tier 3 per workspace; per channel and per workspace


class SlackNotifier:
    """`clients(team_id)` gives the Web API client with that workspace's token (None: no token)."""

    pace = SLACK_PACE

    def __init__(self, clients: Callable[[str], WebClient | None], dms: DmChannels | None = None):
        self.clients = clients
        self.dms = dms or DmChannels()
        self._lock = threading.Lock()
        self._paced: dict[int, tuple[WebClient, WebClient]] = {}  # id(client) -> (client, its twin)

    def render(self, notice: Notice) -> list[dict]:
        return notice_messages(notice)

    def limits(self, notice: Notice) -> tuple[str, ...]:
        kind, target = notice.recipient.split(":", 1)
        if kind == "user" and not self.dms.known(notice.team_id, target):
            return OPEN, POST
        return (POST,)

    def post(self, notice: Notice, message: dict, thread: str | None = None) -> str:
        kind, target = notice.recipient.split(":", 1)
        client = self._client(notice.team_id)
        if client is None:
            raise DeliveryError("no bot token for this workspace (not installed?)")
        try:
            if kind == "user":
                response = self.dms.post(
                    client, notice.team_id, target, thread_ts=thread, unfurl_links=False, **message
                )
            else:
                response = client.chat_postMessage(channel=target, thread_ts=thread, unfurl_links=False, **message)
            return response["ts"]
        except SlackApiError as err:
            code = error_code(err)
            method = OPEN if (getattr(err.response, "api_url", "") or "").endswith(OPEN) else POST
            if kind == "user" and code in GONE:
                self.dms.forget(notice.team_id, target)  # a remembered IM that no longer works
            wait = retry_after(err)
            raise DeliveryError(
                code,
                permanent=code in PERMANENT and wait is None,
                retry_after=wait,
                limit=method if wait is not None else None,
                per_destination=method == POST,
            ) from None
        except OSError as err:
            raise DeliveryError(f"could not reach Slack: {err}") from None

    def _client(self, team_id: str) -> WebClient | None:
        client = self.clients(team_id)
        if client is None:
            return None
        with self._lock:
            pair = self._paced.get(id(client))
            if pair is None or pair[0] is not client:
                pair = self._paced[id(client)] = (client, without_rate_limit_retries(client))
            return pair[1]


def error_code(err: SlackApiError) -> str:
    return err.response.get("error", "unknown_error") if err.response is not None else "unknown_error"


def retry_after(err: SlackApiError) -> float | None:
    """The seconds a 429 asks to wait (1 when it does not say), else None."""
    response = err.response
    if response is None or response.status_code != 429:
        return None
    value = next((v for k, v in (response.headers or {}).items() if k.lower() == "retry-after"), "1")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else "1"
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0
