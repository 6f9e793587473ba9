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
from bot.messages import Example, Msg, Opt, msg
from store.models import Action, Group, Meeting, Owner, Person, Region, RegionAlias, Workspace
from store.queries import fold


def _length(*columns) -> int:
    """The tightest length of the columns a value is stored in."""
    return min(c.property.columns[0].type.length for c in columns)


@dataclass(frozen=True)
class Limit:
    label: str  # the message naming the field
    field: str  # the input it comes from: a form's block, an import cell, a command option
    length: int  # of the value as stored
    key_length: int | None = None  # of its case-folded matching key, where one is stored
    example: Example | None = None

    def measure(self, value: str) -> int:
        """The length the check compares with `limit`: the stored value's, or its key's when longer."""
        size = len(value.strip())
        if self.key_length is not None:
            size = max(size, len(fold(value)))
        return size

    @property
    def limit(self) -> int:
        return min(self.length, self.key_length or self.length)


def _ex(key: str, value: str) -> Example:
    return Example(None, (Opt(key, value),))


LIMITS = {
    "title": Limit("field.title", "title", MAX_TITLE),  # a Text column: the grammar's limit
    "note": Limit("field.note", "note", MAX_NOTE),
    "named_owner": Limit(
        "field.named_owner", "named", _length(Owner.name), example=_ex("owner", "KM Regional Coordinators")
    ),
    "user": Limit("field.user", "owners", _length(Owner.user_id, Action.created_by, Region.lead_user_id)),
    "group": Limit("field.group", "group", _length(Group.name), _length(Group.key), _ex("group", "KM")),
    "meeting": Limit(
        "field.meeting",
        "meeting",
        _length(Meeting.name),
        _length(Meeting.key),
        _ex("meeting", "Global KM & Comms Workshop"),
    ),
    "region": Limit(
        "field.region",
        "name",
        _length(Region.name),
        _length(Region.key),
        Example("region add", ("Latin America", Opt("alias", "LAC"))),
    ),
    "alias": Limit("field.alias", "aliases", _length(RegionAlias.alias), _length(RegionAlias.key), _ex("alias", "LAC")),
    "timezone": Limit(
        "field.timezone",
        "tz",
        _length(Workspace.timezone, Region.timezone, Person.tz),
        example=_ex("tz", "America/Bogota"),
    ),
    "days": Limit("field.days", "days", _length(Region.working_days), example=_ex("days", "mon-fri")),
    "summary": Limit("field.summary", "summary", _length(Region.summary_schedule), example=_ex("summary", "mon 09:00")),
    "nudges": Limit("field.nudges", "nudges", _length(Workspace.nudge_offsets), example=_ex("nudges", "-3,0,1")),
    "channel": Limit("field.channel", "channel", _length(Region.channel_id, Action.channel_id)),
    "permalink": Limit("field.permalink", "permalink", _length(Action.permalink)),
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
    note = msg("too_long.folded") if doubled else None
    return BadInput(too_long(msg(limit.label), limit.limit, size, note), limit.example, field=limit.field)


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


def whole_number(text: str, low: int, high: int, message: Msg, example: Example) -> int:
    """`text` as a whole number from `low` to `high` written in ASCII digits; else BadInput(message)."""
    text = text.strip()
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise BadInput(message, example)
    return int(text)
