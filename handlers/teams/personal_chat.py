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
from typing import Any, Callable

from bot.core.addresses import AddressBook
from handlers.teams import cards
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsContext
from handlers.teams.identity import USER, Who, reference_of

log = logging.getLogger("actionbot.teams.personal")


@dataclass(frozen=True)
class Private:
    """A reply for the asker alone: `make()` builds the activity for their personal chat (synchronous: it
    may mint a link, so it runs only once that chat is reached); `what` names it for the note in a shared
    conversation ("the download link")."""

    make: Callable[[], dict]
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
        return await ctx.run(private.make)
    try:
        service_url, conversation = await personal_conversation(ctx, w)
        await ctx.connector.send(service_url, conversation, await ctx.run(private.make))
    except ConnectorError as err:
        log.info("teams personal chat not reached (tenant %s): %s %s", w.tenant_id, err.status or "no answer", err.code)
        return no_personal_chat(private.what)
    return sent_there(private.what)


async def personal_conversation(ctx: TeamsContext, w: Who) -> tuple[str, str]:
    """(service URL, conversation ID) of the person's personal chat with the bot: the one `w` came from,
    else the stored one, else opened (and its address kept); ConnectorError when Teams refuses to open it."""
    if w.personal:
        return w.service_url, w.conversation_id
    book = AddressBook(ctx.actions)
    address = await ctx.run(book.get, w.tenant_id, USER, w.user_id)
    reference: dict[str, Any] = address.reference if address else {}
    service_url = (address.service_url if address else None) or w.service_url
    conversation = (reference.get("conversation") or {}).get("id")
    if isinstance(conversation, str) and conversation:
        return service_url, conversation
    account = (reference.get("user") or {}).get("id") or w.account_id
    opened = await ctx.connector.create_personal(service_url, account, w.tenant_id)
    personal = {"id": opened, "conversationType": "personal", "tenantId": w.tenant_id}
    kept = {**reference_of(w), "conversation": personal, "serviceUrl": service_url}
    await ctx.run(book.save, w.tenant_id, USER, w.user_id, kept, service_url, ctx.clock())
    return service_url, opened
