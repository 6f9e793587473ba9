"""Regions: named teams with a channel, a lead, a zone, working days and a summary schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.core import limits
from bot.core.command_input import ChannelRef, PersonRef
from bot.core.errors import BadInput
from bot.core.grammar import Token
from bot.core.records import Actor, RegionInfo
from bot.core.schedule import check_schedule, check_timezone, parse_days
from bot.core.service import ActionService
from bot.messages import Code, Example, Opt
from store import queries as q
from store.models import Region, RegionAlias


@dataclass
class RegionSpec:
    name: str
    aliases: list[str] = field(default_factory=list)
    channel_id: str | None = None
    lead_user_id: str | None = None
    timezone: str | None = None
    working_days: str = "mon-fri"
    summary_schedule: str = "mon 09:00"


class RegionService:
    def __init__(self, actions: ActionService):
        self.actions = actions
        self.db = actions.db

    def add(self, team_id: str, actor: Actor, spec: RegionSpec, now: dt.datetime) -> RegionInfo:
        return self._save(team_id, actor, spec, now, current=None)

    def edit(self, team_id: str, actor: Actor, current: str, spec: RegionSpec, now: dt.datetime) -> RegionInfo:
        """Give the region named `current` (or aliased) everything `spec` says: name, aliases, channel,
        lead, zone, working days and summary time."""
        return self._save(team_id, actor, spec, now, current=current)

    def get(self, team_id: str, name: str, now: dt.datetime) -> RegionInfo:
        with self.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            return _info(self.actions.region_named(s, ws, name), 0)

    def _save(self, team_id: str, actor: Actor, spec: RegionSpec, now: dt.datetime, current: str | None) -> RegionInfo:
        actor.require_admin(_doing("edit" if current else "add"))
        name = " ".join(spec.name.split())
        if not name:
            raise BadInput(
                "region_needs_name", Example("region add", ("Latin America", Opt("alias", "LAC"))), field="name"
            )
        limits.check("region", name)
        for alias in spec.aliases:
            limits.check("alias", alias)
        limits.check("channel", spec.channel_id)
        lead = limits.problem("user", spec.lead_user_id)
        if lead is not None:
            lead.field = "lead"  # the user ID it is about is the region's lead
            raise lead
        days = limits.check("days", parse_days(spec.working_days))
        schedule = limits.check("summary", check_schedule(spec.summary_schedule))
        tz = check_timezone(spec.timezone) if spec.timezone else None
        with self.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            region = self.actions.region_named(s, ws, current) if current else None
            aliases = list(dict.fromkeys(" ".join(a.split()) for a in spec.aliases if a.strip()))
            for label in [name, *aliases]:
                other = q.region_by_name(s, ws.id, label)
                if other is not None and other is not region:
                    where = "name" if label == name else "aliases"
                    raise BadInput("already_names_region", Example("region list"), field=where, label=label)
            if len({q.fold(x) for x in [name, *aliases]}) != 1 + len(aliases):
                raise BadInput("alias_repeats", field="aliases")
            if region is None:
                region = Region(workspace_id=ws.id, created_at=now)
                s.add(region)
            region.name, region.key, region.channel_id, region.lead_user_id = (
                name,
                q.fold(name),
                spec.channel_id,
                spec.lead_user_id,
            )
            region.timezone, region.working_days, region.summary_schedule = tz, days, schedule
            region.clear_problem()  # an edit (a new channel, say) earns another try
            kept = {a.key: a for a in region.aliases}  # reuse rows: a delete and re-insert of one key would clash
            region.aliases = [
                kept.get(q.fold(a)) or RegionAlias(workspace_id=ws.id, alias=a, key=q.fold(a)) for a in aliases
            ]
            for row, label in zip(region.aliases, aliases):
                row.alias = label
            s.flush()
            return _info(region, q.open_counts_by_region(s, ws.id).get(region.id, 0))

    def list(self, team_id: str, now: dt.datetime) -> list[RegionInfo]:
        with self.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            counts = q.open_counts_by_region(s, ws.id)
            return [_info(r, counts.get(r.id, 0)) for r in q.regions(s, ws.id)]


def _info(region: Region, open_count: int) -> RegionInfo:
    return RegionInfo(
        name=region.name,
        aliases=tuple(a.alias for a in region.aliases),
        channel_id=region.channel_id,
        lead_user_id=region.lead_user_id,
        timezone=region.timezone,
        working_days=region.working_days,
        summary_schedule=region.summary_schedule,
        open_count=open_count,
    )


def _doing(sub: str) -> str:
    return "doing.change_regions" if sub == "edit" else "doing.add_regions"


def check_may_run(actor: Actor, tokens: list[Token]) -> None:
    """Every region command but `list` is for admins only: refused before a word of it is read."""
    sub = tokens[0].raw.lower() if tokens else "list"
    if sub not in ("list", "ls"):
        actor.require_admin(_doing(sub))


def parse_region_command(tokens: list[Token]) -> tuple[str, RegionSpec | None]:
    """`region list` or `region add <name> [alias:…] [channel:#…] [lead:@…] [tz:…] [days:…] [summary:"…"]`
    (the channel and the lead given as references)."""
    example = Example(
        "region add",
        ("Latin America and the Caribbean", Opt("alias", "LAC"), Opt("tz", "America/Bogota"), Opt("channel", "#lac")),
    )
    if not tokens or tokens[0].raw.lower() in ("list", "ls"):
        if len(tokens) > 1:
            raise BadInput("region_list_takes_nothing", Example("region list"), command=Code("region list"))
        return "list", None
    if tokens[0].raw.lower() == "edit":
        name = " ".join(t.value if t.kind == "quoted" else t.raw for t in tokens[1:]).strip()
        if not name:
            raise BadInput("which_region", Example("region edit", ("LAC",)))
        return "edit", RegionSpec(name=name)
    if tokens[0].raw.lower() != "add":
        raise BadInput(
            "region_subcommands",
            example,
            list=Code("region list"),
            add=Code("region add"),
            edit=Code("region edit"),
            word=tokens[0].raw,
        )
    spec = RegionSpec(name="")
    name_parts = []
    for tok in tokens[1:]:
        if tok.kind == "option":
            value = tok.value.strip()
            if tok.key == "alias":
                spec.aliases.append(value)
            elif tok.key == "channel":
                spec.channel_id = tok.ref.channel_id if isinstance(tok.ref, ChannelRef) else None
                if spec.channel_id is None:
                    raise BadInput("channel_as_link", Example(None, (Opt("channel", "#lac-team"),)))
            elif tok.key == "lead":
                spec.lead_user_id = tok.ref.user_id if isinstance(tok.ref, PersonRef) else None
                if spec.lead_user_id is None:
                    raise BadInput("lead_as_mention", Example(None, (Opt("lead", "@patricia"),)))
            elif tok.key == "tz":
                spec.timezone = value
            elif tok.key == "days":
                spec.working_days = value
            elif tok.key == "summary":
                spec.summary_schedule = value
            elif tok.key == "name":
                name_parts.append(value)
            else:
                raise BadInput("region_option_unknown", example, option=Opt(tok.key or ""))
        elif tok.kind in ("word", "quoted"):
            name_parts.append(tok.value if tok.kind == "quoted" else tok.raw)
        else:
            raise BadInput("region_cannot_use", example, word=tok.raw)
    spec.name = " ".join(name_parts)
    if not spec.name.strip():
        raise BadInput("region_needs_name", example)
    return "add", spec
