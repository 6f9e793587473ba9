"""The calendar feed URL: `GET /calendar/<secret>.ics` serves a private iCalendar feed.

Calendar clients (Google, Outlook, Apple) poll this URL; the secret in it is the only credential, so an
unknown or reset secret gets a bare 404 that says nothing about why.
"""

from __future__ import annotations

from typing import Callable

from flask import Flask, Response, request

ICS_TYPE = "text/calendar; charset=utf-8"


def register_calendar(web: Flask, feed: Callable[[str], bytes | None]) -> None:
    """Serve `feed(secret)` (iCalendar bytes, or None for no such feed) at `/calendar/<secret>.ics`."""

    @web.get("/calendar/<secret>.ics")
    def calendar_feed(secret: str):
        body = feed(secret)
        if body is None:
            return Response(b"", status=404, headers={"Cache-Control": "no-store"})
        response = Response(body, status=200, content_type=ICS_TYPE)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Content-Disposition"] = 'inline; filename="actions.ics"'
        response.headers["X-Robots-Tag"] = "noindex"
        response.add_etag()
        return response.make_conditional(request)
