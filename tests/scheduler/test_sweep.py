"""The scheduler's sweeps with an explicit `now`, through the real Slack notifier into the stand-in, on
SQLite and PostgreSQL: who hears what, when, exactly once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.grammar import ActionSpec
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from handlers.slack.clients import web_client
from handlers.slack.notifier import SlackNotifier
from scheduler.sweep import housekeeping, sweep
from store.models import Delivery
from tests.conftest import TEAM
from tests.helpers import all_text

UTC = dt.timezone.utc
TIM = Actor("UTIM", is_admin=False, tz="Europe/Rome")
ADMIN = Actor("UADMIN", is_admin=True, tz="UTC")
ZONES = {
    "UPAT": "America/Bogota",
    "UNAI": "Africa/Nairobi",
    "UBKK": "Asia/Bangkok",
    "UJEN": "America/New_York",
    "UTIM": "Europe/Rome",
    "ULEAD": "Europe/Zurich",
}
START = dt.datetime(2014, 11, 21, 15, 0, tzinfo=UTC)  # Friday, the day after the workshop


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def notifier(slack):
    for uid, tz in ZONES.items():
        if uid not in ("UPAT", "UJEN", "UTIM"):
            slack.add_user(uid, uid.lower(), tz=tz)
    client = web_client(slack.bot_token, slack.api_url)
    return SlackNotifier(lambda team_id: client)


@pytest.fixture
def world(service):
    people = PeopleService(service)
    for uid, tz in ZONES.items():
        people.remember(TEAM, uid, START, name=uid.lower(), tz=tz)
    regions = RegionService(service)
    regions.add(TEAM, ADMIN, RegionSpec("Global", lead_user_id="ULEAD", timezone="Europe/Zurich"), START)
    regions.add(
        TEAM, ADMIN, RegionSpec("Latin America and the Caribbean", aliases=["LAC"], timezone="America/Bogota"), START
    )
    return service


@pytest.fixture
def asia(world):
    """A region with a channel: it gets weekly summaries and its named owners' nudges."""
    RegionService(world).add(
        TEAM, ADMIN, RegionSpec("Asia-Pacific", aliases=["Asia"], channel_id="CASIA", timezone="Asia/Bangkok"), START
    )
    return world


def add(service, title, owners=(), named=(), due="Dec 10, 2014", region=None, now=START, channel="CMEET"):
    spec = ActionSpec(title=title, user_owners=list(owners), named_owners=list(named), due_phrase=due, region=region)
    return service.add(TEAM, TIM, spec, now, channel_id=channel).action.number


def run(service, notifier, start, end, step=dt.timedelta(minutes=30), kinds=("nudge", "escalation", "summary")):
    """Sweep at every step from start to end; returns (sweep instant, notice) for each send of `kinds`."""
    sent, now = [], start
    while now <= end:
        sent += [(now, n) for n in sweep(service, notifier, now).sent if n.kind in kinds]
        now += step
    return sent


def dms(slack, user_id):
    return [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "D" + user_id[1:]]


