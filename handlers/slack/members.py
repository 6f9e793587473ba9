"""Workspace members for owner matching: `users.list` (all pages; deleted users and bots left out), and
`users.lookupByEmail` for an owner written as an e-mail address the list did not match."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.owner_match import Member, OwnerMatcher, looks_like_email
from handlers.slack import markup
from handlers.slack.identity import profile_of

log = logging.getLogger("actionbot.members")


def workspace_members(client: WebClient, profiles: dict | None = None) -> list[Member]:
    """Every person in the workspace; `profiles`, when given, collects each one's user record."""
    members, cursor = [], None
    while True:
        page = client.users_list(limit=200, cursor=cursor) if cursor else client.users_list(limit=200)
        for u in page.get("members") or []:
            if u.get("deleted") or u.get("is_bot") or u.get("id") == "USLACKBOT":
                continue
            profile = u.get("profile") or {}
            if profiles is not None:
                profiles[u["id"]] = u
            members.append(
                Member(
                    user_id=u["id"],
                    name=u.get("name") or "",
                    real_name=u.get("real_name") or profile.get("real_name") or "",
                    display_name=profile.get("display_name") or "",
                    email=profile.get("email") or "",
                )
            )
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


class SlackOwnerMatcher:
    """An OwnerMatcher over the workspace's members, asking Slack about e-mail addresses it cannot place."""

    def __init__(self, client: WebClient, members: list[Member], profiles: dict):
        self.client = client
        self.matcher = OwnerMatcher(members)
        self.profiles = profiles  # user ID -> user record, from the same users.list

    def remember(self, people, team_id: str, user_ids, now) -> None:
        """Keep the matched owners' names and zones, as an assignment would (lists show names, nudges
        need zones)."""
        for user_id in dict.fromkeys(user_ids):
            if user_id in self.profiles:
                name, tz, admin = profile_of(self.profiles[user_id], team_id)
                people.remember(team_id, user_id, now, name=name, tz=tz, is_admin=admin)

    def match(self, name: str) -> str | None:
        """A mention (`<@U123>`) of a member names them; other text is matched by name or address."""
        if (mention := markup.person(name or "")) is not None:
            return self.matcher.member(mention.user_id)
        found = self.matcher.match(name)
        if found or not looks_like_email(name):
            return found
        try:
            return self.client.users_lookupByEmail(email=name.strip())["user"]["id"]
        except SlackApiError:
            return None


def slack_owner_matcher(client: WebClient) -> SlackOwnerMatcher | None:
    """None when the member list cannot be read: every owner then stays a named owner."""
    try:
        profiles: dict = {}
        return SlackOwnerMatcher(client, workspace_members(client, profiles), profiles)
    except (SlackApiError, OSError) as err:
        log.warning("users.list failed, owners stay unmatched: %s", getattr(err, "response", err))
        return None
