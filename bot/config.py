"""Configuration from the environment (see README, "Configure")."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

README_HINT = "see README.md, “Connect a Slack workspace”"
# the largest request body read: the biggest real one, the import form's view_submission with its paste
# box full of 4-byte characters, is about 200 KB
DEFAULT_MAX_BODY_BYTES = 1_048_576


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line naming it."""


# the database URL schemes the store speaks (store.database.normalise_url)
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "postgresql+psycopg")
TRUE, FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _shown(value: str, limit: int = 60) -> str:
    """A setting's value as an error line quotes it: cut short, control characters dropped."""
    value = "".join(c for c in value if c.isprintable())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def check_zone(name: str, setting: str) -> str:
    """An IANA zone name that this machine's zone database knows, else ConfigError naming `setting`."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{setting} must be an IANA time zone like Europe/Zurich or America/Bogota, not “{_shown(name)}”"
        ) from None
    return name


def check_database_url(url: str) -> str:
    """Only its scheme is checked here (and only the scheme is ever shown: the URL may hold a password);
    whether the database answers is found when it is opened."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            "DATABASE_URL must start with sqlite:/// (a file) or postgresql:// (PostgreSQL), "
            f"not “{_shown(scheme + '://' if scheme else url[:12])}”"
        )
    return url


def check_http_url(url: str, setting: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{setting} must be an http:// or https:// address, not “{_shown(url)}”")
    return url


def debug_wanted(env: Mapping[str, str]) -> bool:
    """ACTIONBOT_DEBUG=1: tracebacks instead of one-line errors."""
    value = (env.get("ACTIONBOT_DEBUG") or "").strip().lower()
    if value not in TRUE + FALSE:
        raise ConfigError(f"ACTIONBOT_DEBUG must be 1 or 0, not “{_shown(value)}”")
    return value in TRUE


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
        if api_url:
            check_http_url(api_url, "SLACK_API_URL")
        public_url = (env.get("ACTIONBOT_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public_url:
            check_http_url(public_url, "ACTIONBOT_PUBLIC_URL")
        database_url = (env.get("DATABASE_URL") or "").strip() or None
        if database_url:
            check_database_url(database_url)
        port_text = (env.get("PORT") or "3000").strip()
        if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
            raise ConfigError(f"PORT must be a port number (0 to 65535; 0: any free one), not “{_shown(port_text)}”")
        concurrency = (env.get("WEB_CONCURRENCY") or "1").strip()
        if not (concurrency.isascii() and concurrency.isdigit()) or int(concurrency) < 1:
            raise ConfigError(f"WEB_CONCURRENCY must be a number of processes, 1 or more, not “{_shown(concurrency)}”")
        timezone = check_zone((env.get("ACTIONBOT_TIMEZONE") or "UTC").strip(), "ACTIONBOT_TIMEZONE")
        debug_wanted(env)
        for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
            token = (env.get(name) or "").strip()
            if token and not token.startswith(prefix):  # never shown: it may be a real secret of another kind
                raise ConfigError(f"{name} must start with {prefix} (see README.md, “Connect a Slack workspace”)")
        order = (env.get("ACTIONBOT_DATE_ORDER") or "MDY").strip().upper()
        if order not in ("MDY", "DMY", "YMD"):
            raise ConfigError(f"ACTIONBOT_DATE_ORDER must be MDY, DMY or YMD, not “{_shown(order)}”")
        max_body = env.get("ACTIONBOT_MAX_BODY_BYTES") or str(DEFAULT_MAX_BODY_BYTES)
        if not (max_body.isascii() and max_body.isdigit()) or int(max_body) < 65536:
            raise ConfigError(
                f"ACTIONBOT_MAX_BODY_BYTES must be a number of bytes, 65536 or more "
                f"(like {DEFAULT_MAX_BODY_BYTES}), not “{_shown(max_body)}”"
            )
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=api_url,
            database_url=database_url,
            port=int(port_text),
            timezone=timezone,
            date_order=order,
            public_url=public_url,
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
