"""Weekly summaries built by the core for several regions at once (bot.core.planner.summaries_now), on
SQLite and PostgreSQL: what each region lists and in what order, its owners and counts, each region
apart from the others and from other workspaces."""

from __future__ import annotations

import datetime as dt

from bot.core.grammar import ActionSpec
from bot.core.people import PeopleService
from bot.core.planner import summaries_now
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from tests.conftest import OTHER_TEAM, TEAM

UTC = dt.timezone.utc
ADMIN = Actor("UADMIN", is_admin=True, tz="UTC")
TIM = Actor("UTIM", tz="Europe/Rome")
LONG_AGO = dt.datetime(2014, 10, 1, 9, 0, tzinfo=UTC)
NOW = dt.datetime(2014, 12, 1, 10, 0, tzinfo=UTC)  # Monday


def add(service, title, *, owners=(), named=(), due="Dec 10, 2014", region="Asia", now=LONG_AGO, team=TEAM):
    spec = ActionSpec(title=title, user_owners=list(owners), named_owners=list(named), due_phrase=due, region=region)
    return service.add(team, TIM, spec, now, channel_id="CMEET").action.number


def test_each_region_lists_its_week_with_owners_in_order(service):
    people = PeopleService(service)
    people.remember(TEAM, "UPAT", LONG_AGO, name="patricia")
    people.remember(TEAM, "UNAI", LONG_AGO, name="nairobi")
    regions = RegionService(service)
    regions.add(TEAM, ADMIN, RegionSpec("Asia-Pacific", aliases=["Asia"], timezone="Asia/Bangkok"), LONG_AGO)
    regions.add(TEAM, ADMIN, RegionSpec("Latin America", aliases=["LAC"], timezone="America/Bogota"), LONG_AGO)
    regions.add(TEAM, ADMIN, RegionSpec("Quiet"), LONG_AGO)
    late_3 = add(service, "Three days late", owners=["UPAT"], due="Nov 28, 2014")
    late_10 = add(service, "Ten days late", owners=["UNAI", "UPAT"], named=["KM team"], due="Nov 21, 2014")
    late_3b = add(service, "Also three days late", due="Nov 28, 2014")  # nobody owns it
    soon_5 = add(service, "Due Friday", owners=["UPAT"], due="Dec 5, 2014")
    soon_2 = add(service, "Due Tuesday", named=["KM team"], due="Dec 2, 2014")
    add(service, "Next month", owners=["UPAT"], due="Jan 10, 2015")
    add(service, "Ongoing", owners=["UNAI"], due="ongoing")
    done = add(service, "Finished", owners=["UNAI"], due="Dec 20, 2014")
    service.set_status(TEAM, Actor("UNAI"), done, "done", NOW - dt.timedelta(days=2))
    fresh = add(service, "Made yesterday", owners=["UPAT"], due="Jan 20, 2015", now=NOW - dt.timedelta(days=1))
    lac = add(service, "In Latin America", owners=["UPAT"], due="Nov 30, 2014", region="LAC")
    add(service, "Another workspace", owners=["UPAT"], due="Nov 28, 2014", region=None, team=OTHER_TEAM)

    asia, latin, quiet = summaries_now(service, TEAM, None, NOW)

    assert (asia.region, asia.week_of) == ("Asia-Pacific", dt.date(2014, 12, 1))
    assert [(a.number, late) for a, late in asia.overdue] == [(late_10, 10), (late_3, 3), (late_3b, 3)]
    ten = asia.overdue[0][0]
    assert [(o.user_id, o.name) for o in ten.owners] == [("UNAI", "nairobi"), ("UPAT", "patricia"), (None, "KM team")]
    assert ten.overdue and ten.region == "Asia-Pacific" and asia.overdue[2][0].owners == ()
    assert [a.number for a in asia.due_soon] == [soon_2, soon_5]
    assert [a.number for a in asia.done] == [done] and [a.number for a in asia.new] == [fresh]
    assert (asia.open_total, asia.ongoing) == (8, 1)
    assert [(o.label, o.user_id, o.open, o.overdue) for o in asia.owners] == [
        ("@patricia", "UPAT", 5, 2),
        ("@nairobi", "UNAI", 2, 1),
        ("KM team", None, 2, 1),
    ]

    assert [a.number for a, _ in latin.overdue] == [lac] and latin.due_soon == () and latin.new == ()
    assert (latin.open_total, [(o.label, o.open) for o in latin.owners]) == (1, [("@patricia", 1)])
    assert (quiet.overdue, quiet.due_soon, quiet.done, quiet.new, quiet.owners, quiet.open_total) == (
        (),
        (),
        (),
        (),
        (),
        0,
    )


def test_one_region_by_name_and_a_workspace_seen_for_the_first_time(service):
    RegionService(service).add(TEAM, ADMIN, RegionSpec("Asia-Pacific", aliases=["Asia"]), LONG_AGO)
    add(service, "Late", owners=["UPAT"], due="Nov 28, 2014")
    (asia,) = summaries_now(service, TEAM, "Asia", NOW)
    assert [a.title for a, _ in asia.overdue] == ["Late"]
    assert summaries_now(service, "T0NEVERSEEN", None, NOW) == []
