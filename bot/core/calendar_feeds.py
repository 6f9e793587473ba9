"""Calendar feeds: a private .ics URL per user (their actions as owner) or per region (its actions).

A feed is found by the secret in its URL, so whoever has the URL sees the feed; `reset` replaces the
secret and the old URL stops working at once. Each action with a due date is one all-day event:

- UID `action-<team ID>-<number>@actionbot`, stable for the action's life, so a calendar updates its
  event instead of adding another;
- DTSTART the due date (a DATE value) and DTEND the day after; TRANSP TRANSPARENT (not busy);
- SUMMARY `#N title`; DESCRIPTION owners, region, status and notes; URL the message it was made from;
- SEQUENCE (seconds from creation to the last change), LAST-MODIFIED and DTSTAMP from the action's
  `updated_at`, so every change reads as a newer revision of the same event. With no METHOD in the
  calendar, RFC 5545 makes DTSTAMP the time the event's information was last revised, and an
  unchanged action gives byte-identical output (so HTTP ETags work);
- STATUS CANCELLED for a cancelled action (kept so subscribed calendars show it as called off),
  CONFIRMED for open and done ones.

Actions that are ongoing or have no due date have no day to sit on and are left out.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from icalendar import Calendar, Event

from bot.core import limits
from bot.core.command_input import as_text
from bot.core.errors import BadInput, NotAllowed
from bot.core.records import Actor
from bot.core.service import ActionService
from bot.messages import Code, Example, msg
from store import queries as q
from store.models import Action, Workspace

KINDS = ("user", "region")
FEED_STATUSES = ("open", "done", "cancelled")
PRODID = "-//Actionbot//Follow-up actions//EN"
MAX_SECRET = 64


@dataclass(frozen=True)
class CalendarRequest:
    """What `calendar [region:<name>] [reset]` asks: whose feed, and whether to replace its address."""

    kind: str  # "user" or "region"
    region: str | None
    reset: bool


def parse_calendar_command(tokens) -> CalendarRequest:
    region, reset = None, False
    for tok in tokens:
        if tok.kind == "option" and tok.key == "region":
            region = tok.value.strip()
        elif tok.kind == "word" and tok.raw.lower() == "reset":
            reset = True
        else:
            raise BadInput(
                "calendar_takes",
                Example("calendar", ("region:LAC",)),
                verb=Code("calendar"),
                region=Code("region:<name>"),
                reset=Code("reset"),
                word=tok.raw,
            )
    return CalendarRequest("region" if region else "user", region, reset)


def check_may_reset(actor: Actor, kind: str, subject: str) -> None:
    """Only the person whose feed it is resets a user's feed; only an admin a region's."""
    if kind == "user" and subject != actor.user_id:
        raise NotAllowed("feed_reset_not_yours")
    if kind == "region" and not actor.has_admin_rights():
        raise NotAllowed("feed_reset_admin_only")


def feed_path(secret: str) -> str:
    """The feed's path on the bot's HTTP server (prefix it with the public base URL)."""
    return f"/calendar/{secret}.ics"


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class CalendarService:
    def __init__(self, actions: ActionService):
        self.actions = actions
        self.db = actions.db

    def feed_for(self, team_id: str, kind: str, subject: str, now: dt.datetime) -> str:
        """The secret of the feed of `kind` for `subject`, created if there is none yet.

        `subject` is a user ID for a "user" feed and a region's name or alias for a "region" feed (it is
        stored by the region's id, so renaming the region keeps the feed). Raises BadInput for an
        unknown kind or region."""
        return self._feed(team_id, kind, subject, now, reset=False)

    def reset(self, team_id: str, kind: str, subject: str, now: dt.datetime, *, actor: Actor) -> str:
        """A new secret for the feed (created if there is none); the old URL stops working. A user's feed
        is reset by that user alone, a region's by a workspace admin."""
        check_may_reset(actor, kind, subject)
        return self._feed(team_id, kind, subject, now, reset=True)

    def _feed(self, team_id: str, kind: str, subject: str, now: dt.datetime, reset: bool) -> str:
        with self.db.session() as s:
            ws = self.actions.workspaces.row(s, team_id, now)
            key = self._subject(s, ws, kind, subject)
            feed = q.calendar_feed(s, ws.id, kind, key)
            if feed is None:
                feed = q.add_calendar_feed(s, ws.id, kind, key, new_secret(), now)
            elif reset:
                feed.secret = new_secret()
            return feed.secret

    def ics_for_secret(self, secret: str, now: dt.datetime) -> bytes | None:
        """The feed's calendar as iCalendar bytes, or None when no feed has this secret (or its region is
        gone). Nothing in it depends on `now`: it is taken for the core's time-as-a-parameter rule."""
        if not secret or len(secret) > MAX_SECRET:
            return None
        with self.db.session() as s:
            feed = q.calendar_feed_by_secret(s, secret)
            if feed is None:
                return None
            ws = s.get_one(Workspace, feed.workspace_id)
            if feed.kind == "user":
                rows = q.dated_actions(s, ws.id, FEED_STATUSES, owner_user_id=feed.subject)
                name = q.people_names(s, ws.id, {feed.subject}).get(feed.subject, feed.subject)
            elif feed.kind == "region" and feed.subject.isdigit():
                region = q.region_by_id(s, ws.id, int(feed.subject))
                if region is None:
                    return None
                rows = q.dated_actions(s, ws.id, FEED_STATUSES, region_id=region.id)
                name = region.name
            else:
                return None
            names = q.people_names(s, ws.id, {o.user_id for a in rows for o in a.owners if o.user_id})
            return calendar_bytes(ws.team_id, str(msg("ics.feed_name", name=name)), rows, names)

    def _subject(self, s, ws: Workspace, kind: str, subject: str) -> str:
        subject = (subject or "").strip()
        if kind not in KINDS:
            raise BadInput("feed_kind", kind=kind)
        if not subject:
            raise BadInput("feed_whose_user" if kind == "user" else "feed_whose_region")
        if kind == "region":
            return str(self.actions.region_named(s, ws, subject).id)
        if len(subject) > limits.LIMITS["user"].limit:  # any platform's user ID fits; a longer one is none
            raise BadInput("not_a_user_id")
        return subject


