"""The Slack notifier the scheduler delivers through: DMs to users, posts to channels, thread replies.

Slack errors that retrying cannot fix (the channel is gone, the bot is not in it, the user is
deactivated) are permanent; anything else (rate limits, outages, dropped connections) is retried by a
later sweep.
"""
from __future__ import annotations

from typing import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.notices import DeliveryError, Notice
from handlers.render_notices import notice_messages

PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
             "cannot_dm_bot", "user_disabled", "restricted_action", "invalid_auth"}


class SlackNotifier:
    """`clients(team_id)` gives the Web API client with that workspace's token (None: no token)."""

    def __init__(self, clients: Callable[[str], WebClient | None]):
        self.clients = clients

    def render(self, notice: Notice) -> list[dict]:
        return notice_messages(notice)

    def post(self, notice: Notice, message: dict, thread: str | None = None) -> str:
        kind, target = notice.recipient.split(":", 1)
        client = self.clients(notice.team_id)
        if client is None:
            raise DeliveryError("no bot token for this workspace (not installed?)")
        try:
            channel = target
            if kind == "user":
                channel = client.conversations_open(users=target)["channel"]["id"]
            response = client.chat_postMessage(channel=channel, thread_ts=thread, unfurl_links=False,
                                                    **message)
            return response["ts"]
        except SlackApiError as err:
            code = err.response.get("error", "unknown_error") if err.response is not None else "unknown_error"
            raise DeliveryError(code, permanent=code in PERMANENT) from None
        except OSError as err:
            raise DeliveryError(f"could not reach Slack: {err}") from None
