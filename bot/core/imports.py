"""Importing a follow-up matrix: read it (bot.core.importer), match owners to workspace members
(bot.core.owner_match), check regions, then create every action in one transaction.

`plan` is read-only and is what a preview shows; `commit` creates what a plan says. Both take the same
inputs, so a preview and its confirmation agree as long as the workspace has not changed between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.core import limits
from bot.core.dates import Due
from bot.core.errors import BadInput
from bot.core.grammar import ActionSpec
from bot.core.importer import parse_matrix
from bot.core.owner_cap import too_many_owners
from bot.core.owner_match import NameMatcher
from bot.core.records import Actor, Outcome
from bot.core.service import ActionService
from bot.messages import Msg, msg
from store import queries as q


@dataclass
class PlannedRow:
    row: int
    spec: ActionSpec
    due: Due
    matched: dict[str, str]  # owner name as written -> user ID
    warnings: list[Msg] = field(default_factory=list)
    problems: list[Msg] = field(default_factory=list)  # cells that cannot be stored as they are


# the import cell each action field comes from: the message naming it
CELLS: dict[str | None, str] = {
    "title": "cell.action",
    "named": "cell.owner",
    "owners": "cell.owner",
    "group": "cell.group",
}


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    warnings: list[Msg]  # about rows that were skipped
    shape: str

    @property
    def all_warnings(self) -> list[Msg]:
        return self.warnings + [msg("import_row_warning", row=r.row, warning=w) for r in self.rows for w in r.warnings]

    @property
    def all_problems(self) -> list[Msg]:
        """What must be fixed before anything is imported, one line a cell: "Row 3, group cell: …"."""
        return [msg("import_row_problem", row=r.row, problem=p) for r in self.rows for p in r.problems]


def _cell_problem(field_name: str | None, problem: Msg) -> Msg:
    cell = CELLS.get(field_name)
    return msg("import_cell_problem", cell=msg(cell), problem=problem) if cell else problem


def due_phrase(due: Due) -> str | None:
    if due.date is not None:
        return due.date.isoformat()
    return "ongoing" if due.kind == "ongoing" else None


class ImportService:
    def __init__(self, actions: ActionService):
        self.actions = actions

    def plan(
        self,
        team_id: str,
        actor: Actor,
        text: str,
        now: dt.datetime,
        *,
        matcher: NameMatcher | None = None,
        meeting: str | None = None,
        region: str | None = None,
        group: str | None = None,
    ) -> ImportPlan:
        """What importing `text` would create. Raises BadInput when nothing in it can be read; an unknown
        default region is refused, an unknown region in a row is a warning (the row keeps no region).
        A cell too long to store is a row's problem; a meeting or group too long is refused at once."""
        limits.check("meeting", meeting)
        limits.check("group", group)
        with self.actions.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            today = self.actions.today(ws, actor, now)
            date_order = ws.date_order
            if region:
                region = self.actions.region_named(s, ws, region).name
            known = {}
            for r in q.regions(s, ws.id):
                for label in [r.name, *(a.alias for a in r.aliases)]:
                    known[q.fold(label)] = r.name
        result = parse_matrix(text, today, date_order)
        rows = []
        for row in result.rows:
            warnings = list(row.warnings)
            row_region = region
            if row.region:
                row_region = known.get(q.fold(row.region))
                if row_region is None:
                    names = ", ".join(sorted(set(known.values())))
                    warnings.append(
                        msg("import_no_region", name=row.region, known=names or msg("import_no_region.none"))
                    )
            matched = {}
            for name in row.owners:
                user_id = matcher.match(name) if matcher else None
                if user_id:
                    matched[name] = user_id
            spec = ActionSpec(
                title=row.title,
                user_owners=list(dict.fromkeys(matched.values())),
                named_owners=[n for n in row.owners if n not in matched],
                due_phrase=due_phrase(row.due),
                region=row_region,
                group=row.group or group,
                meeting=meeting,
                status=row.status,
            )
            problems = [_cell_problem(p.field, p.message) for p in limits.spec_problems(spec)]
            crowded = too_many_owners(spec.user_owners, spec.named_owners)
            if crowded:
                problems.append(_cell_problem("owners", crowded))
            rows.append(PlannedRow(row.row, spec, row.due, matched, warnings, problems))
        return ImportPlan(rows, list(result.warnings), result.shape)

    def commit(
        self,
        team_id: str,
        actor: Actor,
        plan: ImportPlan,
        now: dt.datetime,
        channel_id: str | None = None,
        progress=None,
    ) -> list[Outcome]:
        """Create every planned action in one transaction; nothing when a row has a problem. Each new owner
        is told once, of all their new actions."""
        if plan.all_problems:
            problems = plan.all_problems
            more = msg("import_refused.more", count=len(problems) - 5) if len(problems) > 5 else msg("empty")
            raise BadInput("import_refused", problems=msg("joined", items=tuple(problems[:5])), more=more)
        return self.actions.add_many(
            team_id, actor, [r.spec for r in plan.rows], now, channel_id=channel_id, progress=progress, digest=True
        )
