"""Tests for the devkit: the Slack Web API stand-in (driven by slack_sdk's real WebClient) and the signing kit."""

import json
import threading
import time
import urllib.request
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from handlers.slack.devkit.requests import (
    block_actions_payload,
    event_body,
    interaction_body,
    post_signed,
    signed_headers,
    slash_command_body,
)
from handlers.slack.devkit.standin import SlackStandIn

SECRET = "test-signing-secret"


@pytest.fixture
def slack():
    with SlackStandIn(
        users=[
            {"user_id": "U1", "name": "ada", "real_name": "Ada Lovelace", "tz": "Europe/Berlin"},
            {"user_id": "U2", "name": "bob", "is_admin": True},
        ]
    ) as standin:
        yield standin


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-standin", base_url=slack.api_url)


def _post_json(url, payload):
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, resp.read()


# ---- stand-in: Web API methods through slack_sdk


def test_loopback_and_auth_test(slack, client):
    assert slack.api_url.startswith("http://127.0.0.1:") and slack.api_url.endswith("/api/")
    r = client.auth_test()
    assert (r["team_id"], r["team"], r["user"], r["user_id"], r["bot_id"]) == (
        "T0DEMO",
        "Demo Workspace",
        "actionbot",
        "UBOT",
        "B0STANDIN",
    )
    assert r["is_enterprise_install"] is False
    [call] = slack.calls_to("auth.test")
    assert (call.token, call.team_id) == ("xoxb-standin", "T0DEMO")


def test_chat_methods(slack, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="U1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C0GENERAL", text="reply", thread_ts=first["ts"])
    assert first["channel"] == "D1" and second["channel"] == "C0GENERAL"
    assert first["ts"] < second["ts"] and len(first["ts"]) == len("1700000000.000100")
    assert first["message"]["blocks"] == blocks and first["message"]["user"] == "UBOT"
    assert second["message"]["thread_ts"] == first["ts"]
    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks  # decoded, not a JSON string

    assert client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="psst", blocks=blocks)["message_ts"]
    assert slack.calls_to("chat.postEphemeral")[0].params["blocks"] == blocks
    updated = client.chat_update(channel="D1", ts=first["ts"], text="edited")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("D1", first["ts"], "edited")
    assert client.chat_delete(channel="D1", ts=first["ts"])["ok"]
    link = client.chat_getPermalink(channel="C0GENERAL", message_ts="1700000000.000123")
    assert link["permalink"] == "https://standin.slack.test/archives/C0GENERAL/p1700000000000123"


def test_conversations(client):
    assert client.conversations_open(users="U1")["channel"]["id"] == "D1"
    assert client.conversations_open(users=["UABC"])["channel"]["id"] == "DABC"
    assert client.conversations_info(channel="C0GENERAL")["channel"]["id"] == "C0GENERAL"


def test_users(slack, client):
    ada = client.users_info(user="U1")["user"]
    expected_offset = int(datetime.now(ZoneInfo("Europe/Berlin")).utcoffset().total_seconds())
    assert (ada["id"], ada["team_id"], ada["real_name"], ada["tz"], ada["tz_offset"]) == (
        "U1",
        "T0DEMO",
        "Ada Lovelace",
        "Europe/Berlin",
        expected_offset,
    )
    assert ada["is_bot"] is False and ada["profile"]["real_name"] == "Ada Lovelace"
    assert client.users_info(user="U2")["user"]["is_admin"] is True
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="UNOPE")
    assert err.value.response["error"] == "user_not_found"

    slack.add_workspace("T0OTHER", "Other", "xoxb-other")
    slack.add_user("U9", "zed", team_id="T0OTHER", email="zed@other.test")
    listed = client.users_list()
    assert [m["id"] for m in listed["members"]] == ["U1", "U2"]
    assert listed["response_metadata"]["next_cursor"] == ""
    assert client.users_lookupByEmail(email="ada@example.test")["user"]["id"] == "U1"
    with pytest.raises(SlackApiError, match="users_not_found"):
        client.users_lookupByEmail(email="zed@other.test")  # another workspace's user
    other = WebClient(token="xoxb-other", base_url=slack.api_url)
    assert other.users_lookupByEmail(email="zed@other.test")["user"]["id"] == "U9"
    assert [c.team_id for c in slack.calls_to("users.lookupByEmail")] == ["T0DEMO", "T0DEMO", "T0OTHER"]


def test_views(slack, client):
    view = {
        "type": "modal",
        "callback_id": "edit",
        "title": {"type": "plain_text", "text": "Edit"},
        "blocks": [],
        "private_metadata": "42",
    }
    opened = client.views_open(trigger_id="1.2.x", view=view)["view"]
    assert opened["id"].startswith("V") and opened["team_id"] == "T0DEMO"
    assert (opened["type"], opened["callback_id"], opened["private_metadata"]) == ("modal", "edit", "42")
    pushed = client.views_push(trigger_id="1.2.x", view=view)["view"]
    assert pushed["id"] != opened["id"]
    updated = client.views_update(view_id=opened["id"], view={**view, "private_metadata": "43"})["view"]
    assert updated["id"] == opened["id"] and updated["private_metadata"] == "43"
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert home["type"] == "home"
    assert slack.calls_to("views.publish")[0].params["view"]["type"] == "home"
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("views.open", json={"view": view})


def test_files_upload_v2(slack, client):
    r = client.files_upload_v2(content=b"a,b\n", filename="x.csv", channel="D1", initial_comment="here")
    assert r["file"]["title"] == "x.csv"
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "files.upload",
    ]
    [upload] = slack.calls_to("files.upload")
    assert upload.params["content"] == b"a,b\n" and upload.params["filename"] == "x.csv"
    assert upload.params["channel_id"] == "D1" and upload.team_id == "T0DEMO"


