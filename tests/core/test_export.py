"""CSV export on SQLite and PostgreSQL: stable columns, the list filters, no page limit, workspace
scoping, and cells that survive commas, quotes and line breaks."""

import csv
import datetime as dt
import io

import pytest

from bot.core.errors import BadInput
from bot.core.export import CSV_COLUMNS, csv_row, export_csv, write_csv
from bot.core.grammar import ActionSpec, ListQuery, parse
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from bot.core.service import LIST_LIMIT
from tests.core.typed import said_in

NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
TIM, JEN, ADMIN = Actor("UTIM"), Actor("UJEN"), Actor("UADMIN", is_admin=True)
T1, T2 = "T1", "T2"


@pytest.fixture
def regions(service):
    rs = RegionService(service)
    rs.add(T1, ADMIN, RegionSpec("Latin America and the Caribbean", aliases=["LAC"]), NOW)
    rs.add(T1, ADMIN, RegionSpec("Global"), NOW)
    return rs


def add(service, text, actor=TIM, team=T1, now=NOW):
    return service.add(team, actor, parse(said_in("add " + text)).spec, now, channel_id="C0KM")


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    return list(reader)


def numbers(service, query, actor=TIM, now=NOW, team=T1):
    return [int(r["number"]) for r in rows(export_csv(service, team, query, now, actor=actor))]


def test_columns_are_stable_and_readable_by_the_importer():
    assert CSV_COLUMNS == (
        "number",
        "title",
        "status",
        "owners",
        "owner_ids",
        "due",
        "region",
        "group",
        "meeting",
        "channel",
        "created_by",
        "created_at",
        "closed_at",
        "notes",
        "permalink",
    )
    assert {"title", "owners", "due", "region", "group", "status"} <= set(CSV_COLUMNS)
    out = io.StringIO(newline="")
    write_csv([], out)
    assert out.getvalue() == ",".join(CSV_COLUMNS) + "\r\n"


def test_an_empty_workspace_exports_only_the_header(service):
    assert export_csv(service, T1, ListQuery(status="all"), NOW) == ",".join(CSV_COLUMNS) + "\r\n"


def test_every_cell_of_a_full_row(service, regions):
    PeopleService(service).remember(T1, "UPAT", NOW, name="Patricia Toquica")
    add(
        service,
        'Submission of LAC KM Region proposal {@UPAT} {@UJEN} owner:"KM Regional Coordinators" '
        'due Dec 20, 2014 region:LAC group:KM meeting:"KM workshop"',
    )
    service.note(T1, TIM, 1, "Draft shared with the team", NOW + dt.timedelta(hours=1))
    service.note(T1, TIM, 1, "Waiting for budget", NOW + dt.timedelta(hours=2))
    service.set_status(T1, TIM, 1, "done", NOW + dt.timedelta(days=3))
    [row] = rows(export_csv(service, T1, ListQuery(status="all"), NOW))
    assert row == {
        "number": "1",
        "title": "Submission of LAC KM Region proposal",
        "status": "done",
        "owners": "Patricia Toquica; UJEN; KM Regional Coordinators",
        "owner_ids": "UPAT; UJEN",
        "due": "2014-12-20",
        "region": "Latin America and the Caribbean",
        "group": "KM",
        "meeting": "KM workshop",
        "channel": "C0KM",
        "created_by": "UTIM",
        "created_at": "2014-11-21T15:00:00+00:00",
        "closed_at": "2014-11-24T15:00:00+00:00",
        "notes": "Draft shared with the team\nWaiting for budget",
        "permalink": "",
    }


def test_due_is_an_iso_date_ongoing_or_empty(service):
    add(service, "Dated {@UTIM} due Nov 30, 2014")
    add(service, 'Calls owner:"KM Coordinator" on going')
    add(service, "Someday {@UTIM}")
    assert {r["title"]: r["due"] for r in rows(export_csv(service, T1, ListQuery(), NOW))} == {
        "Dated": "2014-11-30",
        "Calls": "ongoing",
        "Someday": "",
    }


