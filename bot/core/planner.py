"""Deciding what a sweep sends as of `now`: nudges, escalations and weekly summaries, minus what the
delivery ledger says is already sent or being sent. Reads only; the ledger is written by the sender.

Each recipient's zone: the Slack profile's `tz` (remembered in the people table), else the region's, else
the workspace's. Working days are the region's (Monday to Friday without one).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from bot.core import schedule
from bot.core.errors import BadInput
from bot.core.notices import Notice, OwnerCount, RegionSummary
from bot.core.records import CHAT_USER
from bot.core.service import ActionService, action_info
from store import queries as q
from store.models import Action, Delivery, Region, Workspace

CLAIM_LEASE = dt.timedelta(minutes=10)  # a claim older than this belongs to a sender that died


def settings_of(ws: Workspace) -> schedule.NudgeSettings:
    try:
        offsets = schedule.NudgeSettings.parse_offsets(ws.nudge_offsets)
    except BadInput:  # written by hand in the database: fall back to the defaults
        offsets = schedule.NudgeSettings.offsets
    return schedule.NudgeSettings(offsets, ws.nudge_repeat_days, ws.escalate_after_days)


def still_to_send(row: Delivery | None, now: dt.datetime) -> bool:
    """Whether the ledger lets this occurrence be (re)tried now."""
    if row is None or row.status == "failed":
        return True
    return row.status == "claimed" and now - row.claimed_at > CLAIM_LEASE


class Planner:
    def __init__(self, actions: ActionService):
        self.actions = actions
        self.db = actions.db

    def team_ids(self) -> list[str]:
        """The workspaces to send to: not those that uninstalled the app."""
        with self.db.reading() as s:
            return [w.team_id for w in q.all_workspaces(s) if w.uninstalled_at is None]

    def plan(self, team_id: str, now: dt.datetime) -> list[Notice]:
        with self.db.reading() as s:
            ws = q.workspace_by_team(s, team_id)
            if ws is None:
                return []
            zones = q.people_zones(s, ws.id)
            ledger = q.recent_deliveries(s, ws.id, now - schedule.CATCH_UP - dt.timedelta(days=2))
            settings = settings_of(ws)
            notices: list[Notice] = []
            actions = q.open_dated_actions(s, ws.id)
            names = q.people_names(s, ws.id, {o.user_id for a in actions for o in a.owners if o.user_id})
            for action in actions:
                notices += self._for_action(ws, action, settings, zones, names, now)
            notices = [n for n in notices if still_to_send(ledger.get(n.key), now)]
            for region in q.regions(s, ws.id):
                notice = self._summary_notice(s, ws, region, ledger, now)
                if notice is not None:
                    notices.append(notice)
            return notices

    # -- nudges and escalations -----------------------------------------------------------

    def _for_action(self, ws: Workspace, action: Action, settings: schedule.NudgeSettings,
                    zones: dict[str, str], names: dict[str, str], now: dt.datetime) -> list[Notice]:
        region = action.region
        region_tz = region.timezone if region else None
        days = schedule.working_days(region.working_days if region else None)
        not_before = action.schedule_from or action.created_at
        owner_ids = [o.user_id for o in action.owners if o.user_id]
        found = []

        def notice(kind, who, tz_name, occ, mention=None, role=None):
            tz = schedule.zone(tz_name, ws.timezone)
            local_today = now.astimezone(tz).date()
            info = action_info(action, local_today, names)
            found.append(Notice(
                kind=kind, team_id=ws.team_id, subject=f"action:{action.id}", recipient=who,
                occurrence=occ.key if kind == "escalation" else f"{occ.key}/{who}",
                scheduled_for=occ.at, local_day=local_today, timezone=str(tz.key), action=info,
                days_left=(action.due_date - local_today).days, mention=mention, role=role,
                action_id=action.id))

        recipients = [(f"user:{u}", zones.get(u) or region_tz, None) for u in owner_ids]
        if any(o.user_id is None for o in action.owners):
            # named owners are not chat users: their nudge goes where the team will see it
            channel = action.channel_id or (region.channel_id if region else None)
            if channel:
                recipients.append((f"channel:{channel}", region_tz, action.created_by))
            elif action.created_by not in owner_ids and CHAT_USER.match(action.created_by):
                recipients.append((f"user:{action.created_by}", zones.get(action.created_by) or region_tz,
                                   None))
        for who, tz_name, mention in recipients:
            if action.delivery_problem and action.delivery_problem.startswith(who + " "):
                continue  # Slack said this can never work; the creator has been told
            tz = schedule.zone(tz_name, ws.timezone)
            occ = schedule.latest_nudge(action.due_date, settings, tz, days, now, not_before,
                                        action.snoozed_until)
            if occ is not None:
                notice("nudge", who, tz_name, occ, mention)

        lead = region.lead_user_id if region else None
        boss = lead if lead and lead not in owner_ids else (
            action.created_by if action.created_by not in owner_ids else None)
        if boss and CHAT_USER.match(boss) and not (action.delivery_problem or "").startswith(f"user:{boss} "):
            tz_name = zones.get(boss) or region_tz
            occ = schedule.latest_escalation(action.due_date, settings, schedule.zone(tz_name, ws.timezone),
                                             days, now, not_before)
            if occ is not None:
                notice("escalation", f"user:{boss}", tz_name, occ, role="lead" if boss == lead else "creator")
        return found

    # -- summaries ------------------------------------------------------------------------

    def _summary_notice(self, s, ws: Workspace, region: Region, ledger: dict, now: dt.datetime) -> Notice | None:
        if not region.channel_id or (region.delivery_problem or "").startswith(f"channel:{region.channel_id} "):
            return None
        tz = schedule.zone(region.timezone, ws.timezone)
        occ = schedule.latest_summary(region.summary_schedule, tz, now, region.created_at)
        if occ is None or not still_to_send(ledger.get(("summary", f"region:{region.id}", occ.key)), now):
            return None
        return Notice(
            kind="summary", team_id=ws.team_id, subject=f"region:{region.id}", occurrence=occ.key,
            recipient=f"channel:{region.channel_id}", scheduled_for=occ.at, local_day=occ.day,
            timezone=str(tz.key), summary=build_summary(s, ws, region, now), region_id=region.id)


def build_summary(s, ws: Workspace, region: Region, now: dt.datetime) -> RegionSummary:
    """A region's week as of `now`: overdue (oldest first), due in 7 days, done and new in the last 7,
    ongoing, and open and overdue counts per owner."""
    tz = schedule.zone(region.timezone, ws.timezone)
    today = now.astimezone(tz).date()
    since = now - dt.timedelta(days=7)
    rows = q.region_activity(s, ws.id, region.id, since)
    names = q.people_names(s, ws.id, {o.user_id for a in rows for o in a.owners if o.user_id})
    infos = [(a, action_info(a, today, names)) for a in rows]
    open_ = [(a, i) for a, i in infos if a.status == "open"]
    overdue = sorted(((i, (today - a.due_date).days) for a, i in open_ if i.overdue),
                     key=lambda pair: (-pair[1], pair[0].number))
    soon = sorted((i for a, i in open_ if a.due_kind == "date" and 0 <= (a.due_date - today).days < 7),
                  key=lambda i: (i.due.date, i.number))
    per_owner: Counter = Counter()
    late: Counter = Counter()
    for _, info in open_:
        for owner in info.owners:
            per_owner[(owner.label, owner.user_id)] += 1
            late[(owner.label, owner.user_id)] += info.overdue
    return RegionSummary(
        region=region.name, week_of=today, overdue=tuple(overdue), due_soon=tuple(soon),
        done=tuple(i for a, i in infos if a.status == "done" and a.closed_at and a.closed_at >= since),
        new=tuple(i for a, i in infos if a.created_at >= since),
        ongoing=sum(1 for a, _ in open_ if a.due_kind == "ongoing"), open_total=len(open_),
        owners=tuple(OwnerCount(label, uid, n, late[(label, uid)])
                     for (label, uid), n in sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0][0]))),
    )


def summaries_now(actions: ActionService, team_id: str, region_name: str | None, now: dt.datetime) -> list[RegionSummary]:
    """`/action summary [region:…]`: the same summary, on demand, for one region or all of them."""
    with actions.db.session() as s:
        ws = actions.workspace(s, team_id, now)
        regions = [actions.region_named(s, ws, region_name)] if region_name else q.regions(s, ws.id)
        return [build_summary(s, ws, r, now) for r in regions]
