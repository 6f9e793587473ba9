"""Answers for one person's eyes only (an export's download link, a calendar feed's address): they go to
the person's personal chat with the bot, whichever conversation they asked in. Teams has no ephemeral
messages, so asked in a channel or group chat the link is sent to the personal chat and the shared
conversation hears only where it went; a link is never posted where others read.

The personal chat is the stored address of the person (bot.core.addresses, kept from their last message
to the bot); failing that, one is opened with their account from the activity, as Teams allows when the
app is installed for them or in a team they are in. When neither works they are told how to start the
chat themselves."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.core.addresses import AddressBook
from handlers.teams import cards
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import USER, Who, reference_of

log = logging.getLogger("actionbot.teams.personal")


@dataclass(frozen=True)
class Private:
    """A reply for the asker alone: `activity` for their personal chat; `what` names it for the note in a
    shared conversation ("the download link")."""

    activity: dict
    what: str


def sent_there(what: str) -> dict:
    text = f"I sent you {what} in our personal chat: it is for you alone, so not here."
    return cards.activity(cards.card([cards.text_block("🔒 " + text)]), text)


def no_personal_chat(what: str) -> dict:
    text = (
        f"I can't reach you in a personal chat yet, and {what} is for you alone, so I won't post it here. "
        "Open a chat with me (select my name, then Chat, or find me under Apps), say hello, and ask again there."
    )
    return cards.activity(cards.card([cards.text_block("⚠️ " + text, color="Attention")]), text)


async def hand_over(ctx: TeamsContext, w: Who, private: Private) -> dict:
    """The reply for the conversation asked in: the private answer itself in the personal chat; else it is
    sent to the personal chat and the reply says so (or how to open one)."""
    if w.personal:
        return private.activity
    if await send_personal(ctx, w, private.activity):
        return sent_there(private.what)
    return no_personal_chat(private.what)


async def send_personal(ctx: TeamsContext, w: Who, activity: dict) -> bool:
    """Send `activity` to the person's personal chat with the bot; False when it cannot be reached."""
    book = AddressBook(ctx.actions)
    address = await ctx.run(book.get, w.tenant_id, USER, w.user_id)
    reference: dict[str, Any] = address.reference if address else {}
    service_url = (address.service_url if address else None) or w.service_url
    conversation = (reference.get("conversation") or {}).get("id")
    try:
        if not isinstance(conversation, str) or not conversation:
            account = (reference.get("user") or {}).get("id") or w.account_id
            conversation = await ctx.connector.create_personal(service_url, account, w.tenant_id)
            personal = {"id": conversation, "conversationType": "personal", "tenantId": w.tenant_id}
            opened = {**reference_of(w), "conversation": personal, "serviceUrl": service_url}
            await ctx.run(book.save, w.tenant_id, USER, w.user_id, opened, service_url, ctx.clock())
        await ctx.connector.send(service_url, conversation, activity)
        return True
    except ConnectorError as err:
        log.info("teams personal chat not reached (tenant %s): %s %s", w.tenant_id, err.status or "no answer", err.code)
        return False
