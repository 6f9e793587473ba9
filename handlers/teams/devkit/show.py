"""Turns the Adaptive Cards the bot sends into the text a Teams user would read (for the demo's
transcript): TextBlocks with their Markdown rendered as plain text, facts as `Title: value`, and the
buttons of an ActionSet or of the card as `[Title]`, in the order Teams lays them out."""

from __future__ import annotations

import re
from typing import Any

CARD = "application/vnd.microsoft.card.adaptive"
LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)")
ESCAPED = re.compile(r"\\(.)")


def readable(markdown: str) -> str:
    """A TextBlock's Markdown as read: emphasis, strike and code marks gone, links as their text,
    backslash escapes (how the bot keeps user text from formatting) undone."""
    text = LINK.sub(r"\1", markdown)
    held: list[str] = []

    def hold(m: re.Match) -> str:  # escaped characters are literal: keep them away from the mark removal
        held.append(m.group(1))
        return f"\x00{len(held) - 1}\x00"

    text = ESCAPED.sub(hold, text)
    text = text.replace("**", "").replace("~~", "").replace("`", "")
    text = re.sub(r"(?<![\w\x00])_([^_\n]+)_(?!\w)", r"\1", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: held[int(m.group(1))], text)
    return re.sub(r"\n{2,}", "\n", text)


def _buttons(actions: list[Any]) -> str:
    return "   ".join(f"[{a.get('title', '?')}]" for a in actions if isinstance(a, dict))


def _element(node: Any, lines: list[str]) -> None:
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "TextBlock" and isinstance(node.get("text"), str):
        lines += readable(node["text"]).splitlines()
    elif kind == "FactSet":
        lines += [f"{f.get('title', '')}: {readable(str(f.get('value', '')))}" for f in node.get("facts") or []]
    elif kind == "ActionSet" and node.get("actions"):
        lines.append(_buttons(node["actions"]))
    elif kind in ("Input.Text", "Input.Date", "Input.ChoiceSet", "Input.Toggle"):
        lines.append(f"{node.get('label') or node.get('placeholder') or node.get('id', '')}: [ ]")
    for child in node.get("items") or node.get("body") or []:
        _element(child, lines)


def card_text(content: dict) -> list[str]:
    """One Adaptive Card as lines."""
    lines: list[str] = []
    _element(content, lines)
    if content.get("actions"):
        lines.append(_buttons(content["actions"]))
    return lines


def activity_text(activity: dict) -> list[str]:
    """A message activity the bot sent: its cards as lines, else its text."""
    lines: list[str] = []
    for attachment in activity.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("contentType") == CARD:
            lines += card_text(attachment.get("content") or {})
    if not lines and isinstance(activity.get("text"), str):
        lines = readable(activity["text"]).splitlines()
    return lines
