"""The App Home tab: the core's grouping (on SQLite and PostgreSQL, explicit `now`), the Block Kit
budget of the rendered view, and end to end: an `app_home_opened` event through the real HTTP endpoint
publishes the person's Home (`views.publish`, recorded by the Slack stand-in)."""

import datetime as dt
import logging
import re
import threading

import pytest
from sqlalchemy import event, update

from bot.core.dates import Due
from bot.core.grammar import ActionSpec
from bot.core.home import CREATED, LATER, NO_DATE, OVERDUE, PAGE_ROWS, THIS_WEEK, TITLES, HomeGroup, HomeView, home_view
from bot.core.records import ActionInfo, Actor
from handlers.slack.clients import web_client
from handlers.slack.devkit.fake_time import FakeTime
from handlers.slack.devkit.ratelimits import Rate, RateLimits
from handlers.slack.home_queue import HomeQueue
from handlers.slack.home_refresh import refresh_homes
from handlers.slack.render_home import MAX_HOME_BLOCKS, NEW_ACTION, home_view_payload
from store.models import Action
from tests.conftest import TEAM, WORKSHOP_NOW
from tests.helpers import all_text

PAT = Actor("UPAT", tz="America/Bogota")  # 2014-11-21 15:00 UTC is Fri 21 Nov, 10:00 in Bogota
TIM = Actor("UTIM", tz="Europe/Rome")
HEADING = re.compile(r"^\*(.+) \((\d+)\)\*$")
GROUP_NAMES = {
    "Overdue": OVERDUE,
    "Due this week": THIS_WEEK,
    "Later": LATER,
    "No date": NO_DATE,
    "Created by me": CREATED,
}


# -- reading a published Home ------------------------------------------------------------------


def layout(view: dict) -> dict:
    """{group key: {"total": n, "numbers": [shown rows, in order], "notes": [context lines]}}."""
    groups, current = {}, None
    for block in view["blocks"]:
        text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
        if (m := HEADING.match(text)) and "accessory" not in block:
            current = groups.setdefault(GROUP_NAMES[m.group(1)], {"total": int(m.group(2)), "numbers": [], "notes": []})
        elif block["type"] == "actions" and block.get("block_id", "").startswith("row-"):
            current["numbers"].append(int(block["block_id"][4:]))
        elif block["type"] == "context" and current is not None:
            current["notes"].append(block["elements"][0]["text"])
    return groups


def shown(view: dict) -> dict:
    return {key: group["numbers"] for key, group in layout(view).items()}


def open_home(app, driver, slack, user_id: str, n: int) -> dict:
    """Open `user_id`'s Home tab (the `n`-th time); what it publishes (what Slack would show). Refreshes
    queued by earlier changes are let finish first, so the newest publish is the one the event made."""
    _, runtime = app
    runtime.ctx.settle()
    mine = lambda c: c.params.get("user_id") == user_id  # noqa: E731
    before = len([c for c in slack.calls_to("views.publish") if mine(c)])
    reply = driver.event(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": "home",
            "event_ts": f"1416582000.{n:06d}",
        },
        event_id=f"Ev0HOME{user_id}{n}",
    )
    assert reply.status == 200
    runtime.ctx.settle()
    calls = slack.wait_for("views.publish", count=before + 1, predicate=mine)
    return calls[-1].params["view"]


def check_limits(view: dict) -> None:
    assert view["type"] == "home" and len(view["blocks"]) <= MAX_HOME_BLOCKS
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                assert len(element["text"]) <= 3000
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids))


# -- the core: grouping, on both databases ----------------------------------------------------


def add(service, actor, title, owners=("UPAT",), due=None, now=WORKSHOP_NOW) -> int:
    spec = ActionSpec(title, user_owners=list(owners), due_phrase=due)
    return service.add(TEAM, actor, spec, now).action.number


def numbers(home: HomeView) -> dict:
    return {g.key: [a.number for a in g.actions] for g in home.groups}


