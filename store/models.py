"""SQLAlchemy 2 models: every table hangs off a workspace, and every query filters by it.

Times are stored as timezone-aware UTC; due dates are plain calendar dates. A workspace is one platform's
team or tenant, keyed by (platform, external ID); columns holding a platform's IDs are wide enough for any
platform's (Microsoft Teams' user IDs run past 100 characters), `ID_LENGTH`, and a little wider where a
prefix is added (`user:<id>`, `RECIPIENT_LENGTH`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

ID_LENGTH = 255  # a user's, channel's, team's or event's ID on any platform
RECIPIENT_LENGTH = 300  # `user:<id>` or `channel:<id>`
OCCURRENCE_LENGTH = 400  # a delivery's occurrence: a date key and a recipient, or a recipient and a reason
PROBLEM_CODE_LENGTH = 64  # a platform's reason a delivery can never work (account_inactive)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which drops tzinfo) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    """One chat platform's workspace: a Slack team, a Teams tenant. `team_id` is its ID on `platform`
    (two platforms may use the same string); `last_number` hands out per-workspace action numbers."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), default="slack", server_default="slack")
    team_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    date_order: Mapped[str] = mapped_column(String(3), default="MDY")
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # nudge settings: days relative to the due date, then a repeat while open; escalation threshold
    nudge_offsets: Mapped[str] = mapped_column(String(40), default="-3,0,1", server_default="-3,0,1")
    nudge_repeat_days: Mapped[int] = mapped_column(Integer, default=7, server_default=text("7"))
    escalate_after_days: Mapped[int] = mapped_column(Integer, default=7, server_default=text("7"))
    # set when Slack says the app was uninstalled or its tokens revoked: nothing is sent until reinstalled
    uninstalled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # added with `actionbot` before any installation was seen there; an installation clears it
    added_by_cli: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Person(Base):
    """What we know of a chat user: name, time zone and admin flag, refreshed from the platform."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # when they last opened the bot's Home tab; never: no Home is published for them until they do
    home_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeliveryProblem:
    """A permanent delivery failure recorded on an action (its nudges) or a region (its summary): the
    recipient it concerns (`user:<id>`, `channel:<id>`) and the platform's reason code (account_inactive,
    channel_not_found). The planner skips that recipient there until a change that could mend it clears
    the problem."""

    delivery_problem_recipient: Mapped[str | None] = mapped_column(String(RECIPIENT_LENGTH), nullable=True)
    delivery_problem_code: Mapped[str | None] = mapped_column(String(PROBLEM_CODE_LENGTH), nullable=True)

    def set_problem(self, recipient: str, code: str) -> None:
        self.delivery_problem_recipient, self.delivery_problem_code = recipient, code[:PROBLEM_CODE_LENGTH]

    def clear_problem(self) -> None:
        self.delivery_problem_recipient = self.delivery_problem_code = None


class Region(DeliveryProblem, Base):
    """A regional team: its channel, lead, zone, working days and summary schedule."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))  # casefolded name, for matching
    channel_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    lead_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)  # a platform user
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    working_days: Mapped[str] = mapped_column(String(20), default="mon-fri")
    summary_schedule: Mapped[str] = mapped_column(String(40), default="mon 09:00")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    aliases: Mapped[list[RegionAlias]] = relationship(
        back_populates="region", cascade="all, delete-orphan", order_by="RegionAlias.alias"
    )


class RegionAlias(Base):
    __tablename__ = "region_aliases"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    region: Mapped[Region] = relationship(back_populates="aliases")


class Group(Base):
    """A working group or tag (KM, Comms); created on first use."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))


class Meeting(Base):
    """The meeting an action came from; created on first use."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))


