"""What every Teams listener needs: the core services on the Teams workspaces (tenants), the Bot
Connector client, the clock, who administers the tenant, and where work after the answer runs.

Listeners are async (the SDK's); each runs the synchronous core off the event loop with
`await ctx.run(fn, *args)` (asyncio.to_thread), never on it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.core.calendar_feeds import CalendarService
from bot.core.dates import utc_now
from bot.core.people import PeopleService
from bot.core.regions import RegionService
from bot.core.service import ActionService
from bot.core.settings import SettingsService


@dataclass
class TeamsContext:
    actions: ActionService  # the core on platform "teams": a workspace is a tenant ID, a user an Entra object ID
    connector: Any  # handlers.teams.connector.BotConnector: proactive sends, rosters, channels
    app_id: str  # TEAMS_APP_ID: the bot's own ID (its mention in a channel is dropped before parsing)
    admins: frozenset[str] = frozenset()  # TEAMS_ADMINS: object IDs and e-mail addresses, lower case
    clock: Callable[[], dt.datetime] = utc_now
    public_url: str | None = None  # ACTIONBOT_PUBLIC_URL: the base of calendar feed and download addresses
    courier: object | None = None  # scheduler.courier.Courier: new owners told at once; None: the sweep tells
    services: dict[str, Any] = field(default_factory=dict)  # room for what a listener module adds

    def __post_init__(self):
        self.regions = RegionService(self.actions)
        self.people = PeopleService(self.actions)
        self.settings = SettingsService(self.actions)
        self.calendars = CalendarService(self.actions)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run synchronous work (the core, the database) in a worker thread, off the event loop."""
        return await asyncio.to_thread(fn, *args)
