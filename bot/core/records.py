"""Plain records the core hands to adapters: no ORM objects leave a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.core.dates import Due
from bot.core.errors import AdminUnconfirmed, NotAllowed
from bot.messages import Msg, msg

# Who made something, as actions store it (`creator_kind`): a platform user, who can be told of it, or the
# command line (the operator at the shell), who cannot
USER, CLI = "user", "cli"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a platform user (`kind` USER, `user_id` their ID) or the command line (CLI), whether
    they administer the workspace, and their time zone. `admin_unconfirmed`: `is_admin` was last asked
    too long ago to grant or refuse an admin's rights on."""

    user_id: str
    is_admin: bool = False
    tz: str | None = None
    admin_unconfirmed: bool = False
    kind: str = USER

    def has_admin_rights(self) -> bool:
        """Whether they may do what only a workspace admin may; AdminUnconfirmed when that is unknown."""
        if self.admin_unconfirmed:
            raise AdminUnconfirmed()
        return self.is_admin

    def require_admin(self, doing: str) -> None:
        """Refuse a non-admin: "Only a workspace admin can <doing>." (`doing`: its message key)."""
        if not self.has_admin_rights():
            raise NotAllowed("admin_only", doing=msg(doing))


@dataclass(frozen=True)
class OwnerInfo:
    user_id: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        if self.user_id is None:
            return self.name or ""
        return f"@{self.name or self.user_id}"


@dataclass(frozen=True)
class ActionInfo:
    number: int
    title: str
    status: str
    due: Due
    owners: tuple[OwnerInfo, ...]
    region: str | None
    group: str | None
    meeting: str | None
    channel_id: str | None
    created_by: str
    created_at: dt.datetime
    overdue: bool = False
    notes: tuple[str, ...] = ()
    closed_at: dt.datetime | None = None
    snoozed_until: dt.datetime | None = None
    permalink: str | None = None
    creator_kind: str = USER  # whether `created_by` is a platform user who can be told things, or CLI

    @property
    def user_creator(self) -> str | None:
        """The creator's ID when the creator is a platform user (not the command line)."""
        return self.created_by if self.creator_kind == USER else None

    @property
    def owner_ids(self) -> tuple[str, ...]:
        return tuple(o.user_id for o in self.owners if o.user_id)


@dataclass(frozen=True)
class WorkspaceInfo:
    team_id: str
    name: str
    actions: int  # numbers handed out so far
    uninstalled_at: dt.datetime | None
    added_by_cli: bool = False  # added with `actionbot`; no installation seen there yet


@dataclass(frozen=True)
class RegionInfo:
    name: str
    aliases: tuple[str, ...]
    channel_id: str | None
    lead_user_id: str | None
    timezone: str | None
    working_days: str
    summary_schedule: str
    open_count: int = 0


@dataclass(frozen=True)
class Assignment:
    """Tell `user_id` that `by` made them an owner of `action`."""

    user_id: str
    by: str
    action: ActionInfo


@dataclass
class Outcome:
    """What an operation did: the action after it, what changed, and who should be told."""

    action: ActionInfo
    changes: list[Msg] = field(default_factory=list)  # catalogue messages: "created #12", "note added"
    assignments: list[Assignment] = field(default_factory=list)
    told: list = field(default_factory=list)  # Notices for new owners, written to the ledger: deliver now


@dataclass
class Listing:
    actions: list[ActionInfo]
    total: int
    today: dt.date
