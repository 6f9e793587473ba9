"""Slack's text markup, read into the core's typed command input (bot.core.command_input) and written
back from it.

Slack sends a slash command's and a message's text escaped: literal `&`, `<` and `>` arrive as
`&amp;`, `&lt;` and `&gt;`, and references are in angle brackets: `<@U123|lina>` (a user),
`<#C123|general>` (a channel), `<!channel>` (a special mention), `<https://…|label>` (a link). Users
and channels become `PersonRef` and `ChannelRef`; special mentions, links and anything else in angle
brackets become a `SpecialRef` holding the text they read as ("@channel", "label (https://…)").
"""

from __future__ import annotations

import re

from bot.core import grammar, questions
from bot.core.command_input import ChannelRef, PersonRef, Piece, Said, SpecialRef, as_text, said

REFERENCE = re.compile(r"<([^<>]*)>")
USER_REF = re.compile(r"^@([UW][A-Z0-9]+)(?:\|([^>]*))?$")
CHANNEL_REF = re.compile(r"^#(C[A-Z0-9]+)(?:\|([^>]*))?$")
# The bot addressed at the start of a message: "<@UBOT> what's open?", "<@UBOT|actionbot>, overdue"
LEADING_MENTION = re.compile(r"\s*<@(?P<id>[UW][A-Z0-9]+)(?:\|[^<>]*)?>[\s,:]*")
COMMAND = "/action"


def unescape(text: str) -> str:
    """Undo Slack's escaping of plain text (only these three entities are used)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reference(inner: str) -> Piece:
    """One `<…>` as typed input: a person, a channel, or what anything else reads as."""
    if m := USER_REF.match(inner):
        return PersonRef(m.group(1), m.group(2))
    if m := CHANNEL_REF.match(inner):
        return ChannelRef(m.group(1), m.group(2))
    return SpecialRef(_special_text(inner))


def _special_text(inner: str) -> str:
    """`<!channel>` → "@channel", `<!here|here>` → "here", `<https://x|the plan>` → "the plan (https://x)"."""
    if inner.startswith("!"):
        special = inner[1:]
        if "|" in special:
            return special.split("|", 1)[1]
        return "@" + special.split("^", 1)[0]
    if "|" in inner:  # a link with a label
        url, label = inner.split("|", 1)
        return f"{label} ({url})"
    return inner


def parse(text: str) -> Said:
    """Slack's escaped text as the core reads it."""
    out: list[Piece] = []
    pos = 0
    for m in REFERENCE.finditer(text):
        out += [unescape(text[pos : m.start()]), _reference(m.group(1))]
        pos = m.end()
    out.append(unescape(text[pos:]))
    return said(*out)


def to_plain(text: str) -> str:
    """Slack's escaped text as the plain text a person meant (what the store keeps)."""
    return as_text(parse(text))


def render(what: Said) -> str:
    """Typed input (a list query the core hands back, say) in Slack's markup: people as mentions,
    channels as links, other references as their text."""
    return "".join(_rendered(p) for p in what)


def _rendered(piece: Piece) -> str:
    if isinstance(piece, PersonRef):
        return f"<@{piece.user_id}>"
    if isinstance(piece, ChannelRef):
        return f"<#{piece.channel_id}>"
    return escape(piece if isinstance(piece, str) else piece.text)


def person(text: str) -> PersonRef | None:
    """The user `text` (spaces aside) is a mention of, alone: `<@U123>` or `<@U123|lina>`."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">") and (m := USER_REF.match(text[1:-1])):
        return PersonRef(m.group(1), m.group(2))
    return None


def command(text: str) -> Said:
    """A slash command's text for the core; refused by length before its markup is read."""
    grammar.check_length(len(text))
    return parse(text.strip())


def question(text: str, bot_user_id: str | None = None) -> Said:
    """A mention's or a DM's text for the core (bot.core.questions), refused by length before its
    markup is read. A leading mention is the bot being addressed and is dropped: every leading mention
    of `bot_user_id` when it is given, else the first one."""
    text = text or ""
    questions.check_length(len(text))
    start = 0
    while (m := LEADING_MENTION.match(text, start)) and (bot_user_id is None or m.group("id") == bot_user_id):
        start = m.end()
        if bot_user_id is None:
            break
    return parse(text[start:])
