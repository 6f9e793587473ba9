"""The "My actions" dashboard in Teams end to end, on SQLite and PostgreSQL: opened by typing and by a
button, with a person's sections (overdue, due this week, later, no date, created by me); kept up to date
in place (one PUT of the latest card per person after someone else's change, a burst merged into one);
a deleted card forgotten (404) and a new one posted on the next open; Done and Refresh on it answer with
it as it is now. The refresh queue's pacing keeps to Teams' per-conversation windows on fake time."""

from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.addresses import AddressBook  # noqa: E402
from bot.refresh_queue import RefreshQueue, SlidingWindows, by_person  # noqa: E402
from handlers.slack.devkit.fake_time import FakeTime  # noqa: E402
from handlers.teams import dashboards  # noqa: E402
from tests.teams import teams_runtime  # noqa: E402
from tests.teams.teams_runtime import CARD, buttons, card_of, say, texts  # noqa: E402

bot = teams_runtime.bot  # the fixture

HEADING = re.compile(r"\*\*(.+) \((\d+)\)\*\*")
NUMBER = re.compile(r"\*\*#(\d+)\*\*")


def sections(content: dict) -> dict[str, list[int]]:
    """Section title → the action numbers shown under it, as the card lays them out."""
    out: dict[str, list[int]] = {}
    current = None
    for element in content["body"]:
        heading = HEADING.fullmatch(element.get("text", "")) if element["type"] == "TextBlock" else None
        if heading:
            current = heading.group(1)
            out[current] = []
        elif element["type"] == "Container" and current is not None:
            out[current].append(int(NUMBER.match(element["items"][0]["text"]).group(1)))
    return out


def tell(driver, standin, user, text: str, mentions=()) -> None:
    """Type to the bot in one's personal chat, mentioning `mentions` as `<at>Name</at>`."""
    before = len(standin.sent_of("send"))
    assert driver.post(driver.message(user, text, mentions=mentions)).status == 200
    standin.wait_for("send", before + 1)


def at(user) -> str:
    return f"<at>{user['name']}</at>"


def open_dashboard(driver, standin, runtime, user) -> tuple[str, dict]:
    """`my actions` in the personal chat: the dashboard's activity ID and card."""
    runtime.settle()  # new owners told first (their cards go to personal chats too)
    chat = standin.personal_conversation(user)

    def to_them(sent) -> bool:
        return sent.conversation_id == chat

    before = len([s for s in standin.sent_of("send") if to_them(s)])
    assert driver.post(driver.message(user, "my actions")).status == 200
    sent = standin.wait_for("send", before + 1, predicate=to_them)[-1]
    assert texts(card_of(sent)).startswith("**My actions**")
    runtime.settle()
    return sent.created_id, card_of(sent)


def updates_of(standin, activity_id: str) -> list:
    return [s for s in standin.sent_of("update") if s.activity_id == activity_id]


def ctx_of(runtime):
    return runtime.served["teams"].ctx


@pytest.fixture
def tims_actions(bot, standin):
    """Tim (Rome) owns one action overdue, one due this week, one later, one undated; he made one for
    Lina. Today is Fri 21 Nov 2014."""
    driver, _ = bot
    say(driver, standin, standin.lina, "help")  # Lina has written to the bot: her mention resolves
    for text in (
        "add Send the mission report {tim} due 2014-11-19",
        "add Book the workshop room {tim} due Nov 24",
        "add Draft the KM strategy {tim} due Dec 15",
        "add Keep the contact list current {tim}",
    ):
        tell(driver, standin, standin.tim, text.format(tim=at(standin.tim)), [standin.tim])
    tell(driver, standin, standin.tim, f"add Translate the summary {at(standin.lina)} due Nov 26", [standin.lina])
    bot[1].settle()  # Lina told she is an owner, before anything else is sent
    return {"overdue": 1, "week": 2, "later": 3, "undated": 4, "for_lina": 5}


