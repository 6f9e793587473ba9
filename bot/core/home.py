"""A person's home page of actions, platform-neutral: their open actions grouped by when they are due
(overdue, due this week, later, no date) and the open actions they created for others.

"This week" is today and the six days after it, in the person's own zone (ActionService.today).
Two loads, whatever the number of actions: the open actions the person owns and the open ones they
created (each one find_actions: a count, a select and its eager loads), plus one lookup of names.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.records import ActionInfo, Actor
from bot.core.service import ActionService, action_info
from store import queries as q

WEEK_DAYS = 7  # today and the six days after it

# group keys, in the order a home page shows them
OVERDUE, THIS_WEEK, LATER, NO_DATE, CREATED = "overdue", "this_week", "later", "no_date", "created"
TITLES = {OVERDUE: "Overdue", THIS_WEEK: "Due this week", LATER: "Later", NO_DATE: "No date",
          CREATED: "Created by me"}


@dataclass(frozen=True)
class HomeGroup:
    key: str
    title: str
    actions: tuple[ActionInfo, ...]  # sorted by due date (undated last), then number

    @property
    def total(self) -> int:
        return len(self.actions)


@dataclass(frozen=True)
class HomeView:
    user_id: str
    today: dt.date
    groups: tuple[HomeGroup, ...]  # always all five, in order, empty ones included

    def group(self, key: str) -> HomeGroup:
        return next(g for g in self.groups if g.key == key)

    @property
    def owned_total(self) -> int:
        return sum(g.total for g in self.groups if g.key != CREATED)

    @property
    def is_empty(self) -> bool:
        return not any(g.total for g in self.groups)


def home_view(actions: ActionService, team_id: str, actor: Actor, now: dt.datetime) -> HomeView:
    """`actor`'s open actions (as an owner) by due group, and the open ones they created but do not own."""
    with actions.reading(team_id, now) as (s, ws):
        today = actions.today(ws, actor, now)
        owned, _ = q.find_actions(s, ws.id, q.ActionFilter(statuses=("open",), owner_user_id=actor.user_id))
        created, _ = q.find_actions(s, ws.id, q.ActionFilter(statuses=("open",), created_by=actor.user_id))
        created = [a for a in created if not any(o.user_id == actor.user_id for o in a.owners)]
        names = q.people_names(s, ws.id, {o.user_id for a in owned + created for o in a.owners if o.user_id})
        owned_infos = [action_info(a, today, names) for a in owned]
        created_infos = [action_info(a, today, names) for a in created]

    buckets: dict[str, list[ActionInfo]] = {key: [] for key in TITLES}
    for info in owned_infos:
        buckets[due_group(info, today)].append(info)
    buckets[CREATED] = created_infos
    return HomeView(actor.user_id, today, tuple(
        HomeGroup(key, TITLES[key], tuple(sorted(items, key=_due_order))) for key, items in buckets.items()))


def due_group(info: ActionInfo, today: dt.date) -> str:
    """Which of the owner's groups an open action falls in on `today`."""
    if info.due.kind != "date" or info.due.date is None:
        return NO_DATE  # ongoing or no due date
    if info.due.date < today:
        return OVERDUE
    if info.due.date < today + dt.timedelta(days=WEEK_DAYS):
        return THIS_WEEK
    return LATER


def _due_order(info: ActionInfo) -> tuple[dt.date, int]:
    dated = info.due.kind == "date" and info.due.date is not None
    return (info.due.date if dated else dt.date.max, info.number)
