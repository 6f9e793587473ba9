"""Pacing a sweep's sends to a chat platform's rate limits: one lane per destination, paced on its own.

Slack allows about one message a second per channel (short bursts tolerated, how short it does not say)
and some number a minute per workspace (not published), and says which one was hit only by a 429 with
`Retry-After`. So each destination (a channel, or the DM with one user) is a `Lane` with a token bucket of
its own, and a busy channel waits without holding up the others. By default a lane posts freely until
the platform first pushes back (`Pace.burst` None): a 429 blocks the lane for `Retry-After` and from then
on it is paced strictly, one message an `interval`. When the lane had not posted within the last interval
the 429 cannot have been its channel's limit, so the workspace's sends of that call wait: a `Gate` per
workspace and call, which also learns how fast that call may go.

Time here is a `bot.clocks.Clock` (monotonic seconds) so the send loop can run on fake time in tests.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.platform import Pace  # a platform's pacing of one destination (its notifier brings it)


@dataclass
class InFlight:
    """A claimed notice part-way through its messages (it resumes there when its lane comes round)."""

    notice: Any
    ticket: Any
    messages: list
    index: int
    ref: str | None
    claimed_at: float  # on the pacing clock


class Lane:
    """One destination of one workspace: its notices in order, a token bucket, and a block after a 429."""

    def __init__(self, team_id: str, recipient: str, pace: Pace, now: float):
        self.team_id, self.recipient, self.pace = team_id, recipient, pace
        self.notices: deque = deque()
        self.current: InFlight | None = None
        self.busy = False  # a sender thread has it
        self.gates: list = []  # the workspace gates its current message was let through
        self.burst = float(pace.burst) if pace.burst is not None else float("inf")
        self.tokens, self.as_of = self.burst, now
        self.blocked_until = float("-inf")
        self.last_post = float("-inf")

    def __len__(self) -> int:
        return len(self.notices) + (self.current is not None)

    def _tokens(self, now: float) -> float:
        return min(self.burst, self.tokens + max(0.0, now - self.as_of) / self.pace.interval)

    def ready_at(self) -> float:
        """The instant from which this lane may post (in the past when it may post now); the same answer
        whenever asked, until it posts or is throttled."""
        at = self.as_of + max(0.0, 1.0 - self.tokens) * self.pace.interval
        return max(at, self.blocked_until)

    def posted(self, now: float) -> None:
        self.tokens, self.as_of = max(0.0, self._tokens(now) - 1.0), max(now, self.as_of)
        self.last_post = now

    def throttled(self, now: float, wait: float) -> bool:
        """A 429 asking to wait `wait` seconds: block this lane, stop bursting, and say whether the whole
        workspace should wait too (the lane had not posted within an interval, so it was not its own
        channel's limit)."""
        self.blocked_until = max(self.blocked_until, now + wait)
        self.burst, self.tokens, self.as_of = 1.0, 0.0, now
        return now - self.last_post >= self.pace.interval


class Gate:
    """A workspace-wide limit on one call, learned from the 429s it sends back (the platform does not
    publish it). Until the first 429 it lets everything through. A 429 closes it for Retry-After and sets
    the spacing between sends to the rate that got through since the previous 429 (or since the sweep's
    first send), a little slower than before when that was already too fast, so it settles just under the
    limit; each send that goes through shortens the spacing a little, so a higher limit is found again.
    The other 429s of requests already in flight when it closed say nothing new and only keep it closed.
    Several lanes share a gate: each send reserves its slot, so a reopened gate lets no herd through."""

    SLOWER, FASTER = 1.1, 0.995

    def __init__(self, accepted: int = 0, since: float | None = None):
        self.interval = 0.0
        self.next_at = float("-inf")
        self.closed_until = float("-inf")
        self.accepted, self.since = accepted, since

    def reserve(self, now: float) -> None:
        self.next_at = max(self.next_at, now) + self.interval

    def passed(self, now: float) -> None:
        self.accepted += 1
        if self.since is None:
            self.since = now
        self.interval *= self.FASTER

    def throttled(self, now: float, wait: float) -> None:
        if now >= self.closed_until:  # news: the rate since the last 429 was too fast
            elapsed = max(wait, now - (self.since if self.since is not None else now))
            if self.accepted:
                self.interval = max(elapsed / self.accepted, self.interval * self.SLOWER)
            else:  # nothing went through since it reopened: slow down, without a guess of the rate
                self.interval = max(2 * self.interval, 1e-3)
            self.accepted, self.since = 0, now + wait
        self.closed_until = max(self.closed_until, now + wait)
        self.next_at = max(self.next_at, self.closed_until)
