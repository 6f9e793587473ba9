"""The text form commands arrive in, and turning its pieces into plain text.

Chat text reaches the core in Slack's escaped form, which is also the core's neutral "wire form":
literal `&`, `<` and `>` arrive as `&amp;`, `&lt;`, `&gt;`, and references are in angle brackets:
`<@U123|lina>` (a user), `<#C123|general>` (a channel), `<!channel>` (a special mention),
`<https://…|label>` (a link). Another platform's adapter rewrites its own markup to this form.
"""

from __future__ import annotations

import re

REFERENCE = re.compile(r"<([^<>]*)>")
USER_REF = re.compile(r"^@([UW][A-Z0-9]+)(?:\|([^>]*))?$")
CHANNEL_REF = re.compile(r"^#(C[A-Z0-9]+)(?:\|([^>]*))?$")
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Text as people can have meant it: control characters (NUL and the like, which PostgreSQL refuses
    and no one types) removed; tabs and line breaks kept."""
    return CONTROL.sub("", text)


def unescape(text: str) -> str:
    """Undo the chat escaping of plain text (only these three entities are used)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reference_as_text(inner: str) -> str:
    """How a reference reads as plain text: `<@U1|lina>` → "@lina", `<!channel>` → "@channel"."""
    if m := USER_REF.match(inner):
        return "@" + (m.group(2) or m.group(1))
    if m := CHANNEL_REF.match(inner):
        return "#" + (m.group(2) or m.group(1))
    if inner.startswith("!"):
        special = inner[1:]
        if "|" in special:
            return special.split("|", 1)[1]
        return "@" + special.split("^", 1)[0]
    if "|" in inner:  # a link with a label
        url, label = inner.split("|", 1)
        return f"{label} ({url})"
    return inner


def to_plain(text: str) -> str:
    """Wire form → the plain text a person meant (what the store keeps)."""
    out, pos = [], 0
    for m in REFERENCE.finditer(text):
        out.append(unescape(text[pos : m.start()]))
        out.append(reference_as_text(m.group(1)))
        pos = m.end()
    out.append(unescape(text[pos:]))
    return "".join(out)


def _reference_id(token: str, pattern: re.Pattern) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        if m := pattern.match(token[1:-1]):
            return m.group(1)
    return None


def user_reference(token: str) -> str | None:
    """The user ID in a `<@U…>` token, or None."""
    return _reference_id(token, USER_REF)


def channel_reference(token: str) -> str | None:
    """The channel ID in a `<#C…>` token, or None."""
    return _reference_id(token, CHANNEL_REF)
