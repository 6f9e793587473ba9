"""What the scheduler sends, as plain records, and the notifier a chat platform provides to send them.

A notice names its recipient as `user:<id>` (a direct message) or `channel:<id>`; the platform's notifier
renders it into its own message format, possibly several messages (the rest go in the first's thread).

Most notices are planned from the schedule. `TOLD_ON_CHANGE` ones (a new owner told of an action, or of an
import's actions) are written into the ledger by the change itself (bot.core.assignments) and only read
back for sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.dates import format_date
from bot.core.records import ActionInfo
from bot.messages import Msg, msg


@dataclass(frozen=True)
class OwnerCount:
    label: str
    user_id: str | None
    open: int
    overdue: int


@dataclass(frozen=True)
class RegionSummary:
    region: str
    week_of: dt.date  # the local day the summary is for
    overdue: tuple[tuple[ActionInfo, int], ...]  # (action, days late), oldest first
    due_soon: tuple[ActionInfo, ...]  # due in the next 7 days
    done: tuple[ActionInfo, ...]  # closed as done in the last 7 days
    new: tuple[ActionInfo, ...]  # created in the last 7 days
    ongoing: int
    open_total: int
    owners: tuple[OwnerCount, ...]


@dataclass(frozen=True)
class DeliveryProblem:
    """What could not be delivered (`about`: "#12 Draft the plan", "the weekly summary of LAC") and the
    platform's reason code (`reason`, e.g. `channel_not_found`)."""

    about: Msg
    reason: str

    def __str__(self) -> str:
        return f"{self.about}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    kind: str  # nudge, escalation, summary, problem, assigned, imported
    team_id: str
    subject: str  # action:<id> or region:<id>: with kind and occurrence, the ledger's key
    occurrence: str
    recipient: str  # user:<id> or channel:<id>
    scheduled_for: dt.datetime
    local_day: dt.date  # the recipient's calendar day when it is sent
    timezone: str
    action: ActionInfo | None = None
    days_left: int | None = None  # due in N days (0 today, negative: overdue by -N)
    mention: str | None = None  # a user to mention (the creator, for a named owner's nudge)
    role: str | None = None  # why an escalation's recipient hears of it: "lead" or "creator"
    problem: DeliveryProblem | None = None  # a "problem" notice: what could not be delivered, and why
    region_name: str | None = None
    summary: RegionSummary | None = None
    action_id: int | None = None
    region_id: int | None = None
    by: str | None = None  # who made the recipient an owner ("assigned", "imported")
    actions: tuple[ActionInfo, ...] = ()  # an import's actions the recipient owns ("imported")
    delivery_id: int | None = None  # its ledger row, when a change wrote one ("assigned", "imported")

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind, self.subject, self.occurrence

    def describe(self) -> str:
        """One plain line, for logs and `actionbot sweep --dry-run`."""
        when = f"{self.scheduled_for.isoformat()} ({format_date(self.local_day)}, {self.timezone})"
        if self.kind == "problem":
            return f"problem  {self.recipient:<18} {when}  {self.problem}"
        if self.kind == "imported":
            return f"imported {self.recipient:<18} {when}  {len(self.actions)} actions from {self.by}"
        if self.kind == "assigned":
            a = self.action
            assert a is not None  # an action's notice carries it
            return f"assigned {self.recipient:<18} {when}  #{a.number} {a.title[:50]} (by {self.by})"
        if self.summary is not None:
            s = self.summary
            return (
                f"summary  {self.recipient:<18} {when}  {s.region}: {len(s.overdue)} overdue, "
                f"{len(s.due_soon)} due this week, {len(s.done)} done, {len(s.new)} new"
            )
        a = self.action
        assert a is not None
        return f"{self.kind:<8} {self.recipient:<18} {when}  #{a.number} {a.title[:50]} ({when_due(self.days_left)})"


TOLD_ON_CHANGE = ("assigned", "imported")  # notices the change writes into the ledger, pending


def when_due(days_left: int | None) -> Msg:
    if days_left is None:
        return msg("due.none")
    if days_left > 1:
        return msg("due.in_days", days=days_left)
    if days_left == 1:
        return msg("due.tomorrow")
    if days_left == 0:
        return msg("due.today")
    return msg("due.overdue_day" if days_left == -1 else "due.overdue_days", days=-days_left)


class DeliveryError(Exception):
    """A send that did not happen. `permanent`: retrying cannot help (no such channel, user gone).

    A rate limit says how long to wait (`retry_after`, seconds), which call it limited (`limit`, a name
    such as "chat.postMessage"), and whether that call is also limited per destination
    (`per_destination`: then it may have been the channel's limit rather than the workspace's)."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        retry_after: float | None = None,
        limit: str | None = None,
        per_destination: bool = False,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.limit = limit
        self.per_destination = per_destination


class Notifier(Protocol):
    """What a chat platform provides so the scheduler can deliver notices."""

    def render(self, notice: Notice) -> list[Any]:
        """The platform messages for a notice, in order (at least one)."""

    def post(self, notice: Notice, message: Any, thread: str | None = None) -> str:
        """Send one message (into `thread`, the first message's reference, when given); return its
        reference. Raise DeliveryError when it was not sent (with `retry_after` when rate limited: the
        sender waits and tries again instead of the platform client sleeping)."""

    def limits(self, notice: Notice) -> tuple[str, ...]:
        """Optional: the rate-limited calls the next message of `notice` makes (a sender keeps a notice
        back while one of them is paused for its workspace). Without it, any pause holds it back."""


@dataclass
class SweepReport:
    planned: list[Notice] = field(default_factory=list)
    sent: list[Notice] = field(default_factory=list)
    failed: list[tuple[Notice, str]] = field(default_factory=list)
    skipped: int = 0  # claimed by another sender meanwhile
    throttled: int = 0  # sends the platform's rate limits turned back (each retried)
    left: int = 0  # not started before the sweep's time budget ran out: the next sweep sends them
