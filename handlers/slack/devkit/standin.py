"""A local stand-in for Slack's Web API, for end-to-end tests and `actionbot demo`.

It serves `/api/<method>` on 127.0.0.1 (OS-chosen port) for slack_sdk's real `WebClient`
(pass `base_url=standin.api_url`), answers slash-command response URLs and the
`files_upload_v2` upload URLs, and records every request as a `Call` that tests can wait for.

Opt-in, `limit(RateLimits(...))` enforces Slack's rate limits (see devkit/ratelimits.py): a call over a
limit gets HTTP 429 with `Retry-After` and is recorded as `ratelimited:<method>`, and every message it
accepts is kept as a `Posted` so duplicates and losses can be counted. Without it nothing is limited.

`hang(method)` makes a method answer nothing while the test's `with` block runs (a slow Slack), and
`authorize(..., enterprise_id=...)` installs into an Enterprise Grid workspace (or, `org_wide`, a whole
organization).
"""

from __future__ import annotations

import json
import random
import socket
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4
from zoneinfo import ZoneInfo

from handlers.slack.devkit.ratelimits import RATE_LIMITED, RateLimits, retry_after_header

# Form fields that slack_sdk sends as JSON strings; decoded so tests see Python objects.
JSON_FIELDS = {"blocks", "attachments", "view", "files", "metadata", "outputs", "unfurls", "user_auth_blocks"}
BOT_ID = "B0STANDIN"


@dataclass
class Call:
    method: str  # Web API method, "response_url" for response-URL posts, "files.upload" for completed uploads
    params: dict
    token: str | None = None
    team_id: str | None = None  # team of the token used (None if the token is unknown)
    path: str = ""  # for response_url: the key part of the URL


@dataclass(frozen=True)
class Posted:
    """A message the stand-in accepted (kept once `limit()` is on): where, its ts, and when, on the
    limits' clock."""

    team_id: str
    channel: str  # as Slack answers it: a DM is D…, never U…
    ts: str
    thread_ts: str | None
    text: str
    blocks: list
    at: float


def _decode_json_fields(params: dict) -> dict:
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params


