"""Client kit that sends requests to our app the way Slack does: real-shaped bodies, signed headers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import uuid4

from slack_sdk.signature import SignatureVerifier

VERIFICATION_TOKEN = "standin-verification-token"  # legacy field Slack still sends; Bolt ignores it
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local app: never via *_PROXY env vars


def signed_headers(
    signing_secret: str,
    body: bytes,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


def _trigger_id() -> str:
    return f"{int(time.time())}.{uuid4().int % 10**10}.{uuid4().hex}"


def slash_command_body(
    text: str,
    *,
    user_id: str,
    team_id: str,
    channel_id: str = "C0GENERAL",
    command: str = "/action",
    response_url: str,
    user_name: str = "",
    team_domain: str = "demo",
    channel_name: str = "general",
    trigger_id: str | None = None,
    api_app_id: str = "A0ACTIONBOT",
    enterprise_id: str | None = None,
) -> bytes:
    grid = {"enterprise_id": enterprise_id, "enterprise_name": f"Org {enterprise_id}"} if enterprise_id else {}
    return urlencode(
        {
            **grid,
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _trigger_id(),
        }
    ).encode()


def interaction_body(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def event_body(
    event: dict,
    *,
    team_id: str,
    event_id: str,
    api_app_id: str = "A0ACTIONBOT",
    event_time: int | None = None,
    bot_user_id: str = "UBOT",
    enterprise_id: str | None = None,
) -> bytes:
    """An Events API `event_callback` envelope; send it with content type application/json."""
    grid = {"enterprise_id": enterprise_id} if enterprise_id else {}
    return json.dumps(
        {
            **grid,
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": enterprise_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    ).encode()


def block_actions_payload(
    *,
    action_id: str,
    value: str,
    user_id: str,
    team_id: str,
    channel_id: str | None,
    response_url: str,
    trigger_id: str = "12345.98765.abcd",
    block_id: str = "b1",
    container: dict | None = None,
    view: dict | None = None,
    message: dict | None = None,
) -> dict:
    """A button click as Slack sends it. Without a message or view, the container is an ephemeral message."""
    if container is None:
        if view is not None:
            container = {"type": "view", "view_id": view.get("id")}
        else:
            container = {
                "type": "message",
                "message_ts": (message or {}).get("ts", "1700000000.000100"),
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            }
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "demo"},
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0ACTIONBOT",
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id,
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if channel_id:
        payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
    if message is not None:
        payload["message"] = message
    if view is not None:
        payload["view"] = view
    if response_url:
        payload["response_url"] = response_url
    return payload


def message_action_payload(
    *, callback_id: str, message: dict, user_id: str, team_id: str, channel_id: str, response_url: str
) -> dict:
    """A message shortcut as Slack sends it."""
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": _trigger_id(),
        "team": {"id": team_id, "domain": "demo"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "message": message,
        "message_ts": message.get("ts"),
        "response_url": response_url,
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_payload(*, view: dict, values: dict, user_id: str, team_id: str) -> dict:
    """A modal's submit as Slack sends it: the view as opened, with `values` ({block_id: {action_id:
    value-dict}}) as its state."""
    submitted = {**view, "state": {"values": values}}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "demo"},
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0ACTIONBOT",
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def post_signed(
    url: str,
    body: bytes,
    signing_secret: str,
    content_type: str = "application/x-www-form-urlencoded",
    timestamp: int | None = None,
    extra_headers: dict | None = None,
    timeout: float = 10,
) -> Reply:
    """POST a Slack-signed request; 4xx/5xx answers come back as a Reply too."""
    headers = {**signed_headers(signing_secret, body, timestamp, content_type), **(extra_headers or {})}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, dict(err.headers.items()), err.read())
