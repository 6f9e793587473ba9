"""Download links to an export (bot.core.export_links), on SQLite and PostgreSQL, with an explicit `now`:
only the secret's hash is stored; opening makes the export as of then, scoped to the link's workspace and
as its person sees it; expired, unknown and malformed secrets open nothing; a person keeps few links."""

import csv
import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import select

from bot.core.export_links import (
    LINK_LIFETIME,
    MAX_LINKS,
    ExportLinks,
    download,
    query_from_json,
    query_json,
)
from bot.core.grammar import ListQuery, parse
from bot.core.records import Actor
from bot.core.service import ActionService
from store.models import ExportLink
from tests.core.typed import said_in

NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
TIM = Actor("UTIM", tz="Africa/Nairobi")
T1 = "T1"


@pytest.fixture
def platforms(db):
    return {"slack": ActionService(db, platform="slack"), "teams": ActionService(db, platform="teams")}


def add(service, text, team=T1, actor=TIM):
    return service.add(team, actor, parse(said_in("add " + text)).spec, NOW)


def titles(found) -> list[str]:
    return [row["title"] for row in csv.DictReader(io.StringIO(found.content, newline=""))]


def test_a_link_opens_the_export_as_of_the_click_and_only_the_hash_is_stored(platforms, db):
    teams = platforms["teams"]
    add(teams, "Mine due Nov 30 owner:{@UTIM}")
    add(teams, "Someone else's owner:{@UJEN}")
    link = ExportLinks(teams).mint(T1, TIM, ListQuery(mine=True), NOW)
    assert link.expires_at == NOW + LINK_LIFETIME and len(link.secret) == 43
    with db.reading() as s:
        (row,) = s.scalars(select(ExportLink)).all()
        assert row.secret_hash == hashlib.sha256(link.secret.encode()).hexdigest()
        assert link.secret not in (row.secret_hash, row.query, row.user_id)
    add(teams, "Added after the link due Dec 2 owner:{@UTIM}")
    later = NOW + dt.timedelta(hours=3)
    found = download(platforms, link.secret, later)
    assert found is not None and found.rows == 2 and found.team_id == T1
    assert titles(found) == ["Mine", "Added after the link"]  # as of the click, hers only
    assert found.filename == "actions-20141121.csv"


def test_expired_unknown_and_malformed_secrets_open_nothing(platforms):
    teams = platforms["teams"]
    add(teams, "Something owner:{@UTIM}")
    link = ExportLinks(teams).mint(T1, TIM, ListQuery(), NOW)
    assert download(platforms, link.secret, NOW + LINK_LIFETIME - dt.timedelta(seconds=1)) is not None
    assert download(platforms, link.secret, NOW + LINK_LIFETIME) is None
    for wrong in ("", "x", link.secret[:-1], link.secret + "A", link.secret[:-1] + "!", "../" * 15, "é" * 43):
        assert download(platforms, wrong, NOW) is None
    other = ("A" if link.secret[0] != "A" else "B") + link.secret[1:]
    assert download(platforms, other, NOW) is None


def test_a_link_exports_its_own_workspace_on_its_own_platform(platforms):
    slack, teams = platforms["slack"], platforms["teams"]
    add(teams, "Teams T1 action")
    add(slack, "Slack T1 action")  # the same workspace ID on another platform
    add(teams, "Teams T2 action", team="T2")
    link = ExportLinks(teams).mint(T1, TIM, ListQuery(status="all"), NOW)
    found = download(platforms, link.secret, NOW)
    assert found is not None and titles(found) == ["Teams T1 action"]
    assert download({"slack": slack}, link.secret, NOW) is None  # its platform not served here


def test_an_uninstalled_workspace_stops_its_links(platforms):
    teams = platforms["teams"]
    add(teams, "Something")
    link = ExportLinks(teams).mint(T1, TIM, ListQuery(), NOW)
    teams.workspaces.uninstalled(T1, NOW)
    assert download(platforms, link.secret, NOW) is None


def test_a_region_renamed_since_opens_nothing(platforms):
    from bot.core.regions import RegionService, RegionSpec

    teams = platforms["teams"]
    admin = Actor("UADMIN", is_admin=True)
    RegionService(teams).add(T1, admin, RegionSpec("LAC"), NOW)
    link = ExportLinks(teams).mint(T1, TIM, ListQuery(region="LAC"), NOW)
    assert download(platforms, link.secret, NOW) is not None
    RegionService(teams).edit(T1, admin, "LAC", RegionSpec("Latin America"), NOW)
    assert download(platforms, link.secret, NOW) is None


def test_a_person_keeps_the_newest_links_and_expired_ones_are_forgotten(platforms, db):
    teams = platforms["teams"]
    links = ExportLinks(teams)
    old = links.mint(T1, Actor("UJEN"), ListQuery(), NOW)
    first = [links.mint(T1, TIM, ListQuery(), NOW) for _ in range(MAX_LINKS + 2)]
    assert download(platforms, first[0].secret, NOW) is None  # dropped: only MAX_LINKS kept
    assert download(platforms, first[-1].secret, NOW) is not None
    assert download(platforms, old.secret, NOW) is not None  # another person's are theirs
    links.mint(T1, TIM, ListQuery(), NOW + LINK_LIFETIME)
    with db.reading() as s:
        assert len(s.scalars(select(ExportLink)).all()) == 1  # the expired ones went with that mint


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "[]",
        '{"status": "all", "extra": 1}',
        '{"status": "everything"}',
        '{"mine": "yes"}',
        '{"region": 5}',
    ],
)
def test_a_stored_query_that_is_not_one_reads_as_none(stored):
    assert query_from_json(stored) is None


def test_a_query_round_trips():
    query = ListQuery(status="done", mine=True, region="Latin America", user_id="abc", owner_name="KM")
    assert query_from_json(query_json(query)) == query
