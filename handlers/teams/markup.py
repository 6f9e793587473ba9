"""Teams' message text, read into the core's typed command input (bot.core.command_input) and written
back from it.

A message's `text` is HTML-ish: mentions are `<at>Name</at>`, each with a `mention` entity naming the
account (`mentioned.id`, a `29:` ID; the bot's own is `28:<app id>`); formatting may come as tags
(`<p>`, `<div>`, `<br>`…) and characters as entities (`&amp;`, `&nbsp;`). Here the bot's own mentions are
dropped, other mentions become `PersonRef`s by Entra object ID (given by `resolve`, 29: ID → object ID;
an account it cannot resolve stays the text "@Name", a named owner), known formatting tags are removed
and entities unescaped. Anything else in angle brackets is kept as the person typed it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bot.core import grammar, questions
from bot.core.command_input import ChannelRef, PersonRef, Piece, Said, SpecialRef, said

AT = re.compile(r"<at(?:\s[^<>]*)?>(.*?)</at>", re.IGNORECASE | re.DOTALL)
BLOCK_TAGS = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|tbody)\b[^<>]*>", re.IGNORECASE)
INLINE_TAGS = re.compile(r"</?(?:span|b|i|u|s|em|strong|code|a|font|img|td|th|thead|strike|sub|sup)\b[^<>]*>", re.I)
SPACES = re.compile(r"[ \t\u00a0]+")
MAX_TEXT = 20_000  # characters of HTML read at all; longer is refused by the core's length checks first


def mentions_of(activity: dict) -> list[tuple[str, str]]:
    """(29: or 28: ID, name) of each mention entity, in order."""
    out = []
    for entity in activity.get("entities") or []:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        mentioned = entity.get("mentioned") if isinstance(entity.get("mentioned"), dict) else {}
        account = mentioned.get("id")
        if isinstance(account, str) and 0 < len(account) <= 250:
            name = mentioned.get("name")
            out.append((account, name if isinstance(name, str) else ""))
    return out


def plain_text(fragment: str) -> str:
    """An HTML fragment (no mentions) as the text a person meant: tags of formatting removed (a block
    tag ends a line), entities unescaped."""
    text = BLOCK_TAGS.sub("\n", fragment)
    text = INLINE_TAGS.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def parse(
    text: str, mentions: Sequence[tuple[str, str]], bot_ids: set[str], resolve: Callable[[str], str | None]
) -> Said:
    """The text as the core reads it. `mentions` pair with the `<at>` tags in order; a tag without its
    entity is read as its text."""
    out: list[Piece] = []
    pos = 0
    queue = list(mentions)
    for m in AT.finditer(text):
        out.append(plain_inline(text[pos : m.start()]))
        label = html.unescape(m.group(1)).strip()
        account = _take(queue, label)
        if account is not None and account in bot_ids:
            pass  # the bot addressed: not part of what is said
        elif account is not None and (oid := resolve(account)):
            out.append(PersonRef(oid, label or None))
        else:
            out.append(SpecialRef("@" + label) if label else "")
        pos = m.end()
    out.append(plain_inline(text[pos:]))
    return said(*out)


def plain_inline(fragment: str) -> str:
    """Like plain_text, but keeps the spaces at either end (it sits between mentions)."""
    text = BLOCK_TAGS.sub("\n", fragment)
    text = INLINE_TAGS.sub("", text)
    return html.unescape(text).replace("\u00a0", " ")


def _take(queue: list[tuple[str, str]], label: str) -> str | None:
    for i, (account, name) in enumerate(queue):
        if name.strip() == label or not name:
            del queue[i]
            return account
    if queue:  # names may differ in case or spacing: fall back to order
        return queue.pop(0)[0]
    return None


def command(said_: Said) -> Said:
    """Typed text for the grammar, refused by length first, outer spaces off."""
    return _stripped(said_, grammar.check_length)


def question(said_: Said) -> Said:
    return _stripped(said_, questions.check_length)


def _stripped(what: Said, check: Callable[[int], None]) -> Said:
    check(sum(len(p) if isinstance(p, str) else 1 for p in what))
    pieces = list(what)
    if pieces and isinstance(pieces[0], str):
        pieces[0] = pieces[0].lstrip(" ,:\n\t")
    if pieces and isinstance(pieces[-1], str):
        pieces[-1] = pieces[-1].rstrip()
    return said(*pieces)


def render(what: Said) -> str:
    """Typed input (a list query the core hands back) as plain text to show in a card: a person as
    "@name", a channel as "#name"."""
    out = []
    for piece in what:
        if isinstance(piece, PersonRef):
            out.append("@" + (piece.label or "someone"))
        elif isinstance(piece, ChannelRef):
            out.append("#" + (piece.label or "channel"))
        elif isinstance(piece, SpecialRef):
            out.append(piece.text)
        else:
            out.append(piece)
    return "".join(out)


def too_long(text: str) -> bool:
    return len(text) > MAX_TEXT
