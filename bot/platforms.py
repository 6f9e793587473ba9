"""The composition root's list of chat platforms: one line each. A platform is a folder under
`handlers/` whose `platform` module holds its `KIND` (bot.platform.PlatformKind); listing the module
here is all the wiring it needs. The first listed is the one the command line works on when no
platform is configured (a database read without sending anything)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from bot.config import Config, ConfigError
from bot.platform import PlatformKind

PLATFORMS: list[str] = [
    "handlers.slack.platform",
    "handlers.teams.platform",
]


# A platform's own command-line tools (`actionbot <platform> <tool> …`): the module whose `main(argv)` runs it
TOOLS: dict[tuple[str, str], str] = {
    ("teams", "package"): "handlers.teams.package",
}


def tool(platform: str, name: str) -> Callable[[list[str]], int]:
    """The `main(argv) -> exit status` of a platform's command-line tool."""
    return importlib.import_module(TOOLS[(platform, name)]).main


def kinds() -> list[PlatformKind]:
    """Every platform this build knows, in the order listed."""
    return [importlib.import_module(module).KIND for module in PLATFORMS]


def configured(config: Config) -> list[PlatformKind]:
    """The platforms this process has settings for, in the order listed."""
    return [kind for kind in kinds() if kind.configured(config)]


def kind_named(name: str) -> PlatformKind:
    for kind in kinds():
        if kind.name == name:
            return kind
    known = ", ".join(k.name for k in kinds())
    raise ConfigError(f"no platform “{name[:40]}” (known: {known})")


def cli_kind(config: Config) -> PlatformKind:
    """The platform whose workspaces the command line works on: ACTIONBOT_PLATFORM when set, else the
    first configured, else the first listed."""
    chosen = (config.env.get("ACTIONBOT_PLATFORM") or "").strip()
    if chosen:
        try:
            return kind_named(chosen)
        except ConfigError as err:
            raise ConfigError(f"ACTIONBOT_PLATFORM: {err}") from None
    found = configured(config)
    return found[0] if found else kinds()[0]
