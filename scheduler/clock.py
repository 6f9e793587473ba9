"""The APScheduler side: `actionbot clock` runs a BlockingScheduler, `actionbot run` a background one.

Jobs: a sweep at the top of every minute and hourly housekeeping, both in UTC (a trigger without a zone
would use the host's). Job functions take no objects, only what the process registered with `install`,
so they could be pickled to a persistent job store; the database, not APScheduler, keeps the state.
One clock serves the workspaces of every platform the process has: each through its own notifier.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.dates import utc_now
from bot.core.planner import CLAIM_LEASE
from scheduler.sweep import Outlet, housekeeping, sweep

log = logging.getLogger("actionbot.clock")


@dataclass
class Services:
    """Per platform (by name), the core on its workspaces and its notifier; and the clock."""

    outlets: dict[str, Outlet]
    clock: Callable[[], dt.datetime] = utc_now

    def outlet(self, platform: str) -> Outlet:
        return self.outlets[platform]


_services: Services | None = None


def install(services: Services) -> None:
    global _services
    _services = services


def _installed() -> Services:
    if _services is None:
        raise RuntimeError("scheduler.clock.install() was not called before the jobs ran")
    return _services


def sweep_job() -> None:
    services = _installed()
    now = services.clock()
    for name, outlet in services.outlets.items():
        try:  # one platform failing (its planning, its database reads) must not stop the others' sends
            report = sweep(outlet.actions, outlet.notifier, now)
        except Exception:
            log.exception("sweep of %s failed; the next sweep tries again", name)
            continue
        if report.sent or report.failed:
            log.info(
                "sweep (%s): %d sent, %d failed, %d taken by another sender",
                name,
                len(report.sent),
                len(report.failed),
                report.skipped,
            )


def housekeeping_job() -> None:
    services = _installed()
    now = services.clock()
    released = sum(housekeeping(o.actions, now, CLAIM_LEASE) for o in services.outlets.values())
    if released:
        log.warning("housekeeping: %d stale claims released for retry", released)


def add_jobs(scheduler) -> None:
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 50, "replace_existing": True}
    # the first sweep runs at start: a restarted clock catches up at once, not at the next minute
    scheduler.add_job(
        sweep_job,
        CronTrigger(second=0, timezone=dt.timezone.utc),
        id="sweep",
        next_run_time=dt.datetime.now(dt.timezone.utc),
        **common,
    )
    scheduler.add_job(
        housekeeping_job, CronTrigger(minute=30, second=30, timezone=dt.timezone.utc), id="housekeeping", **common
    )


def make_scheduler(services: Services, *, blocking: bool):
    install(services)
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=dt.timezone.utc)
    add_jobs(scheduler)
    return scheduler
