"""Home tabs waiting to be republished, paced to Slack's limit on `views.publish`.

Slack rates `views.publish` Tier 4: 100+ calls a minute per workspace, bursts tolerated. A busy
workspace makes changes faster than that (every change republishes the Homes of the people it concerns),
so Homes wait here instead of being published at once:

- a person waits at most once: a later change merges into the refresh already waiting, which reads the
  state as of when it runs, so a burst of changes costs one publish a person;
- one thread publishes them, oldest first, each spending a token of its workspace's bucket (`rate` a
  minute, `burst` at once), so no workspace is asked for more than the tier allows, and one busy
  workspace does not hold up another's Homes;
- a refresh asked with `first=True` (the person pressed a button on their own Home and is looking at it)
  goes to the front of its workspace's line.

Time is a `Clock` (monotonic seconds, and how to wait) so tests can pace on fake time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Callable

from bot.clocks import WALL, Clock

log = logging.getLogger("actionbot.home")

TIER_4_PER_MINUTE = 100.0  # the low end of Tier 4
BURST = 20.0  # Tier 4 tolerates "generous" bursts; Slack does not say how many


class HomeQueue:
    def __init__(self, rate_per_minute: float = TIER_4_PER_MINUTE, burst: float = BURST, clock: Clock = WALL):
        self.rate, self.burst, self.clock = rate_per_minute / 60.0, burst, clock
        self._waiting: dict[str, OrderedDict] = {}  # team -> person -> (fn, args), oldest first
        self._tokens: dict[str, tuple[float, float]] = {}  # team -> (tokens, as of)
        self._cond = threading.Condition()
        self._running = 0  # publishes under way (0 or 1)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="home-refresh", daemon=True)
        self._thread.start()

    def request(self, team_id: str, user_id: str, fn: Callable, *args, first: bool = False) -> None:
        """Queue `fn(*args)` to republish `user_id`'s Home, unless one is already waiting."""
        with self._cond:
            if self._stopping:
                return
            line = self._waiting.setdefault(team_id, OrderedDict())
            if user_id not in line:
                line[user_id] = (fn, args)
            if first:
                line.move_to_end(user_id, last=False)
            self._cond.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait until nothing waits and nothing runs (at most `timeout` seconds); True when so."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running and not any(self._waiting.values()), timeout)

    def shutdown(self, wait: bool = True, timeout: float = 30) -> None:
        """Stop taking refreshes; with `wait`, publish what waits first (within `timeout`)."""
        if wait:
            self.settle(timeout)
        with self._cond:
            self._stopping = True
            self._waiting.clear()
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # -- the publishing thread

    def _available(self, team_id: str, now: float) -> float:
        tokens, since = self._tokens.get(team_id, (self.burst, now))
        return min(self.burst, tokens + max(0.0, now - since) * self.rate)

    def _next(self) -> tuple[Callable, tuple] | None:
        """The next refresh to run, once its workspace has a token (waiting for it); None when stopping."""
        with self._cond:
            while True:
                if self._stopping:
                    return None
                now = self.clock.now()
                ready, soonest = None, None
                for team_id, line in self._waiting.items():
                    if not line:
                        continue
                    short = 1.0 - self._available(team_id, now)
                    at = now + (short / self.rate + 1e-6 if short > 0 else 0.0)  # a hair late, never early
                    if soonest is None or at < soonest:
                        ready, soonest = team_id, at
                if ready is None:
                    self._cond.wait()
                elif soonest > now:
                    self.clock.wait(self._cond, soonest - now)
                else:
                    self._tokens[ready] = (self._available(ready, now) - 1.0, now)
                    line = self._waiting[ready]
                    _, work = line.popitem(last=False)
                    if not line:
                        del self._waiting[ready]
                    self._running += 1
                    return work

    def _run(self) -> None:
        while (work := self._next()) is not None:
            fn, args = work
            try:
                fn(*args)
            except Exception:
                log.exception("Home tab refresh failed: %s", getattr(fn, "__name__", fn))
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
