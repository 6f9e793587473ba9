"""What several test modules share: the seed's follow-up matrix as `/action add` text, and a
reader of everything Slack would render from a message."""
from __future__ import annotations

from pathlib import Path

import pytest

SEED = "seed/000_db5a207661ba9c22.txt"


def seed_report() -> str:
    """The workshop report of ../shared (CI puts shared/ beside the checkout)."""
    root = Path(__file__).resolve().parent.parent
    for shared in (root.parent / "shared", Path("/work/shared")):
        if (shared / SEED).exists():
            return (shared / SEED).read_text(encoding="utf-8")
    pytest.skip("the seed report (../shared/seed) is not beside this checkout")


def seed_matrix() -> str:
    """Section 11 of the seed report: the follow-up matrix as it is copied from the Word table."""
    text = seed_report()
    start = text.index("Action to be taken")
    return text[start:text.index("12. Distribution list")]

SEED_ROWS = [
    ("Send information to Tim Boyle, KM coordinator on available budget for KM regional initiatives "
     "<@UJEN|jennifer> due Nov 30, 2014 region:Global group:KM", "Sun 30 Nov 2014"),
    ('Development of Regional KM Work Plans for 2015, including budget for activities '
     'owner:"KM Regional Coordinators" due Dec 30, 2014 group:KM', "Tue 30 Dec 2014"),
    ("Submission of LAC KM Region proposal <@UPAT|patricia> due Dec 20, 2014 region:LAC group:KM",
     "Sat 20 Dec 2014"),
    ('Agreement on monthly coordination conference calls and follow-up meetings with Tim Boyle '
     'owner:"KM Coordinator" owner:"Regional KM team" on going group:KM', "ongoing"),
    ("Development of draft of KM Global Strategy <@ULINA|lina> due Nov 30, 2014 region:Global group:KM",
     "Sun 30 Nov 2014"),
]


def all_text(message: dict) -> str:
    """Every string Slack would render from a message: fallback text and all block texts."""
    parts = [message.get("text", "")]

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

    walk(message.get("blocks", []))
    return "\n".join(parts)
