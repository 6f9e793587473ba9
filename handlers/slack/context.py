"""What every Slack listener needs: the core services, the clock, and where after-ack work runs: four
workers for what a person waits for (DMs, replies), the Home tab queue for refreshes nobody waits
for, which merges them and paces them to Slack's limit (handlers.slack.home_queue), and the courier that
tells new owners through the scheduler's ledgered send loop (scheduler.courier)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

from bot.core.calendar_feeds import CalendarService
from bot.core.dates import utc_now
from bot.core.people import PeopleService
from bot.core.regions import RegionService
from bot.core.service import ActionService
from bot.core.settings import SettingsService
from handlers.slack.dm_channels import DmChannels
from handlers.slack.home_queue import HomeQueue

log = logging.getLogger("actionbot.handlers")


@dataclass
class HandlerContext:
    actions: ActionService
    clock: Callable[[], dt.datetime] = utc_now
    public_url: str = "http://localhost:3000"  # the base of calendar feed addresses
    installations: object | None = None  # slack_sdk's installation store, when installed by OAuth
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack")
    )
    homes: HomeQueue = field(default_factory=HomeQueue)
    dms: DmChannels = field(default_factory=DmChannels)
    courier: object | None = None  # scheduler.courier.Courier: new owners' DMs; None: the sweep sends them

    def __post_init__(self):
        self._pending: set = set()
        self._lock = threading.Lock()
        self.regions = RegionService(self.actions)
        self.people = PeopleService(self.actions)
        self.settings = SettingsService(self.actions)
        self.calendars = CalendarService(self.actions)

    def later(self, fn: Callable, *args) -> None:
        """Run `fn` after the response has gone back to Slack; failures are logged, not raised."""

        def run():
            try:
                fn(*args)
            except Exception:
                log.exception("after-ack work failed: %s", getattr(fn, "__name__", fn))

        future = self.background.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking after-ack work; with `wait`, finish what is queued first."""
        self.background.shutdown(wait=wait)
        self.homes.shutdown(wait=wait)

    def settle(self, timeout: float = 30) -> None:
        """Wait (at most `timeout` seconds) until the after-ack work queued so far is done."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = set(self._pending)
            if pending:
                wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            elif self.homes.settle(max(0.0, deadline - time.monotonic())):
                with self._lock:
                    if not self._pending:  # a refresh may have queued a DM, or a DM a refresh
                        return

    def _forget(self, future) -> None:
        with self._lock:
            self._pending.discard(future)
