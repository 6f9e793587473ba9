"""Builds the activities Teams sends a bot and POSTs them, signed by the stand-in, to `/api/messages`.

`TeamsDriver(standin, bot_url)` makes activities of the real shapes: a message in personal chat, an
@mention in a channel (`<at>Name</at>` text, a `text/html` attachment and mention entities), invokes
(`task/fetch`, `task/submit`, `adaptiveCard/action`, `composeExtension/fetchTask`,
`composeExtension/submitAction`), `installationUpdate` and `conversationUpdate`; each carries the
sender's `clientInfo` entity with their time zone and `localTimezone`, as Teams sends on a person's own
activities. `post(activity)` signs it as Bot Framework does (override the token to test refusals) and
returns the bot's answer.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from handlers.teams.devkit.standin import TeamsStandIn

CHANNEL_ID = "msteams"
AT = re.compile(r"<at>(.*?)</at>")


@dataclass
class Answer:
    status: int
    body: Any  # parsed JSON, or the raw text, or None when empty
    headers: dict


class TeamsDriver:
    def __init__(self, standin: TeamsStandIn, bot_url: str, bot_name: str = "Actionbot", timeout: float = 10.0):
        self.standin = standin
        self.bot_url = bot_url
        self.bot_name = bot_name
        self.timeout = timeout
        self._seq = 0

    # ---- sending

    def post(self, activity: dict, *, authorization: str | None = "sign", raw: bytes | None = None) -> Answer:
        """POST an activity; `authorization="sign"` signs it for its serviceUrl, None sends no header,
        any other string is sent as is. `raw` replaces the JSON body."""
        headers = {"Content-Type": "application/json"}
        if authorization == "sign":
            authorization = self.standin.authorization(service_url=activity.get("serviceUrl"))
        if authorization is not None:
            headers["Authorization"] = authorization
        data = raw if raw is not None else json.dumps(activity).encode()
        request = urllib.request.Request(self.bot_url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.read(), dict(error.headers))

    # ---- activities

    def _next_id(self) -> str:
        self._seq += 1
        return f"{1_700_000_000_000 + self._seq}"

    def _base(self, kind: str, user: dict, conversation: dict, channel_data: dict, *, with_client_info: bool) -> dict:
        zone = ZoneInfo(user.get("timezone") or "UTC")
        now = dt.datetime.now(dt.timezone.utc)
        activity: dict[str, Any] = {
            "type": kind,
            "id": self._next_id(),
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "serviceUrl": self.standin.service_url,
            "channelId": CHANNEL_ID,
            "from": {"id": user["id"], "name": user["name"], "aadObjectId": user["aadObjectId"]},
            "conversation": conversation,
            "recipient": {"id": self.standin.bot_id, "name": self.bot_name},
            "locale": "en-US",
            "channelData": {"tenant": {"id": user.get("tenantId") or self.standin.tenant_id}, **channel_data},
            "entities": [],
        }
        if with_client_info:
            activity["localTimestamp"] = now.astimezone(zone).isoformat()
            activity["localTimezone"] = zone.key
            activity["entities"].append(
                {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web", "timezone": zone.key}
            )
        return activity

    def personal(self, user: dict) -> dict:
        return {
            "conversationType": "personal",
            "tenantId": user.get("tenantId") or self.standin.tenant_id,
            "id": self.standin.personal_conversation(user),
        }

    def channel(self, team: dict, channel_name: str | None = None, root_id: str | None = None) -> tuple[dict, dict]:
        """The conversation (a new thread unless `root_id`) and channel data of a team's channel."""
        channel_id = self.standin.channel(team, channel_name)
        conversation = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": self.standin.tenant_id,
            "id": f"{channel_id};messageid={root_id or self._next_id()}",
        }
        data = {
            "teamsChannelId": channel_id,
            "teamsTeamId": team["id"],
            "channel": {"id": channel_id, "name": channel_name},
            "team": {"id": team["id"], "name": team["name"], "aadGroupId": None},
        }
        return conversation, data

    def message(self, user: dict, text: str, mentions: Sequence[dict] = ()) -> dict:
        """What a person types to the bot in their personal chat. `text` may @mention people as Teams
        writes it, `<at>Name</at>` where the person was picked; `mentions` are those people (a mention
        entity each, in order)."""
        activity = self._base("message", user, self.personal(user), {}, with_client_info=True)
        shown = html.escape(AT.sub("\x00", text)).split("\x00")
        names = [html.escape(m) for m in AT.findall(text)]
        body = "".join(part + (f"<at>{names[i]}</at>" if i < len(names) else "") for i, part in enumerate(shown))
        activity.update(
            textFormat="plain",
            text=text,
            attachments=[{"contentType": "text/html", "content": f"<p>{body}</p>"}],
        )
        activity["entities"] = [
            {
                "type": "mention",
                "text": f"<at>{html.escape(p['name'])}</at>",
                "mentioned": {"id": p["id"], "name": p["name"]},
            }
            for p in mentions
        ] + activity["entities"]
        return activity

    def mention(
        self, user: dict, team: dict, text: str, channel_name: str | None = None, also: Sequence[dict] = ()
    ) -> dict:
        """`@Bot <text>` in a channel; people in `also` are mentioned after it (`<at>Name</at>` each)."""
        conversation, data = self.channel(team, channel_name)
        activity = self._base("message", user, conversation, data, with_client_info=True)
        bot_at = f"<at>{html.escape(self.bot_name)}</at>"
        people = " ".join(f"<at>{html.escape(p['name'])}</at>" for p in also)
        full = f"{bot_at} {text}" + (f" {people}" if people else "")
        entities = [
            {"type": "mention", "text": bot_at, "mentioned": {"id": self.standin.bot_id, "name": self.bot_name}}
        ]
        entities += [
            {
                "type": "mention",
                "text": f"<at>{html.escape(p['name'])}</at>",
                "mentioned": {"id": p["id"], "name": p["name"]},
            }
            for p in also
        ]
        activity.update(
            textFormat="plain",
            text=full,
            attachments=[{"contentType": "text/html", "content": f"<div><div>{full}</div></div>"}],
        )
        activity["entities"] = entities + activity["entities"]
        return activity

    def invoke(self, user: dict, name: str, value: dict, conversation: tuple[dict, dict] | None = None) -> dict:
        """An invoke in the user's personal chat, or in `conversation` (from `channel()`)."""
        conv, data = conversation or (self.personal(user), {})
        activity = self._base("invoke", user, conv, data, with_client_info=True)
        activity.update(name=name, value=value)
        return activity

    def task_fetch(self, user: dict, data: dict, **kw) -> dict:
        return self.invoke(
            user, "task/fetch", {"data": {"type": "task/fetch", **data}, "context": {"theme": "default"}}, **kw
        )

    def task_submit(self, user: dict, data: dict, **kw) -> dict:
        return self.invoke(user, "task/submit", {"data": data, "context": {"theme": "default"}}, **kw)

    def card_action(self, user: dict, verb: str, data: dict | None = None, reply_to: str | None = None, **kw) -> dict:
        """An `Action.Execute` press on a card (`reply_to`: the card's activity ID)."""
        activity = self.invoke(
            user,
            "adaptiveCard/action",
            {"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}, "trigger": "manual"},
            **kw,
        )
        if reply_to:
            activity["replyToId"] = reply_to
        return activity

    def message_action_fetch(self, user: dict, command_id: str, message: dict, **kw) -> dict:
        """ "More actions → <command>" on a message; `message` has `id`, `text` and `from` (a member)."""
        return self.invoke(
            user,
            "composeExtension/fetchTask",
            {"commandId": command_id, "commandContext": "message", "messagePayload": self.message_payload(message)},
            **kw,
        )

    def message_action_submit(self, user: dict, command_id: str, data: dict, message: dict | None = None, **kw) -> dict:
        value: dict[str, Any] = {"commandId": command_id, "commandContext": "message", "data": data}
        if message is not None:
            value["messagePayload"] = self.message_payload(message)
        return self.invoke(user, "composeExtension/submitAction", value, **kw)

    def message_payload(self, message: dict) -> dict:
        author = message["from"]
        message_id = message.get("id") or self._next_id()
        return {
            "id": message_id,
            "replyToId": None,
            "createdDateTime": dt.datetime.now(dt.timezone.utc).isoformat(),
            "messageType": "message",
            "importance": "normal",
            "locale": "en-us",
            "linkToMessage": f"https://teams.microsoft.com/l/message/19:standin@thread.v2/{message_id}",
            "from": {
                "user": {"id": author["aadObjectId"], "displayName": author["name"], "userIdentityType": "aadUser"}
            },
            "body": {"contentType": "html", "content": f"<p>{html.escape(message['text'])}</p>"},
            "attachments": [],
            "mentions": [],
        }

    def installation_update(self, user: dict, action: str = "add", team: dict | None = None) -> dict:
        """The app installed (`add`) or removed (`remove`) for a person, or in a team."""
        if team is not None:
            conversation, data = self.channel(team)
            conversation["id"] = conversation["id"].split(";")[0]
        else:
            conversation, data = self.personal(user), {}
        activity = self._base("installationUpdate", user, conversation, data, with_client_info=False)
        activity["action"] = action
        return activity

    def conversation_update(
        self,
        user: dict,
        team: dict,
        event: str = "teamMemberAdded",
        members_added: Sequence[dict] = (),
        members_removed: Sequence[dict] = (),
    ) -> dict:
        """A team event: the bot or people added or removed, a channel created (`event`: Teams'
        `channelData.eventType`)."""
        conversation, data = self.channel(team)
        conversation["id"] = conversation["id"].split(";")[0]
        data["eventType"] = event
        activity = self._base("conversationUpdate", user, conversation, data, with_client_info=False)
        if members_added:
            activity["membersAdded"] = [{"id": m["id"], "aadObjectId": m.get("aadObjectId")} for m in members_added]
        if members_removed:
            activity["membersRemoved"] = [{"id": m["id"], "aadObjectId": m.get("aadObjectId")} for m in members_removed]
        return activity

    def bot_member(self) -> dict:
        """The bot as a member (for `conversation_update(members_added=[driver.bot_member()])`)."""
        return {"id": self.standin.bot_id, "aadObjectId": None}


def _answer(status: int, data: bytes, headers: dict) -> Answer:
    body: Any = None
    if data:
        try:
            body = json.loads(data)
        except ValueError:
            body = data.decode("utf-8", "replace")
    return Answer(status, body, headers)
