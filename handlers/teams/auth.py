"""Authentication of the requests Teams sends to `POST /api/messages`, as Bot Framework does it.

A request carries `Authorization: Bearer <JWT>`. The token must be RS256, issued by
`https://api.botframework.com` to our app ID (audience `TEAMS_APP_ID`), unexpired (5 minutes of clock
skew allowed), carry a `serviceurl` claim equal to the activity's `serviceUrl`, and be signed by a key
from the JWKS that the OpenID metadata names (`TEAMS_OPENID_METADATA_URL`, default Bot Framework's).
Where a key lists `endorsements`, it must endorse the activity's channel (`msteams`), as Bot Framework's
own validators require.

Why not the Teams SDK's validator (`microsoft_teams.apps.auth.TokenValidator`, 2.1.1): it takes a JWKS URL,
deriving it from the metadata URL by rewriting `/openidconfiguration` to `/keys` instead of reading the
metadata; it fetches keys with PyJWT's `PyJWKClient`, a blocking urllib call with a 30 s timeout made
inside an `async` method (it would stall the event loop every Teams request shares); it refetches the key
set on every unknown `kid` with no rate limit; and its inbound validator also accepts Entra-issued Agent
365 tokens, a wider door than Bot Framework's. So this module uses PyJWT directly (already a dependency
of the SDK), runs in the WSGI request thread before anything reaches the loop, and caches keys:
refetched at most once per `min_refetch` seconds on an unknown `kid`, and after `max_age`; every fetch is
bounded by a short timeout and a size cap.

A refusal is `Refused` (the HTTP layer answers 401); a key set that cannot be had at all is
`KeysUnavailable` (503: our problem, not the caller's). Tokens never reach a log.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

import jwt

log = logging.getLogger("actionbot.teams.auth")

BOT_FRAMEWORK_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300  # seconds, as Bot Framework and the Teams SDK allow
MAX_TOKEN_CHARS = 16_384  # real tokens are ~1.5 KB; anything near this is not one
MAX_DOCUMENT_BYTES = 256 * 1024  # metadata and JWKS documents are a few KB


class Refused(Exception):
    """The request is not from Bot Framework for this app: answer 401. `reason` is short and never holds
    the token."""

    status = 401

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The signing keys could not be fetched and none are cached: answer 503."""

    status = 503


@dataclass(frozen=True)
class Verified:
    """What a valid token says: the claims, and the service URL the reply goes to."""

    claims: dict[str, Any]
    service_url: str


def _fetch_json(url: str, timeout: float) -> Any:
    if not url.startswith(("https://", "http://")):
        raise ValueError("not an http(s) URL")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
        body = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError("document too large")
    return json.loads(body)


class SigningKeys:
    """The signing keys named by an OpenID metadata document, cached, refetched with restraint.

    `get(kid)` answers from the cache; for an unknown kid it refetches the metadata and the JWKS unless
    the last fetch was less than `min_refetch` seconds ago (so a flood of made-up kids costs one fetch a
    minute). The whole set is refreshed after `max_age`. One thread fetches at a time; a failed fetch
    keeps the keys already known."""

    def __init__(
        self,
        metadata_url: str = BOT_FRAMEWORK_METADATA_URL,
        *,
        timeout: float = 5.0,
        min_refetch: float = 60.0,
        max_age: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
        fetch: Callable[[str, float], Any] = _fetch_json,
    ):
        self.metadata_url = metadata_url
        self._timeout = timeout
        self._min_refetch = min_refetch
        self._max_age = max_age
        self._clock = clock
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[jwt.PyJWK, frozenset[str] | None]] = {}
        self._fetched_at: float | None = None  # last fetch attempt, successful or not
        self._loaded_at: float | None = None  # last successful fetch
        self.fetches = 0  # fetch attempts, for tests and diagnostics

    def get(self, kid: str) -> tuple[jwt.PyJWK, frozenset[str] | None] | None:
        """The key and its endorsements (None: the key lists none), or None if unknown."""
        now = self._clock()
        with self._lock:
            stale = self._loaded_at is None or now - self._loaded_at >= self._max_age
            if (kid not in self._keys or stale) and self._may_fetch(now):
                self._refresh(now)
            if not self._keys and self._loaded_at is None:
                raise KeysUnavailable()
            return self._keys.get(kid)

    def _may_fetch(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._min_refetch

    def _refresh(self, now: float) -> None:
        self._fetched_at = now
        self.fetches += 1
        try:
            metadata = self._fetch(self.metadata_url, self._timeout)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(jwks_uri, str):
                raise ValueError("metadata names no jwks_uri")
            jwks = self._fetch(jwks_uri, self._timeout)
            entries = jwks.get("keys") if isinstance(jwks, dict) else None
            if not isinstance(entries, list):
                raise ValueError("JWKS holds no keys")
        except Exception as exc:  # network, JSON or shape: keep what we had
            log.warning("signing keys not refreshed from %s: %s", self.metadata_url, type(exc).__name__)
            return
        keys: dict[str, tuple[jwt.PyJWK, frozenset[str] | None]] = {}
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or entry.get("kty") != "RSA":
                continue
            try:
                key = jwt.PyJWK(entry, algorithm="RS256")
            except jwt.PyJWTError:
                continue
            endorsements = entry.get("endorsements")
            keys[entry["kid"]] = (
                key,
                frozenset(e for e in endorsements if isinstance(e, str)) if isinstance(endorsements, list) else None,
            )
        self._keys = keys
        self._loaded_at = now


class BotFrameworkAuth:
    """Checks inbound Bot Framework tokens for one app ID. Thread-safe; share one per process."""

    def __init__(
        self,
        app_id: str,
        keys: SigningKeys | None = None,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        leeway: float = CLOCK_SKEW,
    ):
        if not app_id:
            raise ValueError("an app ID is required")
        self.app_id = app_id
        self.keys = keys or SigningKeys()
        self.issuer = issuer
        self.leeway = leeway

    def verify(self, authorization: str | None, activity: dict) -> Verified:
        """Check the Authorization header against the activity it came with. Raises Refused or
        KeysUnavailable."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Refused("malformed token") from None
        if header.get("alg") != "RS256":
            raise Refused("token not RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise Refused("token names no key")
        found = self.keys.get(kid)
        if found is None:
            raise Refused("token signed by an unknown key")
        key, endorsements = found
        channel_id = activity.get("channelId")
        if endorsements is not None and channel_id not in endorsements:
            raise Refused("key does not endorse this channel")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Refused("token expired") from None
        except jwt.ImmatureSignatureError:
            raise Refused("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise Refused("token for another audience") from None
        except jwt.InvalidIssuerError:
            raise Refused("token from another issuer") from None
        except jwt.InvalidSignatureError:
            raise Refused("bad signature") from None
        except jwt.PyJWTError:
            raise Refused("invalid token") from None
        service_url = activity.get("serviceUrl")
        claimed = claims.get("serviceurl")
        if not isinstance(service_url, str) or not isinstance(claimed, str):
            raise Refused("no service URL")
        if claimed.rstrip("/") != service_url.rstrip("/"):
            raise Refused("service URL does not match the token")
        return Verified(claims, service_url)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Refused("no token")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Refused("not a bearer token")
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise Refused("malformed token")
    return token
