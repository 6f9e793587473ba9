"""How long each stored field may be, and strict whole numbers: checked in the core before any write.

The lengths are read from the models' columns, so a changed model changes the check with it, and a value
is measured as it will be stored, including the case-folded key that names are matched by ("ß" folds to
"ss", so a name can outgrow its key column). PostgreSQL refuses an over-long value where SQLite would
keep it: checking here makes both databases answer alike, with a message naming the field and its limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from bot.core.errors import BadInput, too_long
from bot.core.grammar import MAX_NOTE, MAX_TITLE, ActionSpec
from store.models import Action, Group, Meeting, Owner, Person, Region, RegionAlias, Workspace
from store.queries import fold


def _length(*columns) -> int:
    """The tightest length of the columns a value is stored in."""
    return min(c.property.columns[0].type.length for c in columns)


@dataclass(frozen=True)
class Limit:
    label: str  # how a message names the field
    field: str  # the input it comes from: a form's block, an import cell, a command option
    length: int  # of the value as stored
    key_length: int | None = None  # of its case-folded matching key, where one is stored
    example: str | None = None

    def measure(self, value: str) -> int:
        """The length the check compares with `limit`: the stored value's, or its key's when longer."""
        size = len(value.strip())
        if self.key_length is not None:
            size = max(size, len(fold(value)))
        return size

    @property
    def limit(self) -> int:
        return min(self.length, self.key_length or self.length)


LIMITS = {
    "title": Limit("An action's title", "title", MAX_TITLE),  # a Text column: the grammar's limit
    "note": Limit("A note", "note", MAX_NOTE),
    "named_owner": Limit("A named owner", "named", _length(Owner.name), example='owner:"KM Regional Coordinators"'),
    "user": Limit("A user ID", "owners", _length(Owner.user_id, Action.created_by, Region.lead_user_id)),
    "group": Limit("A group name", "group", _length(Group.name), _length(Group.key), "group:KM"),
    "meeting": Limit(
        "A meeting name", "meeting", _length(Meeting.name), _length(Meeting.key), 'meeting:"Global KM & Comms Workshop"'
    ),
    "region": Limit(
        "A region name",
        "name",
        _length(Region.name),
        _length(Region.key),
        '/action region add "Latin America" alias:LAC',
    ),
    "alias": Limit("A region alias", "aliases", _length(RegionAlias.alias), _length(RegionAlias.key), "alias:LAC"),
    "timezone": Limit(
        "A time zone", "tz", _length(Workspace.timezone, Region.timezone, Person.tz), example="tz:America/Bogota"
    ),
    "days": Limit("The working days", "days", _length(Region.working_days), example="days:mon-fri"),
    "summary": Limit("The summary time", "summary", _length(Region.summary_schedule), example='summary:"mon 09:00"'),
    "nudges": Limit(
        "The nudge days, written out,", "nudges", _length(Workspace.nudge_offsets), example="nudges:-3,0,1"
    ),
    "channel": Limit("A channel ID", "channel", _length(Region.channel_id, Action.channel_id)),
    "permalink": Limit("A message link", "permalink", _length(Action.permalink)),
}


def problem(kind: str, value: str | None) -> BadInput | None:
    """What is wrong with storing `value` as a `kind` (a key of LIMITS), or None."""
    if not value:
        return None
    limit = LIMITS[kind]
    size = limit.measure(value)
    if size <= limit.limit:
        return None
    doubled = limit.key_length is not None and len(fold(value)) > len(value.strip())
    note = " (some letters, like “ß”, count twice once case is folded)" if doubled else ""
    return BadInput(too_long(limit.label, limit.limit, size, note), limit.example, field=limit.field)


_Text = TypeVar("_Text", str, str | None)


def check(kind: str, value: _Text) -> _Text:
    """`value`, if it fits where a `kind` is stored; else the BadInput naming the field and its limit."""
    found = problem(kind, value)
    if found is not None:
        raise found
    return value


def spec_problems(spec: ActionSpec) -> list[BadInput]:
    """Everything in an action's spec that would not fit where it is stored, in the spec's field order."""
    found = [
        problem("title", spec.title),
        *(problem("user", u) for u in spec.user_owners),
        *(problem("named_owner", n) for n in spec.named_owners),
        problem("group", spec.group),
        problem("meeting", spec.meeting),
        problem("note", spec.note),
        problem("permalink", spec.permalink),
    ]
    return [p for p in found if p is not None]


def check_spec(spec: ActionSpec) -> None:
    """Raise the first of `spec_problems`: nothing of a spec that does not fit is stored."""
    found = spec_problems(spec)
    if found:
        raise found[0]


_WHOLE = re.compile(r"[+-]?[0-9]{1,6}")  # ASCII digits only: "²".isdigit() and int("３") both say yes


def whole_number(text: str, low: int, high: int, message: str, example: str) -> int:
    """`text` as a whole number from `low` to `high` written in ASCII digits; else BadInput(message)."""
    text = text.strip()
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise BadInput(message, example)
    return int(text)
