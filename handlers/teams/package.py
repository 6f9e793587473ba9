"""The Teams app package: the zip an admin or a person uploads to Teams to install Actionbot.

`build_package(app_id, public_url, out_path)` writes `manifest.json` (app manifest schema 1.30, the
current version in Microsoft's manifest change log, August 2026) with the bot in personal, team and group
chat scopes and its command list, the message action "Create follow-up action" (a dialog fetched from
the bot, on a message), the public URL's host as the only valid domain, and the two icons Teams requires:
`color.png` (192×192) and `outline.png` (32×32, white on transparent), drawn here and written by a small
PNG encoder (zlib and struct) so no image library is needed. `main(argv)` is the command line behind
`actionbot teams package`.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import uuid
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlsplit

MANIFEST_VERSION = "1.30"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x2E, 0x6D, 0xA4)  # the icon's background, and the manifest's accent colour
SCOPES = ["personal", "team", "groupChat"]
MESSAGE_ACTION_ID = "createFollowUpAction"

# At most 10 per list (the limit before schema 1.24, still what Teams clients show well); titles ≤ 32
# characters, descriptions ≤ 128.
COMMANDS = [
    ("add", "Capture an action: add <title> @owner due <date> region:<name>"),
    ("list", "Open actions: list [mine|all|overdue|done] region:<name> group:<name>"),
    ("my actions", "My actions on one card: overdue, this week, later, created by me"),
    ("overdue", "Actions past their due date"),
    ("done", "Mark an action done: done <number>"),
    ("edit", "Change an action in a form: edit <number>"),
    ("import", "Paste a follow-up matrix and import its rows"),
    ("region", "Regions: their channel, lead, time zone and working days"),
    ("settings", "Nudge schedule and workspace settings"),
    ("help", "What I understand, with examples"),
]


def manifest(app_id: str, public_url: str, *, version: str = "1.0.0") -> dict:
    """The manifest for `app_id` (the bot's Microsoft App ID, a GUID) served at `public_url` (https)."""
    try:
        app_id = str(uuid.UUID(app_id))
    except (ValueError, AttributeError, TypeError):
        raise ValueError("the app ID must be the bot's Microsoft App ID, a GUID") from None
    url = urlsplit(public_url)
    if url.scheme != "https" or not url.hostname:
        raise ValueError("the public URL must be an https URL (Teams reaches the bot only over https)")
    base = public_url.rstrip("/")
    host = url.hostname if url.port in (None, 443) else f"{url.hostname}:{url.port}"
    commands = [{"title": title, "description": description} for title, description in COMMANDS]
    assert len(commands) <= 10 and all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Actionbot",
            "websiteUrl": base,
            "privacyUrl": base + "/privacy",
            "termsOfUseUrl": base + "/terms",
        },
        "name": {"short": "Actionbot", "full": "Actionbot: follow-up actions of meetings"},
        "description": {
            "short": "Keeps the follow-up actions of meetings moving.",
            "full": (
                "Capture follow-up actions in chat, from a message or from a pasted follow-up matrix. "
                "Actionbot nudges each owner before and after the deadline in their own working hours, "
                "posts a weekly summary into each region's channel and answers what is still open."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": commands}],
            }
        ],
        "composeExtensions": [
            {
                "botId": app_id,
                "commands": [
                    {
                        "id": MESSAGE_ACTION_ID,
                        "type": "action",
                        "title": "Create follow-up action",
                        "description": "Make this message a follow-up action",
                        "context": ["message"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
    }


def png(width: int, height: int, pixel) -> bytes:
    """An RGBA PNG; `pixel(x, y)` gives (r, g, b, a)."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _on_check(x: float, y: float, size: int) -> bool:
    """Whether (x, y) lies on a check mark drawn across a `size` square."""
    points = [(0.22, 0.52), (0.42, 0.72), (0.78, 0.30)]
    width = 0.08
    u, v = x / size, y / size
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
        if (u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2 <= width * width:
            return True
    return False


def color_icon() -> bytes:
    """192×192: a white check mark on the accent colour, full bleed."""
    return png(192, 192, lambda x, y: (255, 255, 255, 255) if _on_check(x + 0.5, y + 0.5, 192) else (*ACCENT, 255))


def outline_icon() -> bytes:
    """32×32: the check mark in white on a transparent background (Teams' rule for outline icons)."""
    return png(32, 32, lambda x, y: (255, 255, 255, 255) if _on_check(x + 0.5, y + 0.5, 32) else (255, 255, 255, 0))


def build_package(app_id: str, public_url: str, out_path: str | os.PathLike) -> Path:
    """Write the app package zip (manifest.json, color.png, outline.png at its root) and return its path."""
    data = json.dumps(manifest(app_id, public_url), indent=2).encode()
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", data)
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="actionbot teams package", description="Write the Teams app package (zip) to upload to Teams."
    )
    parser.add_argument("--app-id", default=os.environ.get("TEAMS_APP_ID"), help="the bot's app ID (TEAMS_APP_ID)")
    parser.add_argument(
        "--public-url", required=True, help="the bot's public https URL, e.g. https://actionbot.example.org"
    )
    parser.add_argument("--out", default="actionbot-teams.zip", help="where to write the zip (actionbot-teams.zip)")
    args = parser.parse_args(argv)
    if not args.app_id:
        print("error: set TEAMS_APP_ID or pass --app-id", file=sys.stderr)
        return 2
    try:
        path = build_package(args.app_id, args.public_url, args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
