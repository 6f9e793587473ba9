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
            except Exception as err:  # a bug or an outage must not stop the other sends
                ledger.failed(ticket, f"{type(err).__name__}: {err}")
                report.failed.append((notice, str(err)))
                log.exception("not sent, will retry: %s", notice.describe())
    return report


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
