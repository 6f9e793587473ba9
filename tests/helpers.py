"""What several test modules share: the seed's follow-up matrix as `/action add` text, and a
reader of everything Slack would render from a message."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from handlers.slack.devkit.show import all_text  # noqa: F401  (re-exported for the tests)

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
    return text[start : text.index("12. Distribution list")]


SEED_ROWS = [
    (
        "Send information to Tim Boyle, KM coordinator on available budget for KM regional initiatives "
        "<@UJEN|jennifer> due Nov 30, 2014 region:Global group:KM",
        "Sun 30 Nov 2014",
    ),
    (
        "Development of Regional KM Work Plans for 2015, including budget for activities "
        'owner:"KM Regional Coordinators" due Dec 30, 2014 group:KM',
        "Tue 30 Dec 2014",
    ),
    ("Submission of LAC KM Region proposal <@UPAT|patricia> due Dec 20, 2014 region:LAC group:KM", "Sat 20 Dec 2014"),
    (
        "Agreement on monthly coordination conference calls and follow-up meetings with Tim Boyle "
        'owner:"KM Coordinator" owner:"Regional KM team" on going group:KM',
        "ongoing",
    ),
    (
        "Development of draft of KM Global Strategy <@ULINA|lina> due Nov 30, 2014 region:Global group:KM",
        "Sun 30 Nov 2014",
    ),
]


def form_values(title="", users=(), named="", due=None, flags=(), region=None, group=None, meeting=None, note=None):
    """The state Slack sends when the action form is submitted."""
    option = lambda v: {"value": v, "text": {"type": "plain_text", "text": v[:75]}}  # noqa: E731
    return {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "owners": {"value": {"type": "multi_users_select", "selected_users": list(users)}},
        "named": {"value": {"type": "plain_text_input", "value": named or None}},
        "due": {"value": {"type": "datepicker", "selected_date": due}},
        "due_opts": {"value": {"type": "checkboxes", "selected_options": [option(f) for f in flags]}},
        "region": {"value": {"type": "static_select", "selected_option": option(region) if region else None}},
        "group": {"value": {"type": "plain_text_input", "value": group}},
        "meeting": {"value": {"type": "plain_text_input", "value": meeting}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via *_PROXY


def fetch(url: str) -> tuple[int, bytes]:
    """GET a URL of the app under test: (status, body), errors included."""
    try:
        with _OPENER.open(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