def _parse_body(content_type: str, body: bytes) -> dict:
    """Parse a form, JSON or multipart body the way slack_sdk sends them."""
    if not body:
        return {}
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        data = json.loads(body)
        return data if isinstance(data, dict) else {"_json": data}
    if ctype == "multipart/form-data":
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params: dict = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            params[name] = payload if part.get_filename() else payload.decode("utf-8")
        return params
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a concurrent sender opens many connections at once; 5 would drop SYNs
    standin: "SlackStandIn"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._dispatch(b"")

    def do_POST(self):
        self._dispatch(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _dispatch(self, body: bytes):
        try:
            self._route(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a hung call)
            self.close_connection = True
        except Exception as exc:  # a stand-in bug or malformed request: answer instead of dropping the socket
            self._send(500, json.dumps({"ok": False, "error": f"standin_error: {exc!r}"}).encode(), "application/json")

    def _route(self, body: bytes):
        url = urlsplit(self.path)
        standin = self.server.standin
        if url.path.startswith("/api/"):
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            params.update(_parse_body(self.headers.get("Content-Type", ""), body))
            token = params.pop("token", None)
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                token = auth[len("Bearer ") :]
            method = url.path[len("/api/") :]
            if standin._chaos_drop(method, params):
                self.close_connection = True  # hang up without an answer: the client sees a dropped connection
                return
            status, payload, headers = standin._api(method, _decode_json_fields(params), token)
            self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)
        elif url.path.startswith("/response/"):
            params = _parse_body(self.headers.get("Content-Type") or "application/json", body)
            standin._record(Call("response_url", params, path=url.path[len("/response/") :]))
            self._send(200, b"ok", "text/plain")
        elif url.path.startswith("/upload/"):
            # slack_sdk posts the raw bytes; urllib labels them x-www-form-urlencoded, so never parse them.
            found = standin._store_upload(url.path[len("/upload/") :], body)
            self._send(200 if found else 404, f"OK - {len(body)}".encode() if found else b"not found", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class SlackStandIn:
    """Fake Slack Web API server. Use `with SlackStandIn() as slack:` or `.start()` / `.stop()`."""

    def __init__(
        self,
        team_id="T0DEMO",
        team_name="Demo Workspace",
        bot_token="xoxb-standin",
        bot_user_id="UBOT",
        users: list[dict] | None = None,
    ):
        self.team_id = team_id
        self.bot_token = bot_token
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, deque] = {}
        self._teams: dict[str, dict] = {}
        self._tokens: dict[str, str] = {}
        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}  # channels added by add_channel; any other ID reads as before
        self._uploads: dict[str, dict] = {}
        self._holds: dict[str, threading.Event] = {}
        self._seq = 99
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._codes: dict[str, dict] = {}
        self._chaos: tuple[float, random.Random, frozenset | None] | None = None
        self._limits: RateLimits | None = None
        self._posted: list[Posted] = []
        self.add_workspace(team_id, team_name, bot_token, bot_user_id)
        for user in users or []:
            self.add_user(**user)

    # ---- setup

    def add_workspace(self, team_id, team_name, bot_token, bot_user_id="UBOT"):
        domain = "".join(c for c in team_name.lower().replace(" ", "-") if c.isalnum() or c == "-") or "team"
        with self._cond:
            self._teams[team_id] = {"id": team_id, "name": team_name, "domain": domain, "bot_user_id": bot_user_id}
            self._tokens[bot_token] = team_id

    def add_user(
        self,
        user_id,
        name,
        real_name=None,
        tz="UTC",
        is_admin=False,
        is_owner=False,
        team_id=None,
        email=None,
        deleted=False,
    ):
        ZoneInfo(tz)  # fail early on a bad zone name
        with self._cond:
            self._users[user_id] = {
                "id": user_id,
                "team_id": team_id or self.team_id,
                "name": name,
                "real_name": real_name or name,
                "tz": tz,
                "is_admin": is_admin,
                "is_owner": is_owner,
                "deleted": deleted,
                "email": email or f"{name}@example.test",
            }

    def add_channel(self, channel_id, name, *, bot_member=True, is_private=False, team_id=None):
        """A channel conversations.list and conversations.info know, the bot in it or not."""
        with self._cond:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "team_id": team_id or self.team_id,
                "is_channel": not is_private,
                "is_private": is_private,
                "is_member": bot_member,
                "is_archived": False,
            }

    # ---- lifecycle

    def start(self) -> "SlackStandIn":
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.standin = self
            self._stopping = False
            self._thread = threading.Thread(target=self._serve, name="slack-standin", daemon=True)
            self._thread.start()
        return self

    def _serve(self):
        # handle_request() blocks in select() until a connection arrives, so there is no poll interval;
        # stop() wakes it with one empty connection.
        while not self._stopping:
            self._server.handle_request()

    def stop(self):
        if self._server is not None:
            self._stopping = True
            socket.create_connection(self._server.server_address).close()
            self._thread.join()
            self._server.server_close()
            self._server = self._thread = None

    def __enter__(self) -> "SlackStandIn":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.root_url + "/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"{self.root_url}/response/{key or uuid4().hex}"

    # ---- recorded calls

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, predicate=None, timeout: float = 5.0) -> list[Call]:
        """Block until at least `count` calls to `method` (matching `predicate`) were recorded."""

        def matching():
            return [c for c in self._calls if c.method == method and (predicate is None or predicate(c))]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s; got {len(matching())}; calls seen: {seen}"
                )
            return matching()

    def reset(self):
        with self._cond:
            self._calls.clear()

    def fail(
        self, method: str, error: str = "ratelimited", times: int = 1, status: int = 200, retry_after: int | None = None
    ):
        """Make the next `times` calls to `method` answer {"ok": false, "error": error}."""
        with self._cond:
            self._failures.setdefault(method, deque()).extend([(error, status, retry_after)] * times)

    def authorize(
        self,
        code: str,
        team_id: str,
        team_name: str,
        bot_token: str,
        bot_user_id: str = "UBOT",
        installer: str = "UINSTALLER",
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ):
        """Let `oauth.v2.access` exchange `code` for an installation in a (new) workspace, of the
        Enterprise Grid organization `enterprise_id` if given; `org_wide`: for the whole organization
        (the answer then names no team; the token still acts in `team_id`)."""
        self.add_workspace(team_id, team_name, bot_token, bot_user_id)
        with self._cond:
            self._codes[code] = {
                "team_id": team_id,
                "team_name": team_name,
                "bot_token": bot_token,
                "bot_user_id": bot_user_id,
                "installer": installer,
                "enterprise_id": enterprise_id,
                "org_wide": org_wide,
            }

    def chaos(self, rate: float, seed: int = 0, methods: set[str] | None = None):
        """From now on fail about `rate` of Web API calls (to `methods`, default all): a 429 with
        Retry-After 0, a 500, or a dropped connection, in equal shares, decided before the call takes
        effect (so a failed call never half-happened). `chaos(0)` stops it."""
        with self._cond:
            self._chaos = (rate, random.Random(seed), frozenset(methods) if methods else None) if rate else None

    def limit(self, limits: RateLimits | None) -> None:
        """Enforce `limits` from now on (None: stop) and keep every accepted message (see `posted`)."""
        with self._cond:
            self._limits = limits

    @property
    def posted(self) -> list[Posted]:
        """The messages accepted while limits were on, in the order they were accepted."""
        with self._cond:
            return list(self._posted)

    def _over_limit(self, method: str, params: dict, team_id: str) -> float | None:
        with self._cond:
            limits = self._limits
        if limits is None:
            return None
        channel = params.get("channel")
        return limits.take(team_id, method, self._dm_channel(channel) if channel else None)

    def _chaos_pick(self, method: str) -> str | None:
        with self._cond:
            if self._chaos is None:
                return None
            rate, rng, methods = self._chaos
            if methods is not None and method not in methods or rng.random() >= rate:
                return None
            return rng.choice(("429", "500", "drop"))

    def _chaos_drop(self, method: str, params: dict) -> bool:
        pick = self._chaos_pick(method)
        if pick == "drop":
            self._record(Call("dropped:" + method, params))
            return True
        if pick:
            self._record(Call(f"failed:{method}", params))
            self.fail(method, "ratelimited" if pick == "429" else "internal_error", status=int(pick), retry_after=0)
        return False

    def _record(self, *calls: Call):
        with self._cond:
            self._calls.extend(calls)
            self._cond.notify_all()

    # ---- request handling (called from server threads)

    def _next(self) -> int:
        with self._cond:
            self._seq += 1
            return self._seq

    def _ts(self) -> str:
        n = self._next()
        return f"{1700000000 + n // 1_000_000}.{n % 1_000_000:06d}"

    def hold(self, method: str) -> threading.Event:
        """Calls to `method` wait until the returned event is set (to prove one slow call blocks no other)."""
        gate = threading.Event()
        with self._cond:
            self._holds[method] = gate
        return gate

    @contextmanager
    def hang(self, method: str):
        """While the block runs, calls to `method` get no answer (the server thread waits; a client
        with a timeout gives up). At its end they are answered and later calls go through."""
        gate = self.hold(method)
        try:
            yield
        finally:
            with self._cond:
                if self._holds.get(method) is gate:
                    del self._holds[method]
            gate.set()

    def _api(self, method: str, params: dict, token: str | None) -> tuple[int, dict, dict]:
        with self._cond:
            gate = self._holds.get(method)
        if gate is not None:
            self._record(Call("held:" + method, params, token))
            gate.wait(timeout=30)
        with self._cond:
            team_id = self._tokens.get(token)
            if team_id is None and token and token.startswith("xapp-"):
                team_id = self.team_id
            queued = self._failures.get(method)
            failure = queued.popleft() if queued else None
        call = Call(method, params, token, team_id)
        extra: list[Call] = []
        status, headers = 200, {}
        if failure:
            error, status, retry_after = failure
            result = {"ok": False, "error": error}
            if status == 429:
                headers["Retry-After"] = str(retry_after if retry_after is not None else 1)
        elif method == "oauth.v2.access":
            result = self._oauth_access(params)
        elif not token:
            result = {"ok": False, "error": "not_authed"}
        elif team_id is None:
            result = {"ok": False, "error": "invalid_auth"}
        elif token.startswith("xapp-"):
            result = (
                {"ok": True, "url": "ws://127.0.0.1:1/"}
                if method == "apps.connections.open"
                else {"ok": False, "error": "not_allowed_token_type"}
            )
        elif (wait := self._over_limit(method, params, team_id)) is not None:
            status, result, headers = (
                429,
                {"ok": False, "error": RATE_LIMITED},
                {"Retry-After": retry_after_header(wait)},
            )
            call = Call(f"{RATE_LIMITED}:{method}", params, token, team_id)
        else:
            impl = getattr(self, "_m_" + method.replace(".", "_"), None)
            result = (
                impl(params, self._teams[team_id], call, extra) if impl else {"ok": False, "error": "unknown_method"}
            )
        self._record(call, *extra)
        return status, result, headers

    def _oauth_access(self, params: dict) -> dict:
        with self._cond:
            grant = self._codes.pop(params.get("code", ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        enterprise = grant["enterprise_id"]
        return {
            "ok": True,
            "app_id": "A0ACTIONBOT",
            "authed_user": {"id": grant["installer"]},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": grant["bot_token"],
            "bot_user_id": grant["bot_user_id"],
            "team": None if grant["org_wide"] else {"id": grant["team_id"], "name": grant["team_name"]},
            "enterprise": {"id": enterprise, "name": f"Org {enterprise}"} if enterprise else None,
            "is_enterprise_install": grant["org_wide"],
        }

    @staticmethod
    def _dm_channel(channel: str) -> str:
        return "D" + channel[1:] if channel[:1] in ("U", "W") else channel

    def _user_json(self, u: dict) -> dict:
        now = datetime.now(ZoneInfo(u["tz"]))
        return {
            "id": u["id"],
            "team_id": u["team_id"],
            "name": u["name"],
            "real_name": u["real_name"],
            "deleted": u["deleted"],
            "is_admin": u["is_admin"],
            "is_owner": u["is_owner"],
            "is_bot": False,
            "tz": u["tz"],
            "tz_label": now.tzname(),
            "tz_offset": int(now.utcoffset().total_seconds()),
            "profile": {"display_name": u["name"], "real_name": u["real_name"], "email": u["email"]},
        }

    # Web API methods: (params, team, call, extra_calls) -> response body

    def _m_auth_test(self, p, team, call, extra):
        return {
            "ok": True,
            "url": f"https://{team['domain']}.slack.test/",
            "team": team["name"],
            "team_id": team["id"],
            "user": "actionbot",
            "user_id": team["bot_user_id"],
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_auth_revoke(self, p, team, call, extra):
        with self._cond:
            self._tokens.pop(call.token, None)
        return {"ok": True, "revoked": True}

    def _m_chat_postMessage(self, p, team, call, extra):
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._ts()
        message = {
            "type": "message",
            "text": p.get("text", ""),
            "blocks": p.get("blocks", []),
            "user": team["bot_user_id"],
            "bot_id": BOT_ID,
            "ts": ts,
        }
        if p.get("thread_ts"):
            message["thread_ts"] = p["thread_ts"]
        channel = self._dm_channel(p["channel"])
        with self._cond:
            if self._limits is not None:
                self._posted.append(
                    Posted(
                        team["id"],
                        channel,
                        ts,
                        p.get("thread_ts"),
                        p.get("text", ""),
                        p.get("blocks") or [],
                        self._limits.clock(),
                    )
                )
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, p, team, call, extra):
        return {"ok": True, "message_ts": self._ts()}

    def _m_chat_update(self, p, team, call, extra):
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}

    def _m_chat_delete(self, p, team, call, extra):
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}

    def _m_chat_getPermalink(self, p, team, call, extra):
        ts = str(p.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": p.get("channel"),
            "permalink": f"https://standin.slack.test/archives/{p.get('channel')}/p{ts}",
        }

    def _m_conversations_open(self, p, team, call, extra):
        if p.get("channel"):
            return {"ok": True, "channel": {"id": p["channel"]}}
        users = str(p.get("users", "")).split(",")[0].strip()
        if not users:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "channel": {"id": self._dm_channel(users)}}

    def _m_conversations_info(self, p, team, call, extra):
        cid = p.get("channel")
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        with self._cond:
            known = self._channels.get(cid)
        if known is not None:
            if known["team_id"] != team["id"]:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {k: v for k, v in known.items() if k != "team_id"}}
        return {
            "ok": True,
            "channel": {
                "id": cid,
                "name": cid.lower(),
                "is_im": cid.startswith("D"),
                "is_channel": cid.startswith("C"),
                "is_member": True,  # a channel not added with add_channel: the bot is taken to be in it
            },
        }

    def _m_conversations_list(self, p, team, call, extra):
        with self._cond:
            found = [
                {k: v for k, v in c.items() if k != "team_id"}
                for c in self._channels.values()
                if c["team_id"] == team["id"] and (c["is_member"] or not c["is_private"])
            ]
        return {"ok": True, "channels": found, "response_metadata": {"next_cursor": ""}}

    def _m_users_info(self, p, team, call, extra):
        with self._cond:
            u = self._users.get(p.get("user", ""))
        return {"ok": True, "user": self._user_json(u)} if u else {"ok": False, "error": "user_not_found"}

    def _m_users_list(self, p, team, call, extra):
        with self._cond:
            members = [self._user_json(u) for u in self._users.values() if u["team_id"] == team["id"]]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _m_users_lookupByEmail(self, p, team, call, extra):
        with self._cond:
            found = [u for u in self._users.values() if u["team_id"] == team["id"] and u["email"] == p.get("email")]
        return {"ok": True, "user": self._user_json(found[0])} if found else {"ok": False, "error": "users_not_found"}

    def _view(self, p, team, needs_trigger: bool):
        if needs_trigger and not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = p.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        n = self._next()
        out = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            **view,
            "id": p.get("view_id") or f"V{n:09d}",
            "team_id": team["id"],
            "app_id": "A0ACTIONBOT",
            "bot_id": BOT_ID,
            "hash": f"1700000000.{n:08x}",
        }
        out.setdefault("blocks", [])
        return {"ok": True, "view": out}

    def _m_views_open(self, p, team, call, extra):
        return self._view(p, team, needs_trigger=True)

    def _m_views_push(self, p, team, call, extra):
        return self._view(p, team, needs_trigger=True)

    def _m_views_update(self, p, team, call, extra):
        return self._view(p, team, needs_trigger=False)

    def _m_views_publish(self, p, team, call, extra):
        return self._view(p, team, needs_trigger=False)

    def _m_files_getUploadURLExternal(self, p, team, call, extra):
        if not p.get("filename") or not p.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._next():09d}"
        with self._cond:
            self._uploads[file_id] = {"filename": p["filename"], "content": None}
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _store_upload(self, file_id: str, content: bytes) -> bool:
        with self._cond:
            if file_id not in self._uploads:
                return False
            self._uploads[file_id]["content"] = content
            return True

    def _m_files_completeUploadExternal(self, p, team, call, extra):
        files = p.get("files")
        with self._cond:
            uploads = [self._uploads.get(f.get("id")) for f in files] if isinstance(files, list) else [None]
        if not files or any(u is None or u["content"] is None for u in uploads):
            return {"ok": False, "error": "file_not_found"}
        shared = {k: p[k] for k in ("channel_id", "channels", "initial_comment", "thread_ts") if p.get(k)}
        out = []
        for f, u in zip(files, uploads):
            title = f.get("title") or u["filename"]
            extra.append(
                Call(
                    "files.upload",
                    {"file_id": f["id"], "filename": u["filename"], "title": title, "content": u["content"], **shared},
                    call.token,
                    call.team_id,
                )
            )
            out.append({"id": f["id"], "name": u["filename"], "title": title, "size": len(u["content"])})
        return {"ok": True, "files": out}
