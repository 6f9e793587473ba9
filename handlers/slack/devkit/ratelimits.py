"""Slack's Web API rate limits, modelled for the stand-in: token buckets on an injectable clock.

What Slack documents (docs.slack.dev/apis/web-api/rate-limits): limits apply per method, per app, per
workspace, in per-minute tiers (Tier 1: 1+, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+ a minute, bursts
tolerated); `chat.postMessage` is a special tier: about one message per second per channel, short bursts
allowed, plus a workspace-wide limit it does not publish. Over a limit Slack answers HTTP 429 with
`{"ok": false, "error": "ratelimited"}` and a `Retry-After` header in whole seconds.

Each limit here is a token bucket: `rate` tokens a second, at most `burst` saved up. A call takes one token
from every bucket it is counted in (its channel's and its method's workspace bucket) or, when any of them is
empty, takes none and is told how long to wait. The clock is a parameter so a test can run the limits on
fake time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

RATE_LIMITED = "ratelimited"


@dataclass(frozen=True)
class Rate:
    """`rate` calls a second on average, `burst` of them at once."""

    rate: float
    burst: float = 1.0

    @classmethod
    def per_minute(cls, calls: float, burst: float | None = None) -> "Rate":
        """A Slack tier: `calls` a minute; the burst defaults to one second's worth (at least one)."""
        return cls(calls / 60.0, burst if burst is not None else max(1.0, calls / 60.0))

    def seconds_for(self, calls: float) -> float:
        """The least time `calls` calls take through a full bucket of this rate."""
        return max(0.0, calls - self.burst) / self.rate


@dataclass
class RateLimits:
    """Which limits the stand-in enforces. `per_channel` counts `chat.postMessage` per workspace and
    channel (a DM counts as the channel with that user); `per_method` counts each named method across the
    workspace. Methods not named are not limited."""

    per_channel: Rate | None = field(default_factory=lambda: Rate(1.0, 3.0))
    per_method: dict[str, Rate] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self):
        self._buckets: dict[tuple, list[float]] = {}  # key -> [tokens, as of]
        self._lock = threading.Lock()

    def take(self, team_id: str, method: str, channel: str | None) -> float | None:
        """Count one call; None when it may go ahead, else the seconds until it could (nothing taken)."""
        wanted = []
        if channel and method == "chat.postMessage" and self.per_channel:
            wanted.append(((team_id, "channel", channel), self.per_channel))
        if method in self.per_method:
            wanted.append(((team_id, "method", method), self.per_method[method]))
        if not wanted:
            return None
        with self._lock:
            now = self.clock()
            waits = []
            for key, rate in wanted:
                tokens, since = self._buckets.get(key, (rate.burst, now))
                tokens = min(rate.burst, tokens + (now - since) * rate.rate)
                self._buckets[key] = [tokens, now]
                if tokens < 1.0:
                    waits.append((1.0 - tokens) / rate.rate)
            if waits:
                return max(waits)
            for key, _ in wanted:
                self._buckets[key][0] -= 1.0
            return None


def retry_after_header(wait: float) -> str:
    """Slack's `Retry-After`: whole seconds, at least one."""
    return str(max(1, math.ceil(wait - 1e-9)))
