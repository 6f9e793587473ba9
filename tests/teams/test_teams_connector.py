"""The outbound Bot Connector client against the stand-in: token caching and refresh, retries honouring
Retry-After (on a fake clock: no test sleeps), permanent 403/404, paging, and Teams' rate limits."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from handlers.teams.connector import BotConnector, ClientCredentials, ConnectorError, RetryPolicy  # noqa: E402


class FakeTime:
    """A clock that only moves when the client 'sleeps': the stand-in's limits and the token cache read it."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def connect(standin, fake: FakeTime, **kw) -> BotConnector:
    credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url, clock=fake)
    return BotConnector(credentials, sleep=fake.sleep, **kw)


def run(coro):
    return asyncio.run(coro)


def test_send_reply_update_and_reads(standin):
    fake = FakeTime()

    async def go():
        bot = connect(standin, fake)
        try:
            conversation = await bot.create_personal(standin.service_url, standin.lina["id"], standin.tenant_id)
            first = await bot.send(standin.service_url, conversation, {"text": "Action #12 added"})
            await bot.update(standin.service_url, conversation, first, {"text": "Action #12 done"})
            await bot.reply(standin.service_url, conversation, first, {"text": "noted"})
            members = await bot.members(standin.service_url, standin.team["id"], page_size=1)
            channels = await bot.channels(standin.service_url, standin.team["id"])
            return conversation, first, members, channels
        finally:
            await bot.aclose()

    conversation, first, members, channels = run(go())
    assert conversation == standin.personal_conversation(standin.lina)
    created = standin.sent_of("create")[0].body
    assert created["members"] == [{"id": standin.lina["id"]}]
    assert created["channelData"] == {"tenant": {"id": standin.tenant_id}} and created["isGroup"] is False
    assert created["bot"] == {"id": standin.bot_id}
    assert [s.body["text"] for s in standin.sent_of("send")] == ["Action #12 added"]
    assert standin.sent_of("update")[0].activity_id == first
    assert standin.sent_of("reply")[0].activity_id == first
    assert [(m["name"], m["aadObjectId"], m["email"]) for m in members] == [
        (u["name"], u["aadObjectId"], u["email"]) for u in (standin.lina, standin.tim)
    ]
    assert len(standin.sent_of("members")) == 2  # two pages of one
    assert [c["name"] for c in channels] == [None, "LAC", "Africa"]
    assert len(standin.sent_of("token")) == 1  # one token for all of it
    assert fake.slept == []


@pytest.mark.parametrize("status", [429, 412, 502, 503, 504])
def test_retryable_statuses_are_retried_honouring_retry_after(standin, status):
    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)
    standin.fail("send", status, times=2, retry_after=3)

    async def go():
        bot = connect(standin, fake)
        try:
            return await bot.send(standin.service_url, conversation, {"text": "nudge"})
        finally:
            await bot.aclose()

    assert run(go())
    assert fake.slept == [3.0, 3.0]
    assert [s.kind for s in standin.sent if s.kind != "token"] == ["failed:send", "failed:send", "send"]


def test_without_retry_after_the_client_backs_off(standin):
    fake = FakeTime()
    standin.fail("send", 503, times=3)

    async def go():
        bot = connect(standin, fake)
        try:
            return await bot.send(standin.service_url, standin.personal_conversation(standin.lina), {"text": "x"})
        finally:
            await bot.aclose()

    run(go())
    assert fake.slept == [0.5, 1.0, 2.0]


def test_giving_up_is_a_retryable_error(standin):
    fake = FakeTime()
    standin.fail("send", 503, times=10, retry_after=1)

    async def go():
        bot = connect(standin, fake, policy=RetryPolicy(max_attempts=3))
        try:
            await bot.send(standin.service_url, standin.personal_conversation(standin.lina), {"text": "x"})
        finally:
            await bot.aclose()

    with pytest.raises(ConnectorError) as raised:
        run(go())
    assert raised.value.status == 503 and not raised.value.permanent
    assert len(standin.sent_of("failed:send")) == 3


