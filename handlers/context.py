"""What every Slack listener needs: the core services, the clock, and a pool for after-ack work."""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

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
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack"))

    def __post_init__(self):
        self.regions = RegionService(self.actions)
        self.people = PeopleService(self.actions)
        self.settings = SettingsService(self.actions)

    def later(self, fn: Callable, *args) -> None:
        """Run `fn` after the response has gone back to Slack; failures are logged, not raised."""
        def run():
            try:
                fn(*args)
            except Exception:
                log.exception("after-ack work failed: %s", getattr(fn, "__name__", fn))
        self.background.submit(run)
