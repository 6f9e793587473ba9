"""One parsed command, carried out for an actor: the core's answer as structured results, never text.

Every adapter (a chat platform's slash command or mention, the command line) parses what was said into
a `grammar.Command`, calls `execute`, and words and formats the result its own way. Permission checks
happen here or below (regions, settings, calendar feeds, the service), never in an adapter. A command
that needs a form (add or edit without changes, import, region edit) comes back as `OpenForm`: showing
one is the platform's business.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Protocol

from bot.core import regions, settings
from bot.core.calendar_feeds import CalendarService, parse_calendar_command
from bot.core.grammar import Command, ListQuery
from bot.core.planner import RegionSummary, summaries_now
from bot.core.records import Actor, Listing, Outcome, RegionInfo
from bot.core.regions import RegionService
from bot.core.service import ActionService
from bot.core.settings import SettingsService, WorkspaceSettings
from bot.messages import Msg, msg

# the headline of a change's confirmation, by the verb that made it ("Added #12 …")
HEADLINES = {
    "add": "outcome.add",
    "done": "outcome.done",
    "reopen": "outcome.reopen",
    "cancel": "outcome.cancel",
    "note": "outcome.note",
    "assign": "outcome.assign",
    "due": "outcome.due",
    "edit": "outcome.edit",
    "snooze": "outcome.snooze",
}


def headline(verb: str) -> Msg:
    """The words before a changed action's number in its confirmation."""
    return msg(HEADLINES.get(verb, "outcome.changed"))


class Services(Protocol):
    """The core's services an adapter holds (a platform's handler context has them all)."""

    actions: ActionService
    regions: RegionService
    settings: SettingsService
    calendars: CalendarService


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class OpenForm:
    """A form to show: "add", "edit" (of `number`), "import" or "region" (the region `name`)."""

    form: str
    number: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class Listed:
    listing: Listing
    query: ListQuery


@dataclass(frozen=True)
class Changed:
    """An action was changed (or added): `verb` says how."""

    outcome: Outcome
    verb: str


@dataclass(frozen=True)
class Regions:
    regions: list[RegionInfo]
    added: RegionInfo | None = None


@dataclass(frozen=True)
class Settings:
    current: WorkspaceSettings
    changed: bool


@dataclass(frozen=True)
class Summaries:
    """The weekly summaries as of now: one region's (`region` given) or every region's."""

    summaries: list[RegionSummary]
    region: str | None


@dataclass(frozen=True)
class Exported:
    """The matching actions as CSV (`count` rows besides the header), to hand to the person."""

    content: str
    count: int
    query: ListQuery
    filename: str


@dataclass(frozen=True)
class CalendarFeed:
    """The secret of a calendar feed of due dates (`kind` "user" or "region", `subject` whose)."""

    kind: str
    subject: str
    secret: str
    was_reset: bool


Result = Help | OpenForm | Listed | Changed | Regions | Settings | Summaries | Exported | CalendarFeed


def execute(
    core: Services, team_id: str, actor: Actor, cmd: Command, now: dt.datetime, channel_id: str | None = None
) -> Result:
    """Carry out `cmd` for `actor` in the workspace `team_id` as of `now`; `channel_id` is where it was
    asked (None: not in a channel). Raises UserError for what the actor can fix or may not do."""
    verb = cmd.verb
    if verb == "help":
        return Help()
    if verb == "region":
        regions.check_may_run(actor, cmd.tokens)
        sub, spec = regions.parse_region_command(cmd.tokens)
        if sub == "edit":
            assert spec is not None
            return OpenForm("region", name=spec.name)
        added = core.regions.add(team_id, actor, spec, now) if sub == "add" and spec is not None else None
        return Regions(core.regions.list(team_id, now), added)
    if verb == "summary":
        region = cmd.query.region if cmd.query else None
        return Summaries(summaries_now(core.actions, team_id, region, now), region)
    if verb == "settings":
        settings.check_may_change(actor, cmd.tokens)
        changes = settings.parse_settings_command(cmd.tokens)
        if changes:
            return Settings(core.settings.change(team_id, actor, changes, now), True)
        return Settings(core.settings.get(team_id, now), False)
    if verb == "list":
        query = cmd.query or ListQuery()
        return Listed(core.actions.list(team_id, actor, query, now), query)
    if verb == "export":
        from bot.core.export import export_csv

        query = cmd.query or ListQuery()
        content = export_csv(core.actions, team_id, query, now, actor=actor)
        count = len(list(csv.reader(io.StringIO(content)))) - 1
        return Exported(content, count, query, f"actions-{now:%Y%m%d}.csv")
    if verb == "calendar":
        asked = parse_calendar_command(cmd.tokens)
        subject = asked.region or actor.user_id
        if asked.reset:
            secret = core.calendars.reset(team_id, asked.kind, subject, now, actor=actor)
        else:
            secret = core.calendars.feed_for(team_id, asked.kind, subject, now)
        return CalendarFeed(asked.kind, subject, secret, asked.reset)
    if verb == "import":
        return OpenForm("import")
    if verb in ("add", "edit") and cmd.spec is None:
        return OpenForm(verb, number=cmd.number)
    return Changed(_change(core.actions, team_id, actor, cmd, now, channel_id), verb)


def _change(
    actions: ActionService, team_id: str, actor: Actor, cmd: Command, now: dt.datetime, channel_id: str | None
) -> Outcome:
    verb, number = cmd.verb, cmd.number
    if verb == "add":
        assert cmd.spec is not None
        return actions.add(team_id, actor, cmd.spec, now, channel_id=channel_id)
    assert number is not None  # the grammar gives every other verb its action's number
    if verb in ("done", "reopen", "cancel"):
        return actions.set_status(team_id, actor, number, verb, now)
    if verb == "note":
        return actions.note(team_id, actor, number, cmd.text or "", now)
    if verb == "assign":
        assert cmd.spec is not None
        return actions.assign(team_id, actor, number, cmd.spec, now)
    if verb == "snooze":
        return actions.snooze(team_id, actor, number, cmd.text or "day", now)
    if verb == "due":
        return actions.set_due(team_id, actor, number, cmd.text or "", now)
    assert cmd.spec is not None and verb == "edit"
    return actions.edit(team_id, actor, number, cmd.spec, now)