def test_home_view_groups_by_the_actors_week(service):
    n = {}
    n["late_old"] = add(service, TIM, "Long overdue", due="2014-11-03")
    n["late"] = add(service, TIM, "Overdue yesterday", due="2014-11-20")
    n["today"] = add(service, PAT, "Due today", due="2014-11-21")
    n["day6"] = add(service, TIM, "Last day of the week", owners=("UPAT", "UJEN"), due="2014-11-27")
    n["day7"] = add(service, TIM, "First day after the week", due="2014-11-28")
    n["later"] = add(service, PAT, "Next month", due="2014-12-20")
    n["ongoing"] = add(service, TIM, "Monthly calls", due="ongoing")
    n["undated"] = add(service, PAT, "Someday")
    n["mid_week"] = add(service, TIM, "Mid week", due="2014-11-24")  # added late: still sorted by date
    n["for_lina"] = add(service, PAT, "Review the plan", owners=("ULINA",), due="2014-12-01")
    n["for_jen"] = add(service, PAT, "Send the budget", owners=("UJEN",), due="2014-11-10")
    n["own_made"] = add(service, PAT, "Mine and made by me", owners=("UPAT",), due="2015-01-15")
    n["done"] = add(service, TIM, "Closed already", due="2014-11-22")
    service.set_status(TEAM, TIM, n["done"], "done", WORKSHOP_NOW)
    n["done_made"] = add(service, PAT, "Closed, made by me", owners=("UTIM",))
    service.set_status(TEAM, PAT, n["done_made"], "done", WORKSHOP_NOW)
    add(service, TIM, "Not Patricia's", owners=("ULINA",), due="2014-11-25")

    home = home_view(service, TEAM, PAT, WORKSHOP_NOW)
    assert home.today == dt.date(2014, 11, 21) and home.user_id == "UPAT"
    assert numbers(home) == {
        OVERDUE: [n["late_old"], n["late"]],
        THIS_WEEK: [n["today"], n["mid_week"], n["day6"]],
        LATER: [n["day7"], n["later"], n["own_made"]],
        NO_DATE: [n["ongoing"], n["undated"]],
        CREATED: [n["for_jen"], n["for_lina"]],
    }
    assert [g.total for g in home.groups] == [2, 3, 3, 2, 2] and home.owned_total == 10
    late = home.group(OVERDUE).actions[0]
    assert late.overdue and late.title == "Long overdue"
    co_owned = home.group(THIS_WEEK).actions[2]
    assert [o.user_id for o in co_owned.owners] == ["UPAT", "UJEN"]


