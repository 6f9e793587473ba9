"""The Slack notifier the scheduler delivers through: DMs to users, posts to channels, thread replies.

Slack errors that retrying cannot fix (the channel is gone, the bot is not in it, the user is
deactivated) are permanent; anything else (rate limits, outages, dropped connections) is retried by a
later sweep.
"""
from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.notices import DeliveryError, Notice
from handlers.render_notices import notice_messages

PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
             "cannot_dm_bot", "user_disabled", "restricted_action", "invalid_auth"}


class SlackNotifier:
    def __init__(self, client: WebClient):
        self.client = client

    def render(self, notice: Notice) -> list[dict]:
        return notice_messages(notice)

    def post(self, notice: Notice, message: dict, thread: str | None = None) -> str:
        kind, target = notice.recipient.split(":", 1)
        try:
            channel = target
            if kind == "user":
                channel = self.client.conversations_open(users=target)["channel"]["id"]
            response = self.client.chat_postMessage(channel=channel, thread_ts=thread, unfurl_links=False,
                                                    **message)
            return response["ts"]
        except SlackApiError as err:
            code = err.response.get("error", "unknown_error") if err.response is not None else "unknown_error"
            raise DeliveryError(f"Slack said {code}", permanent=code in PERMANENT) from None
        except OSError as err:
            raise DeliveryError(f"could not reach Slack: {err}") from None
