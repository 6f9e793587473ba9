"""A person's home page of actions, platform-neutral: their open actions grouped by when they are due
(overdue, due this week, later, no date) and the open actions they created for others.

"This week" is today and the six days after it, in the person's own zone (ActionService.today).
The page carries the first PAGE_ROWS actions, group by group in the order shown, and how many each
group holds in all: no Home tab has room for more rows (store.queries.home_actions), so a person with
thousands of actions costs what one with fifty does. Three statements, whatever the size of the
workspace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.records import ActionInfo, Actor
from bot.core.service import ActionService, row_info
from bot.messages import Msg, msg
from store import queries as q

WEEK_DAYS = 7  # today and the six days after it
PAGE_ROWS = 50  # the most actions a home page carries, across its groups; a Home tab has room for 47

# group keys, in the order a home page shows them
OVERDUE, THIS_WEEK, LATER, NO_DATE, CREATED = "overdue", "this_week", "later", "no_date", "created"
TITLES = {
    OVERDUE: msg("home.overdue"),
    THIS_WEEK: msg("home.this_week"),
    LATER: msg("home.later"),
    NO_DATE: msg("home.no_date"),
    CREATED: msg("home.created"),
}


@dataclass(frozen=True)
class HomeGroup:
    key: str
    title: Msg
    actions: tuple[ActionInfo, ...]  # its first ones (see PAGE_ROWS), by due date (undated last), then number
    total: int  # how many the group holds in all


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


BANDS = {
    q.OVERDUE_BAND: OVERDUE,
    q.WEEK_BAND: THIS_WEEK,
    q.LATER_BAND: LATER,
    q.UNDATED_BAND: NO_DATE,
    q.CREATED_BAND: CREATED,
}


def home_view(actions: ActionService, team_id: str, actor: Actor, now: dt.datetime) -> HomeView:
    """`actor`'s open actions (as an owner) by due group, and the open ones they created but do not own."""
    with actions.reading(team_id, now) as (s, ws):
        today = actions.today(ws, actor, now)
        rows, totals = q.home_actions(s, ws.id, actor.user_id, today, today + dt.timedelta(days=WEEK_DAYS), PAGE_ROWS)
        infos = [(band, row_info(row, today)) for band, row in rows]

    return HomeView(
        actor.user_id,
        today,
        tuple(
            HomeGroup(key, TITLES[key], tuple(info for b, info in infos if b == band), totals.get(band, 0))
            for band, key in BANDS.items()
        ),
    )