def test_this_week_is_the_actors_own_days(service):
    # 03:00 UTC on Sat 22 Nov is still Friday evening in Bogota, already Saturday in Rome
    late_night = dt.datetime(2014, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
    friday = add(service, TIM, "Due Friday", owners=("UPAT", "UTIM"), due="2014-11-21")
    next_friday = add(service, TIM, "Due next Friday", owners=("UPAT", "UTIM"), due="2014-11-28")
    pat, tim = home_view(service, TEAM, PAT, late_night), home_view(service, TEAM, TIM, late_night)
    assert pat.today == dt.date(2014, 11, 21) and tim.today == dt.date(2014, 11, 22)
    assert numbers(pat)[THIS_WEEK] == [friday] and numbers(pat)[LATER] == [next_friday]
    assert numbers(tim)[OVERDUE] == [friday] and numbers(tim)[THIS_WEEK] == [next_friday]
    # without a zone of their own, the workspace's (UTC here) decides
    assert home_view(service, TEAM, Actor("UPAT"), late_night).today == dt.date(2014, 11, 22)


def test_home_view_of_someone_with_nothing(service):
    add(service, TIM, "Someone else's", owners=("ULINA",))
    home = home_view(service, TEAM, Actor("UNEW"), WORKSHOP_NOW)
    assert home.is_empty and [g.key for g in home.groups] == [OVERDUE, THIS_WEEK, LATER, NO_DATE, CREATED]
    assert home_view(service, "T0NEVERSEEN", PAT, WORKSHOP_NOW).is_empty  # a new workspace is fine too


def test_home_view_queries_do_not_grow_with_the_actions(service):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(service.db.engine, "before_cursor_execute", listener)
        try:
            home_view(service, TEAM, PAT, WORKSHOP_NOW)
        finally:
            event.remove(service.db.engine, "before_cursor_execute", listener)
        return len(seen)

    def add_some(count: int) -> None:
        for i in range(count):
            add(service, TIM, f"Week item {i}", owners=("UPAT", "UJEN"), due="2014-11-24")
            add(service, PAT, f"Made for Lina {i}", owners=("ULINA",), due="ongoing")

    add_some(2)
    few = statements()
    add_some(PAGE_ROWS + 8)
    week = home_view(service, TEAM, PAT, WORKSHOP_NOW).group(THIS_WEEK)
    assert week.total == PAGE_ROWS + 10 and len(week.actions) == PAGE_ROWS  # the first ones, by number
    assert [a.number for a in week.actions] == sorted(a.number for a in week.actions)
    created = home_view(service, TEAM, PAT, WORKSHOP_NOW).group(CREATED)
    assert created.total == PAGE_ROWS + 10 and created.actions == ()  # the page is full before it
    assert statements() == few <= 6


# -- rendering: the 100-block budget -----------------------------------------------------------


def info(number: int, title: str = "Item", due: Due = Due("none")) -> ActionInfo:
    return ActionInfo(
        number=number,
        title=title,
        status="open",
        due=due,
        owners=(),
        region=None,
        group=None,
        meeting=None,
        channel_id=None,
        created_by="UTIM",
        created_at=WORKSHOP_NOW,
    )


def fake_home(sizes: dict) -> HomeView:
    start, groups, room = 1, [], PAGE_ROWS
    for key in (OVERDUE, THIS_WEEK, LATER, NO_DATE, CREATED):
        size = sizes.get(key, 0)
        shown = tuple(info(n) for n in range(start, start + min(size, room)))  # as home_view carries them
        room -= len(shown)
        groups.append(HomeGroup(key, TITLES[key], shown, size))
        start += size
    return HomeView("UPAT", dt.date(2014, 11, 21), tuple(groups))


@pytest.mark.parametrize(
    "sizes",
    [
        {OVERDUE: 3, LATER: 2},
        {OVERDUE: 300},
        {NO_DATE: 300},
        {OVERDUE: 45, THIS_WEEK: 1, LATER: 1, NO_DATE: 1, CREATED: 1},
        {OVERDUE: 100, THIS_WEEK: 100, LATER: 100, NO_DATE: 100, CREATED: 100},
        {THIS_WEEK: 46},
        {THIS_WEEK: 47},
        {CREATED: 60},
    ],
)
def test_rendered_home_stays_inside_100_blocks(sizes):
    view = home_view_payload(fake_home(sizes))
    check_limits(view)
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS - 4  # a few spare
    header = view["blocks"][0]
    assert header["accessory"]["action_id"] == NEW_ACTION and header["accessory"]["value"] == "new"
    headings = [
        HEADING.match(b["text"]["text"])
        for b in view["blocks"][1:]
        if b["type"] == "section" and HEADING.match(b["text"]["text"])
    ]
    assert [int(m.group(2)) for m in headings] == [n for n in sizes.values() if n]  # every group, its total
    groups = layout(view)
    assert {k: g["total"] for k, g in groups.items()} == {k: n for k, n in sizes.items() if n}
    for group in groups.values():
        hidden = group["total"] - len(group["numbers"])
        if hidden:
            assert len(group["notes"]) == 1 and f"; {hidden} not shown" in group["notes"][0]
            assert "see all with `/action list" in group["notes"][0]
        else:
            assert group["notes"] == []
    if sum(sizes.values()) <= 40:  # a small Home shows everything
        assert all(len(g["numbers"]) == g["total"] for g in groups.values())


def test_rendered_home_fills_groups_in_order():
    view = home_view_payload(fake_home({OVERDUE: 300, THIS_WEEK: 5}))
    texts = [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]
    assert texts[0].startswith("Showing 45 of 300; 255 not shown") and "`/action list mine overdue`" in texts[0]
    assert texts[1].startswith("Showing 0 of 5; 5 not shown") and "`/action list mine`" in texts[1]


def test_empty_home_says_how_to_add_one():
    view = home_view_payload(fake_home({}))
    text = all_text(view)
    assert "New action" in text and "/action add &lt;title&gt; @owner due &lt;date&gt;" in text
    assert len(view["blocks"]) == 2


# -- end to end: app_home_opened through the real HTTP endpoint --------------------------------


def command(driver, user_id: str, text: str) -> int:
    reply = driver.command(user_id, text).json()
    return int(re.search(r"\*#(\d+)\*", all_text(reply)).group(1))


def test_opening_home_publishes_the_persons_groups(app, driver, slack, clock):
    assert clock.now == WORKSHOP_NOW
    n = {}
    n["late"] = command(driver, "UTIM", "add Send the budget figures <@UPAT|patricia> due Nov 14, 2014")
    n["week"] = command(driver, "UPAT", "add LAC proposal draft <@UPAT|patricia> due Nov 25, 2014")
    n["today"] = command(driver, "UPAT", "add Call Lina <@UPAT|patricia> due today")
    n["later"] = command(driver, "UTIM", "add Regional plan <@UPAT|patricia> <@UJEN|jennifer> due Dec 20, 2014")
    n["ongoing"] = command(driver, "UTIM", "add Monthly coordination calls <@UPAT|patricia> ongoing")
    n["undated"] = command(driver, "UPAT", "add Read the KM strategy <@UPAT|patricia>")
    n["for_lina"] = command(driver, "UPAT", "add Review the KM work plan <@ULINA|lina> due Nov 30, 2014")
    n["tims"] = command(driver, "UTIM", "add Tim's own thing <@UTIM|tim> due Nov 24, 2014")
    n["closed"] = command(driver, "UPAT", "add Already finished <@UPAT|patricia> due Nov 26, 2014")
    driver.command("UPAT", f"done {n['closed']}")

    view = open_home(app, driver, slack, "UPAT", 1)
    check_limits(view)
    assert shown(view) == {
        OVERDUE: [n["late"]],
        THIS_WEEK: [n["today"], n["week"]],
        LATER: [n["later"]],
        NO_DATE: [n["ongoing"], n["undated"]],
        CREATED: [n["for_lina"]],
    }
    assert all(not g["notes"] for g in layout(view).values())  # nothing cut short
    text = all_text(view)
    assert "*Overdue (1)*" in text and "*Due this week (2)*" in text and "*Created by me (1)*" in text
    assert "You own 6 open actions: 1 overdue, 2 due this week." in text
    assert "Tim's own thing" not in text and "Already finished" not in text
    header = view["blocks"][0]["accessory"]
    assert header["action_id"] == NEW_ACTION and header["value"] == "new"
    # every open row has Done beside it, Edit and Add note under it
    done = [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "action_done"]
    assert len(done) == 7
    rows = [b for b in view["blocks"] if b.get("block_id", "").startswith("row-")]
    assert all([e["action_id"] for e in b["elements"]] == ["action_edit", "action_note"] for b in rows)

    # closing one and opening the tab again shows the change
    driver.command("UPAT", f"done {n['late']}")
    again = open_home(app, driver, slack, "UPAT", 2)
    assert OVERDUE not in shown(again) and shown(again)[THIS_WEEK] == [n["today"], n["week"]]


def test_the_messages_tab_is_ignored(app, driver, slack):
    _, runtime = app
    reply = driver.event(
        {
            "type": "app_home_opened",
            "user": "UPAT",
            "channel": "DPAT",
            "tab": "messages",
            "event_ts": "1416582000.000001",
        },
        event_id="Ev0MESSAGES1",
    )
    assert reply.status == 200
    open_home(app, driver, slack, "UTIM", 1)
    runtime.ctx.settle()  # anything queued after the acks has run by now
    assert [c.params["user_id"] for c in slack.calls_to("views.publish")] == ["UTIM"]


def test_an_empty_home(app, driver, slack):
    view = open_home(app, driver, slack, "ULINA", 1)
    assert len(view["blocks"]) == 2 and "Nothing open for you" in all_text(view)


def test_three_hundred_actions_stay_inside_the_limits(app, driver, slack):
    _, runtime = app
    actions, now = runtime.ctx.actions, WORKSHOP_NOW
    day = dt.date(2014, 10, 1)
    for i in range(300):
        if i < 100:  # overdue: Oct 1 … Nov 20
            due = (day + dt.timedelta(days=i % 51)).isoformat()
        elif i < 150:
            due = (dt.date(2014, 11, 21) + dt.timedelta(days=i % 7)).isoformat()
        elif i < 250:
            due = (dt.date(2014, 11, 28) + dt.timedelta(days=i % 60)).isoformat()
        else:
            due = "ongoing" if i % 2 else None
        actions.add(TEAM, TIM, ActionSpec(f"Item {i} for <!here> & friends", user_owners=["UPAT"], due_phrase=due), now)
    with actions.db.session() as s:  # rows stored before titles had a limit: far past 3000 characters escaped
        s.execute(
            update(Action)
            .where(Action.title.in_([f"Item {i} for <!here> & friends" for i in range(3)]))
            .values(title="<!channel> " + "&<>" * 700)
        )
    for i in range(20):
        actions.add(TEAM, PAT, ActionSpec(f"Made for Lina {i}", user_owners=["ULINA"], due_phrase="ongoing"), now)

    view = open_home(app, driver, slack, "UPAT", 1)
    check_limits(view)
    groups = layout(view)
    assert {k: g["total"] for k, g in groups.items()} == {
        OVERDUE: 100,
        THIS_WEEK: 50,
        LATER: 100,
        NO_DATE: 50,
        CREATED: 20,
    }
    for group in groups.values():
        hidden = group["total"] - len(group["numbers"])
        assert hidden > 0 and len(group["notes"]) == 1
        assert f"Showing {len(group['numbers'])} of {group['total']}; {hidden} not shown" in group["notes"][0]
        assert "see all with `/action list" in group["notes"][0]
    assert "`/action list mine overdue`" in groups[OVERDUE]["notes"][0]
    assert len(groups[OVERDUE]["numbers"]) > 30  # the budget goes to the first groups first
    text = all_text(view)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt; &amp;&lt;&gt;&amp;" in text and "Item 3 for &lt;!here&gt; &amp; friends" in text
    clipped = [b["text"]["text"] for b in view["blocks"] if "&lt;!channel&gt;" in b.get("text", {}).get("text", "")]
    assert len(clipped) == 3 and all(len(t) == 3000 and t.endswith("…") for t in clipped)


def test_titles_are_escaped_on_home(app, driver, slack):
    text = "add R&amp;D budget &lt;!channel&gt; for <!channel> <@UPAT|patricia> region-free due Nov 25, 2014"
    command(driver, "UTIM", text)
    command(driver, "UPAT", 'add Q&amp;A &lt;b&gt; notes <@UJEN|jennifer> owner:"A &amp; B team"')
    view = open_home(app, driver, slack, "UPAT", 1)
    shown_text = all_text(view)
    assert "R&amp;D budget &lt;!channel&gt; for @channel region-free" in shown_text
    assert "Q&amp;A &lt;b&gt; notes" in shown_text and "A &amp; B team" in shown_text
    assert "<!channel>" not in shown_text and "<b>" not in shown_text


# -- refreshing others' Homes after a change ---------------------------------------------------


def test_refresh_homes_publishes_once_a_person_and_logs_failures(app, driver, slack, caplog):
    _, runtime = app
    command(driver, "UTIM", "add Shared item <@UPAT|patricia> <@UJEN|jennifer> due Nov 25, 2014")
    runtime.ctx.settle()  # the refreshes that change queued have run
    slack.reset()
    slack.fail("views.publish", "user_not_found")  # the first publish fails
    client = web_client(slack.bot_token, slack.api_url)
    with caplog.at_level(logging.WARNING, logger="actionbot.home"):
        refresh_homes(runtime.ctx, client, TEAM, ["UJEN", "UPAT", None, "UJEN", "UPAT"])  # IDs; a named owner has none
    published = [c.params["user_id"] for c in slack.calls_to("views.publish")]
    assert published == ["UJEN", "UPAT"]
    assert "UJEN" in caplog.text and "user_not_found" in caplog.text
    view = slack.calls_to("views.publish")[1].params["view"]
    assert "Shared item" in all_text(view) and shown(view)[THIS_WEEK] == [1]


def test_a_burst_of_changes_costs_one_home_refresh_a_person(app, driver, slack):
    _, runtime = app
    for n, user in enumerate(("UPAT", "UTIM")):
        open_home(app, driver, slack, user, n)
    slack.reset()
    gate = threading.Event()
    runtime.ctx.homes.request(TEAM, "UGATE", gate.wait)  # the Home queue is busy while the changes come in
    first = command(driver, "UTIM", "add First of three <@UPAT|patricia> due Nov 25, 2014")
    second = command(driver, "UTIM", "add Second of three <@UPAT|patricia> due Nov 26, 2014")
    driver.command("UPAT", f"done {first}")
    assert slack.calls_to("views.publish") == []
    gate.set()
    runtime.ctx.settle()
    published = slack.calls_to("views.publish")
    assert sorted(c.params["user_id"] for c in published) == ["UPAT", "UTIM"]  # one each, not one a change
    pat = next(c.params["view"] for c in published if c.params["user_id"] == "UPAT")
    assert shown(pat)[THIS_WEEK] == [second]  # read when it ran: the newest state
    command(driver, "UTIM", "add Fourth <@UPAT|patricia> due Nov 27, 2014")  # after the refresh: a new one
    runtime.ctx.settle()
    assert [c.params["user_id"] for c in slack.calls_to("views.publish")].count("UPAT") == 2


def test_only_homes_someone_has_opened_are_refreshed(app, driver, slack):
    _, runtime = app
    first = command(driver, "UTIM", "add Draft the agenda <@UPAT|patricia> <@UJEN|jennifer> due Nov 25, 2014")
    runtime.ctx.settle()
    assert slack.calls_to("views.publish") == []  # nobody has looked at their Home: nothing to keep fresh
    view = open_home(app, driver, slack, "UPAT", 1)  # opening it publishes it, as of now
    assert shown(view)[THIS_WEEK] == [first]
    second = command(driver, "UTIM", "add Book the room <@UPAT|patricia> <@UJEN|jennifer> due Nov 26, 2014")
    runtime.ctx.settle()
    after = [c for c in slack.calls_to("views.publish")][1:]
    assert [c.params["user_id"] for c in after] == ["UPAT"]  # Jennifer and Tim never opened theirs
    assert shown(after[0].params["view"])[THIS_WEEK] == [first, second]


def test_home_refreshes_keep_to_slacks_limit_on_views_publish(app, driver, slack):
    """views.publish is Tier 4 (100+ a minute per workspace): a burst of changes that concerns four
    people with open Homes is published within the limit, nothing is refused, and each Home ends up
    showing the newest state. The queue and the stand-in's limit share fake time: no sleeping."""
    _, runtime = app
    people = ["UTIM", "UJEN", "UPAT", "ULINA"]
    for n, user in enumerate(people):
        open_home(app, driver, slack, user, n)
    slack.reset()
    t = FakeTime()
    tier = Rate.per_minute(100, burst=3)
    runtime.ctx.homes.shutdown()
    runtime.ctx.homes = HomeQueue(rate_per_minute=100, burst=3, clock=t)
    slack.limit(RateLimits(per_channel=None, per_method={"views.publish": tier}, clock=t))
    added = {user: [] for user in people}
    for i in range(12):
        owner = people[i % 4]
        added[owner].append(command(driver, "UADMIN", f"add Item {i} <@{owner}|x> due Nov 25, 2014"))
    runtime.ctx.settle()
    slack.limit(None)
    publishes = slack.calls_to("views.publish")
    assert "ratelimited:views.publish" not in [c.method for c in slack.calls]
    assert 4 <= len(publishes) <= 12 and t.waited > 0  # it waited for tokens instead of being refused
    assert len(publishes) <= tier.burst + t.waited * tier.rate + 1
    for user in people:
        last = [c for c in publishes if c.params["user_id"] == user][-1].params["view"]
        assert shown(last)[THIS_WEEK] == added[user]  # however few publishes, the newest state


def test_a_busy_workspace_does_not_hold_up_another_and_the_changer_goes_first():
    t = FakeTime()
    queue = HomeQueue(rate_per_minute=60, burst=2, clock=t)
    ran, gate = [], threading.Event()
    try:
        queue.request("TGATE", "UGATE", gate.wait)  # the queue is busy while the requests come in
        for n in range(6):
            queue.request("TBUSY", f"U{n}", lambda n=n: ran.append(("TBUSY", n, t.now())))
        queue.request("TBUSY", "U3", lambda: ran.append(("TBUSY", "merged", t.now())))  # already waiting
        queue.request("TBUSY", "U5", lambda: ran.append(("TBUSY", "changer", t.now())), first=True)
        queue.request("TQUIET", "UQ", lambda: ran.append(("TQUIET", 0, t.now())))
        started = t.now()
        gate.set()
        assert queue.settle(10)
    finally:
        queue.shutdown()
    busy = [n for team, n, _ in ran if team == "TBUSY"]
    assert busy == [5, 0, 1, 2, 3, 4]  # U5 first, as first asked; U3 once, as first asked
    quiet_at = next(at for team, _, at in ran if team == "TQUIET")
    assert quiet_at == started  # its own bucket: it did not wait behind TBUSY's line
    busy_at = [at - started for team, _, at in ran if team == "TBUSY"]
    assert busy_at == pytest.approx([0, 0, 1, 2, 3, 4])  # a burst of 2, then one a second (60 a minute)


def test_each_serving_process_keeps_to_its_share_of_the_publish_limit(slack, db_url):
    from bot.config import Config
    from bot.runtime import build_runtime

    config = Config(
        bot_token=slack.bot_token,
        signing_secret="s",
        app_token=None,
        api_url=slack.api_url,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
    )
    for processes, per_minute in ((1, 100), (4, 25)):  # `actionbot run --workers 4`: a quarter each
        runtime = build_runtime(config, processes=processes)
        try:
            assert runtime.ctx.homes.rate * 60 == pytest.approx(per_minute)
        finally:
            runtime.ctx.shutdown()
            runtime.db.dispose()
