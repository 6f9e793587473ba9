"""A local stand-in for Microsoft's side of a Teams bot, for end-to-end tests, benchmarks and the demo.

It plays three services on one loopback port (it refuses any other address):
- Bot Framework's token signing: OpenID metadata (`metadata_url`) and its JWKS (its own RSA key), and
  `mint_token()` / `authorization()` to sign inbound activities as Bot Framework does, so a test can POST
  a signed activity to the bot's `/api/messages` (see devkit/driver.py);
- the bot's token endpoint (`token_url`): a client-credentials form POST answered with a JSON
  `access_token`, after checking the client ID, secret and scope;
- the Bot Connector REST at `service_url`: create a 1:1 conversation, send, reply, update, read a
  conversation's members (paged) and a team's channels. These require a token it issued, and every call
  is recorded as a `Sent` for assertions (`sent`, `wait_for`).

Members, teams and channels are configurable (`add_user`, `add_team`): a tenant GUID, users with `29:` IDs
of about 100 characters, Entra object IDs, e-mail addresses, names and time zones.

Modes for issue 17: `limit(clock)` enforces Teams' per-bot, per-conversation send limits (7 a second, 8
per 2 s, 60 per 30 s, 1,800 an hour; the same for creating conversations), 14 member reads a second, and
50 requests a second per tenant, answering 429 with `Retry-After`; `fail(kind, status, times)` makes the
next calls of a kind fail (503s, 412s…); `drop(kind, times)` makes them hang up without an answer (a
dropped connection); `chaos(share, seed)` fails a random `share` of Bot Connector calls, decided before
the call takes effect (a failed call never half-happened): 429 with Retry-After, 502/503/504, 412, or a
dropped connection; `block(user)` answers 403 `MessageWritesBlocked` to writes into that user's personal
chat; `uninstall(user)` makes creating their conversation fail with 403 (`install(user)` undoes it).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import random
import re
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
BOT_SCOPE = "https://api.botframework.com/.default"
SERVICE_PATH = "/amer"  # like Teams' regional service URLs (https://smba.trafficmanager.net/amer/)
MAX_BODY = 1024 * 1024
MAX_ACTIVITY_BYTES = 100 * 1024  # Teams refuses messages over about 100 KB with 413
RETRYABLE_KINDS = ("create", "send", "reply", "update", "members", "channels", "token")

# Teams' published limits: per bot per conversation (sends, and creating conversations)
SEND_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
MEMBER_LIMITS = ((14, 1.0),)
TENANT_LIMITS = ((50, 1.0),)
DROP = 0  # the status of a call the stand-in hangs up on
CHAOS = ("429", "502", "503", "504", "412", "drop")
CONNECTOR_KINDS = ("create", "send", "reply", "update", "members", "channels")


@dataclass
class Sent:
    """One call the bot made to the Bot Connector (or token endpoint), as the stand-in saw it.

    kind: create, send, reply, update, members, channels, token; with a prefix when refused:
    `ratelimited:send`, `failed:send` (an injected fault), `dropped:send` (hung up without an answer),
    `blocked:send`, `refused:send` (bad token)."""

    kind: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    status: int  # 0: dropped without an answer
    at: float = 0.0  # on the limits' clock when limiting, else time.monotonic()
    created_id: str | None = None  # the ID the stand-in gave a new activity (send, reply)


@dataclass
class _Conversation:
    id: str
    kind: str  # personal, channel
    members: list[str]  # 29: IDs
    team_id: str | None = None
    activities: dict[str, dict] = field(default_factory=dict)


def _b64url_uint(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def user_id_for(seed: str) -> str:
    """A Teams `29:` user ID of the real shape (about 100 characters), stable for a seed."""
    digest = hashlib.sha512(seed.encode()).digest() + hashlib.sha256(seed.encode()).digest()
    return "29:1" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:96]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    standin: "TeamsStandIn"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written apart: no 40 ms delayed-ACK stall

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str):
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, {"error": {"code": "RequestTooLarge", "message": "too large"}})
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            status, payload, headers = self.server.standin._handle(method, self.path, dict(self.headers.items()), body)
            if status == DROP:
                self.close_connection = True  # hang up without an answer: the client sees a dropped connection
                return
            self._send(status, payload, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a stand-in bug: answer rather than drop the socket
            self._send(500, {"error": {"code": "StandInError", "message": repr(exc)}})

    def _send(self, status: int, payload: Any, headers: dict | None = None):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _error(status: int, code: str, message: str, headers: dict | None = None):
    return status, {"error": {"code": code, "message": message}}, headers or {}


class _Windows:
    """Sliding-window counters: `take(key, limits, now)` → None if allowed (and counted), else the
    seconds until it would be."""

    def __init__(self):
        self._seen: dict[tuple, deque] = {}

    def take(self, key: tuple, limits: tuple[tuple[int, float], ...], now: float) -> float | None:
        longest = max(window for _, window in limits)
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - longest:
            seen.popleft()
        wait = 0.0
        for count, window in limits:
            inside = [t for t in seen if t > now - window]
            if len(inside) >= count:
                wait = max(wait, inside[-count] + window - now)
        if wait > 0:
            return wait
        seen.append(now)
        return None


class TeamsStandIn:
    """Fake Bot Framework + Bot Connector. Use `with TeamsStandIn() as teams:` or `.start()` / `.stop()`."""

    def __init__(
        self,
        app_id: str = "8f0c3c5e-5b7a-4f1e-9d53-7a1c2b3d4e5f",
        app_password: str = "standin-app-password",
        tenant_id: str = "2d0f9a8e-1c3b-4a5d-8e7f-6a5b4c3d2e1f",
        *,
        host: str = "127.0.0.1",
        token_lifetime: int = 3599,
    ):
        if not _loopback(host):
            raise ValueError(f"the Teams stand-in serves loopback only, not {host!r}")
        self.host = host
        self.app_id = app_id
        self.app_password = app_password
        self.tenant_id = tenant_id
        self.bot_id = "28:" + app_id
        self.token_lifetime = token_lifetime
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "standin-" + secrets.token_hex(4)
        self.endorsements = ["msteams"]
        self._cond = threading.Condition()
        self._sent: list[Sent] = []
        self._tokens: dict[str, float] = {}  # access token -> expiry (time.time())
        self._users: dict[str, dict] = {}  # 29: ID -> member
        self._teams: dict[str, dict] = {}  # team ID -> {name, channels: [{id, name}], members: [29: IDs]}
        self._conversations: dict[str, _Conversation] = {}
        self._blocked: set[str] = set()
        self._not_installed: set[str] = set()
        self._failures: dict[str, deque] = {}
        self._drops: dict[str, int] = {}
        self._chaos: tuple[float, random.Random, frozenset[str], float] | None = None
        self._limit_clock: Callable[[], float] | None = None
        self._windows = _Windows()
        self._seq = int(time.time() * 1000)
        self.metadata_fetches = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> "TeamsStandIn":
        if self._server is None:
            self._server = _Server((self.host, 0), _Handler)
            self._server.standin = self
            self._thread = threading.Thread(target=self._server.serve_forever, name="teams-standin", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> "TeamsStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("TeamsStandIn is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return self.root_url + "/v1/.well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return self.root_url + "/v1/.well-known/keys"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/{self.tenant_id}/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return self.root_url + SERVICE_PATH + "/"

    # ---- directory

    def add_user(
        self,
        name: str,
        *,
        email: str | None = None,
        tz: str = "UTC",
        aad_object_id: str | None = None,
        user_id: str | None = None,
        tenant_id: str | None = None,
        installed: bool = True,
    ) -> dict:
        """A person in the tenant. Returns the member as Bot Connector shows it, plus `timezone`.
        Each user gets a personal conversation with the bot (`personal_conversation(user)`)."""
        ZoneInfo(tz)  # fail early on a bad zone name
        given, _, surname = name.partition(" ")
        handle = re.sub(r"[^a-z0-9.]", "", name.lower().replace(" ", "."))
        email = email or f"{handle or 'user'}@contoso.test"
        member: dict[str, Any] = {
            "id": user_id or user_id_for(f"{self.app_id}/{email}"),
            "name": name,
            "aadObjectId": aad_object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
            "givenName": given,
            "surname": surname or None,
            "email": email,
            "userPrincipalName": email,
            "tenantId": tenant_id or self.tenant_id,
            "userRole": "user",
            "timezone": tz,
        }
        with self._cond:
            self._users[member["id"]] = member
            if not installed:
                self._not_installed.add(member["id"])
        return member

    def add_team(self, name: str, channels: Sequence[str] = (), members: Sequence[dict] = ()) -> dict:
        """A team with its General channel (whose ID is the team ID) and the named channels."""
        team_id = f"19:{secrets.token_hex(16)}@thread.tacv2"
        team: dict[str, Any] = {
            "id": team_id,
            "name": name,
            "channels": [{"id": team_id, "name": None}]
            + [{"id": f"19:{secrets.token_hex(16)}@thread.tacv2", "name": c} for c in channels],
            "members": [m["id"] for m in members],
        }
        with self._cond:
            self._teams[team_id] = team
            for channel in team["channels"]:
                self._conversations[channel["id"]] = _Conversation(
                    channel["id"], "channel", team["members"], team_id=team_id
                )
        return team

    def channel(self, team: dict, name: str | None) -> str:
        """The ID of a team's channel by name (None: General)."""
        return next(c["id"] for c in team["channels"] if c["name"] == name)

    def personal_conversation(self, user: dict) -> str:
        """The ID of the 1:1 chat between the bot and `user` (created on first use, as installing does)."""
        conversation_id = "a:1" + base64.urlsafe_b64encode(hashlib.sha256(user["id"].encode()).digest()).decode()
        conversation_id = conversation_id.rstrip("=")
        with self._cond:
            self._conversations.setdefault(conversation_id, _Conversation(conversation_id, "personal", [user["id"]]))
        return conversation_id

    def block(self, user: dict, blocked: bool = True) -> None:
        """The user blocked the bot (or removed it): writes to their chat get 403 MessageWritesBlocked."""
        with self._cond:
            (self._blocked.add if blocked else self._blocked.discard)(user["id"])

    def uninstall(self, user: dict, uninstalled: bool = True) -> None:
        """The app is not installed for the user: creating their conversation gets 403."""
        with self._cond:
            (self._not_installed.add if uninstalled else self._not_installed.discard)(user["id"])

    def install(self, user: dict) -> None:
        """The app is installed for the user (by them, or org-wide by an admin): their chat works."""
        with self._cond:
            self._not_installed.discard(user["id"])
            self._blocked.discard(user["id"])

    # ---- inbound tokens (what Bot Framework signs)

    def jwks(self) -> dict:
        public = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64url_uint(public.n),
                    "e": _b64url_uint(public.e),
                    "endorsements": list(self.endorsements),
                }
            ]
        }

    def mint_token(
        self,
        *,
        service_url: str | None = None,
        audience: str | None = None,
        issuer: str = ISSUER,
        expires_in: float = 3600,
        issued_at: float | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        claims: dict | None = None,
    ) -> str:
        """A Bot Framework token for an inbound activity; each argument can be made wrong for a test."""
        now = time.time() if issued_at is None else issued_at
        payload = {
            "serviceurl": self.service_url if service_url is None else service_url,
            "nbf": int(now) - 5,
            "exp": int(now + expires_in),
            "iss": issuer,
            "aud": self.app_id if audience is None else audience,
            **(claims or {}),
        }
        headers = {"kid": self.kid if kid is None else kid}
        signing_key: Any = key or self.key
        if algorithm.startswith("HS"):
            signing_key = "not-a-real-secret-but-long-enough-for-hmac-256"
        return jwt.encode(payload, signing_key, algorithm=algorithm, headers=headers)

    def authorization(self, **kwargs) -> str:
        return "Bearer " + self.mint_token(**kwargs)

    # ---- modes

    def limit(self, clock: Callable[[], float] | None = time.monotonic) -> None:
        """Enforce Teams' rate limits on the limits' `clock` from now on (None: stop)."""
        with self._cond:
            self._limit_clock = clock
            self._windows = _Windows()

    def fail(
        self, kind: str, status: int = 503, times: int = 1, retry_after: float | None = None, code: str | None = None
    ) -> None:
        """Make the next `times` calls of `kind` (see Sent.kind) answer `status`."""
        if kind not in RETRYABLE_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        with self._cond:
            self._failures.setdefault(kind, deque()).extend([(status, retry_after, code)] * times)

    def drop(self, kind: str, times: int = 1) -> None:
        """Hang up on the next `times` calls of `kind` without answering (before they take effect)."""
        if kind not in CONNECTOR_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        with self._cond:
            self._drops[kind] = self._drops.get(kind, 0) + times

    def chaos(
        self, share: float, seed: int = 0, kinds: Sequence[str] = CONNECTOR_KINDS, retry_after: float = 1
    ) -> None:
        """From now on fail about `share` of the Bot Connector calls of `kinds`: a 429 with Retry-After
        `retry_after`, a 502, 503 or 504 or a 412 (Retry-After 0), or a dropped connection, in equal
        shares, decided before the call takes effect. `chaos(0)` stops it."""
        if not 0 <= share <= 1 or any(k not in CONNECTOR_KINDS for k in kinds):
            raise ValueError("share is between 0 and 1, kinds among " + ", ".join(CONNECTOR_KINDS))
        with self._cond:
            self._chaos = (share, random.Random(seed), frozenset(kinds), retry_after) if share else None

    def expire_tokens(self) -> None:
        """Forget every access token issued (the next call with one gets 401)."""
        with self._cond:
            self._tokens.clear()

    # ---- records

    @property
    def sent(self) -> list[Sent]:
        with self._cond:
            return list(self._sent)

    def sent_of(self, kind: str) -> list[Sent]:
        with self._cond:
            return [s for s in self._sent if s.kind == kind]

    def wait_for(
        self, kind: str, count: int = 1, predicate: Callable[[Sent], bool] | None = None, timeout: float = 5.0
    ) -> list[Sent]:
        """Block until at least `count` calls of `kind` (matching `predicate`) were recorded."""

        def matching():
            return [s for s in self._sent if s.kind == kind and (predicate is None or predicate(s))]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                seen = [s.kind for s in self._sent]
                raise AssertionError(f"expected {count} {kind} call(s) within {timeout}s; saw {seen}")
            return matching()

    def reset(self) -> None:
        with self._cond:
            self._sent.clear()

    def _record(self, sent: Sent) -> None:
        with self._cond:
            sent.at = self._limit_clock() if self._limit_clock else time.monotonic()
            self._sent.append(sent)
            self._cond.notify_all()

    def _next_id(self) -> str:
        with self._cond:
            self._seq += 1
            return str(self._seq)

    # ---- request handling (server threads)

    def _handle(self, method: str, raw_path: str, headers: dict, body: bytes):
        url = urlsplit(raw_path)
        path = url.path
        if method == "GET" and path == "/v1/.well-known/openidconfiguration":
            with self._cond:
                self.metadata_fetches += 1
            return (
                200,
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": "https://invalid.botframework.com",
                    "jwks_uri": self.jwks_url,
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
                {},
            )
        if method == "GET" and path == "/v1/.well-known/keys":
            return 200, self.jwks(), {}
        if method == "POST" and path == f"/{self.tenant_id}/oauth2/v2.0/token":
            return self._token(headers, body)
        if path.startswith(SERVICE_PATH + "/v3/"):
            return self._connector(method, path[len(SERVICE_PATH) :], dict(parse_qsl(url.query)), headers, body)
        return _error(404, "NotFound", "no such endpoint")

    def _injected(self, kind: str):
        with self._cond:
            if self._drops.get(kind):
                self._drops[kind] -= 1
                return DROP, None, {}
            queue = self._failures.get(kind)
            failure = queue.popleft() if queue else None
            if failure is None and self._chaos is not None:
                share, rng, kinds, wait = self._chaos
                if kind in kinds and rng.random() < share:
                    pick = rng.choice(CHAOS)
                    if pick == "drop":
                        return DROP, None, {}
                    failure = (int(pick), wait if pick == "429" else 0, None)
        if failure is None:
            return None
        status, retry_after, code = failure
        extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return _error(
            status, code or {412: "PreconditionFailed", 429: "Throttled"}.get(status, "ServiceError"), "injected", extra
        )

    def _token(self, headers: dict, body: bytes):
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        failed = self._injected("token")
        if failed:
            self._record(Sent("failed:token", None, None, {"client_id": form.get("client_id")}, failed[0]))
            return failed
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.app_password:
            self._record(Sent("refused:token", None, None, {"client_id": form.get("client_id")}, 401))
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."}, {}
        if form.get("scope") != BOT_SCOPE:
            return 400, {"error": "invalid_scope"}, {}
        now = int(time.time())
        token = jwt.encode(  # a JWT like Entra's (the Teams SDK decodes the bot's token)
            {
                "aud": "https://api.botframework.com",
                "iss": f"https://login.microsoftonline.com/{self.tenant_id}/v2.0",
                "tid": self.tenant_id,
                "appid": self.app_id,
                "azp": self.app_id,
                "iat": now,
                "nbf": now,
                "exp": now + self.token_lifetime,
                "jti": secrets.token_urlsafe(12),
            },
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )
        with self._cond:
            self._tokens[token] = time.time() + self.token_lifetime
        self._record(Sent("token", None, None, {"client_id": form["client_id"], "scope": form["scope"]}, 200))
        return (
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "access_token": token,
            },
            {},
        )

    def _authorized(self, headers: dict) -> bool:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not auth.startswith("Bearer "):
            return False
        with self._cond:
            expiry = self._tokens.get(auth[len("Bearer ") :])
        return expiry is not None and expiry > time.time()

    def _over_limit(self, kind: str, conversation_id: str | None) -> float | None:
        with self._cond:
            clock = self._limit_clock
            if clock is None:
                return None
            now = clock()
            wait = self._windows.take(("tenant",), TENANT_LIMITS, now)
            if wait is not None:
                return wait
            if kind in ("create", "send", "reply", "update"):
                return self._windows.take(("send", conversation_id or "new"), SEND_LIMITS, now)
            if kind == "members":
                return self._windows.take(("members",), MEMBER_LIMITS, now)
            return None

    def _connector(self, method: str, path: str, query: dict, headers: dict, body: bytes):
        route = self._route(method, path)
        if route is None:
            return _error(404, "NotFound", "no such Bot Connector operation")
        kind, conversation_id, activity_id, team_id = route
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return _error(400, "BadSyntax", "body is not JSON")
        if not self._authorized(headers):
            self._record(Sent("refused:" + kind, conversation_id, activity_id, payload, 401))
            return _error(401, "Unauthorized", "Authorization has been denied for this request.")
        failed = self._injected(kind)
        if failed:
            prefix = "dropped:" if failed[0] == DROP else "failed:"
            self._record(Sent(prefix + kind, conversation_id, activity_id, payload, failed[0]))
            return failed
        wait = self._over_limit(kind, conversation_id)
        if wait is not None:
            self._record(Sent("ratelimited:" + kind, conversation_id, activity_id, payload, 429))
            return _error(429, "Throttled", "Too many requests", {"Retry-After": str(max(1, math.ceil(wait)))})
        if kind == "create":
            return self._create(payload)
        if kind == "members":
            return self._members(conversation_id, query, payload)
        if kind == "channels":
            return self._channels(team_id, payload)
        return self._write(kind, conversation_id, activity_id, payload, len(body))

    @staticmethod
    def _route(method: str, path: str):
        parts = [unquote(p) for p in path.split("/")[2:]]  # after "", "v3"
        if method == "POST" and parts == ["conversations"]:
            return "create", None, None, None
        if len(parts) >= 3 and parts[0] == "conversations":
            conversation_id, rest = parts[1], parts[2:]
            if method == "POST" and rest == ["activities"]:
                return "send", conversation_id, None, None
            if method == "POST" and len(rest) == 2 and rest[0] == "activities":
                return "reply", conversation_id, rest[1], None
            if method == "PUT" and len(rest) == 2 and rest[0] == "activities":
                return "update", conversation_id, rest[1], None
            if method == "GET" and rest == ["pagedMembers"]:
                return "members", conversation_id, None, None
        if method == "GET" and len(parts) == 3 and parts[0] == "teams" and parts[2] == "conversations":
            return "channels", None, None, parts[1]
        return None

    def _create(self, payload: Any):
        members = payload.get("members") if isinstance(payload, dict) else None
        if not isinstance(members, list) or len(members) != 1 or not isinstance(members[0], dict):
            self._record(Sent("create", None, None, payload, 400))
            return _error(400, "BadArgument", "exactly one member is required for a 1:1 conversation")
        tenant = ((payload.get("channelData") or {}).get("tenant") or {}).get("id") or payload.get("tenantId")
        with self._cond:
            user = self._users.get(str(members[0].get("id")))
            not_installed = user is not None and user["id"] in self._not_installed
        if user is None or tenant != user["tenantId"]:
            self._record(Sent("create", None, None, payload, 404))
            return _error(404, "NotFound", "user not found in the tenant")
        if not_installed:
            self._record(Sent("create", None, None, payload, 403))
            return _error(403, "BotNotInConversationRoster", "The bot is not part of the conversation roster.")
        conversation_id = self.personal_conversation(user)
        self._record(Sent("create", conversation_id, None, payload, 201))
        return 201, {"id": conversation_id}, {}

    def _members(self, conversation_id: str | None, query: dict, payload: Any):
        with self._cond:
            conversation = self._conversations.get((conversation_id or "").split(";")[0])
            ids = list(conversation.members) if conversation else []
            if conversation and conversation.team_id:
                ids = list(self._teams[conversation.team_id]["members"])
            members = [{k: v for k, v in self._users[i].items() if k != "timezone"} for i in ids if i in self._users]
        if conversation is None:
            self._record(Sent("members", conversation_id, None, payload, 404))
            return _error(404, "ConversationNotFound", "Conversation not found.")
        try:
            size = max(1, min(500, int(query.get("pageSize") or 200)))
            start = int(query.get("continuationToken") or 0)
        except ValueError:
            return _error(400, "BadArgument", "bad paging")
        page = members[start : start + size]
        result: dict = {"members": page}
        if start + size < len(members):
            result["continuationToken"] = str(start + size)
        self._record(Sent("members", conversation_id, None, query, 200))
        return 200, result, {}

    def _channels(self, team_id: str | None, payload: Any):
        with self._cond:
            team = self._teams.get(team_id or "")
        if team is None:
            self._record(Sent("channels", team_id, None, payload, 404))
            return _error(404, "NotFound", "Team not found.")
        self._record(Sent("channels", team_id, None, payload, 200))
        return 200, {"conversations": [dict(c) for c in team["channels"]]}, {}

    def _write(self, kind: str, conversation_id: str | None, activity_id: str | None, payload: Any, size: int):
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            self._record(Sent(kind, conversation_id, activity_id, payload, 400))
            return _error(400, "BadArgument", "an activity with a type is required")
        if kind == "send" and payload.get("replyToId"):
            kind, activity_id = "reply", str(payload["replyToId"])
        with self._cond:
            conversation = self._conversations.get((conversation_id or "").split(";")[0])
            blocked = (
                conversation is not None
                and conversation.kind == "personal"
                and conversation.members[0] in self._blocked
            )
        if conversation is None:
            self._record(Sent(kind, conversation_id, activity_id, payload, 404))
            return _error(404, "ConversationNotFound", "Conversation not found.")
        if blocked:
            self._record(Sent("blocked:" + kind, conversation_id, activity_id, payload, 403))
            return _error(403, "MessageWritesBlocked", "Thread is blocked for messages from this bot.")
        if size > MAX_ACTIVITY_BYTES:
            self._record(Sent(kind, conversation_id, activity_id, payload, 413))
            return _error(413, "MessageSizeTooBig", "Message size too large.")
        if kind == "update":
            with self._cond:
                known = activity_id is not None and activity_id in conversation.activities
                if known:
                    conversation.activities[str(activity_id)] = payload
            if not known:
                self._record(Sent(kind, conversation_id, activity_id, payload, 404))
                return _error(404, "ActivityNotFoundInConversation", "Activity not found.")
            self._record(Sent(kind, conversation_id, activity_id, payload, 200))
            return 200, {"id": activity_id}, {}
        new_id = self._next_id()
        with self._cond:
            conversation.activities[new_id] = payload
        self._record(Sent(kind, conversation_id, activity_id, payload, 201, created_id=new_id))
        return 201, {"id": new_id}, {}
