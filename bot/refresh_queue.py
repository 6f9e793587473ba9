"""Refreshes of a person's own page waiting to run, merged per person and paced to a platform's limits:
Slack's Home tabs (`views.publish`, handlers/slack/home_queue.py) and Teams' "My actions" cards (a PUT of
the card in the person's chat, handlers/teams/dashboards.py).

Every change republishes the pages of the people it concerns, and a busy workspace makes changes faster
than a platform takes page updates, so refreshes wait here instead of running at once:

- a person waits at most once: a later change merges into the refresh already waiting, which reads the
  state as of when it runs, so a burst of changes costs one update a person;
- one thread runs them, oldest first within each workspace, each once every `Limit` it is under allows
  it (a `TokenBucket` per workspace for Slack's tier; per person and per tenant for Teams, whose limits
  are per conversation: `SlidingWindows`); one busy workspace does not hold up another's pages, and one
  person waiting for their conversation's limit does not hold up the next person;
- a refresh asked with `first=True` (the person pressed a button on their own page and is looking at it)
  goes to the front of its workspace's line.

Time is a `Clock` (monotonic seconds, and how to wait) so tests can pace on fake time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol

from bot.clocks import WALL, Clock

log = logging.getLogger("actionbot.home")

Key = Callable[[str, str], Hashable]
PRUNE_AT = 10_000  # keys a limit remembers before it forgets those it no longer needs  # (workspace, person) → the key a limit counts under


def by_workspace(team_id: str, user_id: str) -> Hashable:
    return team_id


def by_person(team_id: str, user_id: str) -> Hashable:
    return (team_id, user_id)


class Limit(Protocol):
    def wait(self, key: Hashable, now: float) -> float:
        """Seconds until one more call under `key` is allowed (0: now)."""

    def spend(self, key: Hashable, now: float) -> None:
        """Count one call under `key`."""


class TokenBucket:
    """`rate` calls a second under each key, `burst` of them at once."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self._tokens: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, as of)
        self._prune_at = PRUNE_AT

    def _available(self, key: Hashable, now: float) -> float:
        tokens, since = self._tokens.get(key, (self.burst, now))
        return min(self.burst, tokens + max(0.0, now - since) * self.rate)

    def wait(self, key: Hashable, now: float) -> float:
        short = 1.0 - self._available(key, now)
        return short / self.rate + 1e-6 if short > 0 else 0.0  # a hair late, never early

    def spend(self, key: Hashable, now: float) -> None:
        self._tokens[key] = (self._available(key, now) - 1.0, now)
        if len(self._tokens) > self._prune_at:  # keys whose bucket is full again need no entry
            self._tokens = {k: v for k, v in self._tokens.items() if self._available(k, now) < self.burst}
            self._prune_at = max(PRUNE_AT, 2 * len(self._tokens))


class SlidingWindows:
    """At most `count` calls in any `seconds` under each key, for every (count, seconds) given: Teams'
    per-conversation limits (7 a second, 8 per 2 s, 60 per 30 s, 1,800 an hour)."""

    def __init__(self, windows: Sequence[tuple[int, float]]):
        self.windows = tuple(windows)
        self.longest = max(seconds for _, seconds in self.windows)
        self._calls: dict[Hashable, deque] = {}
        self._prune_at = PRUNE_AT

    def _recent(self, key: Hashable, now: float) -> deque:
        calls = self._calls.get(key)
        if calls is None:
            return deque()
        while calls and calls[0] <= now - self.longest:
            calls.popleft()
        if not calls:
            del self._calls[key]
        return calls

    def wait(self, key: Hashable, now: float) -> float:
        calls = self._recent(key, now)
        wait = 0.0
        for count, seconds in self.windows:
            if len(calls) >= count:
                wait = max(wait, calls[-count] + seconds - now + 1e-6)
        return max(0.0, wait)

    def spend(self, key: Hashable, now: float) -> None:
        self._recent(key, now)
        self._calls.setdefault(key, deque()).append(now)
        if len(self._calls) > self._prune_at:  # keys with no call inside the longest window need no entry
            self._calls = {k: c for k, c in self._calls.items() if c and c[-1] > now - self.longest}
            self._prune_at = max(PRUNE_AT, 2 * len(self._calls))


class RefreshQueue:
    """`limits`: each a Limit and the key it counts a refresh under (by workspace, by person)."""

    def __init__(self, limits: Sequence[tuple[Limit, Key]], clock: Clock = WALL, name: str = "home-refresh"):
        self.limits, self.clock = list(limits), clock
        self._waiting: dict[str, OrderedDict] = {}  # team -> person -> (fn, args), oldest first
        self._cond = threading.Condition()
        self._running = 0  # refreshes under way (0 or 1)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def request(self, team_id: str, user_id: str, fn: Callable, *args, first: bool = False) -> None:
        """Queue `fn(*args)` to refresh `user_id`'s page, unless one is already waiting."""
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
        """Stop taking refreshes; with `wait`, run what waits first (within `timeout`)."""
        if wait:
            self.settle(timeout)
        with self._cond:
            self._stopping = True
            self._waiting.clear()
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # -- the refreshing thread

    def _ready_at(self, team_id: str, user_id: str, now: float) -> float:
        return now + max((limit.wait(key(team_id, user_id), now) for limit, key in self.limits), default=0.0)

    def _next(self) -> tuple[Callable, tuple] | None:
        """The next refresh to run, once every limit lets it (waiting for that); None when stopping."""
        with self._cond:
            while True:
                if self._stopping:
                    return None
                now = self.clock.now()
                ready, soonest = None, None
                for team_id, line in self._waiting.items():
                    for user_id in line:
                        at = self._ready_at(team_id, user_id, now)
                        if soonest is None or at < soonest:
                            ready, soonest = (team_id, user_id), at
                        if at <= now:
                            break  # the first in this line that may run now
                if ready is None or soonest is None:
                    self._cond.wait()
                elif soonest > now:
                    self.clock.wait(self._cond, soonest - now)
                else:
                    team_id, user_id = ready
                    for limit, key in self.limits:
                        limit.spend(key(team_id, user_id), now)
                    line = self._waiting[team_id]
                    work = line.pop(user_id)
                    if not line:
                        del self._waiting[team_id]
                    self._running += 1
                    return work

    def _run(self) -> None:
        while (work := self._next()) is not None:
            fn, args = work
            try:
                fn(*args)
            except Exception:
                log.exception("page refresh failed: %s", getattr(fn, "__name__", fn))
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
