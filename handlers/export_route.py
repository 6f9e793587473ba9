"""The download URL of an export: `GET /exports/<secret>.csv` answers the CSV as a file to save.

The secret in the URL is the only credential (bot.core.export_links), so an unknown, expired or malformed
one gets a bare 404 that says nothing about why, and nothing here logs the path: the line per download
names the workspace and the row count only. `no-store` keeps the file out of every cache on the way.
"""

from __future__ import annotations

import logging
from typing import Callable

from flask import Flask, Response

from bot.core.export_links import Download

log = logging.getLogger("actionbot.exports")
CSV_TYPE = "text/csv; charset=utf-8"


def register_exports(web: Flask, download: Callable[[str], Download | None]) -> None:
    """Serve `download(secret)` (the export, or None for no such link) at `/exports/<secret>.csv`."""

    @web.get("/exports/<secret>.csv")
    def export_download(secret: str):
        found = download(secret)
        if found is None:
            log.info("export link refused: unknown, expired or malformed")
            return Response(b"", status=404, headers={"Cache-Control": "no-store"})
        log.info("export downloaded: workspace %s, %d actions", found.team_id, found.rows)
        response = Response(found.content.encode("utf-8"), status=200, content_type=CSV_TYPE)
        response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
