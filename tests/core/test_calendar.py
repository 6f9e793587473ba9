"""Calendar feeds through the real HTTP endpoint, on SQLite and PostgreSQL: what a calendar client
fetching `/calendar/<secret>.ics` gets, read back with two iCalendar parsers (icalendar and vobject)."""

import datetime as dt
import urllib.error
import urllib.request

import icalendar
import pytest
import vobject

from bot.core.calendar_feeds import CalendarService, action_uid, feed_path
from bot.core.errors import BadInput
from bot.core.grammar import ActionSpec, parse
from bot.core.people import PeopleService
from bot.core.records import Actor
from bot.core.regions import RegionService, RegionSpec
from tests.conftest import OTHER_TEAM, TEAM
from tests.core.typed import said_in

TIM, JEN, ADMIN = Actor("UTIM"), Actor("UJEN"), Actor("UADMIN", is_admin=True)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, headers: dict | None = None) -> tuple[int, object, bytes]:
    """(status, headers (case-insensitive), body) of a GET, without any proxy."""
    try:
        with OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def events(body: bytes) -> dict[str, icalendar.Event]:
    """The feed's events by UID, parsed with icalendar; also checks vobject reads the same UIDs."""
    cal = icalendar.Calendar.from_ical(body)
    found = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    vcal = vobject.readOne(body.decode("utf-8"))
    assert sorted(v.uid.value for v in getattr(vcal, "vevent_list", [])) == sorted(found)
    return found


def vevents(body: bytes) -> dict:
    vcal = vobject.readOne(body.decode("utf-8"))
    return {v.uid.value: v for v in getattr(vcal, "vevent_list", [])}


def add(actions, text, actor=TIM, team=TEAM, now=None):
    return actions.add(team, actor, parse(said_in("add " + text)).spec, now).action


@pytest.fixture
def env(app, clock):
    """(feed URL of a secret, the action service, the calendar service, the clock)."""
    server, runtime = app
    actions = runtime.ctx.actions
    RegionService(actions).add(TEAM, ADMIN, RegionSpec("Latin America and the Caribbean", aliases=["LAC"]), clock())
    RegionService(actions).add(TEAM, ADMIN, RegionSpec("Global"), clock())
    return (lambda secret: server.url + feed_path(secret)), actions, CalendarService(actions), clock


def test_user_feed_holds_their_dated_actions_as_all_day_events(env):
    url, actions, calendars, clock = env
    now = clock()
    PeopleService(actions).remember(TEAM, "UTIM", now, name="Tim Boyle")
    add(actions, "Send budget info {@UTIM} due Nov 30, 2014 region:LAC", now=now)  # 1
    add(actions, "Jennifer's own {@UJEN} due Dec 5, 2014", now=now)  # 2
    add(actions, 'Monthly calls {@UTIM} owner:"KM Coordinator" on going', now=now)  # 3
    add(actions, 'Strategy {@UJEN} {@UTIM} owner:"KM team" due Dec 20, 2014 region:Global', now=now)  # 4
    add(actions, "Finished one {@UTIM} due Nov 25, 2014", now=now)  # 5
    add(actions, "Dropped one {@UTIM} due Nov 26, 2014", now=now)  # 6
    add(actions, "Created by Tim for Jen {@UJEN} due Nov 27, 2014", now=now)  # 7
    actions.note(TEAM, TIM, 4, "Draft, v2; see the drive", now)
    actions.set_status(TEAM, TIM, 5, "done", now)
    actions.set_status(TEAM, TIM, 6, "cancel", now)

    status, headers, body = fetch(url(calendars.feed_for(TEAM, "user", "UTIM", now)))
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["version"]) == "2.0" and "Actionbot" in str(cal["prodid"])
    assert str(cal["x-wr-calname"]) == "Actions: Tim Boyle"
    found = events(body)
    uid = lambda n: action_uid(TEAM, n)  # noqa: E731
    # ongoing #3 has no day; #2 and #7 are not Tim's; the done and cancelled ones stay, marked
    assert set(found) == {uid(1), uid(4), uid(5), uid(6)}
    assert uid(1) == f"action-{TEAM}-1@actionbot"

    first = found[uid(1)]
    assert first.decoded("dtstart") == dt.date(2014, 11, 30)
    assert type(first.decoded("dtstart")) is dt.date  # all day, not a midnight in some zone
    assert first.decoded("dtend") == dt.date(2014, 12, 1)
    assert str(first["summary"]) == "#1 Send budget info"
    assert str(first["status"]) == "CONFIRMED"
    assert first.decoded("dtstamp") == now and first.decoded("last-modified") == now
    assert int(first["sequence"]) == 0
    description = str(found[uid(4)]["description"])
    assert "Owners: UJEN; Tim Boyle; KM team" in description
    assert "Region: Global" in description and "Status: open" in description
    assert "Draft, v2; see the drive" in description
    assert "Status: done" in str(found[uid(5)]["description"])
    assert str(found[uid(6)]["status"]) == "CANCELLED"

    v = vevents(body)
    assert v[uid(1)].dtstart.value == dt.date(2014, 11, 30)
    assert not isinstance(v[uid(1)].dtstart.value, dt.datetime)
    assert v[uid(1)].summary.value == "#1 Send budget info"
    assert v[uid(4)].description.value == description
    assert v[uid(6)].status.value == "CANCELLED"


