"""Turns Block Kit messages into the text a person would read (for the demo's transcript)."""
from __future__ import annotations

import re

from bot.core.wire import unescape


def readable(mrkdwn: str, names: dict[str, str]) -> str:
    text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + names.get(m.group(1), m.group(1)), mrkdwn)
    text = re.sub(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = re.sub(r"<([^<>|]+)\|([^<>]+)>", r"\2", text)
    text = text.replace("*", "").replace("`", "")
    text = text.replace(":warning:", "⚠").replace(":white_check_mark:", "✔")
    return unescape(text)


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
            lines.append("   ".join(f"[{e['text']['text']}]" for e in block.get("elements", [])))
    if not lines and msg.get("text"):
        lines = readable(msg["text"], names).splitlines()
    return lines
