"""The delivery ledger: claim before sending, record after. Its unique key (workspace, kind, subject,
occurrence) is what makes every nudge and summary go out once, even with two schedulers on one database.

A claim is an INSERT in its own transaction: of two senders racing for one occurrence the database lets
exactly one in. A notice its change already wrote as pending (`TOLD_ON_CHANGE`) is claimed like a failed
one, by a conditional UPDATE (by the row's ID when the planner read it). A failed send, or a claim whose sender died (older than the lease), is taken over by a
conditional UPDATE that again only one sender can win. The sender claims each notice just before it sends
it, stamped with the time of the claim, so a long sweep's later claims are not mistaken for stale ones.

One ledger may be used from several sending threads at once; it remembers each workspace's row ID, so a
claim is one statement, not a lookup and an insert.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from bot.core import schedule
from bot.core.assignments import PENDING
from bot.core.notices import TOLD_ON_CHANGE, DeliveryProblem, Notice
from bot.core.planner import CLAIM_LEASE, still_to_send
from bot.core.records import USER
from bot.messages import msg
from store import queries as q
from store.database import Database
from store.models import Action, Delivery, Region

MAX_ERROR = 500


@dataclass(frozen=True)
class Ticket:
    """A claimed delivery: the messages already sent of it (a retry resumes there) and the first's ref."""

    id: int
    parts_sent: int = 0
    ref: str | None = None


class Ledger:
    """The ledger of one platform's workspaces (`platform`: its name, `workspaces.platform`)."""

    def __init__(self, db: Database, platform: str):
        self.db = db
        self.platform = platform
        self._workspaces: dict[str, int] = {}  # team ID -> workspaces.id (a row's ID never changes)

    def _workspace_id(self, s, team_id: str) -> int | None:
        ws_id = self._workspaces.get(team_id)
        if ws_id is None:
            ws = q.workspace_by_team(s, team_id, self.platform)
            if ws is None:
                return None
            ws_id = self._workspaces[team_id] = ws.id
        return ws_id

    def claim(self, notice: Notice, now: dt.datetime, claimer: str) -> Ticket | None:
        """The ticket to send `notice`, or None when it is sent, dead or being sent by someone else."""
        if notice.kind not in TOLD_ON_CHANGE:
            ticket = self._insert(notice, now, claimer)
            if ticket is not None:
                return ticket
        elif notice.delivery_id is not None:
            return self._take(notice.delivery_id, now, claimer)
        with self.db.session() as s:
            ws_id = self._workspace_id(s, notice.team_id)
            if ws_id is None:
                return None
            row = q.delivery(s, ws_id, *notice.key)
            if row is None or not still_to_send(row, now):
                return None
            if not q.reclaim_delivery(s, ws_id, row.id, row.status, row.claimed_at, claimer, now):
                return None
            return Ticket(row.id, row.parts_sent, row.ref)

    def _insert(self, notice: Notice, now: dt.datetime, claimer: str) -> Ticket | None:
        """A claim of a notice nobody has claimed before; None when someone has (or no workspace)."""
        try:
            with self.db.session() as s:
                ws_id = self._workspace_id(s, notice.team_id)
                if ws_id is None:
                    return None
                row = Delivery(
                    workspace_id=ws_id,
                    kind=notice.kind,
                    subject=notice.subject,
                    occurrence=notice.occurrence,
                    action_id=notice.action_id,
                    region_id=notice.region_id,
                    recipient=notice.recipient,
                    scheduled_for=notice.scheduled_for,
                    status="claimed",
                    attempts=1,
                    claimed_by=claimer,
                    claimed_at=now,
                    parts_sent=0,
                )
                s.add(row)
                s.flush()
                return Ticket(row.id)
        except IntegrityError:
            return None

    def _take(self, delivery_id: int, now: dt.datetime, claimer: str) -> Ticket | None:
        """Claim a row a change wrote, by its ID, in one UPDATE: only while `still_to_send` would say so."""
        return self._take_all([delivery_id], now, claimer).get(delivery_id)

    def _take_all(self, ids: list[int], now: dt.datetime, claimer: str) -> dict[int, Ticket]:
        """Claim the rows `ids` that are still to send, in one UPDATE; their tickets by row ID."""
        if not ids:
            return {}
        with self.db.session() as s:
            taken = q.take_deliveries(s, ids, claimer, now, now - CLAIM_LEASE, PENDING)
        return {row.id: Ticket(row.id, row.parts_sent, row.ref) for row in taken}

    def _set(self, ticket: Ticket, **values) -> None:
        with self.db.session() as s:
            q.set_delivery(s, ticket.id, values)

    def progress(self, ticket: Ticket, parts_sent: int, ref: str | None) -> None:
        self._set(ticket, parts_sent=parts_sent, ref=ref)

    def sent(self, ticket: Ticket, now: dt.datetime, ref: str | None) -> None:
        self._set(ticket, status="sent", sent_at=now, ref=ref, error=None)

    def failed(self, ticket: Ticket, error: str, permanent: bool = False) -> None:
        """A failure is retried by a later sweep; a permanent one (`dead`) never is."""
        self._set(ticket, status="dead" if permanent else "failed", error=error[:MAX_ERROR])

    def record_problem(self, notice: Notice, error: str, now: dt.datetime) -> Notice | None:
        """Record a permanent delivery failure (`error`: the platform's reason code) on its action or
        region (the planner then skips that recipient there) and return the notice that tells its creator
        (when a platform user, not the command line) or region lead, if there is one; the caller sends
        that through the ledger like any other, so it is told once."""
        with self.db.session() as s:
            ws = q.workspace_by_team(s, notice.team_id, self.platform)
            if ws is None or (notice.action_id is None and notice.region_id is None):
                return None  # about no one action (an import's digest): the nudges will meet it
            found: Action | Region
            if notice.action_id is not None:
                action = s.get(Action, notice.action_id)
                if action is None or action.workspace_id != ws.id:
                    return None
                found = action
                tell = action.created_by if action.creator_kind == USER else None
                about = msg("problem.about_action", number=action.number, title=action.title)
                region_name = action.region.name if action.region else None
            else:
                region = s.get(Region, notice.region_id)
                if region is None or region.workspace_id != ws.id:
                    return None
                found = region
                tell, region_name = region.lead_user_id, region.name
                about = msg("problem.about_summary", region=region.name)
            found.set_problem(notice.recipient, error)
            if not tell:
                return None
            tz = schedule.zone(q.people_zones(s, ws.id, [tell]).get(tell), ws.timezone)
            return Notice(
                kind="problem",
                team_id=ws.team_id,
                subject=notice.subject,
                occurrence=f"{found.delivery_problem_recipient} {found.delivery_problem_code}",
                recipient=f"user:{tell}",
                scheduled_for=now,
                local_day=now.astimezone(tz).date(),
                timezone=str(tz.key),
                problem=DeliveryProblem(about, error),
                mention=notice.recipient,
                region_name=region_name,
                action_id=notice.action_id,
                region_id=notice.region_id,
            )

    def release_stale(self, team_id: str, now: dt.datetime, lease: dt.timedelta) -> int:
        with self.db.session() as s:
            ws = q.workspace_by_team(s, team_id, self.platform)
            return q.release_stale_claims(s, ws.id, now - lease) if ws else 0


