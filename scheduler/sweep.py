"""One sweep: plan what is due as of `now` and hand it to the send loop (delivery.py), which claims each
notice in the ledger, sends it through the platform's notifier, paced per destination (at the notifier's
own `pace`) and concurrently across destinations, and records the outcome. Safe to run twice, or in two
processes at once. `sweep` serves one platform's workspaces (those of `actions.platform`); `sweep_all`
serves every platform's, each through its own notifier. `deliver_told` is the same send loop on only the
new owners a workspace's changes have yet to tell."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from bot.clocks import WALL, Clock
from bot.core.ledger import BatchLedger, Ledger
from bot.core.notices import Notice, SweepReport
from bot.core.planner import Planner
from bot.core.seen_events import SeenEvents
from bot.core.service import ActionService
from bot.platform import PlatformNotifier
from scheduler.delivery import WORKERS, Sender

CLAIMER = f"{socket.gethostname()}:{os.getpid()}"


def sweep(
    actions: ActionService,
    notifier: PlatformNotifier | None,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    claimer: str = CLAIMER,
    workers: int = WORKERS,
    clock: Clock = WALL,
    budget: float | None = None,
) -> SweepReport:
    """Send every nudge, escalation and summary due as of `now`. With `dry_run`, only plan: nothing is
    claimed, sent or written. `workers` sends go on at once; with a `budget` (seconds on `clock`) no new
    send starts after it, and what is left is planned again by the next sweep. Each workspace's sends
    start as soon as it is planned, while the next workspace is planned."""
    planner = Planner(actions)
    report = SweepReport()
    if dry_run:
        for team_id in planner.team_ids():
            report.planned += planner.plan(team_id, now)
        return report
    if notifier is None:
        raise ValueError("a sweep that sends needs a notifier")
    return _send(
        actions,
        notifier,
        now,
        ((team_id, planner.plan) for team_id in planner.team_ids()),
        report,
        claimer=claimer,
        workers=workers,
        clock=clock,
        budget=budget,
    )


def deliver_told(
    actions: ActionService,
    notifier: PlatformNotifier,
    team_id: str,
    now: dt.datetime,
    *,
    claimer: str = CLAIMER,
    workers: int = WORKERS,
    clock: Clock = WALL,
    notices: list[Notice] | None = None,
) -> SweepReport:
    """Tell the workspace's new owners now: the `assigned` and `imported` notices its changes wrote and
    no sender has sent yet, or just `notices` (a change's own, as it made them: nothing read again). A
    sweep sends them too; the ledger keeps each to one sender. Notices the change wrote already claimed
    by `claimer` (`actions.claims_as`) are sent without claiming them again."""
    if notices is None:
        return _send(
            actions,
            notifier,
            now,
            [(team_id, Planner(actions).told)],
            SweepReport(),
            claimer=claimer,
            workers=workers,
            clock=clock,
        )
    ledger = BatchLedger(actions.db, notices, now, claimer, actions.platform, claimed=actions.claims_as == claimer)
    try:
        return _send(
            actions,
            notifier,
            now,
            [(team_id, lambda team, at: notices)],
            SweepReport(),
            claimer=claimer,
            workers=workers,
            clock=clock,
            ledger=ledger,
            caller_works=True,
        )
    finally:
        ledger.record()


def _send(
    actions: ActionService,
    notifier: PlatformNotifier,
    now: dt.datetime,
    plans,
    report: SweepReport,
    *,
    claimer: str,
    workers: int,
    clock: Clock,
    budget: float | None = None,
    ledger: Ledger | None = None,
    caller_works: bool = False,
) -> SweepReport:
    """Plan each (team, planner) of `plans` in turn and send its notices as soon as they are planned
    (`caller_works`: this thread sends too, once every plan is in)."""
    sender = Sender(
        ledger or Ledger(actions.db, actions.platform),
        notifier,
        now,
        claimer,
        workers=workers,
        clock=clock,
        budget=budget,
        report=report,
        caller_works=caller_works,
    ).start()
    try:
        for team_id, plan in plans:
            notices = plan(team_id, now)
            report.planned += notices
            sender.add(notices)
    finally:
        sender.finish()
    return report


@dataclass(frozen=True)
class Outlet:
    """One platform's side of a sweep: the core on its workspaces, and its notifier (None: plan only)."""

    actions: ActionService
    notifier: PlatformNotifier | None


def sweep_all(outlets: Iterable[Outlet], now: dt.datetime, *, dry_run: bool = False, **options) -> SweepReport:
    """`sweep` over every platform's workspaces in turn, each through its own notifier and pacing; one
    report for them all. `options` are sweep's (claimer, workers, clock, budget: each platform's own)."""
    total = SweepReport()
    for outlet in outlets:
        report = sweep(outlet.actions, outlet.notifier, now, dry_run=dry_run, **options)
        total.planned += report.planned
        total.sent += report.sent
        total.failed += report.failed
        total.skipped += report.skipped
        total.throttled += report.throttled
        total.left += report.left
    return total


EVENT_MEMORY = dt.timedelta(days=1)  # Slack retries an event within minutes; a day is plenty


def housekeeping(actions: ActionService, now: dt.datetime, lease: dt.timedelta) -> int:
    """Turn claims left by a sender that died into failures, so the next sweep retries them, and forget
    event IDs old enough that Slack no longer retries them. Returns the claims released."""
    ledger, seen = Ledger(actions.db, actions.platform), SeenEvents(actions)
    released = 0
    for team in Planner(actions).team_ids():
        released += ledger.release_stale(team, now, lease)
        seen.prune(team, now - EVENT_MEMORY)
    return released
