"""The Teams notifier the scheduler and the courier deliver through: a person's notices go to their
personal chat with the bot, a channel's to the channel, each as an Adaptive Card, from the addresses the
Teams side stored (bot.core.addresses: the conversation reference of a person's last activity, or of a
channel the bot was added to or mentioned in).

New owners ("assigned", "imported") are told with their actions on cards that carry Done, Edit and Add
note; nudges, escalations, weekly summaries and delivery problems are the cards of
handlers.teams.notice_cards (a named owner's nudge in a channel mentions the action's creator, found in
the stored addresses; a long summary is several cards, the rest posted in the first one's thread).
Nothing is sent to a tenant whose last installation was removed.

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
from bot.core.notices import DeliveryError, Notice
from bot.core.people import PeopleService
from bot.core.service import ActionService
from bot.platform import Pace
from handlers.teams import cards, notice_cards
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
        self.people = PeopleService(actions)

    def render(self, notice: Notice) -> list[dict]:
        if notice.kind == "summary" and notice.summary is not None:
            return notice_cards.summary_activities(notice.summary)
        if notice.kind == "problem" and notice.problem is not None and notice.mention:
            kind, target = notice.mention.split(":", 1)
            return [
                notice_cards.problem_activity(notice, self._name(notice.team_id, target) if kind == "user" else None)
            ]
        if notice.kind == "escalation" and notice.action is not None:
            return [notice_cards.escalation_activity(notice, self._may_note(notice))]
        if notice.kind == "nudge" and notice.action is not None:
            creator = self._mention(notice.team_id, notice.mention) if notice.mention else None
            return [notice_cards.nudge_activity(notice, creator)]
        return [notice_activity(notice)]

    def _may_note(self, notice: Notice) -> bool:
        """Whether the escalation's recipient may add a note (the core's rule: owners, creator, admins)."""
        assert notice.action is not None
        user_id = notice.recipient.split(":", 1)[1]
        if user_id == notice.action.created_by or user_id in notice.action.owner_ids:
            return True
        actor, _ = self.people.known(notice.team_id, user_id, utc_now())
        return actor is not None and actor.is_admin

    def _mention(self, team_id: str, user_id: str) -> notice_cards.Mention | str | None:
        """The person to mention: their 29: ID and name from their stored address; else their name."""
        address = self.book.get(team_id, "user", user_id)
        user = (address.reference.get("user") if address else None) or {}
        account, name = user.get("id"), user.get("name")
        if isinstance(account, str) and account.startswith("29:") and isinstance(name, str) and name.strip():
            return notice_cards.Mention(account, _clean_name(name))
        return self._name(team_id, user_id)

    def _name(self, team_id: str, user_id: str) -> str | None:
        address = self.book.get(team_id, "user", user_id)
        name = ((address.reference.get("user") if address else None) or {}).get("name")
        if not isinstance(name, str) or not name.strip():
            name = self.people.names(team_id, {user_id}).get(user_id)
        return _clean_name(name) if name else None

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
            [cards.my_actions_button()],
        )
        return cards.activity(content, f"You were assigned #{action.number} {action.title}")
    if notice.kind == "imported":
        shown = list(notice.actions)[: cards.PAGE_ROWS]
        head = f"You own {len(notice.actions)} new action{'s' if len(notice.actions) != 1 else ''} from an import:"
        body = [cards.text_block(head)] + [cards.action_item(a, None) for a in shown]
        if len(notice.actions) > len(shown):
            body.append(cards.text_block(f"…and {len(notice.actions) - len(shown)} more: type `list mine`."))
        return cards.activity(cards.card(body, [cards.my_actions_button()]), head)
    text = cards.escape(notice.describe()[:500])  # a kind this side does not know (none today)
    return cards.activity(cards.card([cards.text_block(text)]), text)


def _clean_name(name: str) -> str:
    """A display name as a mention's text: no angle brackets (they would end the <at> tag), bounded."""
    return cards.clip(" ".join(name.replace("<", " ").replace(">", " ").split()), 100)