def test_a_change_keeps_the_uid_and_raises_sequence_and_last_modified(env):
    url, actions, calendars, clock = env
    created = clock()
    add(actions, "Draft the KM strategy {@UTIM} due Nov 30, 2014", now=created)
    feed = url(calendars.feed_for(TEAM, "user", "UTIM", created))
    before = events(fetch(feed)[2])[action_uid(TEAM, 1)]
    assert fetch(feed)[2] == fetch(feed)[2]  # nothing changed: byte-identical

    clock.now = created + dt.timedelta(hours=2)
    actions.set_due(TEAM, TIM, 1, "Dec 3, 2014", clock.now)
    body = fetch(feed)[2]
    after = events(body)[action_uid(TEAM, 1)]
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("last-modified") == clock.now > before.decoded("last-modified")
    assert after.decoded("dtstamp") == clock.now
    assert after.decoded("dtstart") == dt.date(2014, 12, 3)
    v = vevents(body)[action_uid(TEAM, 1)]
    assert int(v.sequence.value) == int(after["sequence"])
    assert v.last_modified.value == clock.now
    assert v.dtstart.value == dt.date(2014, 12, 3)

    clock.now += dt.timedelta(minutes=5)
    actions.note(TEAM, TIM, 1, "half done", clock.now)
    later = events(fetch(feed)[2])[action_uid(TEAM, 1)]
    assert int(later["sequence"]) > int(after["sequence"])
    assert "half done" in str(later["description"])

    clock.now += dt.timedelta(minutes=5)
    actions.set_status(TEAM, TIM, 1, "cancel", clock.now)
    gone = events(fetch(feed)[2])[action_uid(TEAM, 1)]
    assert str(gone["status"]) == "CANCELLED" and int(gone["sequence"]) > int(later["sequence"])


def test_a_wrong_or_reset_secret_gets_a_bare_404(env):
    url, actions, calendars, clock = env
    add(actions, "Secret work {@UTIM} due Nov 30, 2014", now=clock())
    old = calendars.feed_for(TEAM, "user", "UTIM", clock())
    assert calendars.feed_for(TEAM, "user", "UTIM", clock()) == old  # one feed per user
    assert fetch(url(old))[0] == 200

    for wrong in ("nope", old[:-1], old + "x", old.upper(), "x" * 200):
        status, _, body = fetch(url(wrong))
        assert (status, body) == (404, b""), wrong
    assert fetch(url(old).removesuffix(".ics"))[0] == 404

    new = calendars.reset(TEAM, "user", "UTIM", clock(), actor=TIM)
    assert new != old
    status, _, body = fetch(url(old))
    assert (status, body) == (404, b"")
    status, _, body = fetch(url(new))
    assert status == 200 and b"Secret work" in body
    assert calendars.feed_for(TEAM, "user", "UTIM", clock()) == new