def test_unknown_method_and_multipart_body(slack, client):
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("files.upload", files={"file": b"\x00\x01"}, data={"channels": "C1"})
    [call] = slack.calls_to("files.upload")
    assert call.params == {"channels": "C1", "file": b"\x00\x01"}


def test_bad_tokens(slack):
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(token="xoxb-nope", base_url=slack.api_url).auth_test()
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=slack.api_url).auth_test()
    assert [(c.token, c.team_id) for c in slack.calls] == [("xoxb-nope", None), (None, None)]
    assert WebClient(token="xapp-1-A", base_url=slack.api_url).apps_connections_open(app_token="xapp-1-A")["url"]


def test_get_with_query_token(slack):
    with urllib.request.urlopen(f"{slack.api_url}auth.test?token=xoxb-standin", timeout=5) as resp:
        assert json.loads(resp.read())["team_id"] == "T0DEMO"


def test_fail_with_retry_after(slack, client):
    slack.fail("chat.postMessage", status=429, retry_after=7)
    slack.fail("chat.update", error="message_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "7"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # only the next call failed
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="C1", ts="1.2", text="x")


def test_wait_for_from_another_thread(slack, client):
    def worker():
        for n in range(3):
            client.chat_postMessage(channel="C1", text=f"m{n}")

    thread = threading.Thread(target=worker)
    thread.start()
    calls = slack.wait_for("chat.postMessage", count=2, predicate=lambda c: c.params["text"] != "m0")
    thread.join()
    assert [c.params["text"] for c in calls] == ["m1", "m2"]
    slack.reset()
    assert slack.calls == []
    with pytest.raises(AssertionError, match="auth.test"):
        client.auth_test()
        slack.wait_for("chat.postMessage", timeout=0.01)


def test_response_url(slack):
    url = slack.response_url("abc")
    assert _post_json(url, {"text": "done", "replace_original": True}) == (200, b"ok")
    [call] = slack.wait_for("response_url")
    assert (call.path, call.params["text"]) == ("abc", "done")
    assert slack.response_url() != slack.response_url()


def test_bolt_app_initialises_against_standin(slack):
    app = App(
        token="xoxb-standin", signing_secret=SECRET, client=WebClient(token="xoxb-standin", base_url=slack.api_url)
    )
    assert app.client.base_url == slack.api_url
    assert slack.calls_to("auth.test")[0].team_id == "T0DEMO"


# ---- requests kit


def test_signed_headers_verify():
    body = slash_command_body("hello", user_id="U1", team_id="T0DEMO", response_url="http://127.0.0.1:1/response/x")
    headers = signed_headers(SECRET, body)
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert SignatureVerifier(SECRET).is_valid(body, ts, sig)
    assert not SignatureVerifier("other").is_valid(body, ts, sig)
    assert not SignatureVerifier(SECRET).is_valid(body, str(int(ts) - 600), sig)
    assert signed_headers(SECRET, b"{}", 123, "application/json")["Content-Type"] == "application/json"
    assert b"command=%2Faction" in body and b"is_enterprise_install=false" in body
    assert json.loads(parse_qs(interaction_body({"type": "x y"}).decode())["payload"][0]) == {"type": "x y"}


@pytest.fixture
def bolt_url(slack):
    """Our Bolt app behind waitress on a loopback port, its client pointed at the stand-in."""
    app = App(
        signing_secret=SECRET,
        process_before_response=True,  # the client carries the token
        client=WebClient(token="xoxb-standin", base_url=slack.api_url),
    )

    @app.command("/action")
    def on_action(ack, command):
        ack(f"got: {command['text']}")

    @app.action("done")
    def on_done(ack, respond, body):
        ack()
        respond(text=f"done {body['actions'][0]['value']}")

    @app.event("app_mention")
    def on_mention(event, say):
        say(f"hello <@{event['user']}>")

    server = waitress.create_server(SlackRequestHandler(app), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/slack/events"
    server.trigger.pull_trigger(server.close)  # close() on the loop's own thread: wakes it, no 1 s select timeout
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive()


def test_slash_command_round_trip(slack, bolt_url):
    body = slash_command_body("list", user_id="U1", team_id="T0DEMO", response_url=slack.response_url())
    reply = post_signed(bolt_url, body, SECRET)
    assert (reply.status, reply.text) == (200, "got: list")  # ack(text) answers plain text
    assert post_signed(bolt_url, body, "wrong-secret").status == 401
    stale = post_signed(bolt_url, body, SECRET, timestamp=int(time.time()) - 600)
    assert stale.status == 401


def test_interaction_and_event_round_trip(slack, bolt_url):
    payload = block_actions_payload(
        action_id="done",
        value="42",
        user_id="U1",
        team_id="T0DEMO",
        channel_id="C0GENERAL",
        response_url=slack.response_url("act"),
    )
    assert post_signed(bolt_url, interaction_body(payload), SECRET).status == 200
    [call] = slack.wait_for("response_url")
    assert (call.path, call.params["text"]) == ("act", "done 42")

    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> hi",
        "channel": "C0GENERAL",
        "ts": "1700000000.000001",
        "event_ts": "1700000000.000001",
    }
    body = event_body(event, team_id="T0DEMO", event_id="Ev1")
    assert post_signed(bolt_url, body, SECRET, content_type="application/json").status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["text"], post.team_id) == ("C0GENERAL", "hello <@U1>", "T0DEMO")
