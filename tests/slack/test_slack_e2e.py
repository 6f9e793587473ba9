"""End to end through the real HTTP endpoint: signed Slack requests in, replies and Web API calls
(recorded by the Slack stand-in) out, the store checked afterwards. Runs on SQLite and PostgreSQL."""

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from handlers.slack.devkit.driver import buttons
from handlers.slack.devkit.requests import post_signed, slash_command_body
from tests.conftest import OTHER_TEAM, SECRET, TEAM
from tests.helpers import SEED_ROWS, all_text


def numbers_in(message: dict) -> list[int]:
    """The actions a list shows, in order (by their Edit buttons: every row has one)."""
    return [b["decoded"]["n"] for b in buttons(message) if b["action_id"] == "action_edit"]


@pytest.fixture
def regions(driver):
    driver.command("UADMIN", "region add Global alias:Secretariat tz:Europe/Zurich")
    shown = all_text(
        driver.command("UADMIN", 'region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota').json()
    )
    assert "*2 regions*" in shown and "Global" in shown
    return driver


@pytest.fixture
def seeded(regions, slack):
    replies = [regions.command("UTIM", "add " + row).json() for row, _ in SEED_ROWS]
    slack.wait_for("chat.postMessage", count=3)
    return replies


def test_seed_matrix_round_trip(seeded, driver, slack, app):
    for n, (reply, (_, echoed)) in enumerate(zip(seeded, SEED_ROWS), start=1):
        text = all_text(reply)
        assert f"Added *#{n}*" in text and f"Due: {echoed}" in text
        assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert numbers_in(driver.command("UTIM", "list region:Global").json()) == [1, 5]
    assert numbers_in(driver.command("UTIM", "list region:lac").json()) == [3]
    assert numbers_in(driver.command("UTIM", "list <@ULINA|lina>").json()) == [5]
    assert numbers_in(driver.command("UTIM", "list group:KM").json()) == [1, 5, 3, 2, 4]
    listing = all_text(driver.command("UTIM", "list region:LAC").json())
    assert "Sat 20 Dec 2014" in listing and "<@UPAT>" in listing and "Latin America and the Caribbean" in listing
    # one DM per Slack-user owner (not to Tim, who made them), naming the action, its date and Tim
    dms = {c.params["channel"]: all_text(c.params) for c in slack.calls_to("chat.postMessage")}
    opened = sorted(c.params["users"] for c in slack.calls_to("conversations.open"))
    assert opened == ["UJEN", "ULINA", "UPAT"]
    assert "#3" in dms["DPAT"] and "Sat 20 Dec 2014" in dms["DPAT"] and "<@UTIM> assigned you" in dms["DPAT"]


def test_reassign_dms_only_the_new_owner(seeded, app, driver, slack):
    slack.reset()
    reply = driver.command("UTIM", "assign 3 <@UPAT> <@UJEN|jennifer>").json()
    assert "Reassigned *#3*" in all_text(reply)
    app[1].ctx.settle()
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.params["channel"] == "DJEN" and "#3" in all_text(dm.params)
    # her DM was opened when she was first assigned: Tier 3's conversations.open is not asked again
    assert slack.calls_to("conversations.open") == []


def test_done_button_closes_and_refreshes_the_list(seeded, driver):
    listing = driver.command("UTIM", "list region:Global").json()
    button = next(b for b in buttons(listing) if b["decoded"]["n"] == 5)
    assert button["decoded"]["q"] == "region:Global"
    reply, posted = driver.click("ULINA", "action_done", button["value"])
    assert reply.status == 200 and posted["replace_original"] is True
    assert numbers_in(posted) == [1] and "marked *#5* done" in all_text(posted)
    closed = driver.command("UTIM", "list done").json()
    assert numbers_in(closed) == [5]
    assert [b for b in buttons(closed) if b["action_id"] == "action_done"] == []  # done items carry no Done
    assert "#5" in all_text(driver.command("UTIM", "list done").json())


def test_done_button_by_an_outsider_changes_nothing(seeded, driver):
    button = buttons(driver.command("UTIM", "list region:LAC").json())[0]
    _, posted = driver.click("UOUT", "action_done", button["value"])
    assert posted["replace_original"] is False and "Only the owners of #3" in all_text(posted)
    assert numbers_in(driver.command("UTIM", "list region:LAC").json()) == [3]


def test_stale_or_forged_button_value(seeded, driver):
    _, posted = driver.click("UTIM", "action_done", "not json")
    assert "out of date" in all_text(posted)


def test_titles_are_escaped_everywhere(regions, driver, slack):
    # Slack sends a typed @channel as <!channel>, a typed "<!channel>" as &lt;!channel&gt;, & as &amp;
    text = (
        "add R&amp;D budget &lt;!channel&gt; for <!channel> ask <@UTIM|tim> today "
        '<@UJEN|jennifer> meeting:"A &amp; B" due Dec 1, 2014'
    )
    reply = driver.command("UADMIN", text).json()
    listing = driver.command("UADMIN", "list").json()
    dm = slack.wait_for("chat.postMessage")[0].params
    for message in (reply, listing, dm):
        shown = all_text(message)
        assert "R&amp;D budget &lt;!channel&gt; for @channel ask @tim today" in shown
        assert "<!channel>" not in shown and "<!here>" not in shown
        assert "<@UTIM>" not in shown  # the title's mention of Tim is text, not a ping
    assert "A &amp; B" in all_text(reply)


