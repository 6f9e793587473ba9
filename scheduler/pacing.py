"""Pacing a sweep's sends to a chat platform's rate limits: one lane per destination, paced on its own.

Slack allows about one message a second per channel (short bursts tolerated, how short it does not say)
and some number a minute per workspace (not published), and says which one was hit only by a 429 with
`Retry-After`. So each destination (a channel, or the DM with one user) is a `Lane` with a token bucket of
its own, and a busy channel waits without holding up the others. By default a lane posts freely until
the platform first pushes back (`Pace.burst` None): a 429 blocks the lane for `Retry-After` and from then
on it is paced strictly, one message an `interval`. When the lane had not posted within the last interval
the 429 cannot have been its channel's limit, so the workspace's sends of that call wait: a `Gate` per
workspace and call, which also learns how fast that call may go.

A platform that publishes its limits (Teams: per conversation 7 a second, 8 per 2 s, 60 per 30 s,
1,800 an hour; per tenant 50 requests a second) says them in its `Pace` up front: `windows` per
destination and `workspace` for all of a workspace's sends. Each is a `Window`, a sliding window over
the instants of the last sends, kept in a `SendLog` that outlives one run (the clock's successive
sweeps, the courier's deliveries through one notifier), so a new run does not start with a fresh burst
the platform has not forgotten.

Time here is a `bot.clocks.Clock` (monotonic seconds) so the send loop can run on fake time in tests.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.platform import Pace, Windows  # a platform's pacing of one destination (its notifier brings it)

MARGIN = 1e-3  # seconds past a window's edge before the next send: the platform's clock rounds too


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

    def __init__(self, team_id: str, recipient: str, pace: Pace, now: float, window: "Window | None" = None):
        self.team_id, self.recipient, self.pace = team_id, recipient, pace
        self.window = window  # the destination's published limits, when the platform has some
        self.notices: deque = deque()
        self.current: InFlight | None = None
        self.busy = False  # a sender thread has it
        self.gates: list = []  # the workspace gates its current message was let through
        self.started: Window | None = None  # the workspace window its current message was let through
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
        if self.window is not None:
            at = max(at, self.window.ready_at())
        return max(at, self.blocked_until)

    def posted(self, now: float) -> None:
        self.tokens, self.as_of = max(0.0, self._tokens(now) - 1.0), max(now, self.as_of)
        self.last_post = now
        if self.window is not None:
            self.window.add(now)

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


class Window:
    """Sliding windows over one stream of sends: at most `count` in any `seconds`, for each pair. A send
    is stamped when it is done (it reached the platform at or before then, so the window errs on the
    safe side); sends still in flight (`start`ed, not `done`) count as inside every window. Only the
    last sends the largest count needs are kept; callers hold the send loop's lock."""

    def __init__(self, limits: Windows):
        self.limits = tuple((int(count), float(seconds)) for count, seconds in limits if count > 0)
        self.stamps: deque[float] = deque(maxlen=max(count for count, _ in self.limits))
        self.longest = max(seconds for _, seconds in self.limits)
        self.inflight = 0

    def ready_at(self) -> float:
        """The instant from which one more send keeps within every window (infinity: not before a send
        in flight is done)."""
        at = float("-inf")
        stamps = self.stamps
        for count, seconds in self.limits:
            room = count - self.inflight
            if room <= 0:
                return float("inf")
            if len(stamps) >= room:
                at = max(at, stamps[-room] + seconds + MARGIN)
        return at

    def start(self) -> None:
        self.inflight += 1

    def done(self, now: float, sent: bool = True) -> None:
        """A send started is over: `sent` (it reached the platform, or may have), or never made."""
        self.inflight = max(0, self.inflight - 1)
        if sent:
            self.add(now)

    def add(self, now: float) -> None:
        self.stamps.append(max(now, self.stamps[-1]) if self.stamps else now)

    def idle(self, now: float) -> bool:
        return self.inflight == 0 and (not self.stamps or self.stamps[-1] <= now - self.longest)


class SendLog:
    """The windows of one notifier's destinations and workspaces on one clock (see `for_notifier`)."""

    PRUNE_EVERY = 4096  # new destinations between sweeps of the idle ones out of memory

    def __init__(self, pace: Pace):
        self.pace = pace
        self._destinations: dict[tuple[str, str], Window] = {}
        self._workspaces: dict[str, Window] = {}
        self._added = 0

    def destination(self, team_id: str, recipient: str, now: float) -> Window | None:
        if not self.pace.windows:
            return None
        key = (team_id, recipient)
        window = self._destinations.get(key)
        if window is None:
            self._added += 1
            if self._added % self.PRUNE_EVERY == 0:
                self._destinations = {k: w for k, w in self._destinations.items() if not w.idle(now)}
            window = self._destinations[key] = Window(self.pace.windows)
        return window

    def workspace(self, team_id: str) -> Window | None:
        if not self.pace.workspace:
            return None
        window = self._workspaces.get(team_id)
        if window is None:
            window = self._workspaces[team_id] = Window(self.pace.workspace)
        return window


_LOGS: "weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, SendLog]]]" = weakref.WeakKeyDictionary()
_LOGS_LOCK = threading.Lock()


def send_log(notifier: Any, clock: Any) -> SendLog:
    """The send log of `notifier` on `clock`: the same one for every run through that notifier (a clock's
    sweeps, a courier's deliveries), a fresh one for a notifier that cannot be weakly referenced."""
    with _LOGS_LOCK:
        try:
            by_clock = _LOGS.setdefault(notifier, {})
        except TypeError:
            return SendLog(notifier.pace)
        found = by_clock.get(id(clock))
        if found is None or found[0] is not clock or found[1].pace != notifier.pace:
            found = by_clock[id(clock)] = (clock, SendLog(notifier.pace))
        return found[1]
