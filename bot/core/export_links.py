"""Download links to an export: a private address per export asked, for platforms that cannot hand a
person a file (a Teams bot cannot upload one without a file-consent card).

`ExportLinks.mint` stores what to export (the list query, who asked, the format) under the SHA-256 of a
random secret (256 bits) and returns the secret; only the address `/exports/<secret>.csv` carries it, so
the table alone opens nothing. `download` finds a link by that hash and makes the export then, by the
same rules as the export command (bot.core.export: the workspace's actions the query matches, `mine` and
`overdue` as the person who asked sees them, cells a spreadsheet would run guarded).

The export is made when the link is opened, not when it is minted: the table then holds no copy of
anyone's actions (a dump or backup of it leaks nothing), a download is never staler than the click, and
an uninstalled or deleted workspace stops its links at once. The count the person is shown when asking
is as of then; the file is as of the download.

A link works for LINK_LIFETIME; a person keeps at most MAX_LINKS live ones (a new one drops the oldest),
and expired links are forgotten whenever one is minted. Anything unknown, expired, malformed or no longer
answerable (its region renamed away) is `None`, so the HTTP route says nothing about why.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.errors import UserError
from bot.core.export import export_csv
from bot.core.grammar import ListQuery
from bot.core.records import Actor
from bot.core.service import ActionService
from store import queries as q
from store.models import ExportLink, Workspace

LINK_LIFETIME = dt.timedelta(hours=24)
MAX_LINKS = 20  # live links per person
FORMAT = "csv"
SECRET_BYTES = 32
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32), and nothing else is ever looked up
STATUSES = ("open", "done", "cancelled", "all")


@dataclass(frozen=True)
class DownloadLink:
    """A minted link: the secret of its address (shown once, never stored) and when it stops working."""

    secret: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Download:
    """An opened link's export: the CSV text, its file name, how many actions, and whose workspace."""

    content: str
    filename: str
    rows: int
    team_id: str


def download_path(secret: str) -> str:
    """The link's path on the bot's HTTP server (prefix it with the public base URL)."""
    return f"/exports/{secret}.csv"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def query_json(query: ListQuery) -> str:
    return json.dumps(dataclasses.asdict(query), sort_keys=True, separators=(",", ":"))


def query_from_json(text: str) -> ListQuery | None:
    """The stored query back, or None when it is not one (every field checked for its type)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    names = {f.name for f in dataclasses.fields(ListQuery)}
    if not isinstance(data, dict) or not set(data) <= names:
        return None
    for key, value in data.items():
        flag = key in ("mine", "overdue")
        if (flag and not isinstance(value, bool)) or (not flag and value is not None and not isinstance(value, str)):
            return None
    if data.get("status", "open") not in STATUSES:
        return None
    return ListQuery(**data)


class ExportLinks:
    """Minting download links on one platform's workspaces (`actions.platform`)."""

    def __init__(self, actions: ActionService):
        self.actions = actions

    def mint(self, team_id: str, actor: Actor, query: ListQuery, now: dt.datetime) -> DownloadLink:
        """A new link to the export of `query` as `actor` sees it, working until now + LINK_LIFETIME."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        expires = now + LINK_LIFETIME
        with self.actions.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            link = ExportLink(
                workspace_id=ws.id,
                secret_hash=secret_hash(secret),
                user_id=actor.user_id,
                tz=actor.tz,
                query=query_json(query),
                format=FORMAT,
                created_at=now,
                expires_at=expires,
            )
            q.add_export_link(s, link, keep=MAX_LINKS)
        return DownloadLink(secret, expires)


def download(services: Mapping[str, ActionService], secret: str, now: dt.datetime) -> Download | None:
    """The export behind `secret` as of `now`, or None (unknown, expired, malformed, the workspace gone or
    uninstalled). `services`: each served platform's core, by platform name (a link names its workspace,
    the workspace its platform)."""
    if not services or not isinstance(secret, str) or not SECRET_SHAPE.fullmatch(secret):
        return None
    wanted = secret_hash(secret)
    db = next(iter(services.values())).db
    with db.reading() as s:
        # found by the hash of a 256-bit secret: how long the lookup takes says nothing of the secret
        link = q.export_link_by_hash(s, wanted)
        if link is None or not hmac.compare_digest(link.secret_hash, wanted) or link.expires_at <= now:
            return None
        ws = s.get(Workspace, link.workspace_id)
        if ws is None or ws.uninstalled_at is not None:
            return None
        platform, team_id, user_id, tz = ws.platform, ws.team_id, link.user_id, link.tz
        query = query_from_json(link.query) if link.format == FORMAT else None
    actions = services.get(platform)
    if query is None or actions is None:
        return None
    try:
        content = export_csv(actions, team_id, query, now, actor=Actor(user_id, tz=tz))
    except UserError:  # the query no longer reads (its region was removed): nothing to give
        return None
    rows = sum(1 for _ in csv.reader(io.StringIO(content))) - 1
    return Download(content, f"actions-{now:%Y%m%d}.csv", rows, team_id)