def test_owners_in_three_zones_hear_at_their_own_nine_on_working_days(world, notifier, slack):
    add(world, "Consolidate the regional budgets", owners=["UPAT", "UNAI", "UBKK"], due="Dec 10, 2014")
    sent = run(world, notifier, at("2014-12-03T00:00+00:00"), at("2014-12-13T00:00+00:00"), kinds=("nudge",))
    assert len(sent) == 9
    for uid in ("UPAT", "UNAI", "UBKK"):
        tz = ZoneInfo(ZONES[uid])
        mine = [(now.astimezone(tz), n) for now, n in sent if n.recipient == f"user:{uid}"]
        assert [(t.date().isoformat(), t.strftime("%H:%M")) for t, _ in mine] == [
            ("2014-12-05", "09:00"),  # 3 days before is a Sunday: the Friday before
            ("2014-12-10", "09:00"),
            ("2014-12-11", "09:00"),
        ]
        assert [n.days_left for _, n in mine] == [5, 0, -1]
        assert len(dms(slack, uid)) == 3
    # the same local 09:00 is three different instants
    assert len({now for now, n in sent if n.occurrence.startswith("2014-12-10/+0")}) == 3
    first = dms(slack, "UBKK")[0].params
    text = all_text(first)
    assert "Consolidate the regional budgets" in text and "due in 5 days" in text and "Wed 10 Dec 2014" in text
    actions = [e["action_id"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [
        "action_done",
        "nudge_snooze_day",
        "nudge_snooze_week",
        "nudge_new_date",
        "action_note",
        "action_edit",
    ]


def test_a_saturday_due_date_is_nudged_on_friday(world, notifier):
    add(world, "Send the Saturday report", owners=["UPAT"], due="Dec 13, 2014")
    sent = run(world, notifier, at("2014-12-08T00:00+00:00"), at("2014-12-16T00:00+00:00"), kinds=("nudge",))
    days = [now.astimezone(ZoneInfo("America/Bogota")).strftime("%a %d") for now, _ in sent]
    assert days == ["Wed 10", "Fri 12", "Mon 15"]  # -3, the due day (moved back), +1 (moved on)


def test_dst_change_keeps_nine_local(world, notifier):
    add(world, "Across the clock change", owners=["UJEN"], due="Oct 31, 2014", now=at("2014-10-20T12:00+00:00"))
    sent = run(world, notifier, at("2014-10-27T00:00+00:00"), at("2014-11-10T15:00+00:00"), kinds=("nudge",))
    local = [now.astimezone(ZoneInfo("America/New_York")) for now, _ in sent]
    assert [t.strftime("%a %d %H:%M") for t in local] == [
        "Tue 28 09:00",
        "Fri 31 09:00",
        "Mon 03 09:00",
        "Mon 10 09:00",
    ]
    assert [now.hour for now, _ in sent] == [13, 13, 14, 14]  # EDT, then EST


def test_a_second_sweep_at_the_same_instant_sends_nothing(world, notifier, slack):
    add(world, "Once only", owners=["UPAT", "UNAI"], due="Dec 10, 2014")
    now = at("2014-12-10T16:00+00:00")
    assert sorted(n.recipient for n in sweep(world, notifier, now).sent) == ["user:UNAI", "user:UPAT"]
    again = sweep(world, notifier, now)
    assert again.sent == [] and again.planned == []
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_a_passing_slack_error_is_retried_in_place(world, notifier, slack):
    add(world, "Slack hiccup", owners=["UPAT"], due="Dec 10, 2014")
    slack.fail("chat.postMessage", "internal_error", status=500)
    slack.fail("conversations.open", "ratelimited", status=429, retry_after=0)
    assert len(sweep(world, notifier, at("2014-12-10T15:00+00:00")).sent) == 1
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["DPAT", "DPAT"]  # 500, then ok


def test_a_long_rate_limit_is_left_to_the_next_sweep(world, notifier, slack):
    add(world, "Slow down", owners=["UPAT"], due="Dec 10, 2014")
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=30)
    first = sweep(world, notifier, at("2014-12-10T15:00+00:00"))
    assert first.sent == [] and "ratelimited" in first.failed[0][1]
    assert len(sweep(world, notifier, at("2014-12-10T15:01+00:00")).sent) == 1


def test_a_failed_send_goes_out_on_the_next_sweep(world, notifier, slack, db):
    add(world, "Flaky Slack", owners=["UPAT"], due="Dec 10, 2014")
    slack.fail("chat.postMessage", "internal_error", status=500, times=3)  # more than the client retries
    first = sweep(world, notifier, at("2014-12-10T15:00+00:00"))
    assert first.sent == [] and len(first.failed) == 1
    second = sweep(world, notifier, at("2014-12-10T15:01+00:00"))
    assert len(second.sent) == 1 and second.sent[0].occurrence.startswith("2014-12-10/+0")
    assert sweep(world, notifier, at("2014-12-10T15:02+00:00")).sent == []
    with db.session() as s:
        row = s.scalars(select(Delivery).where(Delivery.kind == "nudge")).one()
        assert (row.status, row.attempts, row.error) == ("sent", 2, None) and row.ref
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["DPAT"] * 4  # 3 failed, sent


def test_a_permanent_failure_is_not_retried(world, notifier, slack, db):
    add(world, "Gone channel", named=["KM Regional Coordinators"], due="Dec 10, 2014")
    slack.fail("chat.postMessage", "channel_not_found")
    assert len(sweep(world, notifier, at("2014-12-10T15:00+00:00")).failed) == 1
    assert sweep(world, notifier, at("2014-12-10T16:00+00:00")).planned == []
    with db.session() as s:  # the nudge is dead; its creator was told once
        assert sorted(s.execute(select(Delivery.kind, Delivery.status)).all()) == [
            ("nudge", "dead"),
            ("problem", "sent"),
        ]


def test_after_ten_days_down_one_nudge_per_action(world, notifier, slack):
    for n in range(3):
        add(world, f"Action {n}", owners=["UPAT"], due=f"Dec {1 + n}, 2014")
    # nothing due yet: only the new owner told of each action
    assert [n.kind for n in sweep(world, notifier, at("2014-11-25T15:00+00:00")).sent] == ["assigned"] * 3
    report = sweep(world, notifier, at("2014-12-12T15:00+00:00"))  # back after ten days down
    nudges = [n for n in report.sent if n.kind == "nudge"]
    assert sorted(n.occurrence.split("/")[1] for n in nudges) == ["+8", "+8", "+8"]  # the latest of each
    escalations = [n for n in report.sent if n.kind == "escalation"]  # to the creator: no region lead
    assert sorted(n.subject for n in escalations) == sorted(n.subject for n in nudges)
    assert {n.recipient for n in escalations} == {"user:UTIM"}
    assert sweep(world, notifier, at("2014-12-12T15:30+00:00")).sent == []


def test_named_owners_are_nudged_in_the_channel_naming_the_creator(asia, notifier, slack):
    add(
        asia,
        "Regional KM work plans",
        named=["KM Regional Coordinators"],
        due="Dec 10, 2014",
        region="Asia",
        channel=None,
    )
    report = sweep(asia, notifier, at("2014-12-10T03:00+00:00"))  # 10:00 in Bangkok, a Wednesday
    assert [n.recipient for n in report.sent if n.kind == "nudge"] == ["channel:CASIA"]
    posted = slack.calls_to("chat.postMessage")[0].params
    assert posted["channel"] == "CASIA" and "<@UTIM>" in all_text(posted)
    assert "KM Regional Coordinators" in all_text(posted) and "due today" in all_text(posted)


def test_escalation_goes_to_the_region_lead_at_most_weekly(world, notifier, slack):
    add(world, "Draft the KM global strategy", owners=["UJEN"], due="Dec 1, 2014", region="Global")
    sent = run(world, notifier, at("2014-12-01T00:00+00:00"), at("2014-12-23T00:00+00:00"), step=dt.timedelta(hours=1))
    escalations = [(now, n) for now, n in sent if n.kind == "escalation"]
    assert [
        (now.astimezone(ZoneInfo("Europe/Zurich")).strftime("%a %d %H:%M"), n.recipient) for now, n in escalations
    ] == [("Mon 08 09:00", "user:ULEAD"), ("Mon 15 09:00", "user:ULEAD"), ("Mon 22 09:00", "user:ULEAD")]
    text = all_text(dms(slack, "ULEAD")[0].params)
    assert "<@UJEN>" in text and "7 days overdue" in text and "lead of Global" in text


def test_done_snooze_and_new_date_change_later_sweeps(world, notifier):
    done = add(world, "Closed early", owners=["UPAT"], due="Dec 10, 2014")
    snoozed = add(world, "Snoozed", owners=["UPAT"], due="Dec 10, 2014")
    moved = add(world, "Moved", owners=["UPAT"], due="Dec 10, 2014")
    patricia = Actor("UPAT", tz="America/Bogota")
    sent = run(world, notifier, at("2014-12-05T13:00+00:00"), at("2014-12-05T15:00+00:00"), kinds=("nudge",))
    assert len(sent) == 3  # the -3 nudges, Friday 5 Dec
    later = at("2014-12-05T16:00+00:00")
    world.set_status(TEAM, patricia, done, "done", later)
    world.snooze(TEAM, patricia, snoozed, "week", later)  # the week of the due date
    world.set_due(TEAM, patricia, moved, "Dec 19, 2014", later)
    sent = run(world, notifier, at("2014-12-06T00:00+00:00"), at("2014-12-22T00:00+00:00"))
    got = [
        (
            n.action.number,
            n.occurrence.split("/")[0] + "/" + n.occurrence.split("/")[1],
            now.astimezone(ZoneInfo("America/Bogota")).strftime("%a %d"),
        )
        for now, n in sent
        if n.kind == "nudge"
    ]
    assert (done, "2014-12-10/+0", "Wed 10") not in got
    assert not [g for g in got if g[0] == done]
    mine = [g for g in got if g[0] == snoozed]
    assert mine[0][2] == "Mon 08" and mine[0][1].startswith("snooze")
    assert [g[2] for g in mine[1:]] == ["Wed 10", "Thu 11", "Thu 18"]
    assert [(g[1], g[2]) for g in got if g[0] == moved] == [("2014-12-19/-3", "Tue 16"), ("2014-12-19/+0", "Fri 19")]


def test_weekly_summary_lands_in_the_region_channel_on_monday_morning(asia, notifier, slack):
    add(asia, "Overdue one", owners=["UPAT"], due="Nov 24, 2014", region="Asia")
    add(asia, "Due this week", owners=["UPAT"], due="Dec 3, 2014", region="Asia")
    add(asia, "Ongoing coordination", named=["Regional KM team"], due="ongoing", region="Asia")
    done = add(asia, "Finished", owners=["UPAT"], due="Nov 28, 2014", region="Asia")
    add(asia, "Elsewhere", owners=["UPAT"], due="Dec 3, 2014", region="LAC")
    asia.set_status(TEAM, Actor("UPAT"), done, "done", at("2014-11-27T15:00+00:00"))
    sent = run(asia, notifier, at("2014-11-30T00:00+00:00"), at("2014-12-09T00:00+00:00"), kinds=("summary",))
    assert [
        (now.astimezone(ZoneInfo("Asia/Bangkok")).strftime("%a %d %H:%M"), n.recipient, n.occurrence) for now, n in sent
    ] == [("Mon 01 09:00", "channel:CASIA", "2014-W49"), ("Mon 08 09:00", "channel:CASIA", "2014-W50")]
    posted = [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "CASIA"][0]
    text = all_text(posted)
    assert "Weekly summary: Asia-Pacific" in text
    assert "Overdue one" in text and "7 days late" in text
    assert "Due this week" in text and "Finished" in text and "1 ongoing" in text
    assert "<@UPAT> 2 (1 overdue)" in text and "Regional KM team 1" in text
    assert "Elsewhere" not in text


def test_a_long_summary_continues_in_the_thread_inside_block_kit_limits(asia, notifier, slack, db):
    for n in range(300):
        add(
            asia,
            f"Regional follow-up item number {n} with a long title " + "x" * 400,
            owners=["UPAT"],
            due=f"Nov {1 + n % 20}, 2014",
            region="Asia",
        )
    for n in range(300, 310):
        add(asia, f"Due soon {n}", named=["Regional KM team"], due="Dec 3, 2014", region="Asia")
    sweep(asia, notifier, at("2014-12-01T02:00+00:00"))
    posts = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "CASIA"]
    posts = [c.params for c in posts if c.params.get("text", "").startswith("Weekly summary")]
    assert len(posts) >= 2
    with db.session() as s:
        ref = s.scalars(select(Delivery.ref).where(Delivery.kind == "summary")).one()
    assert "thread_ts" not in posts[0] and {p.get("thread_ts") for p in posts[1:]} == {ref}
    for p in posts:
        assert len(p["blocks"]) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in p["blocks"] if b["type"] == "section")
    shown = "\n".join(all_text(p) for p in posts)
    assert all(f"item number {n} " in shown for n in range(300)) and "Due soon 309" in shown


