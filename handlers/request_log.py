"""One structured log line per Slack request (logfmt): workspace, what it was, how long, how it ended.
Only names are logged (the command's verb, a button's action_id, an event's type), never user text or
tokens."""
from __future__ import annotations

import logging
import time

log = logging.getLogger("actionbot.request")


def describe(body: dict) -> tuple[str, str]:
    """(kind, name) of a request body: ("command", "/action add"), ("button", "action_done")…"""
    if "command" in body:
        verb = (body.get("text") or "").split(" ", 1)[0][:20] or "help"
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
    return (body.get("team_id") or (body.get("team") or {}).get("id")
            or (body.get("user") or {}).get("team_id") or "-")


def log_requests(body, next, logger):  # Bolt global middleware: its parameters are named by Bolt
    started = time.perf_counter()
    kind, name = describe(body or {})
    outcome = "error"
    try:
        response = next()
        outcome = "ok" if response is None or getattr(response, "status", 200) < 400 else f"http{response.status}"
        return response
    finally:
        log.info("request team=%s kind=%s name=%s ms=%.1f outcome=%s", team_of(body or {}), kind,
                 name.replace(" ", "_"), (time.perf_counter() - started) * 1000, outcome)
