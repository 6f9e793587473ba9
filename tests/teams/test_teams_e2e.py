"""Teams end to end: signed activities POSTed to the real `POST /api/messages` of `actionbot run`'s
runtime (build_runtime, waitress, the bridge, the SDK App, our listeners, the core) against the loopback
Bot Connector stand-in; answers read from what the stand-in recorded. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from tests.conftest import WORKSHOP_NOW  # noqa: E402
from tests.teams import teams_runtime  # noqa: E402
from tests.teams.teams_runtime import CARD, buttons, card_of, say, texts  # noqa: E402

bot = teams_runtime.bot  # the fixture


def test_add_in_personal_chat_confirms_the_date_understood(bot, standin):
    driver, _ = bot
    content = say(driver, standin, standin.lina, "add Draft the KM strategy owner:Lina due Nov 30 region:Global")
    shown = texts(content)
    assert "Added **#1** Draft the KM strategy" in shown
    assert "Sun 30 Nov 2014" in shown
    assert "Global" in shown
    assert {b.get("verb") for b in buttons(content)} >= {"done"}


def test_list_by_region_shows_the_region_only(bot, standin):
    driver, _ = bot
    say(driver, standin, standin.lina, "add Write the LAC report due Dec 5 region:LAC")
    say(driver, standin, standin.lina, "add Call Nairobi due Dec 8 region:Africa")
    content = say(driver, standin, standin.lina, "list region:LAC")
    shown = texts(content)
    assert "**1 action**" in shown
    assert "Write the LAC report" in shown and "Call Nairobi" not in shown
    done = [b for b in buttons(content) if b.get("verb") == "done"]
    assert done and done[0]["type"] == "Action.Execute" and done[0]["data"]["n"] == 1
    edit = [b for b in buttons(content) if b.get("title") == "Edit"]
    assert edit[0]["data"] == {"msteams": {"type": "task/fetch"}, "form": "edit", "n": 1}


def test_bad_input_says_what_to_write(bot, standin):
    driver, _ = bot
    content = say(driver, standin, standin.lina, "snooze 1 forever")
    shown = texts(content)
    assert "⚠️" in shown and "Try:" in shown
    assert "/action" not in shown  # Teams' own wording: commands as typed to the bot
    assert "help" in texts(say(driver, standin, standin.lina, "hello there")).lower()


def test_help(bot, standin):
    driver, _ = bot
    shown = texts(say(driver, standin, standin.lina, "help"))
    assert "`add <title>" in shown and "/action" not in shown


def test_the_senders_zone_is_kept(bot, standin):
    driver, runtime = bot
    say(driver, standin, standin.lina, "list")
    people = runtime.served["teams"].ctx.people
    found, _ = people.known(standin.tenant_id, standin.lina["aadObjectId"], WORKSHOP_NOW)
    assert found is not None and found.tz == "Africa/Nairobi"


def last_card(standin, kind: str = "send"):
    return card_of(standin.sent_of(kind)[-1])


def test_done_button_closes_the_action_and_updates_the_card_in_place(bot, standin):
    driver, runtime = bot
    say(driver, standin, standin.lina, "add Write the LAC report owner:Lina due Dec 5 region:LAC")
    content = say(driver, standin, standin.lina, "list region:LAC")
    card_id = standin.sent_of("send")[-1].created_id
    done = next(b for b in buttons(content) if b.get("verb") == "done")
    answer = driver.post(driver.card_action(standin.lina, "done", done["data"], reply_to=card_id))
    assert answer.status == 200
    assert answer.body["type"] == CARD and answer.body["statusCode"] == 200
    shown = texts(answer.body["value"])
    assert "marked **#1** done" in shown and "**0 actions**" in shown
    update = standin.wait_for("update")[-1]
    assert update.activity_id == card_id and "marked **#1** done" in texts(card_of(update))
    info = runtime.platforms["teams"].actions.get(standin.tenant_id, 1, WORKSHOP_NOW)
    assert info.status == "done"


def test_a_bystander_is_refused_and_nothing_changes(bot, standin):
    driver, runtime = bot
    say(driver, standin, standin.lina, "add Write the LAC report due Dec 5 region:LAC")
    before = len(standin.sent_of("update"))
    answer = driver.post(driver.card_action(standin.tim, "done", {"n": 1}))
    assert answer.status == 200 and answer.body["type"] == "application/vnd.microsoft.activity.message"
    assert "Only the owners of #1" in answer.body["value"]
    assert len(standin.sent_of("update")) == before
    assert "Only the owners of #1" in texts(say(driver, standin, standin.tim, "done 1"))
    assert runtime.platforms["teams"].actions.get(standin.tenant_id, 1, WORKSHOP_NOW).status == "open"


def test_a_forged_button_is_stale(bot, standin):
    driver, _ = bot
    for data in ({"n": "1"}, {"n": 1, "q": [{"x": 1}]}, {}):
        answer = driver.post(driver.card_action(standin.lina, "done", data))
        assert answer.status == 200 and "out of date" in answer.body["value"]
    assert "out of date" in driver.post(driver.card_action(standin.lina, "explode", {"n": 1})).body["value"]


def test_a_question_by_mention_is_answered_in_the_thread(bot, standin):
    driver, runtime = bot
    say(driver, standin, standin.lina, "add Write the LAC report due Dec 5 region:LAC")
    say(driver, standin, standin.lina, "add Call Nairobi due Dec 8 region:Africa")
    activity = driver.mention(standin.tim, standin.team, "what's open for LAC?", channel_name="LAC")
    assert driver.post(activity).status == 200
    sent = standin.wait_for("send")[-1]
    assert sent.conversation_id == activity["conversation"]["id"]  # the thread it was asked in
    shown = texts(card_of(sent))
    assert "Write the LAC report" in shown and "Call Nairobi" not in shown
    from bot.core.addresses import AddressBook

    channel = standin.channel(standin.team, "LAC")
    stored = AddressBook(runtime.platforms["teams"].actions).get(standin.tenant_id, "channel", channel)
    assert stored is not None and stored.reference["teamId"] == standin.team["id"]  # kept for later posts


def test_a_mentioned_person_becomes_an_owner_by_object_id(bot, standin):
    driver, _ = bot
    activity = driver.mention(
        standin.lina, standin.team, "add Review the plan due Dec 1 region:LAC", channel_name="LAC", also=[standin.tim]
    )
    assert driver.post(activity).status == 200
    shown = texts(card_of(standin.wait_for("send")[-1]))
    assert "Added **#1** Review the plan" in shown and "@Tim Boyle" in shown
    # the new owner is told in his personal chat, opened from the roster's address (he never wrote to the bot)
    tims_chat = standin.personal_conversation(standin.tim)
    told = standin.wait_for("send", predicate=lambda s: s.conversation_id == tims_chat)
    assert "You are now an owner of this action:" in texts(card_of(told[0])) and "Review the plan" in texts(
        card_of(told[0])
    )
    assert standin.sent_of("create")[0].status == 201
    assert "Review the plan" in texts(say(driver, standin, standin.tim, "my actions"))
    assert "You own no open actions." in texts(say(driver, standin, standin.lina, "my actions"))  # her dashboard


def test_a_channel_message_without_the_bots_mention_is_not_answered(bot, standin):
    driver, _ = bot
    activity = driver.mention(standin.tim, standin.team, "overdue", channel_name="LAC")
    activity["entities"] = [e for e in activity["entities"] if e["type"] != "mention"]
    assert driver.post(activity).status == 200
    assert standin.sent_of("send") == []


def test_another_tenant_sees_nothing(bot, standin):
    driver, _ = bot
    say(driver, standin, standin.lina, "add Write the LAC report due Dec 5 region:LAC")
    other_tenant = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
    fred = standin.add_user("Fred Other", tenant_id=other_tenant, email="fred@fabrikam.test")
    shown = texts(say(driver, standin, fred, "list all"))
    assert "**0 actions**" in shown and "Write the LAC report" not in shown
    assert "There is no action #1" in texts(say(driver, standin, fred, "done 1"))


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        {"audience": "another-app"},
        {"issuer": "https://sts.windows.net/evil/"},
        {"expires_in": 60, "issued_at": 1_000_000_000},
        {"service_url": "https://evil.example/"},
        {"algorithm": "HS256"},
        "foreign-key",
    ],
)
def test_bad_tokens_are_refused_and_reach_nothing(bot, standin, authorization):
    from cryptography.hazmat.primitives.asymmetric import rsa

    driver, _ = bot
    if isinstance(authorization, dict):
        authorization = standin.authorization(**authorization)
    elif authorization == "foreign-key":
        foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        authorization = standin.authorization(key=foreign)
    answer = driver.post(driver.message(standin.lina, "add Sneaky due Dec 5"), authorization=authorization)
    assert answer.status == 401
    assert standin.sent_of("send") == []


def test_hostile_messages_get_short_answers(bot, standin):
    driver, _ = bot
    shown = texts(say(driver, standin, standin.lina, "add " + "x" * 30_000))
    assert "at most" in shown
    shown = texts(say(driver, standin, standin.lina, "add <b>Bold</b> &amp; <script>x</script> due Dec 5 region:LAC"))
    assert "Added **#1** Bold & <script>x</script>" not in shown  # never shown unescaped
    assert "Bold & \\<script\\>x\\</script\\>" in shown
    empty = driver.message(standin.lina, "")
    empty.pop("text")
    assert driver.post(empty).status == 200
    weird = driver.message(standin.lina, "list")
    weird["from"] = {"id": "29:x"}  # no object ID: not a person of the tenant
    assert driver.post(weird).status == 200
    assert driver.post(driver.message(standin.lina, "list"), raw=b"[1,2]").status == 400
    assert len(standin.sent_of("send")) == 2


def test_a_long_list_pages_with_show_more(bot, standin):
    driver, _ = bot
    for n in range(1, 23):
        say(driver, standin, standin.lina, f"add Task number {n} due Dec 5 region:LAC")
    content = say(driver, standin, standin.lina, "list region:LAC")
    assert "**22 actions**" in texts(content) and "Showing 1–20 of 22." in texts(content)
    more = next(b for b in buttons(content) if b.get("verb") == "more")
    answer = driver.post(driver.card_action(standin.lina, "more", more["data"]))
    shown = texts(answer.body["value"])
    assert answer.status == 200 and "**#21**" in shown and "**#22**" in shown and "**#1** " not in shown
    forged = driver.post(driver.card_action(standin.lina, "more", {**more["data"], "o": -5}))
    assert "out of date" in forged.body["value"]


def test_a_message_delivered_twice_is_answered_once(bot, standin):
    driver, runtime = bot
    activity = driver.message(standin.lina, "add Once only due Dec 5 region:LAC")
    assert driver.post(activity).status == 200
    assert driver.post(activity).status == 200
    standin.wait_for("send")
    assert len(standin.sent_of("send")) == 1
    assert runtime.platforms["teams"].actions.list(standin.tenant_id, None, _all(), WORKSHOP_NOW).total == 1


def _all():
    from bot.core.grammar import ListQuery

    return ListQuery(status="all")