@pytest.mark.parametrize(
    "text, user, expect",
    [
        ("add Draft <@UJEN> due Novembr 30", "UTIM", "couldn't read “Novembr 30”"),
        ("add Draft region:Latn", "UTIM", "Did you mean"),
        ("done 99", "UTIM", "no action #99"),
        ('edit 1 title:"Hijacked"', "UOUT", "Only the owners of #1"),
        ("due 1 Dec 31, 2014", "UOUT", "Only the owners of #1"),
        ("frobnicate", "UTIM", "/action help"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(seeded, driver, text, user, expect):
    before = all_text(driver.command("UADMIN", "list all").json())
    reply = driver.command(user, text)
    assert reply.status == 200
    shown = all_text(reply.json())
    assert expect in shown and ":warning:" in shown and "Traceback" not in shown
    assert all_text(driver.command("UADMIN", "list all").json()) == before


def test_another_workspace_sees_nothing(seeded, driver):
    reply = driver.command("UFOREIGN", "done 1", team_id=OTHER_TEAM).json()
    assert "no action #1" in all_text(reply)
    assert numbers_in(driver.command("UFOREIGN", "list all", team_id=OTHER_TEAM).json()) == []
    _, posted = driver.click("UFOREIGN", "action_done", json.dumps({"n": 1}), team_id=OTHER_TEAM)
    assert "no action #1" in all_text(posted)
    assert 1 in numbers_in(driver.command("UTIM", "list").json())


def test_admin_may_change_anything(seeded, driver):
    assert "Marked done *#3*" in all_text(driver.command("UADMIN", "done 3").json())


@pytest.mark.parametrize("tamper", ["bad-signature", "stale", "missing"])
def test_signatures_are_checked(app, slack, tamper):
    server, _ = app
    body = slash_command_body("add Sneaky", user_id="UTIM", team_id=TEAM, response_url=slack.response_url())
    url = server.url + "/slack/events"
    if tamper == "bad-signature":
        reply = post_signed(url, body, "not-the-secret")
    elif tamper == "stale":
        reply = post_signed(url, body, SECRET, timestamp=int(time.time()) - 6 * 60)
    else:
        request = urllib.request.Request(url, data=body, method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as err:
            status = err.code
        assert status == 401
        return
    assert reply.status == 401
    assert "Sneaky" not in all_text(
        post_signed(
            url, slash_command_body("list all", user_id="UTIM", team_id=TEAM, response_url=slack.response_url()), SECRET
        ).json()
    )


def test_help_and_region_commands(regions, driver):
    assert "/action add" in all_text(driver.command("UTIM", "").json())
    assert "/action list" in all_text(driver.command("UTIM", "help").json())
    listing = all_text(driver.command("UTIM", "region list").json())
    assert "Latin America and the Caribbean" in listing and "LAC" in listing and "America/Bogota" in listing
    refused = all_text(driver.command("UTIM", "region add Africa").json())
    assert "Only a workspace admin" in refused
    assert "Africa" not in all_text(driver.command("UTIM", "region list").json())


def test_healthz(app):
    server, _ = app
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as resp:
        assert resp.status == 200 and json.loads(resp.read()) == {"ok": True}


def test_one_slow_request_does_not_block_another(regions, driver, slack):
    gate = slack.hold("views.open")  # opening the add form waits on views.open
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(driver.command, "UPAT", "add")
        slack.wait_for("held:views.open")
        fast = driver.command("UADMIN", "list")  # UADMIN is known already
        assert fast.status == 200 and not slow.done()
        gate.set()
        assert slow.result(timeout=10).status == 200


def test_concurrent_commands(regions, driver):
    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(lambda i: driver.command("UTIM", f"add Parallel task {i}"), range(20)))
    assert all(r.status == 200 for r in replies)
    assert sorted(numbers_in(driver.command("UTIM", "list").json())) == list(range(1, 21))


def test_a_remembered_dm_that_slack_no_longer_knows_is_opened_again(seeded, app, driver, slack):
    slack.reset()
    slack.fail("chat.postMessage", "channel_not_found")  # Jennifer's remembered IM is gone
    assert "Reassigned *#3*" in all_text(driver.command("UTIM", "assign 3 <@UPAT> <@UJEN|jennifer>").json())
    app[1].ctx.settle()
    assert [c.params["users"] for c in slack.calls_to("conversations.open")] == ["UJEN"]
    posted = slack.calls_to("chat.postMessage")
    assert len(posted) == 2 and "#3" in all_text(posted[-1].params)  # the refused post, then the DM
