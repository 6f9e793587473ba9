"""Who is acting in a Teams activity, and where they are: the tenant (the workspace), the person (their
Entra object ID, `from.aadObjectId`), their `29:` account ID and name, their time zone (the `clientInfo`
entity's, or `localTimezone`: only on activities a person sends), and the conversation to answer in.

Each activity a person sends refreshes what is remembered of them (name, zone) and their address: their
personal chat's conversation reference (kind "user"), and the link from their `29:` ID to their object
ID (kind "account", so a later mention of them resolves without the roster). Writes happen only when
something changed (an in-process memory of what was last written). A person's personal chat stored anew
(they wrote to the bot), or an address stored for someone first seen in a team's roster, clears the
delivery problems recorded for them (bot.core.reach): the next sweep tries them again.

Admins: TEAMS_ADMINS (object IDs or e-mail addresses). Teams' roster says `userRole` "user", "guest" or
"anonymous", never who owns a team (that needs Microsoft Graph), so a team's owners are not admins
unless listed there. An e-mail address in TEAMS_ADMINS is matched to the person's roster entry, read once
and remembered with their account."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

from bot.core.addresses import AddressBook
from bot.core.reach import Reach
from bot.core.records import Actor
from handlers.teams.context import TeamsContext

log = logging.getLogger("actionbot.teams.identity")

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_ID = 250
MAX_MEMBERS = 10_000  # of a roster read at once
USER, ACCOUNT, CHANNEL = "user", "account", "channel"


class NotAPerson(Exception):
    """The activity names no tenant or no Entra person (a bot, an anonymous guest, a broken activity)."""


@dataclass(frozen=True)
class Who:
    tenant_id: str
    user_id: str  # Entra object ID
    account_id: str  # the 29: ID
    name: str
    tz: str | None
    conversation_id: str
    conversation_type: str  # personal, channel, groupChat
    service_url: str
    team_id: str | None  # the team's ID (a channel in a team), else None

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal"


def _text(value: Any, limit: int = MAX_ID) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= limit else ""


def tenant_of(activity: dict) -> str:
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    tenant = (data.get("tenant") or {}) if isinstance(data.get("tenant"), dict) else {}
    found = _text(tenant.get("id")) or _text((activity.get("conversation") or {}).get("tenantId"))
    return found if GUID.match(found) else ""


def zone_of(activity: dict) -> str | None:
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            zone = _text(entity.get("timezone"), 64)
            if zone:
                return zone
    return _text(activity.get("localTimezone"), 64) or None


def who(activity: dict) -> Who:
    """The sender of an activity; NotAPerson when it is not a person of a tenant."""
    sender = activity.get("from") if isinstance(activity.get("from"), dict) else {}
    conversation = activity.get("conversation") if isinstance(activity.get("conversation"), dict) else {}
    data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    tenant, oid = tenant_of(activity), _text(sender.get("aadObjectId"))
    account, conversation_id = _text(sender.get("id")), _text(conversation.get("id"), 500)
    if not tenant or not GUID.match(oid) or not account or not conversation_id:
        raise NotAPerson()
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    return Who(
        tenant_id=tenant,
        user_id=oid.lower(),
        account_id=account,
        name=_text(sender.get("name"), 200),
        tz=zone_of(activity),
        conversation_id=conversation_id,
        conversation_type=_text(conversation.get("conversationType"), 40) or "personal",
        service_url=_text(activity.get("serviceUrl"), 500),
        team_id=_text(data.get("teamsTeamId")) or _text(team.get("id")) or None,
    )


def reference_of(w: Who) -> dict[str, Any]:
    """The conversation reference a proactive message to this person's personal chat needs."""
    return {
        "user": {"id": w.account_id, "aadObjectId": w.user_id, "name": w.name},
        "conversation": {"id": w.conversation_id, "conversationType": "personal", "tenantId": w.tenant_id},
        "serviceUrl": w.service_url,
    }


