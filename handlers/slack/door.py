"""The door in front of Bolt on `POST /slack/events`: what gets past it is signed and shaped like Slack's.

Bolt parses a body before it checks the signature, so an unsigned JSON array, `payload=notjson` or an
`X-Slack-Request-Timestamp` that is not a number became an HTTP 500 and a stack trace, and Bolt logged
a refused request's whole body. Here a body must be UTF-8 (400), then its signature is checked with
nothing parsed (401); then it must be of a content type Slack sends, parse as Bolt parses it into an
object that says what it is (a `type`, a slash `command` or Slack's `ssl_check`), and have the fields
Bolt routes on and our request log reads in the types Slack gives them (400). Only then is the
request Bolt's. The size cap is the server's and Flask's, before any of this.
"""

from __future__ import annotations

from typing import Mapping
from urllib.parse import parse_qsl

from slack_bolt import BoltContext, BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
SLACK_TYPES = ("application/json", FORM)

# the fields Bolt's listener matching and context, and our request log, read: None, or these types
_SHAPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "type",
            "team_id",
            "user_id",
            "channel_id",
            "enterprise_id",
            "command",
            "text",
            "callback_id",
            "trigger_id",
            "response_url",
            "api_app_id",
            "event_id",
            "token",
        ),
        (str,),
    ),
    **dict.fromkeys(("team", "user", "channel", "enterprise"), (str, dict)),
    **dict.fromkeys(
        ("view", "container", "message", "previous_message", "item", "assistant_thread", "function_data", "state"),
        (dict,),
    ),
    "event": (dict,),
}
_LISTS_OF_OBJECTS = ("actions", "authorizations", "response_urls")
_EVENT_SHAPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("type", "subtype", "team", "user_team", "text", "ts", "thread_ts", "bot_id"), (str,)),
    **dict.fromkeys(("user", "channel"), (str, dict)),
    **dict.fromkeys(("message", "previous_message", "item", "view"), (dict,)),
}
_VIEW_SHAPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("id", "callback_id", "private_metadata", "team_id", "type", "external_id"), (str,)),
    **dict.fromkeys(("state", "title"), (dict,)),
    "blocks": (list,),
}


class Refused(Exception):
    """The request is not let in: `status` (400 or 401) and a short reason, safe to show and to log."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def admit(raw: bytes, headers: Mapping[str, str], query: str, verifier: SignatureVerifier) -> BoltRequest:
    """The Bolt request of a signed, well-formed Slack request; raises Refused for anything else."""
    try:  # Slack signs UTF-8 text, and slack_sdk can only check a signature of that
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    _check_signature(text, headers, verifier)
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in SLACK_TYPES:
        raise Refused(400, "content type must be application/json or application/x-www-form-urlencoded")
    try:
        request = BoltRequest(body=text, query=query, headers={**headers, "Content-Type": content_type})
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
        raise Refused(400, "body is not a Slack request") from None
    if content_type == FORM:
        _read_form_as_slack_sent_it(request, text)
    if not isinstance(request.body, dict) or not _shaped(request.body):
        raise Refused(400, "body is not a Slack request")
    return request


def _read_form_as_slack_sent_it(request: BoltRequest, text: str) -> None:
    """Bolt reads any form body with the word "payload" in it as an interaction's `payload=` field, so
    `/action add Check the payload sizes` would arrive empty: a body without that field is its fields."""
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" not in fields and request.body != fields:
        request.body = fields
        request.context = build_context(BoltContext({}), fields)


def _check_signature(body: str, headers: Mapping[str, str], verifier: SignatureVerifier) -> None:
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    well_formed = (
        timestamp.isascii()
        and timestamp.isdigit()
        and len(timestamp) <= 12
        and signature.isascii()
        and len(signature) <= 100
    )
    if not (well_formed and verifier.is_valid(body, timestamp, signature)):
        raise Refused(401, "invalid request signature")


def _fits(obj: dict, shapes: dict[str, tuple[type, ...]]) -> bool:
    return all(obj.get(key) is None or isinstance(obj[key], types) for key, types in shapes.items())


def _shaped(body: dict) -> bool:
    if not any(key in body for key in ("type", "command", "ssl_check")) or not _fits(body, _SHAPES):
        return False
    for key in _LISTS_OF_OBJECTS:
        items = body.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return False
    nested = [(body.get("event"), _EVENT_SHAPES), (body.get("view"), _VIEW_SHAPES)]
    return all(part is None or _fits(part, shapes) for part, shapes in nested)