def test_a_long_retry_after_is_handed_back_not_slept(standin):
    fake = FakeTime()
    standin.fail("send", 429, retry_after=600)

    async def go():
        bot = connect(standin, fake)
        try:
            await bot.send(standin.service_url, standin.personal_conversation(standin.lina), {"text": "x"})
        finally:
            await bot.aclose()

    with pytest.raises(ConnectorError) as raised:
        run(go())
    assert raised.value.retry_after == 600 and not raised.value.permanent
    assert fake.slept == []


def test_a_blocked_bot_is_permanent_and_not_retried(standin):
    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)
    standin.block(standin.lina)

    async def go():
        bot = connect(standin, fake)
        try:
            await bot.send(standin.service_url, conversation, {"text": "nudge"})
        finally:
            await bot.aclose()

    with pytest.raises(ConnectorError) as raised:
        run(go())
    error = raised.value
    assert (error.status, error.code, error.permanent, error.blocked) == (403, "MessageWritesBlocked", True, True)
    assert len(standin.sent_of("blocked:send")) == 1 and fake.slept == []


def test_a_missing_conversation_and_an_uninstalled_person_are_permanent(standin):
    fake = FakeTime()
    standin.uninstall(standin.tim)

    async def go():
        bot = connect(standin, fake)
        errors = []
        try:
            for call in (
                bot.send(standin.service_url, "a:no-such-conversation", {"text": "x"}),
                bot.create_personal(standin.service_url, standin.tim["id"], standin.tenant_id),
            ):
                try:
                    await call
                except ConnectorError as error:
                    errors.append(error)
        finally:
            await bot.aclose()
        return errors

    missing, uninstalled = run(go())
    assert (missing.status, missing.code, missing.permanent) == (404, "ConversationNotFound", True)
    assert (uninstalled.status, uninstalled.permanent) == (403, True) and not uninstalled.blocked
    assert fake.slept == []


def test_the_token_is_cached_until_shortly_before_expiry_and_refreshed_on_401(standin):
    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)

    async def go():
        bot = connect(standin, fake)
        try:
            await bot.send(standin.service_url, conversation, {"text": "1"})
            fake.now += 3000  # the stand-in's tokens live 3599 s; within 5 minutes of that: still cached
            await bot.send(standin.service_url, conversation, {"text": "2"})
            fake.now += 400  # now within the margin: fetched again
            await bot.send(standin.service_url, conversation, {"text": "3"})
            standin.expire_tokens()  # the service forgets it: a 401, one refresh, the call goes through
            await bot.send(standin.service_url, conversation, {"text": "4"})
        finally:
            await bot.aclose()

    run(go())
    assert len(standin.sent_of("token")) == 3
    assert len(standin.sent_of("refused:send")) == 1
    assert [s.body["text"] for s in standin.sent_of("send")] == ["1", "2", "3", "4"]


def test_a_wrong_secret_is_a_permanent_token_error(standin):
    fake = FakeTime()

    async def go():
        credentials = ClientCredentials(standin.app_id, "wrong", standin.token_url, clock=fake)
        bot = BotConnector(credentials, sleep=fake.sleep)
        try:
            await bot.send(standin.service_url, standin.personal_conversation(standin.lina), {"text": "x"})
        finally:
            await bot.aclose()

    with pytest.raises(ConnectorError) as raised:
        run(go())
    assert raised.value.operation == "token" and raised.value.permanent
    assert "wrong" not in repr(raised.value) and "wrong" not in str(raised.value)
    assert standin.sent_of("send") == []


