"""Configuration from the environment (see README, "Configure")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

README_HINT = "see README.md, “Connect a Slack workspace”"
# the largest request body read: the biggest real one, the import form's view_submission with its paste
# box full of 4-byte characters, is about 200 KB
DEFAULT_MAX_BODY_BYTES = 1_048_576


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line naming it."""


@dataclass(frozen=True)
class Config:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str | None
    database_url: str | None
    port: int
    timezone: str
    date_order: str
    public_url: str | None = None  # where people reach this server (calendar feed addresses)
    client_id: str | None = None  # with client_secret: installable in many workspaces (OAuth)
    client_secret: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies are refused (413) unread
    # the environment it was read from: a platform reads its own settings there (handlers/<platform>/);
    # never shown (it holds tokens)
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def distributed(self) -> bool:
        """Installed through OAuth in any number of workspaces, each with its own token."""
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        env = os.environ if env is None else env
        api_url = (env.get("SLACK_API_URL") or "").strip() or None
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        port_text = env.get("PORT") or "3000"
        if not port_text.isdigit():
            raise ConfigError(f"PORT must be a number, not “{port_text}”")
        order = (env.get("ACTIONBOT_DATE_ORDER") or "MDY").upper()
        if order not in ("MDY", "DMY", "YMD"):
            raise ConfigError(f"ACTIONBOT_DATE_ORDER must be MDY, DMY or YMD, not “{order}”")
        max_body = env.get("ACTIONBOT_MAX_BODY_BYTES") or str(DEFAULT_MAX_BODY_BYTES)
        if not (max_body.isascii() and max_body.isdigit()) or int(max_body) < 65536:
            raise ConfigError(
                f"ACTIONBOT_MAX_BODY_BYTES must be a number of bytes, 65536 or more "
                f"(like {DEFAULT_MAX_BODY_BYTES}), not “{max_body}”"
            )
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=api_url,
            database_url=env.get("DATABASE_URL") or None,
            port=int(port_text),
            timezone=env.get("ACTIONBOT_TIMEZONE") or "UTC",
            date_order=order,
            public_url=(env.get("ACTIONBOT_PUBLIC_URL") or "").strip().rstrip("/") or None,
            client_id=env.get("SLACK_CLIENT_ID") or None,
            client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            max_body_bytes=int(max_body),
            env=dict(env),
        )

    def require_token(self) -> None:
        """The scheduler only sends: it needs the bot token (or, installed by OAuth, the tokens in the
        database), not the signing secret."""
        if not self.bot_token and not self.distributed:
            raise ConfigError(f"SLACK_BOT_TOKEN is not set ({README_HINT})")

    def require_slack(self) -> None:
        """Stop early, with one line, when the bot cannot talk to Slack."""
        if self.client_id and not self.client_secret:
            raise ConfigError(f"SLACK_CLIENT_SECRET is not set but SLACK_CLIENT_ID is ({README_HINT})")
        if self.distributed:
            if not self.signing_secret:
                raise ConfigError(f"SLACK_SIGNING_SECRET is not set ({README_HINT})")
            return
        self.require_token()
        if not self.app_token and not self.signing_secret:
            raise ConfigError(f"SLACK_SIGNING_SECRET is not set ({README_HINT})")
