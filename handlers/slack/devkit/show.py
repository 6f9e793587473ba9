"""Turns Block Kit messages into the text a person would read (for the demo's transcript)."""

from __future__ import annotations

import re

from handlers.slack.markup import unescape

EMOJI = {
    ":warning:": "⚠",
    ":white_check_mark:": "✔",
    ":alarm_clock:": "⏰",
    ":rotating_light:": "🚨",
    ":bar_chart:": "📊",
    ":red_circle:": "🔴",
    ":date:": "📅",
    ":new:": "🆕",
    ":bust_in_silhouette:": "👤",
    ":zzz:": "💤",
    ":calendar:": "📆",
    ":memo:": "📝",
}


def readable(mrkdwn: str, names: dict[str, str]) -> str:
    """`names` maps user and channel IDs to the names people see."""
    text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + names.get(m.group(1), m.group(1)), mrkdwn)
    text = re.sub(
        r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text
    )
    text = re.sub(r"<([^<>|]+)\|([^<>]+)>", r"\2", text)
    text = text.replace("*", "").replace("`", "")
    text = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text)  # _italics_
    for code, emoji in EMOJI.items():
        text = text.replace(code, emoji)
    return unescape(text)


def _label(element: dict) -> str:
    if element.get("type") == "datepicker":
        return f"[{element.get('placeholder', {}).get('text', 'date')} ▾]"
    return f"[{element.get('text', {}).get('text', '?')}]"


def message_text(msg: dict, names: dict[str, str]) -> list[str]:
    """One message (blocks, else its fallback text) as lines."""
    lines: list[str] = []
    for block in msg.get("blocks") or []:
        if block.get("type") == "section":
            text = readable(block.get("text", {}).get("text", ""), names)
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                text += f"   [{accessory['text']['text']}]"
            lines += text.splitlines()
        elif block.get("type") == "context":
            lines += [readable(e.get("text", ""), names) for e in block.get("elements", [])]
        elif block.get("type") == "actions":
            lines.append("   ".join(_label(e) for e in block.get("elements", [])))
    if not lines and msg.get("text"):
        lines = readable(msg["text"], names).splitlines()
    return lines


def all_text(message: dict) -> str:
    """Every string Slack would render from a message or view: the fallback text and all block texts
    (button values left out), one per line, still in Slack's markup. Tests and benchmarks read replies
    with it."""
    parts = [message.get("text", "") if isinstance(message.get("text"), str) else ""]

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(parts)
