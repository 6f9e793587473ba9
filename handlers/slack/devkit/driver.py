"""Plays a Slack user against the running app: signed slash commands and button clicks."""

from __future__ import annotations

import json

from handlers.slack.devkit.requests import (
    Reply,
    block_actions_payload,
    event_body,
    interaction_body,
    message_action_payload,
    post_signed,
    slash_command_body,
    view_submission_payload,
)
from handlers.slack.devkit.standin import SlackStandIn


class SlackDriver:
    def __init__(
        self,
        app_url: str,
        standin: SlackStandIn,
        signing_secret: str,
        team_id: str | None = None,
        enterprise_id: str | None = None,
    ):
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.standin = standin
        self.secret = signing_secret
        self.team_id = team_id or standin.team_id
        self.enterprise_id = enterprise_id  # an Enterprise Grid workspace's organization

    def command(self, user_id: str, text: str, channel_id: str = "C0GENERAL", team_id: str | None = None) -> Reply:
        body = slash_command_body(
            text,
            user_id=user_id,
            team_id=team_id or self.team_id,
            channel_id=channel_id,
            response_url=self.standin.response_url(),
            enterprise_id=self.enterprise_id,
        )
        return post_signed(self.events_url, body, self.secret)

    def click(
        self,
        user_id: str,
        action_id: str,
        value: str,
        channel_id: str | None = "C0GENERAL",
        team_id: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
    ) -> tuple[Reply, dict | None]:
        """Press a button; returns the HTTP reply and what the app posted to the response URL."""
        key = f"click-{len(self.standin.calls)}-{user_id}"
        payload = block_actions_payload(
            action_id=action_id,
            value=value,
            user_id=user_id,
            team_id=team_id or self.team_id,
            channel_id=channel_id,
            response_url=None if view else self.standin.response_url(key),
            message=message,
            view=view,
        )
        reply = post_signed(self.events_url, interaction_body(payload), self.secret)
        posted = [c.params for c in self.standin.calls_to("response_url") if c.path == key]
        return reply, (posted[-1] if posted else None)

    def pick_date(
        self,
        user_id: str,
        action_id: str,
        block_id: str,
        date: str,
        channel_id: str | None = "C0GENERAL",
        message: dict | None = None,
    ) -> tuple[Reply, dict | None]:
        """Choose `date` (YYYY-MM-DD) in a datepicker; returns the reply and what went to the response URL."""
        key = f"pick-{len(self.standin.calls)}-{user_id}"
        payload = block_actions_payload(
            action_id=action_id,
            value="",
            user_id=user_id,
            team_id=self.team_id,
            channel_id=channel_id,
            response_url=self.standin.response_url(key),
            block_id=block_id,
            message=message,
        )
        action = payload["actions"][0]
        del action["value"]
        action.update(type="datepicker", selected_date=date)
        reply = post_signed(self.events_url, interaction_body(payload), self.secret)
        posted = [c.params for c in self.standin.calls_to("response_url") if c.path == key]
        return reply, (posted[-1] if posted else None)

    def event(self, event: dict, event_id: str, retry_num: int | None = None) -> Reply:
        """An Events API delivery (`event_callback`), as a retry when `retry_num` is given."""
        body = event_body(event, team_id=self.team_id, event_id=event_id, enterprise_id=self.enterprise_id)
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return post_signed(self.events_url, body, self.secret, content_type="application/json", extra_headers=headers)

    def shortcut(self, user_id: str, callback_id: str, message: dict, channel_id: str = "C0GENERAL") -> Reply:
        """Use a message shortcut on `message` (needs at least `text` and `ts`)."""
        payload = message_action_payload(
            callback_id=callback_id,
            message=message,
            user_id=user_id,
            team_id=self.team_id,
            channel_id=channel_id,
            response_url=self.standin.response_url(),
        )
        return post_signed(self.events_url, interaction_body(payload), self.secret)

    def submit(self, user_id: str, view: dict, values: dict) -> Reply:
        """Submit a modal the app opened (as `views.open` received it)."""
        payload = view_submission_payload(view=view, values=values, user_id=user_id, team_id=self.team_id)
        return post_signed(self.events_url, interaction_body(payload), self.secret)


def buttons(message: dict) -> list[dict]:
    """Every button in a message, with its value decoded when it is JSON."""
    found = []
    for block in message.get("blocks") or []:
        elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
        for element in elements:
            if element.get("type") == "button":
                found.append({**element, "decoded": _decode(element.get("value"))})
    return found


def _decode(value):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value
