"""The core executes a parsed command for an actor and answers with structured results (never text):
every verb through `execute` with an explicit `now`, on SQLite and PostgreSQL, and the permission checks
that live in the core (admins for regions and settings, whose calendar feed may be reset)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from bot.core import grammar
from bot.core.calendar_feeds import CalendarService
from bot.core.errors import NotAllowed
from bot.core.execute import (
    CalendarFeed,
    Changed,
    Exported,
    Help,
    Listed,
    OpenForm,
    Regions,
    Settings,
    Summaries,
    execute,
)
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from bot.core.settings import SettingsService
from bot.messages import Msg

NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
TEAM = "T1"
TIM, JEN, ADMIN = Actor("UTIM"), Actor("UJEN"), Actor("UADMIN", is_admin=True)


def cmd(text: str) -> grammar.Command:
    """A command as an adapter hands it over (plain words: no platform markup)."""
    return grammar.parse(text)


@pytest.fixture
def core(service):
    return SimpleNamespace(
        actions=service,
        regions=RegionService(service),
        settings=SettingsService(service),
        calendars=CalendarService(service),
    )


def run(core, actor, text, channel=None):
    return execute(core, TEAM, actor, cmd(text), NOW, channel_id=channel)


def test_every_verb_answers_with_a_structured_result(core):
    assert run(core, TIM, "help") == Help()
    assert run(core, TIM, "add") == OpenForm("add")
    assert run(core, TIM, "import") == OpenForm("import")

    added = run(core, TIM, 'add Draft the KM strategy owner:"KM team" due Nov 30, 2014', channel="C1")
    assert isinstance(added, Changed) and added.verb == "add"
    assert added.outcome.action.number == 1 and added.outcome.action.title == "Draft the KM strategy"
    assert [c.key for c in added.outcome.changes] == ["change.created"]
    assert all(isinstance(c, Msg) for c in added.outcome.changes)

    assert run(core, TIM, "edit 1") == OpenForm("edit", number=1)
    for text, verb in [
        ("note 1 Budget confirmed", "note"),
        ("due 1 Dec 20, 2014", "due"),
        ("edit 1 group:KM", "edit"),
        ('assign 1 owner:"Comms team"', "assign"),
        ("snooze 1 week", "snooze"),
        ("done 1", "done"),
        ("reopen 1", "reopen"),
    ]:
        result = run(core, TIM, text)
        assert isinstance(result, Changed) and result.verb == verb, text

    listed = run(core, TIM, "list all group:KM")
    assert isinstance(listed, Listed) and [a.number for a in listed.listing.actions] == [1]
    assert listed.query.group == "KM" and listed.query.status == "all"

    exported = run(core, TIM, "export")
    assert isinstance(exported, Exported) and exported.count == 1 and exported.filename == "actions-20141121.csv"
    assert exported.content.startswith("number,title,")

    regions = run(core, ADMIN, 'region add "Latin America" alias:LAC tz:America/Bogota')
    assert isinstance(regions, Regions) and regions.added is not None and regions.added.aliases == ("LAC",)
    assert [r.name for r in regions.regions] == ["Latin America"]
    assert run(core, TIM, "region list") == Regions(regions.regions)
    assert run(core, ADMIN, "region edit LAC") == OpenForm("region", name="LAC")

    summaries = run(core, TIM, "summary region:LAC")
    assert isinstance(summaries, Summaries) and summaries.region == "LAC" and len(summaries.summaries) == 1

    shown = run(core, TIM, "settings")
    assert isinstance(shown, Settings) and not shown.changed
    changed = run(core, ADMIN, "settings repeat:3")
    assert isinstance(changed, Settings) and changed.changed and changed.current.nudges.repeat_days == 3

    feed = run(core, TIM, "calendar")
    assert isinstance(feed, CalendarFeed) and (feed.kind, feed.subject, feed.was_reset) == ("user", "UTIM", False)
    again = run(core, TIM, "calendar reset")
    assert isinstance(again, CalendarFeed) and again.was_reset and again.secret != feed.secret


@pytest.mark.parametrize(
    "text, key",
    [
        ("region add Africa", "admin_only"),
        ("region edit LAC", "admin_only"),
        ("settings repeat:3", "admin_only"),
        ("calendar region:LAC reset", "feed_reset_admin_only"),
    ],
)
def test_what_only_an_admin_may_do_is_refused_in_the_core(core, text, key):
    core.regions.add(TEAM, ADMIN, RegionSpec("LAC"), NOW)
    with pytest.raises(NotAllowed) as err:
        run(core, JEN, text)
    assert err.value.message.key == key
    assert isinstance(run(core, ADMIN, text), (Regions, OpenForm, Settings, CalendarFeed))


def test_only_the_person_whose_feed_it_is_can_reset_it(core):
    tims = core.calendars.feed_for(TEAM, "user", "UTIM", NOW)
    with pytest.raises(NotAllowed) as err:
        core.calendars.reset(TEAM, "user", "UTIM", NOW, actor=JEN)
    assert err.value.message.key == "feed_reset_not_yours"
    with pytest.raises(NotAllowed):
        core.calendars.reset(TEAM, "user", "UTIM", NOW, actor=ADMIN)  # an admin neither: it is Tim's address
    assert core.calendars.feed_for(TEAM, "user", "UTIM", NOW) == tims
    assert core.calendars.reset(TEAM, "user", "UTIM", NOW, actor=TIM) != tims