class BatchLedger(Ledger):
    """The ledger of one delivery of a change's own notices (the web process's, right after the change):
    the change wrote them already claimed by this sender (`claimed`), or every one is claimed in one UPDATE
    before the first is sent; every outcome is recorded in one transaction when the last is done
    (`record`), so a change's DMs cost one write however many there are (two when the change did not
    claim them). A process that dies in between leaves its claims to expire: the sweep then sends them,
    as it does for any sender that died mid-send."""

    def __init__(
        self,
        db: Database,
        notices: list[Notice],
        now: dt.datetime,
        claimer: str,
        platform: str,
        *,
        claimed: bool = False,
    ):
        super().__init__(db, platform)
        ids = [n.delivery_id for n in notices if n.delivery_id is not None]
        self._tickets = {i: Ticket(i) for i in ids} if claimed else self._take_all(ids, now, claimer)
        self._outcomes: list[tuple[int, dict]] = []

    def claim(self, notice: Notice, now: dt.datetime, claimer: str) -> Ticket | None:
        """The ticket taken up front (None: someone else had taken it); a notice the run adds itself (a
        problem's, to the creator) is claimed as usual."""
        if notice.delivery_id is None:
            return super().claim(notice, now, claimer)
        return self._tickets.pop(notice.delivery_id, None)

    def _set(self, ticket: Ticket, **values) -> None:
        self._outcomes.append((ticket.id, values))

    def record(self) -> None:
        """Write every outcome since the last call, in one transaction."""
        outcomes, self._outcomes = self._outcomes, []
        if outcomes:
            with self.db.session() as s:
                q.set_deliveries(s, outcomes)