class Directory:
    """What the Teams side remembers of people: addresses, account links, admin e-mails."""

    def __init__(self, ctx: TeamsContext):
        self.ctx = ctx
        self.book = AddressBook(ctx.actions)
        self._written: TTLCache = TTLCache(20_000, 3600)  # (tenant, kind, key) -> what was last written
        self._lock = threading.Lock()

    def _save_once(
        self, tenant: str, kind: str, key: str, reference: dict, service_url: str | None, *, merge: bool = False
    ) -> bool:
        """Store it unless it is what was last written; whether it was written. `merge`: keep what the
        stored reference has beyond `reference` (a channel's name)."""
        fingerprint = (repr(sorted(reference.items())), service_url)
        with self._lock:
            if self._written.get((tenant, kind, key)) == fingerprint:
                return False
        if merge and (known := self.book.get(tenant, kind, key)) is not None:
            reference = {**known.reference, **reference}
        self.book.save(tenant, kind, key, reference, service_url, self.ctx.clock())
        with self._lock:
            self._written[(tenant, kind, key)] = fingerprint
        return True

    def seen(self, w: Who, email: str | None = None) -> Actor:
        """Remember the sender (name, zone, address) and return them as the core's actor."""
        now = self.ctx.clock()
        account = {"userId": w.user_id, "name": w.name}
        if email:
            account["email"] = email.lower()
        elif (known := self.book.get(w.tenant_id, ACCOUNT, w.account_id)) and known.reference.get("email"):
            account["email"] = known.reference["email"]
        self._save_once(w.tenant_id, ACCOUNT, w.account_id, account, None)
        if w.personal and self._save_once(w.tenant_id, USER, w.user_id, reference_of(w), w.service_url):
            Reach(self.ctx.actions).reachable(w.tenant_id, [w.user_id], now)  # their own chat works now
        admin = self.is_admin(w.user_id, account.get("email"))
        found, _ = self.ctx.people.known(w.tenant_id, w.user_id, now)
        if found is None or found.tz != w.tz or found.is_admin != admin or found.admin_unconfirmed:
            return self.ctx.people.remember(w.tenant_id, w.user_id, now, name=w.name, tz=w.tz, is_admin=admin)
        return Actor(w.user_id, admin, found.tz)

    def seen_channel(self, w: Who) -> None:
        """Keep the address of the channel (the conversation without its thread) the person wrote in."""
        if w.personal:
            return
        channel = w.conversation_id.split(";", 1)[0]
        reference: dict[str, Any] = {
            "conversation": {"id": channel, "conversationType": w.conversation_type, "tenantId": w.tenant_id}
        }
        if w.team_id:
            reference["teamId"] = w.team_id
        self._save_once(w.tenant_id, CHANNEL, channel, reference, w.service_url, merge=True)

    def is_admin(self, user_id: str, email: str | None) -> bool:
        admins = self.ctx.admins
        return user_id.lower() in admins or bool(email and email.lower() in admins)

    def needs_email(self, w: Who) -> bool:
        """Whether the roster must be read to tell if the sender is an admin by e-mail."""
        if not any("@" in a for a in self.ctx.admins) or w.user_id in self.ctx.admins:
            return False
        known = self.book.get(w.tenant_id, ACCOUNT, w.account_id)
        return not (known and known.reference.get("email"))

    def object_id_of(self, tenant: str, account_id: str) -> str | None:
        """The object ID of a `29:` account, when it has been seen."""
        known = self.book.get(tenant, ACCOUNT, account_id)
        value = known.reference.get("userId") if known else None
        return value if isinstance(value, str) and GUID.match(value) else None

    def learn_members(self, tenant: str, members: list[dict], service_url: str | None = None) -> dict[str, str]:
        """Remember a roster's accounts (and, for people never seen, their name, and where a personal
        chat with them can be opened: their 29: ID at `service_url`); returns 29: ID → object ID."""
        found: dict[str, str] = {}
        addressed: list[str] = []
        now = self.ctx.clock()
        for m in members[:MAX_MEMBERS]:
            account, oid = _text(m.get("id")), _text(m.get("aadObjectId")).lower()
            if not account or not GUID.match(oid):
                continue
            found[account] = oid
            name = _text(m.get("name"), 200)
            reference = {"userId": oid, "name": name}
            email = _text(m.get("email"), 320) or _text(m.get("userPrincipalName"), 320)
            if email:
                reference["email"] = email.lower()
            self._save_once(tenant, ACCOUNT, account, reference, None)
            if self.ctx.people.known(tenant, oid, now)[0] is None:
                self.ctx.people.remember(tenant, oid, now, name=name, is_admin=self.is_admin(oid, email))
            if service_url and self.book.get(tenant, USER, oid) is None:
                person = {"user": {"id": account, "aadObjectId": oid, "name": name}, "serviceUrl": service_url}
                self.book.save(tenant, USER, oid, person, service_url, now)
                addressed.append(oid)
        if addressed:  # a personal chat can be opened with them now: what could not reach them may
            Reach(self.ctx.actions).reachable(tenant, addressed, now)
        return found
