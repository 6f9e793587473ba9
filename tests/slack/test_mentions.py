"""Ask the bot: questions in mentions and DMs. Unit tests of the question parser and of the event
ledger, then end to end through the real HTTP endpoint with Events API deliveries (SQLite and
PostgreSQL): answers in the thread, retries answered once, bots ignored, workspaces apart."""

import datetime as dt
import itertools
import threading

import pytest

from bot.core import questions
from bot.core.errors import BadInput
from bot.core.questions import Question
from bot.core.seen_events import SeenEvents
from handlers.slack import markup
from handlers.slack.devkit.driver import SlackDriver, buttons
from tests.conftest import OTHER_TEAM, SECRET, TEAM
from tests.helpers import SEED_ROWS, all_text

NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
AFTER_NOV_30 = dt.datetime(2014, 12, 5, 15, 0, tzinfo=dt.timezone.utc)
HINT = "Try “what's open for LAC?”, “overdue”, “my actions” or “help”."


# -- the question parser, as Slack's text reaches it ---------------------------------------------


def parse_question(text: str, bot_user_id: str | None = None) -> Question:
    """A mention's or DM's text through the Slack adapter's markup to the core's question parser."""
    return questions.parse_question(markup.question(text, bot_user_id), markup.COMMAND)


def described(question: Question) -> str:
    return markup.render(question.query.as_input())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<@UBOT> what's open for LAC?", "region:LAC"),
        ("<@UBOT|actionbot> What’s open for LAC", "region:LAC"),  # a curly apostrophe, no `?`
        ("what is open in Asia", "region:Asia"),
        ("WHAT IS OPEN IN ASIA?!", "region:ASIA"),
        ("open items Asia", "region:Asia"),
        ("open for region Latin America", 'region:"Latin America"'),
        (
            "which actions are still open for Latin America and the Caribbean?",
            'region:"Latin America and the Caribbean"',
        ),
        ("what's open", ""),
        ("open", ""),
        ("overdue", "overdue"),
        ("Overdue.", "overdue"),
        ("overdue in LAC", "overdue region:LAC"),
        ("what's late?", "overdue"),
        ("my actions", "mine"),
        ("mine", "mine"),
        ("what do I have?", "mine"),
        ("what do I have overdue in LAC", "mine overdue region:LAC"),
        ("my overdue actions", "mine overdue"),
        ("open for me", "mine"),
        ("done", "done"),
        ("what's done in Global", "done region:Global"),
        ("what is open for <@ULINA|lina>", "<@ULINA>"),
        ("what's open for LAC group:KM", "region:LAC group:KM"),
        ("open in Latin America overdue", 'overdue region:"Latin America"'),
        ('open for region:"Latin America"', 'region:"Latin America"'),
        ("hey, what's overdue? thanks", "overdue"),
        ("list region:LAC overdue", "overdue region:LAC"),
        ("<@UBOT> list region:LAC overdue", "overdue region:LAC"),
        ("list LAC", "region:LAC"),
        ("/action list mine", "mine"),
        ("mine overdue group:KM", "mine overdue group:KM"),
        ("region:LAC", "region:LAC"),
        ("<@UBOT> <@UPAT>", "<@UPAT>"),
        ("show me region:LAC", "region:LAC"),
        ("show", ""),
        ("<@UBOT> <@UBOT> overdue", "overdue"),
    ],
)
def test_list_questions(text, expected):
    question = parse_question(text, bot_user_id="UBOT")
    assert question.kind == "list", question
    assert described(question) == expected


@pytest.mark.parametrize("text", ["help", "<@UBOT> help", "Help!", "?", "<@UBOT>", "", "what can you do?"])
def test_help_questions(text):
    assert parse_question(text) == Question("help")


@pytest.mark.parametrize(
    "text",
    [
        "hello there",
        "what's the weather?",
        "openings",
        "done 3",
        "open for",
        "please add a thing",
        "overdue <!channel>",
        'open for "unclosed',
        "LAC",
        "thanks!",
        "show me something nice",
    ],
)
def test_anything_else_is_unknown(text):
    assert parse_question(text) == Question("unknown")


def test_the_bot_mention_is_dropped_not_a_person():
    assert described(parse_question("<@UPAT|patricia>", bot_user_id="UBOT")) == "<@UPAT>"
    assert described(parse_question("<@UPAT|patricia> overdue")) == "overdue"  # bot unknown: first one
    assert described(parse_question("<@UBOT> <@UPAT> overdue")) == "overdue <@UPAT>"


def test_bad_list_syntax_says_what_is_wrong():
    with pytest.raises(BadInput, match="can't filter by"):
        parse_question("<@UBOT> list region:LAC whenever tomorrow")


# -- the event ledger ---------------------------------------------------------------------------


