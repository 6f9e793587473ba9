"""Home tabs waiting to be republished, paced to Slack's limit on `views.publish`: the shared refresh
queue (bot/refresh_queue.py: merged per person, one thread, the changer first) with one token bucket per
workspace.

Slack rates `views.publish` Tier 4: 100+ calls a minute per workspace, bursts tolerated. A busy workspace
makes changes faster than that (every change republishes the Homes of the people it concerns), so each
workspace's Homes are published at `rate_per_minute`, `burst` at once; one busy workspace does not hold up
another's Homes.
"""

from __future__ import annotations

from bot.clocks import WALL, Clock
from bot.refresh_queue import RefreshQueue, TokenBucket, by_workspace

TIER_4_PER_MINUTE = 100.0  # the low end of Tier 4
BURST = 20.0  # Tier 4 tolerates "generous" bursts; Slack does not say how many


class HomeQueue(RefreshQueue):
    def __init__(self, rate_per_minute: float = TIER_4_PER_MINUTE, burst: float = BURST, clock: Clock = WALL):
        self.rate, self.burst = rate_per_minute / 60.0, burst
        super().__init__([(TokenBucket(self.rate, burst), by_workspace)], clock, name="home-refresh")