def test_my_actions_opens_the_dashboard_with_a_persons_sections(bot, standin, tims_actions):
    driver, runtime = bot
    dashboard_id, content = open_dashboard(driver, standin, runtime, standin.tim)
    assert sections(content) == {
        "Overdue": [1],
        "Due this week": [2],
        "Later": [3],
        "No date": [4],
        "Created by me": [5],
    }
    shown = texts(content)
    assert "My actions" in shown and "You own 4 open actions: 1 overdue, 1 due this week." in shown
    done = [b for b in buttons(content) if b.get("verb") == "done"]
    assert [b["data"] for b in done] == [{"n": n, "d": 1} for n in (1, 2, 3, 4, 5)]
    assert sum(b["title"] == "Edit" for b in buttons(content)) == 5
    assert sum(b["title"] == "Add note" for b in buttons(content)) == 5
    stored = AddressBook(runtime.platforms["teams"].actions).get(
        standin.tenant_id, "dashboard", standin.tim["aadObjectId"]
    )
    assert stored is not None and stored.reference["activityId"] == dashboard_id

    lina_id, linas = open_dashboard(driver, standin, runtime, standin.lina)
    assert sections(linas) == {"Due this week": [5]}  # hers: owned, not created

    # in a channel, "my actions" stays the list it was
    mention = driver.mention(standin.tim, standin.team, "my actions", channel_name="LAC")
    assert driver.post(mention).status == 200
    assert "**5 actions**" not in texts(card_of(standin.sent_of("send")[-1]))
    assert "Send the mission report" in texts(card_of(standin.sent_of("send")[-1]))


def test_the_my_actions_button_posts_the_dashboard_in_the_personal_chat(bot, standin, tims_actions):
    driver, runtime = bot
    help_card = say(driver, standin, standin.tim, "help")
    (button,) = [b for b in buttons(help_card) if b.get("title") == "My actions"]
    assert button["type"] == "Action.Execute" and button["verb"] == "dashboard"
    before = len(standin.sent_of("send"))
    answer = driver.post(driver.card_action(standin.tim, button["verb"], button["data"]))
    assert answer.status == 200 and answer.body["type"] == "application/vnd.microsoft.activity.message"
    (sent,) = standin.sent_of("send")[before:]  # posted before the press was answered
    assert sent.conversation_id == standin.personal_conversation(standin.tim)
    assert sections(card_of(sent))["Overdue"] == [1]

    # pressed on a card in a channel, it still lands in the personal chat
    in_lac = driver.channel(standin.team, "LAC")
    answer = driver.post(driver.card_action(standin.tim, "dashboard", {}, conversation=in_lac))
    assert answer.status == 200
    (latest,) = standin.sent_of("send")[before + 1 :]
    assert latest.conversation_id == standin.personal_conversation(standin.tim)
    assert standin.sent_of("create") == []  # his chat's address was stored: not opened again
    runtime.settle()
    stored = AddressBook(runtime.platforms["teams"].actions).get(
        standin.tenant_id, "dashboard", standin.tim["aadObjectId"]
    )
    assert stored.reference["activityId"] == latest.created_id  # the latest is the one kept fresh


def test_someone_elses_change_puts_the_refreshed_card_once(bot, standin, tims_actions):
    driver, runtime = bot
    dashboard_id, _ = open_dashboard(driver, standin, runtime, standin.tim)
    standin.reset()

    tell(driver, standin, standin.lina, f"add Review the budget {at(standin.tim)} due Nov 25", [standin.tim])
    runtime.settle()
    (put,) = updates_of(standin, dashboard_id)
    assert put.conversation_id == standin.personal_conversation(standin.tim) and put.status == 200
    assert sections(card_of(put))["Due this week"] == [2, 6]

    standin.reset()
    tell(driver, standin, standin.lina, "done 6")  # she made it: she may close it
    runtime.settle()
    (put,) = updates_of(standin, dashboard_id)
    assert sections(card_of(put))["Due this week"] == [2]
    assert standin.sent_of("update") == [put]  # Lina has no dashboard: nothing else was PUT


def test_a_snooze_or_a_new_date_pressed_on_a_nudge_refreshes_the_dashboard(bot, standin, tims_actions):
    driver, runtime = bot
    dashboard_id, _ = open_dashboard(driver, standin, runtime, standin.tim)
    standin.reset()
    # the nudge card's Snooze (verb "snooze"), pressed in Tim's chat: no nudge for #2 until next week
    pressed = driver.post(driver.card_action(standin.tim, "snooze", {"n": 2, "until": "week"}, reply_to="nudge-1"))
    assert pressed.status == 200, pressed.body
    runtime.settle()
    (put,) = updates_of(standin, dashboard_id)  # one PUT: the card as it is now
    assert put.status == 200 and 2 in sections(card_of(put))["Due this week"]
    standin.reset()
    new_date = {"n": 2, "due": "2014-12-20"}  # the New date input's value comes with the press
    assert driver.post(driver.card_action(standin.tim, "newdate", new_date, reply_to="nudge-1")).status == 200
    runtime.settle()
    (put,) = updates_of(standin, dashboard_id)
    after = sections(card_of(put))
    assert 2 not in after.get("Due this week", []) and 2 in after["Later"]


