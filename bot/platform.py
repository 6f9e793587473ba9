"""The platform contract: what a chat platform (Slack, Teams, …) gives the bot, and what it is given.

A platform is a folder under `handlers/` whose `platform` module holds a `PlatformKind` named `KIND`, and
one line in `bot.platforms.PLATFORMS`. The process opens every configured kind on the shared database
(`Platform`); what a process then asks of it depends on the process:

- `actionbot run` serves it (`Platform.serve` → `Served`): its HTTP routes go on the one WSGI app beside
  `/healthz` and the calendar feeds, its background runners (Slack's Socket Mode) start beside the
  server, and its notifier tells new owners from the web process;
- the clock and `actionbot sweep` take its `notifier()`, which brings its own `pace` and rate-limit rules
  and sends the notices of that platform's workspaces (`workspaces.platform` = `name`);
- the command line asks its `directory` (members, to match an import's owners), `forget_workspace`
  (revoke and forget the installation when a workspace is deleted), `own_workspace` (the workspace
  its credentials belong to, so `--workspace` need not be given), and `find_person` / `find_channel`
  (a region's lead and channel, an import's `--as`, as people type them).

Each platform keeps its IDs, markup, SDK and tables to itself; the core sees workspace and user IDs as
opaque strings, scoped by `name`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.notices import Notice, Notifier
from bot.core.owner_match import NameMatcher

if TYPE_CHECKING:
    from bot.config import Config
    from bot.core.people import PeopleService
    from bot.core.service import ActionService


Windows = tuple[tuple[int, float], ...]  # sliding windows: at most `count` sends in any `seconds`


@dataclass(frozen=True)
class Pace:
    """How fast one destination (a channel, the conversation with one person) may be sent to: `interval`
    seconds a message, `burst` of them at once (None: as many as the platform takes, until its first
    rate limit; strictly one an interval after that). A platform that publishes its limits says them up
    front: `windows`, the sliding windows of one destination ((count, seconds), …: e.g. 7 a second and
    60 in 30 s), and `workspace`, those of all sends of one workspace together. A platform's notifier
    brings its own."""

    interval: float = 1.0
    burst: int | None = None
    windows: Windows = ()
    workspace: Windows = ()


@dataclass(frozen=True)
class ChannelFound:
    """A channel as the bot sees it: its ID and name, whether the bot can post there, and when it
    cannot, what to do about it in the platform's own words (`invite`). `unchecked` (in the platform's
    words) says why it could not be looked up at all (an installation without the permission to read
    channels): given by its ID it is taken as given; by its name it cannot be found."""

    channel_id: str
    name: str
    can_post: bool
    invite: str = ""
    unchecked: str = ""


class PlatformNotifier(Notifier, Protocol):
    """A notifier (render, post, limits: bot.core.notices) with the pacing of its platform's limits."""

    pace: Pace


@dataclass(frozen=True)
class Route:
    """An HTTP route of a platform: `view` is a Flask view (it reads `flask.request` and returns a
    response); `endpoint` names it uniquely across platforms (e.g. "slack_events")."""

    method: str
    path: str
    view: Callable[..., Any]
    endpoint: str


class Runner(Protocol):
    """A connection a platform keeps open beside the HTTP server (Slack's Socket Mode)."""

    def start(self) -> None:
        """Connect and return; the connection lives in the runner's own threads."""

    def close(self) -> None: ...


class Courier(Protocol):
    """Tells a workspace's new owners at once after a change (scheduler.courier.Courier)."""

    def deliver(self, team_id: str, notices: list[Notice]) -> None: ...


class MemberMatcher(NameMatcher, Protocol):
    """Owner names → user IDs over a workspace's members, for an import; `remember` keeps the matched
    people's names, zones and admin flags (as an assignment in the app would)."""

    def remember(self, people: PeopleService, team_id: str, user_ids: Iterable[str], now: dt.datetime) -> None: ...


class Served(Protocol):
    """A platform serving in this process: its routes and runners, its notifier for new owners, and the
    work it queued after answering (settled before the process stops)."""

    routes: Sequence[Route]
    runners: Sequence[Runner]

    def settle(self, timeout: float = 30) -> None:
        """Wait (at most `timeout` seconds) for the work queued after answers."""

    def shutdown(self, wait: bool = True) -> None: ...


class Platform(Protocol):
    """One platform opened on this process's database: `actions` is the core on its workspaces."""

    name: str
    actions: ActionService

    def notifier(self) -> PlatformNotifier:
        """The scheduler's notifier for this platform's workspaces (a new one: a clock or a sweep)."""

    def serve(self, clock: Callable[[], dt.datetime], courier: Courier | None, processes: int = 1) -> Served:
        """Build what `actionbot run` serves: `courier` tells new owners through the scheduler's send loop
        (None: the clock's next sweep does); `processes` serve the same workspaces side by side (each
        keeps to its share of the platform's limits)."""

    def directory(self, team_id: str) -> MemberMatcher | None:
        """The workspace's members, for matching an import's owners; None when they cannot be read (the
        owners then stay named owners)."""

    def own_workspace(self) -> str | None:
        """The workspace this platform's credentials belong to (one installation), else None."""

    def forget_workspace(self, team_id: str) -> None:
        """The workspace's data is being deleted: revoke and forget what the platform keeps of it."""

    def find_person(self, team_id: str, text: str) -> str | None:
        """The user ID of the member `text` names (their ID, @handle, e-mail address or name), else None."""

    def find_channel(self, team_id: str, text: str) -> ChannelFound | None:
        """The channel `text` names (its ID or #name), as the bot sees it; None when there is none."""


class PlatformKind(Protocol):
    """A platform before it is opened: its name (the `workspaces.platform` value) and its settings."""

    name: str

    def configured(self, config: Config) -> bool:
        """Whether this process has this platform's settings (only configured platforms are opened)."""

    def check(self, config: Config, *, serving: bool) -> None:
        """Raise ConfigError (one line naming the setting) when its settings cannot work; `serving`:
        for `actionbot run`, else only for sending."""

    def one_process(self, config: Config) -> bool:
        """Whether it holds a connection only one process may (Slack's Socket Mode): `actionbot run`
        then serves from one process, whatever `--workers` says."""

    def open(self, config: Config, actions: ActionService) -> Platform:
        """The platform on `actions` (the core on its workspaces, on this process's database)."""
