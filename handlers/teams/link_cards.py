"""The Teams answers to `export [filters]` and `calendar [region:<name>] [reset]`: private addresses, for
the asker's personal chat alone (handlers.teams.personal_chat).

`export` mints a download link (bot.core.export_links) and answers a card with the count and a
"Download CSV" button (`Action.OpenUrl` to `<public URL>/exports/<secret>.csv`) and when the link stops
working. `calendar` shows the feed's address to subscribe to. Both need ACTIONBOT_PUBLIC_URL, the address
people reach this server at: without it no link is made, and the card says so."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.core.calendar_feeds import feed_path
from bot.core.dates import format_date
from bot.core.execute import CalendarFeed, Exported
from bot.core.export_links import LINK_LIFETIME, ExportLinks, download_path
from bot.core.records import Actor
from handlers.teams import cards, markup
from handlers.teams.context import TeamsContext
from handlers.teams.personal_chat import Private
from handlers.teams.wording import escape

NO_PUBLIC_URL = (
    "I can't give you a link: the address people reach this bot at is not set (ACTIONBOT_PUBLIC_URL). "
    "Ask whoever runs the bot to set it, then ask again."
)
EXPORT_LINK, CALENDAR_ADDRESS = "the download link", "your calendar address"


def no_public_url() -> dict:
    return cards.activity(cards.card([cards.text_block("⚠️ " + NO_PUBLIC_URL, color="Attention")]), NO_PUBLIC_URL)


def export_reply(ctx: TeamsContext, tenant_id: str, actor: Actor, result: Exported) -> Private | dict:
    """A new download link to the export asked for, as a card for the asker's personal chat."""
    public_url = ctx.public_url
    if not public_url:
        return no_public_url()

    def make() -> dict:  # minted only once the personal chat is reached
        link = ExportLinks(ctx.actions).mint(tenant_id, actor, result.query, ctx.clock())
        url = public_url.rstrip("/") + download_path(link.secret)
        return export_activity(result, url, expiry_text(link.expires_at, actor.tz))

    return Private(make, EXPORT_LINK)


def expiry_text(expires_at: dt.datetime, tz: str | None) -> str:
    """`Sun 23 Nov 2014, 15:00 (Africa/Nairobi)`: in the person's zone when known, else UTC."""
    try:
        zone = ZoneInfo(tz) if tz else dt.timezone.utc
    except (ValueError, KeyError):  # a zone name Teams sent that this machine does not know
        zone, tz = dt.timezone.utc, None
    local = expires_at.astimezone(zone)
    return f"{format_date(local.date())}, {local:%H:%M} ({escape(tz or 'UTC')})"


def export_activity(result: Exported, url: str, expires: str) -> dict:
    count, label = result.count, markup.render(result.query.as_input()).strip()
    heading = f"**{count} action{'s' if count != 1 else ''}**" + (f" · {escape(label)}" if label else " · open")
    hours = int(LINK_LIFETIME.total_seconds() // 3600)
    body = [
        cards.text_block(heading, size="Medium"),
        cards.text_block(
            f"Your CSV is ready. The link works for {hours} hours, until {expires}, and gives the actions "
            "as they are when you open it. It is yours alone: whoever has it can download the file, so "
            "don't forward it. The columns are described in the README."
        ),
    ]
    button = {"type": "Action.OpenUrl", "title": "Download CSV", "url": url}
    return cards.activity(cards.card(body, [button]), f"A CSV of {count} actions: download link")


def calendar_reply(ctx: TeamsContext, result: CalendarFeed) -> Private | dict:
    """The feed's address (a new one after `reset`), as a card for the asker's personal chat."""
    if not ctx.public_url:
        return no_public_url()
    url = ctx.public_url.rstrip("/") + feed_path(result.secret)
    if result.kind == "region":
        whose, reset = f"the calendar feed of region **{escape(result.subject)}**", "`calendar region:<name> reset`"
    else:
        whose, reset = "your calendar feed", "`calendar reset`"
    said = (
        f"A new address for {whose} (the old one no longer works):" if result.was_reset else f"The address of {whose}:"
    )
    body = [
        cards.text_block(said),
        cards.text_block(escape(url), fontType="Monospace"),
        cards.text_block(
            "Add it to your calendar as a subscription (in Outlook: Add calendar, then Subscribe from web). "
            f"Whoever has this address sees the feed: {reset} replaces it.",
            isSubtle=True,
        ),
    ]
    content = cards.activity(cards.card(body), said.replace("**", ""))
    return Private(lambda: content, CALENDAR_ADDRESS)