def test_an_event_is_taken_once_per_workspace(service):
    seen = SeenEvents(service)
    assert seen.first_time("T1", "Ev01", NOW) is True
    assert seen.first_time("T1", "Ev01", NOW) is False
    assert seen.first_time("T2", "Ev01", NOW) is True  # IDs are per workspace
    assert seen.first_time("T1", "Ev02", NOW + dt.timedelta(hours=2)) is True
    assert seen.prune("T1", NOW + dt.timedelta(hours=1)) == 1  # Ev01 only
    assert seen.prune("TNOBODY", NOW) == 0
    assert seen.first_time("T1", "Ev02", NOW) is False
    assert seen.first_time("T2", "Ev01", NOW) is False  # T2's record was not pruned


def test_concurrent_deliveries_take_an_event_once(service):
    seen = SeenEvents(service)
    seen.first_time("T1", "Ev00", NOW)  # the workspace exists; the race is on the event alone
    barrier, results = threading.Barrier(8), []

    def deliver():
        barrier.wait()
        results.append(seen.first_time("T1", "EvRACE", NOW))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


# -- end to end ---------------------------------------------------------------------------------

_ids = itertools.count(1)


def new_ts() -> str:
    return f"1700000{next(_ids):03d}.000100"


def mention(text: str, user: str = "UTIM", channel: str = "C0GENERAL", ts: str | None = None, **extra) -> dict:
    ts = ts or new_ts()
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM,
        "client_msg_id": f"msg-{ts}",
        "blocks": [{"type": "rich_text", "block_id": "b", "elements": []}],
        **extra,
    }


def dm(text: str, user: str = "UTIM", ts: str | None = None, **extra) -> dict:
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM,
        "client_msg_id": f"msg-{ts}",
        **extra,
    }


def event_id() -> str:
    return f"Ev{next(_ids):08d}"


def numbers_in(message: dict) -> list[int]:
    return [b["decoded"]["n"] for b in buttons(message) if b["action_id"] == "action_edit"]


