"""Monotonic time for code that paces itself (the scheduler's sends, the Home tab refreshes): a `Clock`
says what time it is and how to wait, so tests can run the waiting on fake time instead of sleeping."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""

    def wait(self, cond: threading.Condition, seconds: float) -> None:
        """Wait on `cond` (held by the caller) for up to `seconds`, or until notified."""


class WallClock:
    """Real time."""

    def now(self) -> float:
        return time.monotonic()

    def wait(self, cond: threading.Condition, seconds: float) -> None:
        cond.wait(seconds)


WALL = WallClock()