def test_a_burst_of_changes_is_one_put(bot, standin, tims_actions):
    driver, runtime = bot
    dashboard_id, _ = open_dashboard(driver, standin, runtime, standin.tim)
    standin.reset()
    gate = threading.Event()
    ctx_of(runtime).services[dashboards.QUEUE].request(standin.tenant_id, "gate", gate.wait)  # busy meanwhile
    for n in range(5):
        tell(driver, standin, standin.lina, f"add Burst item {n} {at(standin.tim)} due Nov 26", [standin.tim])
    teams_runtime_settle_later(runtime)
    assert updates_of(standin, dashboard_id) == []
    gate.set()
    runtime.settle()
    (put,) = updates_of(standin, dashboard_id)  # five changes, one update
    assert sections(card_of(put))["Due this week"] == [2, 6, 7, 8, 9, 10]


def teams_runtime_settle_later(runtime) -> None:
    """Wait for the work queued after the answers (not the dashboards' queue, held by the gate)."""
    from handlers.teams import turns

    turns.settle(ctx_of(runtime))


def test_a_deleted_dashboard_is_forgotten_and_the_next_open_posts_a_new_one(bot, standin, tims_actions):
    driver, runtime = bot
    dashboard_id, _ = open_dashboard(driver, standin, runtime, standin.tim)
    book = AddressBook(runtime.platforms["teams"].actions)
    standin.fail("update", 404, code="ActivityNotFoundInConversation")  # Tim deleted the card
    tell(driver, standin, standin.lina, f"add Call the donors {at(standin.tim)} due Nov 25", [standin.tim])
    runtime.settle()
    assert [s.kind for s in standin.sent if "update" in s.kind] == ["failed:update"]
    assert book.get(standin.tenant_id, "dashboard", standin.tim["aadObjectId"]) is None

    tell(driver, standin, standin.lina, f"add Call the donors again {at(standin.tim)} due Nov 25", [standin.tim])
    runtime.settle()
    assert [s.kind for s in standin.sent if "update" in s.kind] == ["failed:update"]  # nothing more tried

    new_id, content = open_dashboard(driver, standin, runtime, standin.tim)
    assert new_id != dashboard_id and sections(content)["Due this week"] == [2, 6, 7]
    assert book.get(standin.tenant_id, "dashboard", standin.tim["aadObjectId"]).reference["activityId"] == new_id


def test_done_and_refresh_on_the_dashboard_answer_with_it_as_it_is_now(bot, standin, tims_actions):
    driver, runtime = bot
    lina_id, _ = open_dashboard(driver, standin, runtime, standin.lina)
    dashboard_id, content = open_dashboard(driver, standin, runtime, standin.tim)
    standin.reset()
    (done,) = [b for b in buttons(content) if b.get("verb") == "done" and b["data"]["n"] == 5]
    answer = driver.post(driver.card_action(standin.tim, "done", done["data"], reply_to=dashboard_id))
    assert answer.status == 200 and answer.body["type"] == CARD
    now = answer.body["value"]
    assert "Created by me" not in sections(now) and sections(now)["Overdue"] == [1]
    assert "marked **#5** done" in texts(now)
    runtime.settle()
    assert len(updates_of(standin, dashboard_id)) == 1  # the pressed card, replaced once (not again by the queue)
    (linas,) = updates_of(standin, lina_id)  # the action was hers: her dashboard follows
    assert sections(card_of(linas)) == {}

    forged = driver.post(driver.card_action(standin.tim, "done", {"n": "5; drop", "d": 1}, reply_to=dashboard_id))
    assert forged.status == 200 and forged.body["type"] == "application/vnd.microsoft.activity.message"

    tell(driver, standin, standin.lina, f"add Print the badges {at(standin.tim)}", [standin.tim])
    runtime.settle()
    refreshed = driver.post(driver.card_action(standin.tim, "dashboard", {"d": 1}, reply_to=dashboard_id))
    assert refreshed.body["type"] == CARD and sections(refreshed.body["value"])["No date"] == [4, 6]


