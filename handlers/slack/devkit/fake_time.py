"""Fake monotonic time for tests and tiny benchmarks: waiting moves the clock instead of sleeping.

One object serves both sides of a delivery test: the stand-in's rate limits read it (`RateLimits(clock=t)`)
and the scheduler's send loop waits on it (`sweep(..., clock=t)`), so a minute of Slack throttling passes
in milliseconds. Several threads may wait at once; the clock only ever moves forward.
"""

from __future__ import annotations

import threading


class FakeTime:
    def __init__(self, start: float = 1000.0):
        self._now = start
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds the callers asked to wait

    def __call__(self) -> float:
        return self.now()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        self.advance_to(self.now() + seconds)

    def advance_to(self, instant: float) -> None:
        with self._lock:
            self._now = max(self._now, instant)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self.waited += seconds
                self._now += seconds

    def wait(self, cond: threading.Condition, seconds: float) -> None:
        """What a paced sender does while it waits: here the time it waited for has come at once."""
        if seconds > 0:
            with self._lock:
                self.waited += seconds
                target = self._now + seconds
            self.advance_to(target)
