"""Typed command input for core tests, written compactly: `{@UJEN}` is a person (`{@UJEN|jen}` with the
name the mention showed), `{#C1}` a channel; everything else is plain text, as an adapter hands it on."""

from __future__ import annotations

import re

from bot.core.command_input import ChannelRef, PersonRef, Piece, Said, said

REF = re.compile(r"\{([@#])([^{}|]+)(?:\|([^{}]*))?\}")


def said_in(text: str) -> Said:
    pieces: list[Piece] = []
    pos = 0
    for m in REF.finditer(text):
        pieces.append(text[pos : m.start()])
        kind, ref_id, label = m.groups()
        pieces.append(PersonRef(ref_id, label) if kind == "@" else ChannelRef(ref_id, label))
        pos = m.end()
    pieces.append(text[pos:])
    return said(*pieces)
