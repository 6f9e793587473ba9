"""One sweep: plan what is due as of `now`, claim each notice in the ledger, send it through the
platform's notifier, record the outcome. Safe to run twice, or in two processes at once."""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from bot.core.ledger import Ledger
from bot.core.notices import DeliveryError, Notifier, SweepReport
from bot.core.planner import Planner
from bot.core.seen_events import SeenEvents
from bot.core.service import ActionService

log = logging.getLogger("actionbot.sweep")
CLAIMER = f"{socket.gethostname()}:{os.getpid()}"


def sweep(actions: ActionService, notifier: Notifier | None, now: dt.datetime, *, dry_run: bool = False,
          claimer: str = CLAIMER) -> SweepReport:
    """Send every nudge, escalation and summary due as of `now`. With `dry_run`, only plan: nothing is
    claimed, sent or written."""
    planner, ledger = Planner(actions), Ledger(actions.db)
    report = SweepReport()
    for team_id in planner.team_ids():
        for notice in planner.plan(team_id, now):
            report.planned.append(notice)
            if dry_run:
                continue
            ticket = ledger.claim(notice, now, claimer)
            if ticket is None:
                report.skipped += 1
                continue
            try:
                messages = notifier.render(notice)
                ref = ticket.ref
                for index in range(ticket.parts_sent, len(messages)):
                    posted = notifier.post(notice, messages[index], thread=ref if index else None)
                    ref = ref or posted
                    if index + 1 < len(messages):
                        ledger.progress(ticket, index + 1, ref)
                ledger.sent(ticket, now, ref)
                report.sent.append(notice)
                log.info("sent %s", notice.describe())
            except DeliveryError as err:
                ledger.failed(ticket, str(err), err.permanent)
                report.failed.append((notice, str(err)))
                log.warning("not sent (%s): %s", "permanent" if err.permanent else "will retry", notice.describe())
                if err.permanent and notice.kind != "problem":
                    tell_about_problem(actions, notifier, ledger, notice, str(err), now, claimer)
            except Exception as err:  # a bug or an outage must not stop the other sends
                ledger.failed(ticket, f"{type(err).__name__}: {err}")
                report.failed.append((notice, str(err)))
                log.exception("not sent, will retry: %s", notice.describe())
    return report


def tell_about_problem(actions: ActionService, notifier: Notifier, ledger: Ledger, notice, error: str,
                       now: dt.datetime, claimer: str) -> None:
    """A send that can never work (channel gone, user deactivated): record it on the action or region so
    the planner stops trying, and tell its creator (or the region's lead) once."""
    problem = ledger.record_problem(notice, error, now)
    if problem is None:
        return
    ticket = ledger.claim(problem, now, claimer)
    if ticket is None:
        return
    try:
        ref = None
        for message in notifier.render(problem):
            ref = ref or notifier.post(problem, message)
        ledger.sent(ticket, now, ref)
    except Exception as err:  # told once or not at all: a problem notice is never retried
        ledger.failed(ticket, f"{type(err).__name__}: {err}", permanent=True)
        log.warning("could not tell about a delivery problem: %s", problem.describe())


EVENT_MEMORY = dt.timedelta(days=1)  # Slack retries an event within minutes; a day is plenty


def housekeeping(actions: ActionService, now: dt.datetime, lease: dt.timedelta) -> int:
    """Turn claims left by a sender that died into failures, so the next sweep retries them, and forget
    event IDs old enough that Slack no longer retries them. Returns the claims released."""
    ledger, seen = Ledger(actions.db), SeenEvents(actions)
    released = 0
    for team in Planner(actions).team_ids():
        released += ledger.release_stale(team, now, lease)
        seen.prune(team, now - EVENT_MEMORY)
    return released