class Action(DeliveryProblem, Base):
    """A follow-up action. `number` is what users see (#N), unique per workspace. Its creator is a
    platform user (`creator_kind` "user", `created_by` their ID) or the command line ("cli")."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_actions_ws_status_due", "workspace_id", "status", "due_date"),
        # a region's open and ongoing counts (weekly summaries) read this index alone, not every open row
        Index("ix_actions_ws_region_status_kind", "workspace_id", "region_id", "status", "due_kind"),
        Index("ix_actions_ws_group_status", "workspace_id", "group_id", "status"),
        Index("ix_actions_ws_creator_status", "workspace_id", "created_by", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, done, cancelled
    due_kind: Mapped[str] = mapped_column(String(8), default="none")  # date, ongoing, none
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"), nullable=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    created_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    creator_kind: Mapped[str] = mapped_column(String(8), default="user", server_default="user")  # user, cli
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # nudges fall due from this instant on (creation, a new due date, a reopen), and not before the snooze ends
    schedule_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    permalink: Mapped[str | None] = mapped_column(String(500), nullable=True)  # the message it was made from

    owners: Mapped[list[Owner]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="Owner.position"
    )
    region: Mapped[Region | None] = relationship()
    group: Mapped[Group | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    notes: Mapped[list[Note]] = relationship(cascade="all, delete-orphan", order_by="Note.id", back_populates="action")


class Owner(Base):
    """An owner of an action: a platform user (`user_id`) or a named owner (`name`) that is not one."""

    __tablename__ = "action_owners"
    __table_args__ = (
        Index("ix_action_owners_ws_user", "workspace_id", "user_id"),
        Index("ix_action_owners_ws_action", "workspace_id", "action_id", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[Action] = relationship(back_populates="owners")


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(ID_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    action: Mapped[Action] = relationship(back_populates="notes")


class Event(Base):
    """The history: one row per change (who, what field, old and new value, when)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    kind: Mapped[str] = mapped_column(String(20))  # created, changed, note, status
    field: Mapped[str | None] = mapped_column(String(20), nullable=True)
    old: Mapped[object | None] = mapped_column(JSON, nullable=True)
    new: Mapped[object | None] = mapped_column(JSON, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """The delivery ledger: one row per scheduled message (a nudge to one recipient for one occurrence,
    an escalation, a region's weekly summary). Its unique key is what makes a send happen once: a sender
    claims the row before sending and marks it sent (with the platform's message reference) after."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "subject", "occurrence"),
        Index("ix_deliveries_ws_scheduled", "workspace_id", "scheduled_for"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # nudge, escalation, summary
    subject: Mapped[str] = mapped_column(String(40))  # action:<id> or region:<id>
    occurrence: Mapped[str] = mapped_column(String(OCCURRENCE_LENGTH))  # may embed a recipient
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    recipient: Mapped[str] = mapped_column(String(RECIPIENT_LENGTH))  # user:<id> or channel:<id>
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))  # claimed, sent, failed, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    ref: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)  # the platform's ID of the first message
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProcessedEvent(Base):
    """Events already answered, by the platform's event ID: a retried delivery is answered once."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("workspace_id", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class CalendarFeed(Base):
    """A private calendar (.ics) feed: a user's actions as owner (`kind` "user", `subject` their user ID)
    or a region's (`kind` "region", `subject` the region's id as text). The `secret` in its URL is the
    only credential, so it is unique across workspaces; resetting a feed replaces it."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # user, region
    subject: Mapped[str] = mapped_column(String(ID_LENGTH))  # user ID or region id
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ConversationRef(Base):
    """Where to reach a person or channel without being asked first, for platforms that need a stored
    address for proactive messages (Teams: the conversation reference of their last message to the bot,
    and the service URL to post it to). `kind` "user" or "channel", `key` its ID on the platform;
    `reference` the platform's JSON, kept as it came. One per (workspace, kind, key), replaced as it
    changes."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # user, channel
    key: Mapped[str] = mapped_column(String(ID_LENGTH))
    reference: Mapped[str] = mapped_column(Text)
    service_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ExportLink(Base):
    """A download link to an export, minted for one person (`user_id`) of a workspace. Its URL carries a
    random secret that is stored only as `secret_hash` (SHA-256, hex), so the table alone opens nothing.
    `query` is the list query as JSON (bot.core.export_links), `tz` the person's zone when it was minted
    (it settles "today" for `overdue`); the export is made when the link is opened, until `expires_at`."""

    __tablename__ = "export_links"
    __table_args__ = (
        Index("ix_export_links_expires_at", "expires_at"),
        Index("ix_export_links_ws_user", "workspace_id", "user_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tz: Mapped[str | None] = mapped_column(String(64), nullable=True)
    query: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(8))  # csv
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
