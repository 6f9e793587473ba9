"""Deciding what a sweep sends as of `now`: nudges, escalations and weekly summaries, minus what the
delivery ledger says is already sent or being sent. Reads only; the ledger is written by the sender.

Each recipient's zone: the Slack profile's `tz` (remembered in the people table), else the region's, else
the workspace's. Working days are the region's (Monday to Friday without one).

Planning reads only the actions whose nudge or escalation could be due (store.planning), in a fixed number
of statements, and works each occurrence out once per due date, zone and working week (`Occurrences`),
so a sweep costs about the same with ten thousand actions as with a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Callable, Iterable

from bot.core import assignments, schedule
from bot.core.dates import Due
from bot.core.errors import BadInput
from bot.core.notices import TOLD_ON_CHANGE, Notice, OwnerCount, RegionSummary
from bot.core.records import USER, ActionInfo, OwnerInfo
from bot.core.service import ActionService, row_info
from store import planning
from store import queries as q
from store.models import Region, Workspace

CLAIM_LEASE = dt.timedelta(minutes=10)  # a claim older than this belongs to a sender that died
LEDGER_SLACK = dt.timedelta(days=2)  # ledger rows older than the catch-up window by this much still count
FURTHEST_AHEAD = dt.timedelta(hours=14)  # the zone furthest ahead of UTC (Pacific/Kiritimati)
LONGEST_MOVE = 6  # days a rest-day occurrence can move to reach a working day
TELL_WITHIN = dt.timedelta(days=7)  # a new owner not told within a week is not told (the nudges go on)


def settings_of(ws: Workspace) -> schedule.NudgeSettings:
    try:
        offsets = schedule.NudgeSettings.parse_offsets(ws.nudge_offsets)
    except BadInput:  # written by hand in the database: fall back to the defaults
        offsets = schedule.NudgeSettings.offsets
    return schedule.NudgeSettings(offsets, ws.nudge_repeat_days, ws.escalate_after_days)


def still_to_send(row: Any, now: dt.datetime) -> bool:
    """Whether the ledger lets this occurrence be (re)tried now (`row`: a ledger row, or anything with its
    `status` and `claimed_at`; None when there is none)."""
    if row is None or row.status in ("failed", assignments.PENDING):
        return True
    return row.status == "claimed" and now - row.claimed_at > CLAIM_LEASE


def due_until(settings: schedule.NudgeSettings, now: dt.datetime) -> dt.date:
    """The latest due date whose first nudge or escalation can fall at or before `now` in any zone: the
    earliest occurrence is the smallest offset (or the escalation) moved back to a working day."""
    earliest = min(settings.offsets) - LONGEST_MOVE
    if settings.escalate_after_days:
        earliest = min(earliest, settings.escalate_after_days)
    return (now + FURTHEST_AHEAD).date() - dt.timedelta(days=earliest)


class Occurrences:
    """The latest nudge and escalation of a due date for a zone and working week as of one `now`, each
    worked out once (most actions share their due date, zone and week with many others). An action's
    own start (`not_before`) only drops an occurrence before it; a snoozed action is worked out alone."""

    def __init__(self, settings: schedule.NudgeSettings, now: dt.datetime, fallback_tz: str):
        self.settings, self.now, self.fallback_tz = settings, now, fallback_tz
        self._memo: dict[tuple, schedule.Occurrence | None] = {}
        self._zones: dict[str | None, schedule.ZoneInfo] = {}
        self._days: dict[str | None, frozenset[int]] = {}

    def zone(self, name: str | None):
        if name not in self._zones:
            self._zones[name] = schedule.zone(name, self.fallback_tz)
        return self._zones[name]

    def days(self, text: str | None) -> frozenset[int]:
        if text not in self._days:
            self._days[text] = schedule.working_days(text)
        return self._days[text]

    def _latest(
        self, key: tuple, work: Callable[[], schedule.Occurrence | None], not_before: dt.datetime
    ) -> schedule.Occurrence | None:
        if key not in self._memo:
            self._memo[key] = work()
        occ = self._memo[key]
        return occ if occ is not None and occ.at >= not_before else None

    def nudge(
        self, due: dt.date, tz, days: frozenset[int], not_before: dt.datetime, snoozed_until: dt.datetime | None
    ) -> schedule.Occurrence | None:
        if snoozed_until is not None:
            return schedule.latest_nudge(due, self.settings, tz, days, self.now, not_before, snoozed_until)
        return self._latest(
            ("nudge", due, tz.key, days),
            lambda: schedule.latest_nudge(
                due, self.settings, tz, days, self.now, dt.datetime.min.replace(tzinfo=dt.timezone.utc)
            ),
            not_before,
        )

    def escalation(self, due: dt.date, tz, days: frozenset[int], not_before: dt.datetime) -> schedule.Occurrence | None:
        return self._latest(
            ("escalation", due, tz.key, days),
            lambda: schedule.latest_escalation(
                due, self.settings, tz, days, self.now, dt.datetime.min.replace(tzinfo=dt.timezone.utc)
            ),
            not_before,
        )


class Planner:
    def __init__(self, actions: ActionService):
        self.actions = actions
        self.db = actions.db

    def team_ids(self) -> list[str]:
        """The workspaces to send to: not those that uninstalled the app."""
        with self.db.reading() as s:
            return [w.team_id for w in q.all_workspaces(s, self.actions.platform) if w.uninstalled_at is None]

    def plan(self, team_id: str, now: dt.datetime) -> list[Notice]:
        with self.db.reading() as s:
            ws = q.workspace_by_team(s, team_id, self.actions.platform)
            if ws is None:
                return []
            settings = settings_of(ws)
            zones = q.people_zones(s, ws.id)
            regions = q.regions(s, ws.id)
            by_id: dict[int | None, Region] = {r.id: r for r in regions}
            window = (due_until(settings, now), now - schedule.CATCH_UP, now)
            ledger = planning.ledger_entries(s, ws.id, now - schedule.CATCH_UP - LEDGER_SLACK, *window)
            occurrences = Occurrences(settings, now, ws.timezone)
            notices: list[Notice] = []
            for candidate in planning.nudge_candidates(s, ws.id, *window):
                notices += self._for_action(ws, candidate, by_id.get(candidate.region_id), occurrences, zones, now)
            notices = [n for n in notices if still_to_send(ledger.get(n.key), now)]
            notices += self._summary_notices(s, ws, regions, ledger, now)
            return self._told(s, ws, zones, now) + notices  # told of an action before nudged about it

    # -- new owners -----------------------------------------------------------------------

    def told(self, team_id: str, now: dt.datetime) -> list[Notice]:
        """Only the workspace's new owners still to be told."""
        with self.db.reading() as s:
            ws = q.workspace_by_team(s, team_id, self.actions.platform)
            if ws is None:
                return []
            return self._told(s, ws, None, now)

    def _told(self, s, ws: Workspace, zones: dict[str, str] | None, now: dt.datetime) -> list[Notice]:
        """The `assigned` and `imported` notices changes wrote and no sender has sent, each with the
        actions as they are now; an owner removed meanwhile is not told. `zones`: people's zones, else
        read for the recipients alone."""
        entries = [
            e for e in planning.told_entries(s, ws.id, TOLD_ON_CHANGE, now - TELL_WITHIN) if still_to_send(e, now)
        ]
        if not entries:
            return []
        if zones is None:
            zones = q.people_zones(s, ws.id, {e.recipient.split(":", 1)[1] for e in entries})
        blocks = {e.subject: assignments.block_of(e.subject) for e in entries if e.kind == assignments.IMPORTED}
        rows = planning.told_actions(
            s, ws.id, {e.action_id for e in entries if e.action_id}, set(blocks.values()) - {None}
        )
        by_id = {r.id: r for r in rows}
        actors = planning.event_actors(
            s, ws.id, {assignments.event_of(e.occurrence) for e in entries if e.kind == assignments.ASSIGNED}
        )
        notices = []
        for e in entries:
            user = e.recipient.split(":", 1)[1]
            tz = schedule.zone(zones.get(user), ws.timezone)
            today = now.astimezone(tz).date()
            if e.kind == assignments.ASSIGNED:
                mine = [by_id[e.action_id]] if e.action_id is not None and e.action_id in by_id else []
                by = actors.get(assignments.event_of(e.occurrence))
            else:
                first, last = blocks[e.subject] or (0, -1)
                mine = [r for r in rows if first <= r.number <= last]
                by = mine[0].created_by if mine else None
            infos = [row_info(r, today) for r in mine if any(uid == user for uid, _ in r.owners)]
            if infos and by:
                notices.append(
                    Notice(
                        kind=e.kind,
                        team_id=ws.team_id,
                        subject=e.subject,
                        occurrence=e.occurrence,
                        recipient=e.recipient,
                        scheduled_for=e.scheduled_for,
                        local_day=today,
                        timezone=str(tz.key),
                        action=infos[0],
                        action_id=e.action_id,
                        by=by,
                        actions=tuple(infos),
                        delivery_id=e.id,
                    )
                )
        return notices

    # -- nudges and escalations -----------------------------------------------------------

    def _for_action(
        self,
        ws: Workspace,
        candidate: planning.Candidate,
        region: Region | None,
        occurrences: Occurrences,
        zones: dict[str, str],
        now: dt.datetime,
    ) -> list[Notice]:
        action = candidate.row
        due = action.due_date
        assert due is not None  # a nudge candidate has a date (planning.nudge_candidates)
        failed = candidate.problem_recipient  # a recipient the platform said can never be reached here
        region_tz = region.timezone if region else None
        days = occurrences.days(region.working_days if region else None)
        not_before = candidate.schedule_from or action.created_at
        owner_ids = [uid for uid, _ in action.owners if uid]  # platform users by construction
        creator = action.created_by if action.creator_kind == USER else None  # not the command line
        infos: dict[dt.date, ActionInfo] = {}
        found = []

        def notice(kind, who, tz, occ, mention=None, role=None):
            local_today = now.astimezone(tz).date()
            if local_today not in infos:
                infos[local_today] = row_info(action, local_today)
            found.append(
                Notice(
                    kind=kind,
                    team_id=ws.team_id,
                    subject=f"action:{action.id}",
                    recipient=who,
                    occurrence=occ.key if kind == "escalation" else f"{occ.key}/{who}",
                    scheduled_for=occ.at,
                    local_day=local_today,
                    timezone=str(tz.key),
                    action=infos[local_today],
                    days_left=(due - local_today).days,
                    mention=mention,
                    role=role,
                    action_id=action.id,
                )
            )

        recipients: list[tuple[str, str | None, str | None]] = [
            (f"user:{u}", zones.get(u) or region_tz, None) for u in owner_ids
        ]
        if any(uid is None for uid, _ in action.owners):
            # named owners are not platform users: their nudge goes where the team will see it
            channel = action.channel_id or (region.channel_id if region else None)
            if channel:
                recipients.append((f"channel:{channel}", region_tz, creator))
            elif creator and creator not in owner_ids:
                recipients.append((f"user:{creator}", zones.get(creator) or region_tz, None))
        for who, tz_name, mention in recipients:
            if who == failed:
                continue  # the platform said this can never work; the creator has been told
            tz = occurrences.zone(tz_name)
            occ = occurrences.nudge(due, tz, days, not_before, action.snoozed_until)
            if occ is not None:
                notice("nudge", who, tz, occ, mention)

        lead = region.lead_user_id if region else None  # always a platform user
        boss = lead if lead and lead not in owner_ids else (creator if creator not in owner_ids else None)
        if boss and f"user:{boss}" != failed:
            tz = occurrences.zone(zones.get(boss) or region_tz)
            occ = occurrences.escalation(due, tz, days, not_before)
            if occ is not None:
                notice("escalation", f"user:{boss}", tz, occ, role="lead" if boss == lead else "creator")
        return found

    # -- summaries ------------------------------------------------------------------------

    def _summary_notices(self, s, ws: Workspace, regions: list[Region], ledger: dict, now: dt.datetime) -> list[Notice]:
        due = []
        for region in regions:
            if not region.channel_id or region.delivery_problem_recipient == f"channel:{region.channel_id}":
                continue
            tz = schedule.zone(region.timezone, ws.timezone)
            occ = schedule.latest_summary(region.summary_schedule, tz, now, region.created_at)
            if occ is not None and still_to_send(ledger.get(("summary", f"region:{region.id}", occ.key)), now):
                due.append((region, tz, occ))
        summaries = build_summaries(s, ws, [region for region, _, _ in due], now)
        return [
            Notice(
                kind="summary",
                team_id=ws.team_id,
                subject=f"region:{region.id}",
                occurrence=occ.key,
                recipient=f"channel:{region.channel_id}",
                scheduled_for=occ.at,
                local_day=occ.day,
                timezone=str(tz.key),
                summary=summary,
                region_id=region.id,
            )
            for (region, tz, occ), summary in zip(due, summaries)
        ]