def test_filters_are_those_of_the_list(service, regions):
    add(service, "One {@UJEN} due Nov 30, 2014 region:Global group:KM")
    add(service, "Two {@UPAT} due Nov 20, 2014 region:LAC group:Comms")
    add(service, 'Three owner:Team ongoing group:KM meeting:"Workshop"')
    add(service, "Four {@UJEN} due Dec 1, 2014 region:LAC")
    service.set_status(T1, TIM, 2, "done", NOW)
    service.set_status(T1, TIM, 4, "cancel", NOW)
    add(service, "Elsewhere {@UJEN} due Nov 30, 2014", team=T2)

    assert numbers(service, ListQuery()) == [1, 3]
    assert numbers(service, ListQuery(status="all")) == [2, 1, 4, 3]  # soonest due first, undated last
    assert numbers(service, ListQuery(status="done")) == [2]
    assert numbers(service, ListQuery(status="cancelled")) == [4]
    assert numbers(service, ListQuery(status="all", region="lac")) == [2, 4]
    assert numbers(service, ListQuery(group="KM")) == [1, 3]
    assert numbers(service, ListQuery(meeting="workshop")) == [3]
    assert numbers(service, ListQuery(group="Nothing")) == []
    assert numbers(service, ListQuery(mine=True), actor=JEN) == [1]
    assert numbers(service, ListQuery(status="all", user_id="UJEN")) == [1, 4]
    assert numbers(service, ListQuery(owner_name="team")) == [3]
    assert numbers(service, ListQuery(overdue=True), now=NOW + dt.timedelta(days=10)) == [1]
    assert numbers(service, ListQuery(status="all"), team=T2) == [1]
    with pytest.raises(BadInput):
        export_csv(service, T1, ListQuery(mine=True), NOW)  # mine without knowing who asks
    with pytest.raises(BadInput):
        export_csv(service, T1, ListQuery(region="Atlantis"), NOW)


def test_no_page_limit(service):
    for n in range(LIST_LIMIT * 2 + 3):
        add(service, f"Task {n} {{@UTIM}} due Dec 1, 2014")
    exported = rows(export_csv(service, T1, ListQuery(), NOW))
    assert len(exported) == LIST_LIMIT * 2 + 3
    assert [int(r["number"]) for r in exported] == list(range(1, LIST_LIMIT * 2 + 4))


def test_commas_quotes_and_line_breaks_survive(service):
    title = 'Budget, "final" version\nfor the <KM> team; see =SUM(A1)'
    owner = 'Coordinators, "regional"'
    note = 'First line, with comma\r\nsecond "quoted" line\n'
    service.add(
        T1,
        TIM,
        ActionSpec(title=title, named_owners=[owner], user_owners=["UTIM"], due_phrase="2014-11-30", note=note),
        NOW,
    )
    text = export_csv(service, T1, ListQuery(), NOW)
    [row] = rows(text)
    assert row["title"] == title
    assert row["owners"] == f"UTIM; {owner}"
    assert row["notes"] == note.strip()
    assert text.count("\r\n") >= 2 and '"Budget, ""final"" version' in text
    assert list(csv.reader(io.StringIO(text, newline="")))[1][CSV_COLUMNS.index("title")] == title


def test_write_csv_fills_missing_columns_and_refuses_unknown_ones(service):
    out = io.StringIO(newline="")
    write_csv([{"number": 7, "title": "x"}], out)
    assert out.getvalue().splitlines()[1] == "7,x" + "," * (len(CSV_COLUMNS) - 2)
    with pytest.raises(ValueError):
        write_csv([{"nope": 1}], io.StringIO())
    info = add(service, "Row {@UTIM}").action
    assert list(csv_row(info)) == list(CSV_COLUMNS)


def test_the_importer_reads_an_export_back(service, regions):
    importer = pytest.importorskip("bot.core.importer")
    add(service, 'Draft, "the" plan {@UTIM} owner:"KM Regional Coordinators" due Nov 30, 2014 region:LAC group:KM')
    add(service, "Monthly calls {@UJEN} ongoing")
    service.set_status(T1, TIM, 2, "done", NOW)
    result = importer.parse_matrix(export_csv(service, T1, ListQuery(status="all"), NOW), today=NOW.date())
    assert [(r.title, r.owners, r.due.kind, r.due.date, r.region, r.group, r.status) for r in result.rows] == [
        (
            "Draft, the plan",
            ["UTIM", "KM Regional Coordinators"],
            "date",
            dt.date(2014, 11, 30),
            "Latin America and the Caribbean",
            "KM",
            "open",
        ),
        ("Monthly calls", ["UJEN"], "ongoing", None, None, None, "done"),
    ]