def ask(driver, slack, event: dict, eid: str | None = None) -> dict:
    """Deliver `event`; return the one answer posted in its thread."""
    reply = driver.event(event, eid or event_id())
    assert reply.status == 200, reply.text
    thread = event.get("thread_ts") or event["ts"]
    posts = slack.wait_for("chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == thread)
    assert len(posts) == 1, [p.params for p in posts]
    assert posts[0].params["channel"] == event["channel"]
    return posts[0].params


@pytest.fixture
def regions(driver):
    driver.command("UADMIN", "region add Global alias:Secretariat tz:Europe/Zurich")
    shown = all_text(
        driver.command("UADMIN", 'region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota').json()
    )
    assert "*2 regions*" in shown
    return driver


@pytest.fixture
def seeded(regions, slack):
    for row, _ in SEED_ROWS:
        assert "Added" in all_text(regions.command("UTIM", "add " + row).json())
    slack.wait_for("chat.postMessage", count=3)  # the owners' DMs
    slack.reset()
    return regions


def test_mention_in_a_channel_is_answered_in_its_thread(seeded, driver, slack):
    event = mention("<@UBOT> what's open for LAC?")
    answer = ask(driver, slack, event)
    assert answer["thread_ts"] == event["ts"] and answer["channel"] == "C0GENERAL"
    assert numbers_in(answer) == [3]
    shown = all_text(answer)
    assert "*1 action* · region:LAC" in shown and "<@UPAT>" in shown and "Latin America and the Caribbean" in shown
    assert numbers_in(ask(driver, slack, mention("<@UBOT> what is open in Global"))) == [1, 5]
    assert numbers_in(ask(driver, slack, mention("<@UBOT> open items secretariat"))) == [1, 5]
    assert numbers_in(ask(driver, slack, mention("<@UBOT> list region:Global group:KM"))) == [1, 5]
    assert numbers_in(ask(driver, slack, mention("<@UBOT> open"))) == [1, 5, 3, 2, 4]


def test_mention_inside_a_thread_answers_in_that_thread(seeded, driver, slack):
    event = mention("<@UBOT> overdue", thread_ts="1699999999.000100")
    answer = ask(driver, slack, event)
    assert answer["thread_ts"] == "1699999999.000100"
    assert numbers_in(answer) == [] and "*0 actions* · overdue" in all_text(answer)


def test_direct_messages(seeded, driver, slack, clock):
    clock.now = AFTER_NOV_30
    event = dm("overdue")
    answer = ask(driver, slack, event)
    assert answer["channel"] == "DTIM" and answer["thread_ts"] == event["ts"]
    assert numbers_in(answer) == [1, 5] and ":red_circle: *overdue*" in all_text(answer)
    assert numbers_in(ask(driver, slack, dm("my actions", user="ULINA"))) == [5]
    assert numbers_in(ask(driver, slack, dm("What do I have?", user="UPAT"))) == [3]
    assert numbers_in(ask(driver, slack, dm("mine", user="UTIM"))) == []  # Tim made them, owns none
    assert numbers_in(ask(driver, slack, dm("overdue in LAC"))) == []
    assert numbers_in(ask(driver, slack, dm("<@UBOT> overdue in Global"))) == [1, 5]
    assert numbers_in(ask(driver, slack, dm("<@UPAT|patricia>"))) == [3]  # a person, not the bot


def test_done_lists_what_was_finished(seeded, driver, slack):
    assert "Marked done" in all_text(driver.command("ULINA", "done 5").json())
    answer = ask(driver, slack, dm("done"))
    assert numbers_in(answer) == [5] and "*1 action* · done" in all_text(answer)


def test_unknown_text_gets_a_one_line_hint(seeded, driver, slack):
    answer = ask(driver, slack, mention("<@UBOT> what's the weather like?"))
    assert answer["text"] == HINT
    assert len(answer["blocks"]) == 1 and HINT in all_text(answer)


def test_help(seeded, driver, slack):
    shown = all_text(ask(driver, slack, dm("help")))
    for example in ("what's open for LAC?", "overdue", "my actions", "/action help"):
        assert example in shown


def test_unknown_region_names_the_known_ones(seeded, driver, slack):
    shown = all_text(ask(driver, slack, mention("<@UBOT> what is open in Asia?")))
    assert "There is no region “Asia”" in shown and ":warning:" in shown
    assert "Known regions: Global (Secretariat), Latin America and the Caribbean (LAC)" in shown


def test_bad_list_syntax_gets_the_reason(seeded, driver, slack):
    shown = all_text(ask(driver, slack, dm("list region:LAC whenever")))
    assert "I can't filter by “whenever”" in shown and "Try:" in shown


def test_a_retried_event_is_answered_once(seeded, app, driver, slack):
    event, eid = mention("<@UBOT> what's open for LAC?"), event_id()
    first = driver.event(event, eid)
    again = driver.event(event, eid, retry_num=1)
    third = driver.event(event, eid, retry_num=2)
    assert first.status == again.status == third.status == 200
    app[1].ctx.settle()  # answered after the ack: every post has happened by now
    assert len(slack.calls_to("chat.postMessage")) == 1
    # the same message delivered as a new event (another event_id) is a new question
    assert numbers_in(ask(driver, slack, mention("<@UBOT> overdue"))) == []
    second = driver.event(event, event_id())
    assert second.status == 200
    app[1].ctx.settle()
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 3 and numbers_in(posts[0].params) == numbers_in(posts[2].params) == [3]


def test_bots_edits_and_other_messages_are_ignored(seeded, driver, slack):
    ignored = [
        dm("overdue", user="UBOT", bot_id="B0STANDIN"),  # our own DM answer, echoed back
        dm("overdue", subtype="bot_message", bot_id="B0OTHER", username="otherbot"),
        dm("overdue", bot_id="B0OTHER"),  # a bot posting as a user
        {**dm(""), "subtype": "message_changed", "message": {"type": "message", "user": "UTIM", "text": "overdue"}},
        {**dm(""), "subtype": "message_deleted", "previous_message": {"user": "UTIM", "text": "overdue"}},
        {
            "type": "message",
            "channel_type": "channel",
            "channel": "C0GENERAL",
            "user": "UTIM",
            "text": "overdue",
            "ts": new_ts(),
        },  # a channel message without a mention
        mention("<@UBOT> overdue", user="UBOT2", bot_id="B0OTHER"),  # another bot mentioning us
    ]
    for event in ignored:
        assert driver.event(event, event_id()).status == 200
    assert slack.calls_to("chat.postMessage") == []
    ask(driver, slack, dm("overdue"))  # and a person's DM still gets its answer
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_another_workspace_sees_nothing_of_this_one(seeded, app, driver, slack):
    server, _ = app
    other = SlackDriver(server.url, slack, SECRET, team_id=OTHER_TEAM)
    eid = event_id()
    shown = all_text(ask(other, slack, mention("<@UBOT> what's open?", user="UFOREIGN"), eid))
    assert "*0 actions*" in shown and "Draft" not in shown
    shown = all_text(ask(other, slack, dm("overdue in LAC", user="UFOREIGN")))
    assert "no regions are set up yet" in shown and "Latin America" not in shown
    # the same event ID in this workspace is another event: answered, with this workspace's actions
    assert numbers_in(ask(driver, slack, mention("<@UBOT> open in LAC"), eid)) == [3]


def test_an_unexpected_failure_is_a_polite_answer(seeded, app, driver, slack, monkeypatch):
    _, runtime = app

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(runtime.ctx.actions, "list", broken)
    shown = all_text(ask(driver, slack, mention("<@UBOT> overdue")))
    assert "Something went wrong on our side" in shown and "on fire" not in shown
    assert slack.calls_to("chat.postMessage")[-1].params["text"]
    # Slack failing the post is logged, not raised: the request still answers 200
    slack.fail("chat.postMessage", "channel_not_found")
    assert driver.event(mention("<@UBOT> help"), event_id()).status == 200
