"""The whole command set for actors of a platform whose IDs look nothing like Slack's (Microsoft Teams: a
36-character tenant GUID, `29:…` user IDs of 100 characters and more, `19:…@thread.tacv2` channels),
given to the core as typed command input, on SQLite and PostgreSQL: add, list, done, edit, assign, due,
note, snooze, region, settings, summary, calendar reset and questions, then the planner's nudges,
creator nudges and escalations for those people."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core import grammar, questions, regions, settings
from bot.core.calendar_feeds import CalendarService
from bot.core.command_input import ChannelRef, PersonRef, Said, plain, said
from bot.core.errors import AdminUnconfirmed, BadInput, NotAllowed
from bot.core.planner import Planner, summaries_now
from bot.core.records import Actor
from bot.core.regions import RegionService
from bot.core.service import ActionService
from bot.core.settings import SettingsService
from tests.conftest import WORKSHOP_NOW

UTC = dt.timezone.utc
NOW = WORKSHOP_NOW  # Friday 21 November 2014
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CREATOR = "29:1" + "GmT4x-Kq9_" * 10  # 104 characters
OWNER = "29:1" + "Rb8_Lw2-Zc" * 10
SECOND = "29:1" + "Yd3-Nh7_Pf" * 10
LEAD = "29:1" + "Vs6_Jm1-Qe" * 10
ADMIN = "29:1" + "Ax5-Ub0_Ko" * 10
CHANNEL = "19:" + "9f8e7d6c" * 5 + "b5a4" + "@thread.tacv2"


def person(user_id: str, label: str | None = None) -> PersonRef:
    return PersonRef(user_id, label)


@pytest.fixture
def teams(db):
    return ActionService(db, platform="teams")


def parse(what: Said | str) -> grammar.Command:
    return grammar.parse(plain(what) if isinstance(what, str) else what)


def test_the_ids_are_teams_shaped():
    assert len(TENANT) == 36 and TENANT.count("-") == 4
    assert all(u.startswith("29:") and len(u) >= 100 for u in (CREATOR, OWNER, SECOND, LEAD, ADMIN))
    assert CHANNEL.startswith("19:") and CHANNEL.endswith("@thread.tacv2")


def test_every_command_for_teams_people(teams):
    creator = Actor(CREATOR, tz="Europe/Berlin")
    owner, admin, nobody = Actor(OWNER), Actor(ADMIN, is_admin=True), Actor(SECOND)
    rs, ss = RegionService(teams), SettingsService(teams)

    # region: the lead and the channel given as references
    cmd = parse(said("region add Global alias:HQ lead:", person(LEAD, "Lee"), " channel:", ChannelRef(CHANNEL)))
    with pytest.raises(NotAllowed):
        regions.check_may_run(nobody, cmd.tokens)
    regions.check_may_run(admin, cmd.tokens)
    sub, spec = regions.parse_region_command(cmd.tokens)
    assert sub == "add" and spec is not None
    region = rs.add(TENANT, admin, spec, NOW)
    assert (region.name, region.lead_user_id, region.channel_id) == ("Global", LEAD, CHANNEL)
    with pytest.raises(BadInput, match="as an @mention"):  # a lead written as text is no one
        regions.parse_region_command(parse(said(f"region add Asia lead:@{LEAD}")).tokens)

    # settings
    cmd = parse("settings nudges:-1,0 repeat:3 escalate:5 tz:Europe/Zurich")
    with pytest.raises(NotAllowed):
        settings.check_may_change(owner, cmd.tokens)
    changed = ss.change(TENANT, admin, settings.parse_settings_command(cmd.tokens), NOW)
    assert (changed.nudges.offsets, changed.nudges.repeat_days, changed.nudges.escalate_after_days) == ((-1, 0), 3, 5)
    assert changed.timezone == "Europe/Zurich"

    # add: a person, a named owner, a due date, a region; then one with only a named owner
    cmd = parse(said("add Draft the KM strategy ", person(OWNER, "Rosa"), ' owner:"KM team" due Dec 1, 2014 region:HQ'))
    added = teams.add(TENANT, creator, cmd.spec, NOW, channel_id=CHANNEL)
    assert (added.action.number, added.action.owner_ids, added.action.region) == (1, (OWNER,), "Global")
    assert [n.recipient for n in added.told] == [f"user:{OWNER}"]
    assert [o.label for o in added.action.owners] == [f"@{OWNER}", "KM team"]
    cmd = parse(said('add Book the room owner:"KM team" due Nov 28, 2014'))
    assert teams.add(TENANT, creator, cmd.spec, NOW).action.number == 2

    # a person mentioned inside a title is text; an owner written as an option is a reference
    cmd = parse(said("add Call ", person(SECOND, "Sam"), " about budgets owner:", person(OWNER)))
    assert (cmd.spec.title, cmd.spec.user_owners) == ("Call @Sam about budgets", [OWNER])
    assert teams.add(TENANT, creator, cmd.spec, NOW).action.number == 3

    # list: mine, a person, a region
    def numbers(what, actor=creator):
        return [a.number for a in teams.list(TENANT, actor, parse(said("list ", what)).query, NOW).actions]

    assert numbers("mine", owner) == [1, 3]
    assert numbers(said("all ", person(OWNER))) == [1, 3]
    assert numbers(said("owner:", person(OWNER), " region:Global")) == [1]
    assert numbers('owner:"KM team"') == [2, 1]
    query = parse(said("list ", person(OWNER))).query
    assert query.as_input() == (person(OWNER),)

    # done, edit, assign, due, note, snooze
    cmd = parse("done 3")
    assert teams.set_status(TENANT, owner, cmd.number, cmd.verb, NOW).action.status == "done"
    cmd = parse('edit 1 title:"Draft the KM global strategy"')
    assert teams.edit(TENANT, creator, cmd.number, cmd.spec, NOW).action.title == "Draft the KM global strategy"
    cmd = parse(said("assign 1 ", person(OWNER), " ", person(SECOND), ' owner:"KM team"'))
    assigned = teams.assign(TENANT, creator, cmd.number, cmd.spec, NOW)
    assert assigned.action.owner_ids == (OWNER, SECOND)
    assert [n.recipient for n in assigned.told] == [f"user:{SECOND}"]
    with pytest.raises(NotAllowed):
        teams.assign(TENANT, Actor(LEAD), 1, parse(said("assign 1 ", person(LEAD))).spec, NOW)
    cmd = parse("due 1 Dec 3, 2014")
    assert str(teams.set_due(TENANT, owner, cmd.number, cmd.text, NOW).action.due.date) == "2014-12-03"
    cmd = parse(said("note 1 Outline agreed with ", person(LEAD, "Lee"), " & the team"))
    teams.note(TENANT, owner, cmd.number, cmd.text, NOW)
    assert teams.get(TENANT, 1, NOW).notes == ("Outline agreed with @Lee & the team",)
    cmd = parse("snooze 2 week")
    assert teams.snooze(TENANT, creator, cmd.number, cmd.text, NOW).action.snoozed_until is not None

    # the history keeps people by their IDs, not in any platform's markup
    owners = [e for e in teams.history(TENANT, 1, NOW) if e.field == "owners"]
    assert [(e.old, e.new) for e in owners] == [
        ([{"user": OWNER}, "KM team"], [{"user": OWNER}, {"user": SECOND}, "KM team"])
    ]

    # summary
    (summary,) = summaries_now(teams, TENANT, parse("summary region:HQ").query.region, NOW)
    assert summary.region == "Global" and summary.open_total == 1
    assert sorted(o.user_id for o in summary.owners if o.user_id) == sorted([OWNER, SECOND])

    # calendar: a person's feed, and its reset
    calendars = CalendarService(teams)
    secret = calendars.feed_for(TENANT, "user", OWNER, NOW)
    with pytest.raises(NotAllowed):  # only its person resets a person's feed
        calendars.reset(TENANT, "user", OWNER, NOW, actor=nobody)
    assert calendars.reset(TENANT, "user", OWNER, NOW, actor=owner) != secret
    assert b"Draft the KM global strategy" in calendars.ics_for_secret(
        calendars.feed_for(TENANT, "user", OWNER, NOW), NOW
    )
    region_feed = calendars.feed_for(TENANT, "region", "HQ", NOW)
    with pytest.raises(NotAllowed):  # a region's by an admin
        calendars.reset(TENANT, "region", "Global", NOW, actor=owner)
    assert calendars.reset(TENANT, "region", "Global", NOW, actor=admin) != region_feed

    # questions: a person, mine, a region
    def ask(*pieces):
        question = questions.parse_question(said(*pieces))
        assert question.kind == "list", question
        return [a.number for a in teams.list(TENANT, owner, question.query, NOW).actions]

    assert ask("what's open for ", person(SECOND), "?") == [1]
    assert ask("my actions") == [1]
    assert ask("what's open in Global") == [1]


def test_an_admin_whose_rights_are_unconfirmed_is_neither_granted_nor_refused(teams):
    unsure = Actor(ADMIN, is_admin=True, admin_unconfirmed=True)
    tokens = parse(said("region add Global lead:", person(LEAD))).tokens
    with pytest.raises(AdminUnconfirmed):
        regions.check_may_run(unsure, tokens)


def test_teams_people_are_nudged_and_creators_and_leads_escalated_to(teams):
    admin, creator = Actor(ADMIN, is_admin=True), Actor(CREATOR)
    spec = regions.parse_region_command(parse(said("region add Global lead:", person(LEAD))).tokens)[1]
    RegionService(teams).add(TENANT, admin, spec, NOW)
    # 1: only a named owner: its creator is nudged for it, and escalated to once overdue
    teams.add(TENANT, creator, parse('add Brief the KM team owner:"KM team" due Dec 1, 2014').spec, NOW)
    # 2: a person owns it in a region with a lead: nudged, and the lead hears when it is a week overdue
    cmd = parse(said("add Send the minutes ", person(OWNER), " due Dec 1, 2014 region:Global"))
    teams.add(TENANT, creator, cmd.spec, NOW)

    now = dt.datetime(2014, 12, 8, 12, 0, tzinfo=UTC)  # Monday, a week past the due date
    planned = {
        (n.kind, n.recipient, n.action.number): n
        for n in Planner(teams).plan(TENANT, now)
        if n.kind in ("nudge", "escalation")
    }
    assert sorted(planned) == sorted(
        [
            ("escalation", f"user:{CREATOR}", 1),
            ("escalation", f"user:{LEAD}", 2),
            ("nudge", f"user:{CREATOR}", 1),
            ("nudge", f"user:{OWNER}", 2),
        ]
    )
    assert planned["escalation", f"user:{CREATOR}", 1].role == "creator"
    assert planned["escalation", f"user:{LEAD}", 2].role == "lead"
    assert Planner(teams).team_ids() == [TENANT]
