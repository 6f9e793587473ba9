"""Inbound authentication through the real door: signed activities POSTed over HTTP to the bridge on the
production server stack, keys from the stand-in's OpenID metadata. Every bad token is a 401 that never
reaches the handler, never logs a traceback or the token."""

from __future__ import annotations

import json
import logging
import time

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from handlers.teams.auth import BotFrameworkAuth, KeysUnavailable, Refused, SigningKeys  # noqa: E402
from handlers.teams.bridge import TeamsBridge, wsgi_app  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from tests.teams.teams_helpers import serving  # noqa: E402


class Recorder:
    """A handler that only records what got through the door."""

    def __init__(self):
        self.seen: list[dict] = []

    async def __call__(self, inbound):
        self.seen.append(inbound.activity)
        return 200, {"ok": True}


@pytest.fixture
def door(standin):
    handler = Recorder()
    bridge = TeamsBridge(
        BotFrameworkAuth(standin.app_id, SigningKeys(standin.metadata_url)), handler, max_body=64 * 1024
    )
    with serving(wsgi_app(bridge)) as url:
        yield TeamsDriver(standin, url + "/api/messages"), handler
    bridge.loop.stop()


def test_a_signed_activity_gets_through(door, standin):
    driver, handler = door
    answer = driver.post(driver.message(standin.lina, "list region:LAC"))
    assert answer.status == 200 and answer.body == {"ok": True}
    assert [a["text"] for a in handler.seen] == ["list region:LAC"]


def test_a_token_within_the_clock_skew_is_accepted(door, standin):
    driver, handler = door
    activity = driver.message(standin.lina, "hi")
    # expired two minutes ago: inside Bot Framework's five minutes of skew
    late = standin.authorization(issued_at=time.time() - 3720, expires_in=3600)
    assert driver.post(activity, authorization=late).status == 200