def test_the_queue_keeps_to_the_per_conversation_windows_on_fake_time():
    t = FakeTime()
    windows = ((7, 1.0), (8, 2.0), (60, 30.0))
    queue = RefreshQueue([(SlidingWindows(windows), by_person)], t, name="test-windows")
    ran: list[float] = []
    try:
        for _ in range(100):  # one person's page asked again each time the previous refresh ran
            done = threading.Event()
            queue.request("T1", "U1", lambda done=done: (ran.append(t.now()), done.set()))
            assert done.wait(5)
    finally:
        queue.shutdown()
    for count, seconds in windows:
        assert all(sum(1 for x in ran if s <= x < s + seconds) <= count for s in ran), (count, seconds)
    assert 30 <= ran[-1] - ran[0] < 61  # the 60-per-30-s window bound it, and no more than it needs


@pytest.mark.parametrize("letter", ["a", "语", "<"])
def test_a_full_dashboard_stays_under_teams_message_size_and_says_what_is_not_shown(letter):
    import datetime as dt
    import json

    from bot.core.dates import Due
    from bot.core.home import TITLES, HomeGroup, HomeView
    from bot.core.records import ActionInfo, OwnerInfo
    from handlers.teams.dashboard_card import dashboard_activity

    now = dt.datetime(2014, 11, 21, tzinfo=dt.timezone.utc)
    owners = tuple(OwnerInfo(f"u{i}", letter * 80) for i in range(4))

    def action(n: int) -> ActionInfo:
        long = letter * 300
        return ActionInfo(
            n, long, "open", Due("date", dt.date(2014, 11, 19)), owners, long, long, long, None, "u0", now
        )

    groups = tuple(
        HomeGroup(k, TITLES[k], tuple(action(i * 10 + j) for j in range(10)), 300) for i, k in enumerate(TITLES)
    )
    sent = dashboard_activity(HomeView("u0", now.date(), groups))
    assert len(json.dumps(sent)) < 80_000  # Teams refuses messages over about 100 KB
    content = sent["attachments"][0]["content"]
    assert 0 < sum(e["type"] == "Container" for e in content["body"]) < 50
    assert "Showing" in texts(content) and "see them all with `list mine overdue`" in texts(content)


def test_my_actions_from_a_channel_for_someone_the_app_cannot_write_to_says_so(bot, standin):
    driver, _ = bot
    olga = standin.add_user("Olga Outsider", tz="Africa/Nairobi", installed=False)
    in_lac = driver.channel(standin.team, "LAC")
    answer = driver.post(driver.card_action(olga, "dashboard", {}, conversation=in_lac))
    assert answer.status == 200 and answer.body["type"] == "application/vnd.microsoft.activity.message"
    assert "add Actionbot for yourself" in answer.body["value"]
    assert [s.status for s in standin.sent_of("create")] == [403] and standin.sent_of("send") == []

    standin.uninstall(olga, False)  # she adds the app for herself
    for _ in range(2):
        assert driver.post(driver.card_action(olga, "dashboard", {}, conversation=in_lac)).status == 200
    assert [s.status for s in standin.sent_of("create")] == [403, 201]  # opened once, then its address kept
    chats = {s.conversation_id for s in standin.sent_of("send")}
    assert chats == {standin.personal_conversation(olga)} and len(standin.sent_of("send")) == 2


def test_the_limits_forget_people_they_no_longer_need():
    from bot import refresh_queue
    from bot.refresh_queue import TokenBucket

    windows, bucket = SlidingWindows(((2, 1.0),)), TokenBucket(1.0, 1.0)
    for n in range(refresh_queue.PRUNE_AT + 1):  # each person once, one a second
        windows.spend(("T", n), float(n))
        bucket.spend(("T", n), float(n))
    assert len(windows._calls) < 10 and len(bucket._tokens) < 10
    assert windows.wait(("T", refresh_queue.PRUNE_AT), refresh_queue.PRUNE_AT + 0.5) == 0.0  # one call: room
