"""What every Slack listener needs: the core services, the clock, and the pools for after-ack work:
four workers for what a person waits for (DMs, replies), one for refreshes nobody waits for (Home tabs),
so refreshes queue up and merge under load instead of taking the CPU from requests."""
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
from bot.core.settings import SettingsService
from bot.core.service import ActionService

log = logging.getLogger("actionbot.handlers")


@dataclass
class HandlerContext:
    actions: ActionService
    clock: Callable[[], dt.datetime] = utc_now
    public_url: str = "http://localhost:3000"  # the base of calendar feed addresses
    installations: object | None = None  # slack_sdk's installation store, when installed by OAuth
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack"))
    refresher: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="refresh"))

    def __post_init__(self):
        self._pending: set = set()
        self._waiting: set = set()  # keys of refreshes queued and not started
        self._lock = threading.Lock()
        self.regions = RegionService(self.actions)
        self.people = PeopleService(self.actions)
        self.settings = SettingsService(self.actions)
        self.calendars = CalendarService(self.actions)

    def later(self, fn: Callable, *args) -> None:
        """Run `fn` after the response has gone back to Slack; failures are logged, not raised."""
        self._submit(self.background, fn, *args)

    def refresh_later(self, key, fn: Callable, *args) -> None:
        """Like `later`, on the refresh worker, and only once per `key` while it waits: a refresh already
        queued will read the newer state when it runs, so a burst of changes costs one refresh."""
        with self._lock:
            if key in self._waiting:
                return
            self._waiting.add(key)

        def taken():
            with self._lock:
                self._waiting.discard(key)  # from now on a change needs a refresh of its own
            fn(*args)
        self._submit(self.refresher, taken)

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable, *args) -> None:
        def run():
            try:
                fn(*args)
            except Exception:
                log.exception("after-ack work failed: %s", getattr(fn, "__name__", fn))
        future = pool.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking after-ack work; with `wait`, finish what is queued first."""
        self.background.shutdown(wait=wait)
        self.refresher.shutdown(wait=wait)

    def settle(self, timeout: float = 30) -> None:
        """Wait (at most `timeout` seconds) until the after-ack work queued so far is done."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))

    def _forget(self, future) -> None:
        with self._lock:
            self._pending.discard(future)
