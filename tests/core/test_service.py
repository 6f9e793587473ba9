"""The core service with an explicit `now`, on SQLite and PostgreSQL: operations, permissions,
history, workspace scoping, and nothing stored when an operation is refused."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, inspect, select

from bot.core.dates import Due
from bot.core.errors import BadInput, NotAllowed, NotFound
from bot.core.grammar import parse
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from store.models import Action, Event, Note, Owner
from tests.core.typed import said_in

NOW = dt.datetime(2014, 11, 21, 15, 0, tzinfo=dt.timezone.utc)
TIM, JEN, PAT, OUT = Actor("UTIM"), Actor("UJEN"), Actor("UPAT"), Actor("UOUT")
ADMIN = Actor("UADMIN", is_admin=True)
T1, T2 = "T1", "T2"


@pytest.fixture
def regions(service):
    rs = RegionService(service)
    rs.add(T1, ADMIN, RegionSpec("Latin America and the Caribbean", aliases=["LAC"], timezone="America/Bogota"), NOW)
    rs.add(T1, ADMIN, RegionSpec("Global", aliases=["Secretariat"]), NOW)
    return rs


def add(service, text, actor=TIM, team=T1, now=NOW):
    return service.add(team, actor, parse(said_in("add " + text)).spec, now)


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_add_numbers_per_workspace_and_echoes_parsed_values(service, regions):
    first = add(service, "Submission of LAC KM Region proposal {@UPAT} due Dec 20, 2014 region:lac group:KM")
    assert first.action.number == 1
    assert first.action.due == Due("date", dt.date(2014, 12, 20))
    assert first.action.region == "Latin America and the Caribbean"
    assert first.action.group == "KM"
    assert [a.user_id for a in first.assignments] == ["UPAT"]
    assert add(service, "Second").action.number == 2
    assert add(service, "Elsewhere", team=T2).action.number == 1


def test_self_assignment_sends_no_dm_and_named_owners_none(service):
    outcome = add(service, 'Plan {@UTIM} owner:"KM Regional Coordinators"')
    assert outcome.assignments == []
    assert [o.label for o in outcome.action.owners] == ["@UTIM", "KM Regional Coordinators"]


def test_list_filters(service, regions):
    add(service, "One {@UJEN} due Nov 30, 2014 region:Global group:KM")
    add(service, "Two {@UPAT} due Nov 20, 2014 region:LAC group:Comms")
    add(service, "Three owner:Team ongoing group:KM")
    service.set_status(T1, TIM, 2, "done", NOW)

    def numbers(text, actor=TIM):
        from bot.core.grammar import parse_query, tokenize

        return [a.number for a in service.list(T1, actor, parse_query(tokenize(said_in(text))), NOW).actions]

    assert numbers("") == [1, 3]
    assert numbers("all") == [2, 1, 3]  # soonest due first, undated last
    assert numbers("done") == [2]
    assert numbers("group:km") == [1, 3]
    assert numbers("region:Secretariat") == [1]
    assert numbers("mine", actor=JEN) == [1]
    assert numbers("{@UPAT} all") == [2]
    assert numbers('owner:"team"') == [3]
    assert numbers("group:Nothing") == []
    later = NOW + dt.timedelta(days=10)
    from bot.core.grammar import ListQuery

    overdue = service.list(T1, TIM, ListQuery(overdue=True), later)
    assert [a.number for a in overdue.actions] == [1] and overdue.actions[0].overdue


def test_unknown_region_names_the_known_ones_and_stores_nothing(service, regions):
    with pytest.raises(BadInput) as err:
        add(service, "Draft region:Latn")
    assert "Latn" in str(err.value) and "Global" in str(err.value) and "LAC" in str(err.value)
    assert count(service.db, Action) == 0


def test_bad_date_stores_nothing(service):
    with pytest.raises(BadInput, match="Novembr"):
        add(service, "Draft {@UJEN} due Novembr 30")
    assert count(service.db, Action) == 0 and count(service.db, Owner) == 0


def test_permissions_owner_creator_admin(service):
    add(service, "Draft {@UJEN}", actor=TIM)
    for actor in (JEN, TIM, ADMIN):  # owner, creator, admin
        service.note(T1, actor, 1, f"hello from {actor.user_id}", NOW)
    for op in (
        lambda: service.set_status(T1, OUT, 1, "done", NOW),
        lambda: service.note(T1, OUT, 1, "x", NOW),
        lambda: service.assign(T1, OUT, 1, parse(said_in("assign 1 {@UOUT}")).spec, NOW),
        lambda: service.set_due(T1, OUT, 1, "Dec 1", NOW),
        lambda: service.edit(T1, OUT, 1, parse(said_in('edit 1 title:"Mine now"')).spec, NOW),
    ):
        with pytest.raises(NotAllowed):
            op()
    info = service.get(T1, 1, NOW)
    assert info.title == "Draft" and info.status == "open" and info.owner_ids == ("UJEN",)
    assert count(service.db, Note) == 3


def test_other_workspace_cannot_see_or_change(service):
    add(service, "Secret plan {@UJEN}", team=T1)
    with pytest.raises(NotFound, match="no action #1"):
        service.set_status(T2, ADMIN, 1, "done", NOW)
    with pytest.raises(NotFound):
        service.get(T2, 1, NOW)
    from bot.core.grammar import ListQuery

    assert service.list(T2, ADMIN, ListQuery(status="all"), NOW).total == 0
    assert service.get(T1, 1, NOW).status == "open"


def test_status_cycle_and_history(service):
    add(service, "Draft {@UJEN} due Nov 30, 2014")
    later = NOW + dt.timedelta(hours=1)
    service.set_status(T1, JEN, 1, "done", later)
    with pytest.raises(BadInput, match="already done"):
        service.set_status(T1, JEN, 1, "done", later)
    service.set_status(T1, JEN, 1, "reopen", later)
    service.set_status(T1, TIM, 1, "cancel", later)
    service.set_due(T1, TIM, 1, "Dec 20", later)
    outcome = service.assign(T1, TIM, 1, parse(said_in("assign 1 {@UPAT} {@UJEN}")).spec, later)
    assert [a.user_id for a in outcome.assignments] == ["UPAT"]  # only the newcomer is told
    service.edit(T1, ADMIN, 1, parse(said_in('edit 1 title:"Final draft" group:KM')).spec, later)
    events = [(e.kind, e.field, e.old, e.new, e.actor) for e in service.history(T1, 1, NOW)]
    assert events[0][0] == "created" and events[0][3]["due"] == "2014-11-30"
    assert events[1:] == [
        ("status", "status", "open", "done", "UJEN"),
        ("status", "status", "done", "open", "UJEN"),
        ("status", "status", "open", "cancelled", "UTIM"),
        ("changed", "due", "2014-11-30", "2014-12-20", "UTIM"),
        ("changed", "owners", [{"user": "UJEN"}], [{"user": "UPAT"}, {"user": "UJEN"}], "UTIM"),
        ("changed", "title", "Draft", "Final draft", "UADMIN"),
        ("changed", "group", None, "KM", "UADMIN"),
    ]
    assert all(e.at == later for e in service.history(T1, 1, NOW)[1:])


def test_edit_with_nothing_new_is_refused(service):
    add(service, "Draft due Nov 30, 2014")
    with pytest.raises(BadInput, match="Nothing to change"):
        service.set_due(T1, TIM, 1, "2014-11-30", NOW)
    assert count(service.db, Event) == 1


def test_today_follows_the_actors_zone(service):
    # 15:00 UTC on 21 Nov is already 22 Nov in Kiribati: "today" differs by zone
    kiribati = Actor("UK", tz="Pacific/Kiritimati")
    assert add(service, "A due today", actor=kiribati).action.due.date == dt.date(2014, 11, 22)
    assert add(service, "B due today").action.due.date == dt.date(2014, 11, 21)


def test_region_admin_rules(service, regions):
    with pytest.raises(NotAllowed):
        regions.add(T1, TIM, RegionSpec("Africa"), NOW)
    with pytest.raises(BadInput, match="already names"):
        regions.add(T1, ADMIN, RegionSpec("Lac"), NOW)
    with pytest.raises(BadInput, match="time zone"):
        regions.add(T1, ADMIN, RegionSpec("Africa", timezone="Africa/Atlantis"), NOW)
    with pytest.raises(BadInput, match="working days"):
        regions.add(T1, ADMIN, RegionSpec("Africa", working_days="mon-funday"), NOW)
    assert [r.name for r in regions.list(T1, NOW)] == ["Global", "Latin America and the Caribbean"]
    assert regions.list(T2, NOW) == []


def test_concurrent_adds_get_distinct_numbers(service):
    errors = []

    def worker(i):
        try:
            add(service, f"Parallel {i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with service.db.session() as s:
        numbers = sorted(s.scalars(select(Action.number)))
    assert numbers == list(range(1, 13))


def test_indexes_fit_the_queries(db):
    insp = inspect(db.engine)
    action_indexes = {tuple(i["column_names"]) for i in insp.get_indexes("actions")}
    assert ("workspace_id", "status", "due_date") in action_indexes
    assert ("workspace_id", "region_id", "status", "due_kind") in action_indexes  # counts read it alone
    assert ("workspace_id", "created_by", "status") in action_indexes  # Home: what someone created
    assert ("workspace_id", "region_id", "status") not in action_indexes  # a prefix of the one above
    owner_indexes = {tuple(i["column_names"]) for i in insp.get_indexes("action_owners")}
    assert ("workspace_id", "user_id") in owner_indexes
    assert ("workspace_id", "action_id", "position") in owner_indexes  # an action's owners, in order