def test_sends_paced_by_teams_limits_all_arrive(standin):
    """With the stand-in enforcing Teams' per-conversation limits on the fake clock, a burst of 20 sends
    into one chat is throttled (429 + Retry-After) and every one still arrives, exactly once."""
    fake = FakeTime()
    standin.limit(fake)
    conversation = standin.personal_conversation(standin.lina)

    async def go():
        bot = connect(standin, fake, policy=RetryPolicy(max_attempts=10))
        try:
            for n in range(20):
                await bot.send(standin.service_url, conversation, {"text": f"#{n}"})
        finally:
            await bot.aclose()

    run(go())
    assert [s.body["text"] for s in standin.sent_of("send")] == [f"#{n}" for n in range(20)]
    throttled = standin.sent_of("ratelimited:send")
    assert throttled and fake.slept and all(s >= 1 for s in fake.slept)
    sends = [s.at for s in standin.sent_of("send")]
    assert all(b - a >= 1.0 for a, b in zip(sends, sends[7:]))  # at most 7 a second
    assert all(b - a >= 2.0 for a, b in zip(sends, sends[8:]))  # at most 8 in 2 s


def test_the_send_loops_client_hands_a_429_back_at_once_and_retries_the_rest_in_place(standin):
    """The scheduler's notifier paces itself (scheduler.delivery): a 429 comes back with its Retry-After
    for the send loop to honour, never slept here; a 412 or a 5xx is still retried in place."""
    from handlers.teams.notifier import SEND_POLICY

    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)

    async def send():
        bot = connect(standin, fake, policy=SEND_POLICY)
        try:
            return await bot.send(standin.service_url, conversation, {"text": "nudge"})
        finally:
            await bot.aclose()

    standin.fail("send", 429, retry_after=2)
    with pytest.raises(ConnectorError) as raised:
        run(send())
    assert raised.value.status == 429 and raised.value.retry_after == 2 and fake.slept == []
    standin.fail("send", 429)  # no Retry-After: a second, the send loop's to wait
    with pytest.raises(ConnectorError) as raised:
        run(send())
    assert raised.value.retry_after == SEND_POLICY.throttle_wait

    standin.fail("send", 412, retry_after=0)
    standin.fail("send", 503)
    assert run(send())
    assert fake.slept == [0.0, SEND_POLICY.base_delay * 2]


def test_a_dropped_connection_is_retried_where_repeating_is_safe_and_ambiguous_after_a_post(standin):
    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)

    async def go(call):
        bot = connect(standin, fake)
        try:
            return await call(bot)
        finally:
            await bot.aclose()

    standin.drop("members")
    members = run(go(lambda bot: bot.members(standin.service_url, standin.team["id"])))
    assert len(members) == 2 and [s.kind for s in standin.sent if "members" in s.kind] == ["dropped:members", "members"]

    standin.drop("send")
    with pytest.raises(ConnectorError) as raised:
        run(go(lambda bot: bot.send(standin.service_url, conversation, {"text": "x"})))
    assert raised.value.ambiguous and not raised.value.permanent and raised.value.status is None
    assert not standin.sent_of("send")  # the stand-in hung up before it took effect: nothing was posted


def test_chaos_fails_a_share_of_calls_in_every_way_and_stops(standin):
    fake = FakeTime()
    conversation = standin.personal_conversation(standin.lina)
    standin.chaos(0.5, seed=3, kinds=("send",))

    async def go():
        bot = connect(standin, fake, policy=RetryPolicy(max_attempts=1))
        outcomes = []
        try:
            for n in range(60):
                try:
                    await bot.send(standin.service_url, conversation, {"text": f"#{n}"})
                    outcomes.append("ok")
                except ConnectorError as err:
                    outcomes.append(str(err.status))
            return outcomes
        finally:
            await bot.aclose()

    outcomes = run(go())
    assert 15 < outcomes.count("ok") < 45
    assert {"429", "412", "None"} <= set(outcomes) and {"502", "503", "504"} & set(outcomes)
    assert len(standin.sent_of("send")) == outcomes.count("ok")  # a failed call never half-happened
    with pytest.raises(ValueError):
        standin.chaos(1.5)
    standin.chaos(0)
    standin.reset()
    run(go())
    assert len(standin.sent_of("send")) == 60