def test_dry_run_touches_nothing(world, notifier, slack, db):
    add(world, "Dry", owners=["UPAT"], due="Dec 10, 2014")
    report = sweep(world, None, at("2014-12-10T15:00+00:00"), dry_run=True)
    assert [n.recipient for n in report.planned] == ["user:UPAT"] and report.sent == []
    assert slack.calls_to("chat.postMessage") == []
    with db.session() as s:  # only the new owner's DM its creation wrote, long past
        assert [(d.kind, d.status) for d in s.scalars(select(Delivery))] == [("assigned", "pending")]


def test_a_claim_left_by_a_dead_sender_is_retried_after_the_lease(world, notifier, db, slack):
    from bot.core.ledger import Ledger
    from bot.core.planner import CLAIM_LEASE, Planner

    add(world, "Crashed mid-send", owners=["UPAT"], due="Dec 10, 2014")
    now = at("2014-12-10T15:00+00:00")
    (notice,) = Planner(world).plan(TEAM, now)
    assert Ledger(db, "slack").claim(notice, now, "dead-process") is not None  # then the process died
    assert sweep(world, notifier, now + dt.timedelta(minutes=1)).planned == []  # still within the lease
    assert housekeeping(world, now + CLAIM_LEASE + dt.timedelta(minutes=1), CLAIM_LEASE) == 1
    assert len(sweep(world, notifier, now + CLAIM_LEASE + dt.timedelta(minutes=2)).sent) == 1


def test_housekeeping_forgets_old_event_ids(world):
    from bot.core.seen_events import SeenEvents

    seen = SeenEvents(world)
    assert seen.first_time(TEAM, "Ev1", at("2014-12-01T10:00+00:00"))
    assert seen.first_time(TEAM, "Ev2", at("2014-12-02T09:00+00:00"))
    housekeeping(world, at("2014-12-02T12:00+00:00"), dt.timedelta(minutes=10))
    assert seen.first_time(TEAM, "Ev1", at("2014-12-02T12:01+00:00"))  # forgotten
    assert not seen.first_time(TEAM, "Ev2", at("2014-12-02T12:01+00:00"))  # still remembered
