"""One structured log line per Slack request (logfmt): workspace, what it was, how long, how it ended.

`TimedApp` is Bolt's `App` with its dispatch timed: the line is written once every middleware and the
listener have run, so `ms` is the whole of the bot's work before the answer, and `outcome` is `ok`,
`refused` (the user was told what to write instead), `error` (something was logged at ERROR while the
request ran) or `http<status>` (refused: a bad signature or a malformed body, of which nothing is
read, so its team and name are `-`). Only names are logged (the command's verb, a button's action_id,
an event's type), never user text or tokens."""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar

from slack_bolt import App, BoltRequest, BoltResponse

from bot.core import grammar

log = logging.getLogger("actionbot.request")

_current: ContextVar[dict | None] = ContextVar("actionbot_request", default=None)
_UNSAFE = re.compile(r"[^A-Za-z0-9_./,:-]")  # names come from the request body, which may be unsigned


def describe(body: dict) -> tuple[str, str]:
    """(kind, name) of a request body: ("command", "/action add"), ("button", "action_done")…"""
    if "command" in body:
        words = (body.get("text") or "").split(maxsplit=1)
        verb = grammar.VERBS.get(words[0].lower(), "other") if words else "help"  # a word of ours, not theirs
        return "command", f"{body['command']} {verb}"
    kind = body.get("type", "")
    if kind == "block_actions":
        return "action", ",".join(a.get("action_id", "?") for a in body.get("actions") or [])[:60]
    if kind in ("view_submission", "view_closed"):
        return kind, (body.get("view") or {}).get("callback_id", "?")
    if kind in ("message_action", "shortcut"):
        return "shortcut", body.get("callback_id", "?")
    if kind == "event_callback":
        return "event", (body.get("event") or {}).get("type", "?")
    return kind or "unknown", "-"


def team_of(body: dict) -> str:
    team, user = body.get("team"), body.get("user")
    return (
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else team)
        or (user.get("team_id") if isinstance(user, dict) else None)
        or "-"
    )


def _field(value) -> str:
    return _UNSAFE.sub("_", str(value))[:80] or "-"


def log_request(body: dict, started: float, outcome: str) -> None:
    """The request line of a request begun at `started` (perf_counter) that ended in `outcome`."""
    kind, name = describe(body)
    log.info(
        "request team=%s kind=%s name=%s ms=%.1f outcome=%s",
        _field(team_of(body)),
        _field(kind),
        _field(name.replace(" ", "_")),
        (time.perf_counter() - started) * 1000,
        _field(outcome),
    )


def refused() -> None:
    """The request being answered was refused politely (a UserError shown to the person)."""
    current = _current.get()
    if current is not None and current["outcome"] == "ok":
        current["outcome"] = "refused"


class _ErrorsSeen(logging.Handler):
    """Marks the request running in this context as failed when anything logs at ERROR or above."""

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        current = _current.get()
        if current is not None:
            current["outcome"] = "error"


_errors_seen = _ErrorsSeen()
for _name in ("actionbot", "slack_bolt"):
    logging.getLogger(_name).addHandler(_errors_seen)


class TimedApp(App):
    """Bolt's App, writing one `actionbot.request` line per dispatched request."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        current = {"outcome": "ok"}
        token = _current.set(current)
        response = None
        try:
            response = super().dispatch(req)
            return response
        finally:
            _current.reset(token)
            status = response.status if response is not None else 500
            log_request(
                req.body if isinstance(req.body, dict) else {},
                started,
                current["outcome"] if status < 400 else f"http{status}",
            )
