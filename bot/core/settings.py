"""Workspace settings: the nudge schedule, the escalation threshold and the default time zone.

`/action settings` shows them; `/action settings nudges:-3,0,1 repeat:7 escalate:7 tz:Europe/Zurich`
changes them (workspace admins only). A change applies from the next sweep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from bot.core import limits
from bot.core.errors import BadInput
from bot.core.grammar import Token
from bot.core.planner import settings_of
from bot.core.records import Actor
from bot.core.schedule import NudgeSettings, check_timezone
from bot.core.service import ActionService
from bot.messages import Example, Opt, msg

EXAMPLE = Example(
    "settings", (Opt("nudges", "-3,0,1"), Opt("repeat", "7"), Opt("escalate", "7"), Opt("tz", "Europe/Zurich"))
)
MAX_DAYS = 90  # repeat: and escalate:
CHANGING = "doing.change_settings"


DATE_ORDERS = ("MDY", "DMY", "YMD")


@dataclass(frozen=True)
class WorkspaceSettings:
    nudges: NudgeSettings
    timezone: str
    date_order: str = "MDY"


class SettingsChanges(TypedDict, total=False):
    """What `/action settings` asked to change (only the keys given)."""

    nudges: tuple[int, ...]
    repeat: int
    escalate: int
    tz: str
    date_order: str  # MDY, DMY or YMD: how a date like 03/04 is read (the command line sets it)


def parse_settings_command(tokens: list[Token]) -> SettingsChanges:
    """The changes asked for: `nudges`, `repeat`, `escalate` and `tz` options, nothing else."""
    changes: SettingsChanges = {}
    for tok in tokens:
        if tok.kind != "option" or tok.key not in ("nudges", "repeat", "escalate", "tz"):
            raise BadInput("settings_options", EXAMPLE, word=tok.raw)
        value = tok.value.strip()
        if tok.key == "nudges":
            changes["nudges"] = NudgeSettings.parse_offsets(value)
        elif tok.key == "tz":
            changes["tz"] = check_timezone(value)
        elif tok.key == "repeat":
            changes["repeat"] = _days("repeat", value)
        else:
            changes["escalate"] = _days("escalate", value)
    return changes


def _days(key: str, value: str) -> int:
    return limits.whole_number(
        value, 0, MAX_DAYS, msg("whole_days", option=Opt(key), limit=MAX_DAYS), Example(None, (Opt(key, "7"),))
    )


def check_may_change(actor: Actor, tokens: list[Token]) -> None:
    """Settings with changes asked are for admins only: refused before a word of them is read."""
    if tokens:
        actor.require_admin(CHANGING)


class SettingsService:
    def __init__(self, actions: ActionService):
        self.actions = actions

    def get(self, team_id: str, now: dt.datetime) -> WorkspaceSettings:
        with self.actions.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            return WorkspaceSettings(settings_of(ws), ws.timezone, ws.date_order)

    def change(self, team_id: str, actor: Actor, changes: SettingsChanges, now: dt.datetime) -> WorkspaceSettings:
        actor.require_admin(CHANGING)
        with self.actions.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            if "nudges" in changes:
                ws.nudge_offsets = limits.check("nudges", NudgeSettings.written(changes["nudges"]))
            if "repeat" in changes:
                ws.nudge_repeat_days = changes["repeat"]
            if "escalate" in changes:
                ws.escalate_after_days = changes["escalate"]
            if "tz" in changes:
                ws.timezone = changes["tz"]
            if "date_order" in changes:
                if changes["date_order"] not in DATE_ORDERS:
                    raise BadInput("settings_date_order", orders=", ".join(DATE_ORDERS))
                ws.date_order = changes["date_order"]
            s.flush()
            settings = WorkspaceSettings(settings_of(ws), ws.timezone, ws.date_order)
        self.actions.workspaces.forget(team_id)  # the remembered zone is out of date
        return settings
