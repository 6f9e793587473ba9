"""Telling new owners within seconds: after a change is answered, the web process asks its `Courier` to
deliver the workspace's new-owner notices through the sweep's paced, ledgered send loop (deliver_told).

One delivery runs at a time in a process, so its pacing holds across requests: a workspace asked for
while one runs is delivered right after it (many asks while waiting make one more run). Whatever this
cannot deliver (Slack failed, or the process died after the change was stored) stays pending or failed
in the ledger, and the clock's next sweep sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Callable

from bot.core.notices import Notice
from bot.core.service import ActionService
from bot.platform import PlatformNotifier
from scheduler.sweep import CLAIMER, deliver_told

log = logging.getLogger("actionbot.courier")


class Courier:
    def __init__(
        self,
        actions: ActionService,
        notifier: PlatformNotifier,
        clock: Callable[[], dt.datetime],
        claimer: str = CLAIMER,
    ):
        self.actions, self.notifier, self.clock, self.claimer = actions, notifier, clock, claimer
        actions.claims_as = claimer  # this process's changes write their DMs claimed by it: one write fewer
        self._lock = threading.Lock()
        self._waiting: dict[str, list[Notice]] = {}  # team -> the notices asked for, in order
        self._running = False

    def deliver(self, team_id: str, notices: list[Notice]) -> None:
        """Deliver the notices of `team_id`'s new owners a change wrote now, in this thread, or leave them
        to the delivery already running in another (which takes them before it ends)."""
        with self._lock:
            self._waiting.setdefault(team_id, []).extend(notices)
            if self._running:
                return
            self._running = True
        while True:
            with self._lock:
                if not self._waiting:
                    self._running = False
                    return
                team = next(iter(self._waiting))
                asked = self._waiting.pop(team)
            try:
                report = deliver_told(
                    self.actions, self.notifier, team, self.clock(), claimer=self.claimer, notices=asked
                )
                if report.failed:
                    log.warning(
                        "new owners: %d not told (team %s); the next sweep retries any that may work",
                        len(report.failed),
                        team,
                    )
            except Exception:  # the ledger keeps them: the next sweep delivers
                log.exception("telling new owners failed (team %s)", team)