def test_user_feeds_do_not_leak_other_users_or_workspaces(env):
    url, actions, calendars, clock = env
    now = clock()
    add(actions, "Tim here {@UTIM} due Nov 30, 2014", now=now)
    add(actions, "Jen here {@UJEN} due Nov 30, 2014", now=now)
    add(actions, "Tim elsewhere {@UTIM} due Nov 29, 2014", team=OTHER_TEAM, now=now)
    add(actions, "Named only owner:UTIM due Nov 28, 2014", now=now)  # a named owner is not the user

    tim = calendars.feed_for(TEAM, "user", "UTIM", now)
    tim_other = calendars.feed_for(OTHER_TEAM, "user", "UTIM", now)
    jen = calendars.feed_for(TEAM, "user", "UJEN", now)
    assert len({tim, tim_other, jen}) == 3

    body = fetch(url(tim))[2]
    assert set(events(body)) == {action_uid(TEAM, 1)}
    assert b"Jen here" not in body and b"elsewhere" not in body
    body = fetch(url(tim_other))[2]
    assert set(events(body)) == {action_uid(OTHER_TEAM, 1)}
    assert b"Tim here" not in body
    assert set(events(fetch(url(jen))[2])) == {action_uid(TEAM, 2)}
    nobody = calendars.feed_for(TEAM, "user", "UOUT", now)
    status, _, body = fetch(url(nobody))
    assert status == 200 and events(body) == {}


def test_region_feed_holds_the_regions_actions(env):
    url, actions, calendars, clock = env
    now = clock()
    add(actions, "LAC one {@UPAT} due Dec 20, 2014 region:LAC", now=now)
    add(actions, "Global one {@UTIM} due Nov 30, 2014 region:Global", now=now)
    add(actions, "LAC two owner:Coordinators due Dec 1, 2014 region:lac", now=now)
    add(actions, "LAC undated {@UPAT} ongoing region:LAC", now=now)
    secret = calendars.feed_for(TEAM, "region", "lac", now)
    assert calendars.feed_for(TEAM, "region", "Latin America and the Caribbean", now) == secret
    body = fetch(url(secret))[2]
    assert str(icalendar.Calendar.from_ical(body)["x-wr-calname"]) == "Actions: Latin America and the Caribbean"
    assert set(events(body)) == {action_uid(TEAM, 1), action_uid(TEAM, 3)}
    assert vobject.readOne(body.decode()).x_wr_calname.value == "Actions: Latin America and the Caribbean"
    with pytest.raises(BadInput):
        calendars.feed_for(TEAM, "region", "Atlantis", now)
    with pytest.raises(BadInput):
        calendars.feed_for(TEAM, "team", "UTIM", now)


def test_escaped_text_and_conditional_get(env):
    url, actions, calendars, clock = env
    title = 'Budget, "final"; part\\2\nsecond line'
    actions.add(TEAM, TIM, ActionSpec(title=title, user_owners=["UTIM"], due_phrase="2014-11-30"), clock())
    status, headers, body = fetch(url(calendars.feed_for(TEAM, "user", "UTIM", clock())))
    assert status == 200
    [event] = events(body).values()
    assert str(event["summary"]) == f"#1 {title}"
    assert vobject.readOne(body.decode()).vevent.summary.value == f"#1 {title}"
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded as RFC 5545 says
    status, _, again = fetch(url(calendars.feed_for(TEAM, "user", "UTIM", clock())), {"If-None-Match": headers["ETag"]})
    assert (status, again) == (304, b"")
