"""The Teams notifier the scheduler and the courier deliver through: a person's notices go to their
personal chat with the bot, a channel's to the channel, each as an Adaptive Card, from the addresses the
Teams side stored (bot.core.addresses: the conversation reference of a person's last activity, or of a
channel the bot was added to or mentioned in).

This part tells new owners ("assigned", "imported") with their actions on cards that carry Done, Edit and
Add note; other notices (nudges, summaries, problems) go out as a short card of what they are about (part
2 of Teams words them fully). Nothing is sent to a tenant whose last installation was removed.

Failures: no stored address (they never used the bot and were never seen in the roster of a team the
app is in), a tenant uninstalled, 403 (the app is not installed for the person, or they blocked or removed
the bot) and 404 (no such conversation) are permanent: the send loop records a delivery problem, the
creator hears once, and it clears when the person installs the app (bot.core.reach). 412 and 5xx are
retried by the connector honouring `Retry-After` (handlers.teams.connector); a 429 comes back at once
with `retry_after` for the send loop, which paces the lane and retries the same claim. Pacing is Teams'
published limits, said up front (TEAMS.md): per conversation 7 sends a second, 8 per 2 s, 60 per 30 s,
1,800 an hour; per tenant 50 requests a second; strictly one a half second after a 429."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.core.addresses import Address, AddressBook
from bot.core.dates import utc_now
from bot.core.notices import DeliveryError, Notice, when_due
from bot.core.service import ActionService
from bot.platform import Pace
from handlers.teams import cards, wording
from handlers.teams.bridge import LoopThread
from handlers.teams.connector import BotConnector, ConnectorError, RetryPolicy

log = logging.getLogger("actionbot.teams.notifier")

PER_CONVERSATION = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
PER_TENANT = ((50, 1.0),)
TEAMS_PACE = Pace(0.5, None, windows=PER_CONVERSATION, workspace=PER_TENANT)
SEND_POLICY = RetryPolicy(max_attempts=4, max_wait=10.0, base_delay=0.25, max_delay=2.0, retry_throttled=False)
SEND = "teams.send"
SEND_TIMEOUT = 60.0


class TeamsNotifier:
    pace = TEAMS_PACE

    def __init__(self, actions: ActionService, connector: BotConnector, loop: LoopThread):
        self.actions = actions
        self.connector = connector
        self.loop = loop
        self.book = AddressBook(actions)

    def render(self, notice: Notice) -> list[dict]:
        return [notice_activity(notice)]

    def limits(self, notice: Notice) -> tuple[str, ...]:
        return (SEND,)

    def post(self, notice: Notice, message: Any, thread: str | None = None) -> str:
        kind, target = notice.recipient.split(":", 1)
        if self._uninstalled(notice.team_id):
            raise DeliveryError("the app is not installed in this tenant any more", permanent=True)
        address = self.book.get(notice.team_id, "user" if kind == "user" else "channel", target)
        if address is None or not address.service_url:
            raise DeliveryError("no address stored (they have not used the bot yet)", permanent=True)
        try:
            return self.loop.run(self._send(notice.team_id, kind, target, address, message, thread), SEND_TIMEOUT)
        except ConnectorError as err:
            raise DeliveryError(
                f"teams {err.status or 'no answer'} {err.code}".strip(),
                permanent=err.permanent,
                retry_after=err.retry_after,
                limit=SEND if err.retry_after is not None else None,
                per_destination=True,
            ) from None
        except TimeoutError:
            raise DeliveryError("teams did not answer in time") from None

    async def _send(self, team_id: str, kind: str, target: str, address: Address, message: Any, thread: str | None):
        service_url = address.service_url or ""
        conversation = (address.reference.get("conversation") or {}).get("id")
        if not conversation and kind == "user":
            # seen in a roster, never in their own chat: open it (403 when the app is not installed for them)
            account = (address.reference.get("user") or {}).get("id")
            if not isinstance(account, str) or not account:
                raise DeliveryError("no account in the stored address", permanent=True)
            conversation = await self.connector.create_personal(service_url, account, team_id)
            reference = {**address.reference, "conversation": {"id": conversation, "conversationType": "personal"}}
            await asyncio.to_thread(self.book.save, team_id, "user", target, reference, service_url, utc_now())
        if not isinstance(conversation, str) or not conversation:
            raise DeliveryError("no conversation in the stored address", permanent=True)
        if thread and kind == "channel":
            conversation = f"{conversation};messageid={thread}"
        return await self.connector.send(service_url, conversation, message)

    def _uninstalled(self, team_id: str) -> bool:
        return any(w.team_id == team_id and w.uninstalled_at is not None for w in self.actions.workspaces.all())


def notice_activity(notice: Notice) -> dict:
    if notice.kind == "assigned" and notice.action is not None:
        action = notice.action
        content = cards.card(
            [cards.text_block("You are now an owner of this action:")] + [cards.action_item(action, None)],
        )
        return cards.activity(content, f"You were assigned #{action.number} {action.title}")
    if notice.kind == "imported":
        shown = list(notice.actions)[: cards.PAGE_ROWS]
        head = f"You own {len(notice.actions)} new action{'s' if len(notice.actions) != 1 else ''} from an import:"
        body = [cards.text_block(head)] + [cards.action_item(a, None) for a in shown]
        if len(notice.actions) > len(shown):
            body.append(cards.text_block(f"…and {len(notice.actions) - len(shown)} more: type `list mine`."))
        return cards.activity(cards.card(body), head)
    if notice.action is not None:
        action = notice.action
        line = f"**#{action.number}** {cards.escape(cards.clip(action.title))}: {wording.words(when_due(notice.days_left))}"
        return cards.activity(cards.card([cards.action_item(action, None), cards.text_block(line)]), line)
    text = cards.escape(notice.describe()[:500])
    return cards.activity(cards.card([cards.text_block(text)]), text)
