"""Typed command input: what a person said, as the core reads it, whatever platform it came through.

A platform's adapter turns its own markup into a `Said`: a tuple of pieces, each plain text (already
unescaped, exactly what the person meant), a `PersonRef` (a mention of a platform user), a
`ChannelRef` (a link to a channel) or a `SpecialRef` (other markup: a link, a mention of everyone). The core never sees a platform's markup or the shape of its IDs:
a reference is typed, and its ID is opaque. An adapter renders a `Said` the core hands back (a list
query to repeat, say) into its own markup the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonRef:
    """A mention of a platform user: their ID there, and the name the mention showed, if any."""

    user_id: str
    label: str | None = None

    def as_text(self) -> str:
        return "@" + (self.label or self.user_id)


@dataclass(frozen=True)
class ChannelRef:
    """A link to a channel (a conversation on the platform): its ID there, and its name, if given."""

    channel_id: str
    label: str | None = None

    def as_text(self) -> str:
        return "#" + (self.label or self.channel_id)


@dataclass(frozen=True)
class SpecialRef:
    """Markup that is neither a person nor a channel (a link, "@channel"): read as its text, but as one
    piece, not as words the person typed (so it is never a keyword, a filter or a region's name)."""

    text: str

    def as_text(self) -> str:
        return self.text


Reference = PersonRef | ChannelRef | SpecialRef
Piece = str | PersonRef | ChannelRef | SpecialRef
Said = tuple[Piece, ...]

SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A reference stands in text the grammar reads as one character from Unicode's Supplementary Private
# Use Area-A, the n-th reference as chr(PLACEHOLDER + n): one character, never a space, so a reference
# keeps its place among the words around it. No one types these; they are removed from text pieces.
PLACEHOLDER = 0xF0000
MAX_REFERENCES = 0xFFFFD - PLACEHOLDER
PLACEHOLDERS = re.compile("[\U000f0000-\U000ffffd]")


def clean(text: str) -> str:
    """Text as people can have meant it: control characters (NUL and the like, which PostgreSQL refuses
    and no one types) removed; tabs and line breaks kept."""
    return CONTROL.sub("", text)


def said(*pieces: Piece | Said) -> Said:
    """One `Said` from pieces and other `Said`s: neighbouring text joined, empty text left out."""
    out: list[Piece] = []
    for piece in pieces:
        for part in piece if isinstance(piece, tuple) else (piece,):
            if isinstance(part, str):
                if not part:
                    continue
                if out and isinstance(out[-1], str):
                    out[-1] += part
                    continue
            out.append(part)
    return tuple(out)


def plain(text: str) -> Said:
    """Plain text (the command line's, a form's) as said."""
    return said(text)


def as_text(what: Said) -> str:
    """How it reads as plain text: a person as "@name", a channel as "#name" (their IDs without one)."""
    return "".join(p if isinstance(p, str) else p.as_text() for p in what)


def references(what: Said) -> tuple[Reference, ...]:
    return tuple(p for p in what if not isinstance(p, str))


def with_placeholders(what: Said) -> tuple[str, tuple[Reference, ...]]:
    """The text with each reference as its placeholder character, and the references in order."""
    refs = references(what)
    if len(refs) > MAX_REFERENCES:
        raise ValueError("too many references")
    text, n = [], 0
    for p in what:
        if isinstance(p, str):
            text.append(PLACEHOLDERS.sub("", p))
        else:
            text.append(chr(PLACEHOLDER + n))
            n += 1
    return "".join(text), refs


def from_placeholders(text: str, refs: tuple[Reference, ...]) -> Said:
    """The inverse of `with_placeholders` (on a piece of its text, too)."""
    out: list[Piece] = []
    pos = 0
    for m in PLACEHOLDERS.finditer(text):
        out += [text[pos : m.start()], refs[ord(m.group()) - PLACEHOLDER]]
        pos = m.end()
    out.append(text[pos:])
    return said(*out)


def placeholders_as_text(text: str, refs: tuple[Reference, ...]) -> str:
    """A piece of placeholder text as it reads (see `as_text`)."""
    if not refs:
        return text
    return PLACEHOLDERS.sub(lambda m: refs[ord(m.group()) - PLACEHOLDER].as_text(), text)


def reference_at(text: str, refs: tuple[Reference, ...]) -> Reference | None:
    """The reference `text` is exactly (one placeholder character), else None."""
    if len(text) == 1 and PLACEHOLDERS.fullmatch(text):
        return refs[ord(text) - PLACEHOLDER]
    return None
