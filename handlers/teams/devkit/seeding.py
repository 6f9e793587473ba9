"""A Teams tenant as the bot knows it after a while, for benchmarks and tests that start mid-life: the
stand-in's people with their personal chats stored (as if each had installed the app: the lifecycle
listener's `installationUpdate`) and channels of its teams stored (as if the app were added to them), so
the scheduler can send to them without an inbound activity first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.core.addresses import AddressBook
from bot.core.people import PeopleService
from bot.core.service import ActionService
from handlers.teams.devkit.standin import TeamsStandIn
from handlers.teams.identity import CHANNEL, USER


def remember_people(actions: ActionService, standin: TeamsStandIn, users: Iterable[dict], now: dt.datetime) -> None:
    """Each user's personal chat stored, and their name and zone remembered."""
    book, people = AddressBook(actions), PeopleService(actions)
    tenant = standin.tenant_id
    for user in users:
        oid = user["aadObjectId"]
        reference = {
            "user": {"id": user["id"], "aadObjectId": oid, "name": user["name"]},
            "conversation": {
                "id": standin.personal_conversation(user),
                "conversationType": "personal",
                "tenantId": tenant,
            },
            "serviceUrl": standin.service_url,
        }
        book.save(tenant, USER, oid, reference, standin.service_url, now)
        people.remember(tenant, oid, now, name=user["name"], tz=user.get("timezone"))


def remember_channels(actions: ActionService, standin: TeamsStandIn, team: dict, now: dt.datetime) -> list[str]:
    """The team's channels stored as the bot's (the app added to the team); their IDs, General first."""
    book = AddressBook(actions)
    ids = []
    for channel in team["channels"]:
        reference = {
            "conversation": {"id": channel["id"], "conversationType": "channel", "tenantId": standin.tenant_id},
            "teamId": team["id"],
        }
        book.save(standin.tenant_id, CHANNEL, channel["id"], reference, standin.service_url, now)
        ids.append(channel["id"])
    return ids
