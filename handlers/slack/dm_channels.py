"""The IM channel of each person the bot DMs, remembered per process.

A DM needs the IM channel's ID from `conversations.open`, which Slack rates Tier 3 (about 50 calls a
minute per workspace), while every change that concerns someone else DMs them. So the ID is asked once
per workspace and person and then remembered (the most recent `SIZE` of them); a remembered IM that Slack
no longer knows is forgotten and opened again. Safe to use from several threads at once."""

from __future__ import annotations

import threading

from cachetools import LRUCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

SIZE = 50_000
GONE = ("channel_not_found", "is_archived")  # what posting to an IM that no longer works answers


class DmChannels:
    def __init__(self, size: int = SIZE):
        self._ids: LRUCache = LRUCache(size)
        self._lock = threading.Lock()

    def known(self, team_id: str, user_id: str) -> bool:
        with self._lock:
            return (team_id, user_id) in self._ids

    def open(self, client: WebClient, team_id: str, user_id: str) -> str:
        """The IM channel ID with `user_id`: remembered, else from `conversations.open`."""
        with self._lock:
            channel = self._ids.get((team_id, user_id))
        if channel is None:
            channel = client.conversations_open(users=user_id)["channel"]["id"]
            with self._lock:
                self._ids[(team_id, user_id)] = channel
        return channel

    def forget(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._ids.pop((team_id, user_id), None)

    def post(self, client: WebClient, team_id: str, user_id: str, **message):
        """`chat.postMessage` into the DM with `user_id` (Slack's response); a remembered IM that is gone
        is opened anew. A SlackApiError's `response.api_url` says which call failed."""
        remembered = self.known(team_id, user_id)
        try:
            return client.chat_postMessage(channel=self.open(client, team_id, user_id), **message)
        except SlackApiError as err:
            if not remembered or (err.response or {}).get("error") not in GONE:
                raise
            self.forget(team_id, user_id)
            return client.chat_postMessage(channel=self.open(client, team_id, user_id), **message)