def build_summaries(s, ws: Workspace, regions: list[Region], now: dt.datetime) -> list[RegionSummary]:
    """Each region's week as of `now`: overdue (oldest first), due in 7 days, done and new in the last 7,
    ongoing, and open and overdue counts per owner. A fixed number of statements for any number of
    regions; only the actions a summary lists are read (the columns it shows: a listed item carries no
    notes, snooze or permalink), the counts come from the database."""
    today = {r.id: now.astimezone(schedule.zone(r.timezone, ws.timezone)).date() for r in regions}
    since = now - dt.timedelta(days=7)
    names = planning.people_names(s, ws.id)
    listed = planning.summary_listed(s, ws.id, today, since, names)
    counts = planning.summary_counts(s, ws.id, list(today))
    tallies: dict[int, list[planning.OwnerTally]] = {r.id: [] for r in regions}
    for tally in planning.summary_owner_counts(s, ws.id, today, names):
        tallies[tally.region_id].append(tally)
    groups = _SummaryGroups(regions, today, since)
    groups.add(listed)
    return [groups.summary(r, counts.get(r.id, (0, 0)), tallies[r.id]) for r in regions]


class _SummaryGroups:
    """Sorts listed rows into each region's groups, one ActionInfo per row. Owners, owner sets and due
    dates that many rows share are made once (`OwnerInfo` and `Due` are immutable)."""

    def __init__(self, regions: list[Region], today: dict[int, dt.date], since: dt.datetime):
        self.today, self.since = today, since
        self.names = {r.id: r.name for r in regions}
        self.overdue: dict[int, list] = {r.id: [] for r in regions}
        self.soon: dict[int, list] = {r.id: [] for r in regions}
        self.done: dict[int, list] = {r.id: [] for r in regions}
        self.new: dict[int, list] = {r.id: [] for r in regions}
        self._owner: dict[tuple, OwnerInfo] = {}
        self._owners: dict[tuple, tuple[OwnerInfo, ...]] = {}
        self._dues: dict[dt.date | str, Due] = {}

    def _owners_of(self, pairs: tuple[tuple[str | None, str | None], ...]) -> tuple[OwnerInfo, ...]:
        """A new set of owners ((user ID, display name) pairs), remembered."""
        self._owners[pairs] = tuple(self._owner.get(p) or self._owner.setdefault(p, OwnerInfo(*p)) for p in pairs)
        return self._owners[pairs]

    def _due(self, kind: str, date: dt.date | None) -> Due:
        """A new due date (or kind), remembered."""
        key: dt.date | str = date if kind == "date" and date is not None else kind
        self._dues[key] = Due(kind, date)
        return self._dues[key]

    def add(self, listed: Iterable[planning.Listed]) -> None:
        """Rows in number order: each group stays in number order until `summary` sorts by due date."""
        owners_of, dues, since, today_of, names = self._owners, self._dues, self.since, self.today, self.names
        overdue_of, soon_of, done_of, new_of = self.overdue, self.soon, self.done, self.new
        for (
            _,
            rid,
            number,
            title,
            status,
            kind,
            due_date,
            group,
            meeting,
            channel_id,
            created_by,
            created_at,
            closed_at,
            creator_kind,
            *_,
        ), owners in listed:
            today = today_of[rid]
            open_dated = status == "open" and kind == "date"
            overdue = open_dated and due_date < today
            info = ActionInfo(
                number=number,
                title=title,
                status=status,
                due=dues.get(due_date if kind == "date" else kind) or self._due(kind, due_date),
                owners=owners_of.get(owners) or self._owners_of(owners),
                region=names[rid],
                group=group,
                meeting=meeting,
                channel_id=channel_id,
                created_by=created_by,
                created_at=created_at,
                overdue=overdue,
                closed_at=closed_at,
                creator_kind=creator_kind,
            )
            if overdue:
                overdue_of[rid].append((info, (today - due_date).days))
            elif open_dated and (due_date - today).days < 7:
                soon_of[rid].append(info)
            if status == "done" and closed_at is not None and closed_at >= since:
                done_of[rid].append(info)
            if created_at >= since:
                new_of[rid].append(info)

    def summary(self, region: Region, counts: tuple[int, int], tallies: list[planning.OwnerTally]) -> RegionSummary:
        overdue, soon = self.overdue[region.id], self.soon[region.id]
        overdue.sort(key=lambda pair: -pair[1])  # stable: most days late first, then by number
        soon.sort(key=lambda info: info.due.date)  # stable: by due date, then by number
        per_owner: Counter[tuple[str, str | None]] = Counter()
        late: Counter[tuple[str, str | None]] = Counter()
        for t in tallies:  # a user by ID (two users may share a name), a named owner by name
            label = f"@{t.name or t.user_id}" if t.user_id else t.name or ""
            per_owner[(label, t.user_id)] += t.open
            late[(label, t.user_id)] += t.overdue
        open_total, ongoing = counts
        return RegionSummary(
            region=region.name,
            week_of=self.today[region.id],
            overdue=tuple(overdue),
            due_soon=tuple(soon),
            done=tuple(self.done[region.id]),
            new=tuple(self.new[region.id]),
            ongoing=ongoing,
            open_total=open_total,
            owners=tuple(
                OwnerCount(label, uid, n, late[(label, uid)])
                for (label, uid), n in sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
            ),
        )


def summaries_now(
    actions: ActionService, team_id: str, region_name: str | None, now: dt.datetime
) -> list[RegionSummary]:
    """`/action summary [region:…]`: the same summary, on demand, for one region or all of them. Read in
    a reading transaction (on SQLite it does not hold the write lock while it reads)."""
    with actions.db.reading() as s:
        ws = q.workspace_by_team(s, team_id, actions.platform)
        if ws is not None:
            return _summaries_of(actions, s, ws, region_name, now)
    with actions.db.session() as s:  # a workspace seen for the first time is made first
        return _summaries_of(actions, s, actions.workspaces.row(s, team_id, now), region_name, now)


def _summaries_of(
    actions: ActionService, s, ws: Workspace, region_name: str | None, now: dt.datetime
) -> list[RegionSummary]:
    regions = [actions.region_named(s, ws, region_name)] if region_name else q.regions(s, ws.id)
    return build_summaries(s, ws, regions, now)