def export_ics(actions: ActionService, team_id: str, query, now: dt.datetime, actor=None) -> bytes:
    """`actionbot export --format ics`: the due dates of the actions a list query matches, as one calendar."""
    with actions.db.session() as s:
        ws = actions.workspaces.row(s, team_id, now)
        flt = actions.action_filter(s, ws, actor, query, actions.today(ws, actor, now))
        rows = q.find_actions(s, ws.id, flt) if flt else []
        names = q.people_names(s, ws.id, {o.user_id for a in rows for o in a.owners if o.user_id})
        label = as_text(query.as_input()) or msg("ics.open_actions")
        return calendar_bytes(team_id, str(msg("ics.export_name", label=label)), rows, names)


def calendar_bytes(team_id: str, name: str, rows: list[Action], names: dict[str, str]) -> bytes:
    """An iCalendar object holding one all-day event per dated action in `rows`."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for action in rows:
        if action.due_kind == "date" and action.due_date is not None:
            cal.add_component(action_event(team_id, action, names))
    return cal.to_ical()


def action_uid(team_id: str, number: int) -> str:
    return f"action-{team_id}-{number}@actionbot"


def action_event(team_id: str, action: Action, names: dict[str, str]) -> Event:
    updated = action.updated_at.astimezone(dt.timezone.utc)
    event = Event()
    event.add("uid", action_uid(team_id, action.number))
    event.add("dtstamp", updated)
    event.add("last-modified", updated)
    event.add("sequence", max(0, int((action.updated_at - action.created_at).total_seconds())))
    due = action.due_date
    assert due is not None  # calendars hold dated actions only
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", f"#{action.number} {action.title}")
    event.add("description", _description(action, names))
    event.add("status", "CANCELLED" if action.status == "cancelled" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if action.permalink:
        event.add("url", action.permalink)
    return event


def _description(action: Action, names: dict[str, str]) -> str:
    owners = [names.get(o.user_id, o.user_id) if o.user_id else o.name or "" for o in action.owners]
    # a calendar app shows this as it is: the neutral wording (bot.messages.PLAIN)
    lines = [str(msg("ics.owners", owners="; ".join(owners) if owners else msg("ics.none")))]
    if action.region is not None:
        lines.append(str(msg("ics.region", region=action.region.name)))
    lines.append(str(msg("ics.status", status=action.status)))
    if action.notes:
        lines.append(str(msg("ics.notes")))
        lines += [f"- {n.text}" for n in action.notes]
    return "\n".join(lines)
