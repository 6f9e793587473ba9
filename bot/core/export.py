"""CSV export of actions: for a distribution list, a spreadsheet, or an import elsewhere.

`export_csv` writes every action a list query matches (the same filters as `/action list`, with no
page limit), soonest due first, undated last. The header row is `CSV_COLUMNS`, in this order; new
columns are only ever added at the end, so readers may rely on names and positions:

| column       | value                                                                                 |
| ------------ | ------------------------------------------------------------------------------------- |
| `number`     | the action's number in its workspace (`12` for #12)                                   |
| `title`      | the action's title                                                                    |
| `status`     | `open`, `done` or `cancelled`                                                         |
| `owners`     | every owner, separated by `"; "`: a Slack user's display name (their user ID when no  |
|              | name is known), a named owner as written ("KM Regional Coordinators")                 |
| `owner_ids`  | the Slack user IDs of the owners who are Slack users, `"; "`-separated, in the order  |
|              | they appear in `owners`                                                               |
| `due`        | an ISO date (`2014-11-30`), `ongoing`, or empty for no due date                        |
| `region`     | the region's name, or empty                                                           |
| `group`      | the working group's name, or empty                                                    |
| `meeting`    | the meeting it came from, or empty                                                    |
| `channel`    | the ID of the channel it was made in, or empty                                        |
| `created_by` | the user ID of its creator                                                            |
| `created_at` | ISO 8601 instant in UTC (`2014-11-21T15:00:00+00:00`)                                  |
| `closed_at`  | ISO 8601 instant in UTC when done or cancelled, else empty                            |
| `notes`      | its notes, oldest first, one per line                                                 |
| `permalink`  | the link to the chat message it was made from, or empty                               |

The names an importer looks for are `title`, `owners`, `due`, `region`, `group` and `status`. Cells are
quoted as RFC 4180 says (commas, quotes and line breaks survive a round trip through `csv.reader`);
rows end in CRLF. A cell a spreadsheet would run as a formula (beginning with `=`, `+`, `-`, `@`, a tab
or a carriage return) gets a `'` in front, as OWASP advises against CSV injection (bot.core.cells);
the importer takes that `'` off again, so importing an export gives the same text back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable, Mapping, TextIO

from bot.core.cells import guard
from bot.core.grammar import ListQuery
from bot.core.records import ActionInfo, Actor
from bot.core.service import ActionService
from store import queries as q

CSV_COLUMNS: tuple[str, ...] = (
    "number",
    "title",
    "status",
    "owners",
    "owner_ids",
    "due",
    "region",
    "group",
    "meeting",
    "channel",
    "created_by",
    "created_at",
    "closed_at",
    "notes",
    "permalink",
)
OWNER_SEPARATOR = "; "


def export_csv(
    actions: ActionService, team_id: str, query: ListQuery, now: dt.datetime, actor: Actor | None = None
) -> str:
    """Every action of the workspace that `query` matches, as CSV text with a header row.

    `actor` is who asks: needed for `mine`, and their zone settles "today" for `overdue`. Raises
    BadInput as `ActionService.list` does (an unknown region, `mine` without an actor)."""
    listing = actions.list(team_id, actor, query, now, limit=None)
    numbers = [a.number for a in listing.actions]
    with actions.db.session() as s:
        ws = actions.workspaces.row(s, team_id, now)
        notes = q.notes_by_number(s, ws.id, numbers)
    out = io.StringIO(newline="")
    write_csv((csv_row(a, notes.get(a.number, ())) for a in listing.actions), out)
    return out.getvalue()


def csv_row(action: ActionInfo, notes: Iterable[str] = ()) -> dict[str, str]:
    """One action as a CSV row: `CSV_COLUMNS` to cell text. `notes` overrides `action.notes` when given."""
    due = action.due
    notes = tuple(notes) or action.notes
    return {
        "number": str(action.number),
        "title": action.title,
        "status": action.status,
        "owners": OWNER_SEPARATOR.join((o.name or o.user_id or "") for o in action.owners),
        "owner_ids": OWNER_SEPARATOR.join(action.owner_ids),
        "due": due.date.isoformat() if due.date is not None else ("ongoing" if due.kind == "ongoing" else ""),
        "region": action.region or "",
        "group": action.group or "",
        "meeting": action.meeting or "",
        "channel": action.channel_id or "",
        "created_by": action.created_by,
        "created_at": _instant(action.created_at),
        "closed_at": _instant(action.closed_at),
        "notes": "\n".join(notes),
        "permalink": action.permalink or "",
    }


def write_csv(rows: Iterable[Mapping[str, object]], out: TextIO) -> None:
    """Write the header and `rows` (mappings from column name to value; missing columns are empty) to
    `out`, which should be opened with `newline=""`. Text a spreadsheet would run is guarded."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", extrasaction="raise")
    writer.writeheader()
    writer.writerows({k: guard(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)


def _instant(value: dt.datetime | None) -> str:
    return value.astimezone(dt.timezone.utc).isoformat() if value is not None else ""
