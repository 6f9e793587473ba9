"""The send loop of a sweep: deliver planned notices concurrently, each destination paced on its own.

Notices are queued in lanes, one per workspace and recipient (see pacing.py), in the order planned. A
bounded pool of threads takes whichever lane may post soonest (the longest first among those ready), so
a busy channel waits its turn without stalling the others and a 429 blocks only what it concerns. For
each notice a worker claims it in the ledger just before sending, sends its messages (thread replies
after the first), and records the outcome; the ledger's claims keep every notice to one sender even with
two schedulers racing. A claimed notice that must wait (rate limit, or pacing between its parts) stays
with its lane and resumes where it was; one that would wait longer than `max_wait` for a single
Retry-After, or be held past `max_hold`, is recorded as failed so a later sweep retries it.

With a `budget` (seconds) no new notice is started after it runs out; those left are planned again by the
next sweep. Problem notices (a send that can never work) are queued like any other, and told once.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import threading

from bot.clocks import WALL, Clock
from bot.core.ledger import Ledger
from bot.core.notices import DeliveryError, Notice, SweepReport
from bot.platform import PlatformNotifier
from scheduler.pacing import Gate, InFlight, Lane, send_log

log = logging.getLogger("actionbot.sweep")
WORKERS = 8  # concurrent sends; each waits on Slack most of the time
MAX_WAIT = 10.0  # a single Retry-After longer than this leaves the notice to a later sweep
MAX_HOLD = 120.0  # seconds a claimed notice may wait in its lane, far inside the ledger's lease
ANY = "*"  # a pause on a rate limit the notifier did not name: it holds back every send of the workspace


class Sender:
    """Start it, `add` notices (from any thread, while it runs), then `finish()` for the report."""

    def __init__(
        self,
        ledger: Ledger,
        notifier: PlatformNotifier,
        now: dt.datetime,
        claimer: str,
        *,
        workers: int = WORKERS,
        clock: Clock = WALL,
        max_wait: float = MAX_WAIT,
        max_hold: float = MAX_HOLD,
        budget: float | None = None,
        report: SweepReport | None = None,
        caller_works: bool = False,
    ):
        self.ledger, self.notifier, self.now, self.claimer = ledger, notifier, now, claimer
        # each destination is paced as the notifier's platform says (bot.platform.Pace)
        self.clock, self.pace, self.max_wait, self.max_hold = clock, notifier.pace, max_wait, max_hold
        self.log = send_log(notifier, clock)  # the platform's published windows, across this notifier's runs
        self.report = report or SweepReport()
        self.workers = max(1, workers)
        # the thread that calls `finish` sends too (one thread fewer to start): for a run whose notices
        # are all added before it finishes (a change's DMs), not for a sweep's, which should go as planned
        self._caller_works = caller_works
        self._cond = threading.Condition()
        self._lanes: dict[tuple[str, str], Lane] = {}
        self._heap: list[tuple[float, int, int, Lane]] = []
        self._order = itertools.count()
        self._queued: set[int] = set()  # ids of lanes in the heap
        self._busy = 0
        self._closed = self._expired = False
        self._gates: dict[str, dict[str, Gate]] = {}  # team -> rate-limited call -> its workspace gate
        self._passed: dict[str, tuple[int, float]] = {}  # team -> (messages sent, when the first went)
        self._threads: list[threading.Thread] = []
        self.started = clock.now()
        self._deadline = self.started + budget if budget is not None else None

    # -- the pool ------------------------------------------------------------------------

    def start(self) -> "Sender":
        """Ready to take notices; threads start as lanes come (none for a sweep with nothing to send)."""
        return self

    def _more_workers(self) -> None:
        while len(self._threads) + self._caller_works < min(self.workers, len(self._lanes)):
            thread = threading.Thread(target=self._work, name=f"sweep-send-{len(self._threads)}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def add(self, notices: list[Notice]) -> None:
        with self._cond:
            touched = {}
            for notice in notices:
                key = (notice.team_id, notice.recipient)
                lane = self._lanes.get(key)
                if lane is None:  # fresh lanes all start ready at the start: the longest goes first
                    window = self.log.destination(notice.team_id, notice.recipient, self.started)
                    lane = Lane(notice.team_id, notice.recipient, self.pace, self.started, window)
                    self._lanes[key] = lane
                lane.notices.append(notice)
                touched[id(lane)] = lane
            for lane in touched.values():
                if id(lane) not in self._queued and not lane.busy and not self._expired:
                    self._push(lane)
            self._more_workers()
            self._cond.notify_all()

    def finish(self) -> SweepReport:
        """Wait until every notice is sent, failed or (past the budget) left for the next sweep."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._caller_works:
            self._work()
        with self._cond:
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        self.report.left = sum(len(lane) for lane in self._lanes.values())
        return self.report

    def _lane_gates(self, lane: Lane) -> list[Gate]:
        """The workspace gates the lane's next message passes (all of its workspace's when the notifier
        cannot say which calls it makes)."""
        gates = self._gates.get(lane.team_id)
        if not gates:
            return []
        job = lane.current
        notice = job.notice if job else lane.notices[0] if lane.notices else None
        limits = getattr(self.notifier, "limits", None)
        needs = limits(notice) if limits and notice is not None else None
        return [g for limit, g in gates.items() if needs is None or limit in needs or limit == ANY]

    def _ready(self, lane: Lane) -> float:
        """When the lane may post: its own pace, its workspace's published rate, and its workspace's
        gates on the calls it makes."""
        workspace = self.log.workspace(lane.team_id)
        at = max([lane.ready_at()] + [g.next_at for g in self._lane_gates(lane)])
        return max(at, workspace.ready_at()) if workspace is not None else at

    def _reserve(self, lane: Lane) -> bool:
        """Under the lock: whether the lane may post now; if so its gates' next slots are taken."""
        now = self.clock.now()
        if self._ready(lane) > now:
            return False
        lane.gates = self._lane_gates(lane)
        for gate in lane.gates:
            gate.reserve(now)
        workspace = self.log.workspace(lane.team_id)
        if workspace is not None and lane.started is None:
            workspace.start()  # in flight until its post is over (or the lane gives its turn back unused)
            lane.started = workspace
        return True

    def _started_over(self, lane: Lane, sent: bool) -> None:
        """Under the lock: the lane's send let through the workspace window is over (or never made)."""
        if lane.started is not None:
            lane.started.done(self.clock.now(), sent)
            lane.started = None
            self._cond.notify_all()

    def _push(self, lane: Lane) -> None:
        at = self._ready(lane)
        heapq.heappush(self._heap, (at, -len(lane), next(self._order), lane))
        self._queued.add(id(lane))

    def _take(self) -> Lane | None:
        """The next lane that may post, waiting for it; None when there is nothing more to do."""
        with self._cond:
            while True:
                if self._past_deadline() and not self._expired:
                    self._expire()
                if not self._heap:
                    if self._closed and self._busy == 0:
                        self._cond.notify_all()
                        return None
                    self._cond.wait()
                    continue
                at, _, _, lane = self._heap[0]
                now = self.clock.now()
                ready = self._ready(lane)
                if ready > at:  # blocked meanwhile (its workspace was told to wait): requeue
                    heapq.heapreplace(self._heap, (ready, -len(lane), next(self._order), lane))
                    continue
                if ready <= now and self._reserve(lane):
                    heapq.heappop(self._heap)
                    self._queued.discard(id(lane))
                    lane.busy = True
                    self._busy += 1
                    return lane
                if ready == float("inf"):  # the workspace's window is full of sends in flight: until one is over
                    self._cond.wait(1.0)
                    continue
                self.clock.wait(self._cond, ready - now)

    def _expire(self) -> None:
        """The budget is spent: start nothing new (those notices go to the next sweep), but finish the
        claimed ones in flight."""
        self._expired = True
        self._heap = [entry for entry in self._heap if entry[3].current is not None]
        heapq.heapify(self._heap)
        self._queued = {id(entry[3]) for entry in self._heap}
        self._cond.notify_all()

    def _give_back(self, lane: Lane) -> None:
        with self._cond:
            self._started_over(lane, sent=False)
            lane.busy = False
            self._busy -= 1
            if lane.current is not None or (lane.notices and not self._expired):
                self._push(lane)
            self._cond.notify_all()

    def _work(self) -> None:
        while (lane := self._take()) is not None:
            try:
                self._turn(lane)
            except Exception:  # never lose a worker: the notice was recorded as failed where it could be
                log.exception("send loop error on %s", lane.recipient)
            finally:
                self._give_back(lane)

    # -- one lane's turn -----------------------------------------------------------------

    def _at(self) -> dt.datetime:
        """The sweep's `now` moved on by the time the sweep has taken (claims and sends are stamped so)."""
        return self.now + dt.timedelta(seconds=max(0.0, self.clock.now() - self.started))

    def _turn(self, lane: Lane) -> None:
        """Post on this lane while it may: finish its notice in flight, then start the next ones."""
        while True:
            if lane.current is None:
                if not lane.notices or self._past_deadline():
                    return
                notice = lane.notices.popleft()
                ticket = self.ledger.claim(notice, self._at(), self.claimer)
                if ticket is None:
                    with self._cond:
                        self.report.skipped += 1
                    continue
                try:
                    messages = self.notifier.render(notice)
                except Exception as err:
                    self._fail(notice, ticket, f"{type(err).__name__}: {err}")
                    log.exception("could not render, will retry: %s", notice.describe())
                    continue
                lane.current = InFlight(notice, ticket, messages, ticket.parts_sent, ticket.ref, self.clock.now())
            if not self._post_next(lane):
                return
            if lane.current is None and (not lane.notices or self._past_deadline()):
                return
            with self._cond:
                if not self._reserve(lane):
                    return  # wait in the heap, not in this thread

    def _past_deadline(self) -> bool:
        return self._deadline is not None and self.clock.now() >= self._deadline

    def _post_next(self, lane: Lane) -> bool:
        """Post the in-flight notice's next message; False when the lane must wait (rate limited)."""
        job = lane.current
        assert job is not None  # called with a notice in flight
        notice = job.notice
        try:
            posted = self.notifier.post(notice, job.messages[job.index], thread=job.ref if job.index else None)
        except DeliveryError as err:
            with self._cond:
                self._started_over(lane, sent=True)  # it reached the platform (or may have): it counts
            if err.retry_after is not None and not err.permanent:
                return self._rate_limited(lane, job, err, err.retry_after)
            lane.current = None
            self._fail(notice, job.ticket, str(err), err.permanent)
            return True
        except Exception as err:  # a bug or an outage must not stop the other sends
            with self._cond:
                self._started_over(lane, sent=True)
            lane.current = None
            self._fail(notice, job.ticket, f"{type(err).__name__}: {err}")
            log.exception("not sent, will retry: %s", notice.describe())
            return True
        now = self.clock.now()
        lane.posted(now)
        with self._cond:
            self._started_over(lane, sent=True)
            count, first = self._passed.get(lane.team_id, (0, now))
            self._passed[lane.team_id] = (count + 1, first)
            for gate in self._gates.get(lane.team_id, {}).values():
                gate.passed(now)  # the workspace's throughput since the last 429: each gate's estimate
        job.ref = job.ref or posted
        job.index += 1
        if job.index < len(job.messages):
            self.ledger.progress(job.ticket, job.index, job.ref)
            return True
        lane.current = None
        self.ledger.sent(job.ticket, self._at(), job.ref)
        with self._cond:
            self.report.sent.append(notice)
        log.info("sent %s", notice.describe())
        return True

    def _rate_limited(self, lane: Lane, job: InFlight, err: DeliveryError, wait: float) -> bool:
        """Honour a 429 (asking to `wait` seconds) to `job`: the lane waits when it may have been its
        destination's limit; the workspace's sends of that call wait when it was not (or cannot have been)."""
        now = self.clock.now()
        with self._cond:
            workspace_wide = lane.throttled(now, wait) if err.per_destination else True
            if workspace_wide:
                gates = self._gates.setdefault(lane.team_id, {})
                limit = err.limit or ANY
                if limit not in gates:  # what got through so far is the first estimate of the limit
                    gates[limit] = Gate(*self._passed.get(lane.team_id, (0, None)))
                gates[limit].throttled(now, wait)
            self.report.throttled += 1
        if wait > self.max_wait or now + wait - job.claimed_at > self.max_hold:
            lane.current = None  # release the claim: a later sweep sends it
            self._fail(job.notice, job.ticket, str(err))
        return False

    def _fail(self, notice: Notice, ticket, error: str, permanent: bool = False) -> None:
        once = notice.kind == "problem"  # a problem notice is told once or not at all
        self.ledger.failed(ticket, error, permanent or once)
        if once:
            log.warning("could not tell about a delivery problem: %s", notice.describe())
            return
        with self._cond:
            self.report.failed.append((notice, error))
        log.warning("not sent (%s): %s", "permanent" if permanent else "will retry", notice.describe())
        if permanent:
            problem = self.ledger.record_problem(notice, error, self._at())
            if problem is not None:
                self.add([problem])
