"""Echo: a made-up second chat platform, a folder plus one line in bot.platforms.PLATFORMS (the tests add
the line). It speaks plain JSON on `POST /echo/messages` (no signatures: a test double, never served by
the product), keeps what it "sends" in memory, and has IDs shaped like Microsoft Teams' (a tenant GUID,
`29:…` users), so nothing Slack-shaped reaches the core from it."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Callable

from flask import jsonify, request

from bot.config import Config, ConfigError
from bot.core.errors import UserError
from bot.core.grammar import ActionSpec
from bot.core.notices import Notice
from bot.core.records import Actor
from bot.core.service import ActionService
from bot.platform import Courier, Pace, Route

NAME = "echo"
PACE = Pace(0.25, 2)  # not Slack's: the sweep must take each notifier's own


@dataclass
class Outbox:
    """Everything Echo was asked to send, in order, by every notifier of the process."""

    posts: list[tuple[str, str, str]] = field(default_factory=list)  # (tenant, recipient, text)
    forgotten: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


OUTBOX = Outbox()


class EchoNotifier:
    pace = PACE

    def render(self, notice: Notice) -> list[str]:
        return [notice.describe()]

    def limits(self, notice: Notice) -> tuple[str, ...]:
        return ("send",)

    def post(self, notice: Notice, message: str, thread: str | None = None) -> str:
        with OUTBOX.lock:
            OUTBOX.posts.append((notice.team_id, notice.recipient, message))
            return f"echo-{len(OUTBOX.posts)}"


@dataclass
class EchoServed:
    routes: list[Route]
    runners: list = field(default_factory=list)

    def settle(self, timeout: float = 30) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        pass


class EchoPlatform:
    name = NAME

    def __init__(self, config: Config, actions: ActionService):
        self.config, self.actions = config, actions

    def notifier(self) -> EchoNotifier:
        return EchoNotifier()

    def serve(self, clock: Callable[[], dt.datetime], courier: Courier | None, processes: int = 1) -> EchoServed:
        def messages():
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("tenant", "user", "add")):
                return jsonify(error="tenant, user and add, as strings"), 400
            owners = [body["owner"]] if isinstance(body.get("owner"), str) else []
            spec = ActionSpec(body["add"], user_owners=owners, due_phrase=body.get("due"))
            try:
                outcome = self.actions.add(body["tenant"], Actor(body["user"]), spec, clock())
            except UserError as err:
                return jsonify(error=str(err)), 400
            if courier is not None and outcome.told:
                courier.deliver(body["tenant"], outcome.told)
            return jsonify(number=outcome.action.number)

        return EchoServed([Route("POST", "/echo/messages", messages, "echo_messages")])

    def directory(self, team_id: str):
        return None

    def own_workspace(self) -> str | None:
        return self.config.env.get("ECHO_TENANT") or None

    def forget_workspace(self, team_id: str) -> None:
        OUTBOX.forgotten.append(team_id)


class EchoKind:
    name = NAME

    def configured(self, config: Config) -> bool:
        return "ECHO_TOKEN" in config.env

    def check(self, config: Config, *, serving: bool) -> None:
        if not config.env.get("ECHO_TOKEN"):
            raise ConfigError("ECHO_TOKEN is empty")

    def one_process(self, config: Config) -> bool:
        return False

    def open(self, config: Config, actions: ActionService) -> EchoPlatform:
        return EchoPlatform(config, actions)


KIND = EchoKind()
