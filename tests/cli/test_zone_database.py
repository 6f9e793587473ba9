"""Zones come from the newer time-zone database: on a server whose system files are older than the
`tzdata` package (this machine's are 2025b, the package 2026f), Morocco's clocks moved and the system's
files do not know it, so a nudge at 09:00 in Casablanca must follow the package."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
import zoneinfo

from bot import zones
from bot.core.grammar import ActionSpec
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.core.service import ActionService
from store.database import Database
from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import TEAM

CASABLANCA = "Africa/Casablanca"


def package_offset(at: dt.datetime) -> dt.timedelta | None:
    with importlib.resources.files("tzdata.zoneinfo").joinpath(CASABLANCA).open("rb") as f:
        return at.replace(tzinfo=zoneinfo.ZoneInfo.from_file(f)).utcoffset()


def test_the_newer_database_wins():
    package = zones.ZoneDatabase("tzdata package", "2026f")
    assert zones.newer(package, zones.ZoneDatabase("system (/usr/share/zoneinfo)", "2025b")) is package
    newer_system = zones.ZoneDatabase("system (/usr/share/zoneinfo)", "2027a")
    assert zones.newer(package, newer_system) is newer_system
    assert zones.newer(package, zones.ZoneDatabase("system (/x)", None)) is package  # unknown: the package
    assert zones.newer(None, newer_system) is newer_system


def test_zones_in_this_process_follow_the_package():
    at = dt.datetime(2026, 10, 1, 9)
    assert at.replace(tzinfo=zoneinfo.ZoneInfo(CASABLANCA)).utcoffset() == package_offset(at)
    assert zones.CHOSEN is not None and zones.CHOSEN.version


def test_a_casablanca_nudge_goes_at_nine_by_the_package(db_url, slack, tmp_path):
    # due Friday 2 October 2026: the first nudge is three days before, Tuesday 29 September at 09:00 there
    local_nine = dt.datetime(2026, 9, 29, 9)
    offset = package_offset(local_nine)
    assert offset is not None
    nine_utc = (local_nine - offset).replace(tzinfo=dt.timezone.utc)
    created = dt.datetime(2026, 9, 1, 12, tzinfo=dt.timezone.utc)
    db = Database(db_url)
    service = ActionService(db, platform="slack")
    PeopleService(service).remember(TEAM, "UAMAL", created, name="amal", tz=CASABLANCA)
    spec = ActionSpec("Send the Maghreb report", user_owners=["UAMAL"], due_phrase="2026-10-02")
    service.add(TEAM, Actor("UTIM"), spec, created)
    db.dispose()
    env = cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)

    def planned(at: dt.datetime) -> str:
        dry = actionbot("sweep", "--now", at.isoformat(), "--dry-run", cwd=tmp_path, env=env)
        assert dry.returncode == 0, dry.stderr
        return dry.stdout

    at_nine = planned(nine_utc)
    assert re.search(rf"would send nudge +user:UAMAL +{re.escape(nine_utc.isoformat())} .*Africa/Casablanca", at_nine)
    # the system's older files put Casablanca an hour ahead of the package's here: 08:00 UTC is 09:00 there
    an_hour_before = planned(nine_utc - dt.timedelta(hours=1))
    assert "would send nudge" not in an_hour_before, an_hour_before
