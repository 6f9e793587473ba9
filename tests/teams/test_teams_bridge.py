"""The whole pipeline with the Teams SDK's App routing: a signed activity POSTed to /api/messages on the
production server stack → the bridge → the App on its loop → the reply at the stand-in. The echo
handlers here are test-only; Actionbot's own handlers are written against the core."""

from __future__ import annotations

import asyncio
import threading

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from handlers.teams.auth import BotFrameworkAuth, SigningKeys  # noqa: E402
from handlers.teams.bridge import LoopThread, TeamsBridge, wsgi_app  # noqa: E402
from handlers.teams.connector import BotConnector, ClientCredentials  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from handlers.teams.sdk_app import SdkHandler, make_app  # noqa: E402
from tests.teams.teams_helpers import serving  # noqa: E402


@pytest.fixture
def echo_bot(standin):
    """A test-only echo bot on the SDK App; records which thread ran its synchronous part."""
    credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url)
    connector = BotConnector(credentials)
    app = make_app(credentials, connector, tenant_id=standin.tenant_id)
    threads: list[str] = []

    def slow_core(text: str) -> str:  # stands for the synchronous core: must not run on the loop
        threads.append(threading.current_thread().name)
        return f"echo: {text}"

    @app.on_message
    async def echo(ctx):
        if ctx.activity.text == "boom":
            raise RuntimeError("a handler bug with user text in it")
        await ctx.send(await asyncio.to_thread(slow_core, ctx.activity.text))

    @app.on_dialog_open
    async def dialog(ctx):
        return {"task": {"type": "continue", "value": {"title": "Add an action", "card": {"type": "AdaptiveCard"}}}}

    bridge = TeamsBridge(BotFrameworkAuth(standin.app_id, SigningKeys(standin.metadata_url)), SdkHandler(app))
    with serving(wsgi_app(bridge)) as url:
        yield TeamsDriver(standin, url + "/api/messages"), threads, bridge
    bridge.loop.stop()


def test_a_signed_message_is_echoed_into_the_chat(echo_bot, standin):
    driver, threads, bridge = echo_bot
    answer = driver.post(driver.message(standin.lina, "what's open for LAC?"))
    assert answer.status == 200
    sent = standin.wait_for("send")
    assert sent[0].conversation_id == standin.personal_conversation(standin.lina)
    assert sent[0].body["text"] == "echo: what's open for LAC?"
    assert threads and all(name != bridge.loop.name for name in threads)


def test_a_channel_mention_is_answered_in_its_thread(echo_bot, standin):
    driver, _, _ = echo_bot
    activity = driver.mention(standin.tim, standin.team, "my actions", channel_name="LAC")
    assert driver.post(activity).status == 200
    sent = standin.wait_for("send")[0]
    assert sent.conversation_id == activity["conversation"]["id"]
    assert sent.body["text"] == "echo: " + activity["text"]


def test_an_invoke_answers_with_its_body(echo_bot, standin):
    driver, _, _ = echo_bot
    answer = driver.post(driver.task_fetch(standin.lina, {"form": "add"}))
    assert answer.status == 200
    assert answer.body["task"]["type"] == "continue"
    assert answer.body["task"]["value"]["title"] == "Add an action"


def test_a_bad_token_never_reaches_the_app(echo_bot, standin):
    driver, threads, _ = echo_bot
    assert driver.post(driver.message(standin.lina, "hi"), authorization=None).status == 401
    assert (
        driver.post(driver.message(standin.lina, "hi"), authorization=standin.authorization(audience="x")).status == 401
    )
    assert threads == [] and standin.sent_of("send") == []


def test_a_handler_failure_is_a_short_500_without_the_text(echo_bot, standin, caplog):
    driver, _, _ = echo_bot
    answer = driver.post(driver.message(standin.lina, "boom"))
    assert answer.status in (200, 500)  # the SDK may swallow a handler error and answer itself
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name.startswith("actionbot"))
    assert "user text" not in logged and "Traceback" not in logged
    assert driver.post(driver.message(standin.lina, "still here")).status == 200  # the loop survived


def test_many_concurrent_requests_share_one_loop(echo_bot, standin):
    driver, _, _ = echo_bot
    results: list[int] = []

    def post(n):
        results.append(driver.post(driver.message(standin.lina, f"m{n}")).status)

    workers = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [200] * 12
    standin.wait_for("send", 12)
    assert sorted(s.body["text"] for s in standin.sent_of("send")) == sorted(f"echo: m{n}" for n in range(12))


def test_a_forked_child_gets_its_own_loop(monkeypatch):
    loop_thread = LoopThread("test-loop")
    first = loop_thread.loop
    assert loop_thread.run(asyncio.sleep(0, result=1), timeout=5) == 1
    import handlers.teams.bridge as bridge_module

    real_pid = bridge_module.os.getpid()
    monkeypatch.setattr(bridge_module.os, "getpid", lambda: real_pid + 1)  # as if after fork()
    second = loop_thread.loop
    assert second is not first
    assert loop_thread.run(asyncio.sleep(0, result=2), timeout=5) == 2
    loop_thread.stop()
    first.call_soon_threadsafe(first.stop)


def test_the_bridge_runs_proactive_coroutines_on_its_loop(standin):
    credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url)
    connector = BotConnector(credentials)
    bridge = TeamsBridge(
        BotFrameworkAuth(standin.app_id, SigningKeys(standin.metadata_url)),
        SdkHandler(make_app(credentials, connector)),
    )
    conversation = bridge.run(connector.create_personal(standin.service_url, standin.tim["id"], standin.tenant_id))
    bridge.run(connector.send(standin.service_url, conversation, {"text": "Your action #3 is due Friday"}))
    assert standin.sent_of("send")[0].body["text"] == "Your action #3 is due Friday"
    bridge.run(connector.aclose())
    bridge.loop.stop()