BAD_TOKENS = {
    "no token": lambda s, a: None,
    "empty bearer": lambda s, a: "Bearer ",
    "basic auth": lambda s, a: "Basic dXNlcjpwYXNz",
    "not a JWT": lambda s, a: "Bearer not.a.jwt",
    "garbage": lambda s, a: "Bearer " + "x" * 40,
    "wrong audience": lambda s, a: s.authorization(
        service_url=a["serviceUrl"], audience="11111111-2222-3333-4444-555555555555"
    ),
    "wrong issuer": lambda s, a: s.authorization(service_url=a["serviceUrl"], issuer="https://sts.windows.net/evil/"),
    "expired": lambda s, a: s.authorization(service_url=a["serviceUrl"], issued_at=time.time() - 7200, expires_in=3600),
    "foreign key, our kid": lambda s, a: s.authorization(
        service_url=a["serviceUrl"], key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ),
    "foreign key, its kid": lambda s, a: s.authorization(
        service_url=a["serviceUrl"], key=rsa.generate_private_key(public_exponent=65537, key_size=2048), kid="evil"
    ),
    "HS256": lambda s, a: s.authorization(service_url=a["serviceUrl"], algorithm="HS256"),
    "serviceurl mismatch": lambda s, a: s.authorization(service_url="https://smba.evil.example/amer/"),
    "no serviceurl claim": lambda s, a: s.authorization(service_url=""),
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_every_bad_token_is_refused_with_401(door, standin, case, caplog):
    driver, handler = door
    activity = driver.message(standin.lina, "done 12")
    authorization = BAD_TOKENS[case](standin, activity)
    with caplog.at_level(logging.DEBUG):
        answer = driver.post(activity, authorization=authorization)
    assert answer.status == 401, case
    assert answer.body == {"error": "Unauthorized"}
    assert handler.seen == []
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Traceback" not in logged
    if authorization and " " in authorization.strip():
        assert authorization.split(" ", 1)[1] not in logged


def test_an_activity_whose_service_url_differs_from_the_token_is_refused(door, standin):
    driver, handler = door
    activity = driver.message(standin.lina, "hi")
    signed = standin.authorization()  # for the stand-in's service URL
    activity["serviceUrl"] = "https://smba.evil.example/amer/"
    assert driver.post(activity, authorization=signed).status == 401
    assert handler.seen == []


def test_a_key_that_does_not_endorse_teams_is_refused(standin):
    standin.endorsements = ["skype"]
    auth = BotFrameworkAuth(standin.app_id, SigningKeys(standin.metadata_url))
    activity = {"serviceUrl": standin.service_url, "channelId": "msteams", "type": "message"}
    with pytest.raises(Refused, match="endorse"):
        auth.verify(standin.authorization(), activity)


@pytest.mark.parametrize(
    "body, status",
    [(b"not json", 400), (b"[1, 2]", 400), (json.dumps({"type": "message"}).encode(), 400), (b"{" * 70_000, 413)],
)
def test_bad_bodies_are_refused_before_authentication(door, standin, body, status):
    driver, handler = door
    answer = driver.post({}, raw=body, authorization=standin.authorization())
    assert answer.status == status
    assert handler.seen == []


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_unknown_kids_refetch_the_keys_at_most_once_a_minute(standin):
    clock = FakeClock()
    keys = SigningKeys(standin.metadata_url, min_refetch=60, clock=clock)
    auth = BotFrameworkAuth(standin.app_id, keys)
    activity = {"serviceUrl": standin.service_url, "channelId": "msteams", "type": "message"}
    auth.verify(standin.authorization(), activity)
    assert keys.fetches == 1
    for n in range(50):  # a flood of made-up kids
        with pytest.raises(Refused, match="unknown key"):
            auth.verify(standin.authorization(kid=f"made-up-{n}"), activity)
    assert keys.fetches == 1 and standin.metadata_fetches == 1

    # the key rolls over; after the minute a token with the new kid triggers one refetch and passes
    standin.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    standin.kid = "rolled"
    with pytest.raises(Refused):
        auth.verify(standin.authorization(), activity)
    clock.now += 61
    auth.verify(standin.authorization(), activity)
    assert keys.fetches == 2


def test_keys_are_refreshed_after_a_day(standin):
    clock = FakeClock()
    keys = SigningKeys(standin.metadata_url, clock=clock)
    auth = BotFrameworkAuth(standin.app_id, keys)
    activity = {"serviceUrl": standin.service_url, "channelId": "msteams", "type": "message"}
    auth.verify(standin.authorization(), activity)
    clock.now += 3600
    auth.verify(standin.authorization(), activity)
    assert keys.fetches == 1
    clock.now += 24 * 3600
    auth.verify(standin.authorization(), activity)
    assert keys.fetches == 2


def test_unreachable_metadata_is_a_503_not_a_401(standin):
    closed = "http://127.0.0.1:9/v1/.well-known/openidconfiguration"  # discard port: nothing listens
    bridge = TeamsBridge(BotFrameworkAuth(standin.app_id, SigningKeys(closed, timeout=1.0)), Recorder())
    activity = TeamsDriver(standin, "http://unused").message(standin.lina, "hi")
    status, headers, body = bridge.handle({"Authorization": standin.authorization()}, json.dumps(activity).encode())
    assert status == 503 and ("Retry-After", "30") in headers
    with pytest.raises(KeysUnavailable):
        BotFrameworkAuth(standin.app_id, SigningKeys(closed, timeout=1.0)).verify(standin.authorization(), activity)


def test_fetches_are_bounded_and_oversized_documents_refused(standin):
    calls = []

    def fetch(url, timeout):
        calls.append(timeout)
        raise ValueError("document too large")

    keys = SigningKeys(standin.metadata_url, timeout=2.5, fetch=fetch)
    with pytest.raises(KeysUnavailable):
        keys.get("any")
    assert calls == [2.5]
