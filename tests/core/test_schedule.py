"""Scheduling rules of bot.core.schedule: 09:00 local, working days, DST, repeats, snooze, escalation, summaries."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.errors import BadInput
from bot.core.schedule import (
    CATCH_UP,
    SUMMARY_CATCH_UP,
    NudgeSettings,
    at_local,
    check_schedule,
    latest_escalation,
    latest_nudge,
    latest_summary,
    move_to_working_day,
    next_week_morning,
    next_working_morning,
    parse_days,
    working_days,
    zone,
)

UTC = dt.timezone.utc
MON_FRI = working_days("mon-fri")
LONG_AGO = dt.datetime(2014, 1, 1, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
BOGOTA, NAIROBI, BANGKOK = zone("America/Bogota"), zone("Africa/Nairobi"), zone("Asia/Bangkok")
DUE = dt.date(2014, 12, 10)  # a Wednesday


def nudge(due, tz, now, settings=NudgeSettings(), days=MON_FRI, not_before=LONG_AGO, snoozed_until=None):
    return latest_nudge(due, settings, tz, days, now, not_before, snoozed_until)


def nine(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)


# -- 09:00 local in every zone ------------------------------------------------------------------

# -3 is Sunday 7 December: moved back to Friday 5 December.
NUDGES = [("-3", dt.date(2014, 12, 5), None), ("+0", dt.date(2014, 12, 10), "-3"), ("+1", dt.date(2014, 12, 11), "+0")]


@pytest.mark.parametrize("tz", [BOGOTA, NAIROBI, BANGKOK], ids=str)
@pytest.mark.parametrize("offset,day,previous", NUDGES)
def test_nudges_fall_at_nine_local_and_switch_exactly_then(tz, offset, day, previous):
    occ = nudge(DUE, tz, nine(day, tz) + MINUTE)
    assert occ.key == f"2014-12-10/{offset}"
    assert occ.day == day
    local = occ.at.astimezone(tz)
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)
    assert occ.at.tzinfo is not None and occ.at.utcoffset() == dt.timedelta(0)
    before = nudge(DUE, tz, nine(day, tz) - MINUTE)
    assert (before.key if before else None) == (f"2014-12-10/{previous}" if previous else None)
    assert nudge(DUE, tz, occ.at) == occ  # at the instant itself it is due


def test_same_due_day_is_a_different_instant_in_each_zone():
    ats = {tz: nudge(DUE, tz, dt.datetime(2014, 12, 10, 20, tzinfo=UTC)).at for tz in (BOGOTA, NAIROBI, BANGKOK)}
    assert [a.hour for a in ats.values()] == [14, 6, 2]  # UTC-5, UTC+3, UTC+7
    assert len(set(ats.values())) == 3


# -- rest days ----------------------------------------------------------------------------------


def test_due_on_saturday_nudges_friday_and_due_on_sunday_follows_up_monday():
    sat = dt.date(2014, 12, 13)
    occ = nudge(sat, BOGOTA, nine(dt.date(2014, 12, 12), BOGOTA) + MINUTE)
    assert (occ.key, occ.day) == ("2014-12-13/+0", dt.date(2014, 12, 12))
    sun = dt.date(2014, 12, 14)
    assert nudge(sun, BOGOTA, nine(dt.date(2014, 12, 13), BOGOTA)).key == "2014-12-14/+0"  # on Friday
    occ = nudge(sun, BOGOTA, nine(dt.date(2014, 12, 15), BOGOTA))
    assert (occ.key, occ.day) == ("2014-12-14/+1", dt.date(2014, 12, 15))
    assert nudge(sun, BOGOTA, nine(dt.date(2014, 12, 15), BOGOTA) - MINUTE).key == "2014-12-14/+0"


def test_two_offsets_moved_onto_one_instant_the_later_offset_wins():
    occ = nudge(
        dt.date(2014, 12, 13), BOGOTA, nine(dt.date(2014, 12, 12), BOGOTA), settings=NudgeSettings(offsets=(-1, 0))
    )
    assert occ.key == "2014-12-13/+0"


def test_sun_thu_region_rests_on_friday_and_saturday():
    days = working_days("sun-thu")
    assert days == {6, 0, 1, 2, 3}
    fri = dt.date(2014, 12, 12)
    assert nudge(fri, BANGKOK, nine(dt.date(2014, 12, 11), BANGKOK), days=days).key == "2014-12-12/+0"
    # Saturday 09:00: a rest day, nothing new
    assert nudge(fri, BANGKOK, nine(dt.date(2014, 12, 13), BANGKOK), days=days).key == "2014-12-12/+0"
    occ = nudge(fri, BANGKOK, nine(dt.date(2014, 12, 14), BANGKOK), days=days)
    assert (occ.key, occ.day) == ("2014-12-12/+1", dt.date(2014, 12, 14))  # Sunday is a working day


@pytest.mark.parametrize(
    "day,backwards,expected",
    [
        (dt.date(2014, 12, 13), True, dt.date(2014, 12, 12)),
        (dt.date(2014, 12, 14), True, dt.date(2014, 12, 12)),
        (dt.date(2014, 12, 13), False, dt.date(2014, 12, 15)),
        (dt.date(2014, 12, 10), False, dt.date(2014, 12, 10)),
    ],
)
def test_move_to_working_day(day, backwards, expected):
    assert move_to_working_day(day, MON_FRI, backwards) == expected


# -- DST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,due,before_day,utc_hours",
    [
        ("Europe/Berlin", dt.date(2014, 10, 29), dt.date(2014, 10, 24), (7, 8)),  # CEST → CET on 26 Oct
        ("America/New_York", dt.date(2014, 11, 5), dt.date(2014, 10, 31), (13, 14)),  # EDT → EST on 2 Nov
    ],
)
def test_nudges_stay_at_nine_local_across_dst(name, due, before_day, utc_hours):
    tz = zone(name)
    early = nudge(due, tz, nine(before_day, tz) + MINUTE)
    late = nudge(due, tz, nine(due, tz) + MINUTE)
    assert (early.key, late.key) == (f"{due}/-3", f"{due}/+0")
    for occ in (early, late):
        assert (occ.at.astimezone(tz).hour, occ.at.astimezone(tz).minute) == (9, 0)
    assert (early.at.hour, late.at.hour) == utc_hours


# -- repeats, downtime, catch-up, schedule start -------------------------------------------------


@pytest.mark.parametrize(
    "now_day,key,day",
    [
        (dt.date(2014, 12, 15), "2014-12-12/+1", dt.date(2014, 12, 15)),
        (dt.date(2014, 12, 19), "2014-12-12/+1", dt.date(2014, 12, 15)),
        (dt.date(2014, 12, 22), "2014-12-12/+8", dt.date(2014, 12, 22)),  # Sat 20 → Mon 22
        (dt.date(2014, 12, 28), "2014-12-12/+8", dt.date(2014, 12, 22)),  # Sun: +15 (Sat 27) moved to Mon 29, ahead
        (dt.date(2014, 12, 29), "2014-12-12/+15", dt.date(2014, 12, 29)),
    ],
)
def test_repeats_every_seven_days_after_the_last_offset_on_working_days(now_day, key, day):
    occ = nudge(dt.date(2014, 12, 12), BOGOTA, nine(now_day, BOGOTA) + MINUTE)
    assert (occ.key, occ.day) == (key, day)


def test_ten_days_down_catches_up_with_only_the_latest():
    occ = nudge(DUE, NAIROBI, dt.datetime(2014, 12, 20, 12, tzinfo=NAIROBI))  # +1 and +8 were missed
    assert (occ.key, occ.day) == ("2014-12-10/+8", dt.date(2014, 12, 18))


def test_occurrences_older_than_catch_up_are_history():
    no_repeat = NudgeSettings(repeat_days=0)
    last = nine(dt.date(2014, 12, 11), BOGOTA)
    assert nudge(DUE, BOGOTA, last + CATCH_UP, settings=no_repeat).key == "2014-12-10/+1"
    assert nudge(DUE, BOGOTA, last + CATCH_UP + MINUTE, settings=no_repeat) is None


def test_not_before_hides_earlier_occurrences():
    start = nine(DUE, BOGOTA) + MINUTE  # schedule started just after the due-day nudge
    assert nudge(DUE, BOGOTA, dt.datetime(2014, 12, 10, 20, tzinfo=BOGOTA), not_before=start) is None
    assert nudge(DUE, BOGOTA, nine(dt.date(2014, 12, 11), BOGOTA), not_before=start).key == "2014-12-10/+1"


@pytest.mark.parametrize("repeat,key", [(1, "+7"), (2, "+7"), (3, "+7"), (4, "+5"), (30, "+1")])
def test_any_repeat_interval_reaches_the_latest_repeat(repeat, key):
    occ = nudge(DUE, BOGOTA, nine(dt.date(2014, 12, 17), BOGOTA) + MINUTE, settings=NudgeSettings(repeat_days=repeat))
    assert occ.key == f"2014-12-10/{key}"  # Wed 17: repeats from +1+N every N days; +5 (Mon 15) for N=4


# -- snooze -------------------------------------------------------------------------------------


def test_snooze_suppresses_until_its_end_then_regular_nudges_return():
    until = nine(dt.date(2014, 12, 15), BOGOTA).astimezone(UTC)
    assert nudge(DUE, BOGOTA, dt.datetime(2014, 12, 12, 12, tzinfo=BOGOTA)).key == "2014-12-10/+1"
    assert nudge(DUE, BOGOTA, dt.datetime(2014, 12, 12, 12, tzinfo=BOGOTA), snoozed_until=until) is None
    occ = nudge(DUE, BOGOTA, until + MINUTE, snoozed_until=until)
    assert occ.key == "snooze/20141215T1400" and occ.at == until
    assert nudge(DUE, BOGOTA, nine(dt.date(2014, 12, 18), BOGOTA), snoozed_until=until).key == "2014-12-10/+8"


def test_snooze_over_a_regular_nudge_hides_it():
    until = dt.datetime(2014, 12, 19, 15, tzinfo=UTC)
    assert nudge(DUE, BOGOTA, nine(dt.date(2014, 12, 18), BOGOTA) + MINUTE, snoozed_until=until) is None


# -- escalation ---------------------------------------------------------------------------------


def esc(due, now, settings=NudgeSettings(), tz=BOGOTA):
    return latest_escalation(due, settings, tz, MON_FRI, now, LONG_AGO)


def test_escalation_starts_seven_days_overdue_then_weekly():
    first = nine(dt.date(2014, 12, 17), BOGOTA)
    assert esc(DUE, first - MINUTE) is None
    occ = esc(DUE, first)
    assert (occ.key, occ.at) == ("2014-12-10/esc0", first.astimezone(UTC))
    assert esc(DUE, nine(dt.date(2014, 12, 24), BOGOTA) - MINUTE).key == "2014-12-10/esc0"
    assert esc(DUE, nine(dt.date(2014, 12, 24), BOGOTA)).key == "2014-12-10/esc1"
    assert esc(DUE, nine(dt.date(2014, 12, 31), BOGOTA)).key == "2014-12-10/esc2"


def test_escalation_on_a_rest_day_moves_to_the_next_working_day_and_zero_disables():
    sat = dt.date(2014, 12, 13)
    assert esc(sat, nine(dt.date(2014, 12, 20), BANGKOK), tz=BANGKOK) is None
    occ = esc(sat, nine(dt.date(2014, 12, 22), BANGKOK), tz=BANGKOK)
    assert (occ.key, occ.day, occ.at.astimezone(BANGKOK).hour) == ("2014-12-13/esc0", dt.date(2014, 12, 22), 9)
    assert esc(DUE, dt.datetime(2015, 1, 5, tzinfo=UTC), NudgeSettings(escalate_after_days=0)) is None


# -- summaries ----------------------------------------------------------------------------------


def test_weekly_summary_keys_by_local_iso_week_and_respects_start():
    start = dt.datetime(2014, 11, 26, 12, tzinfo=BOGOTA)  # a Wednesday
    first = nine(dt.date(2014, 12, 1), BOGOTA)
    assert latest_summary("mon 09:00", BOGOTA, first - MINUTE, start) is None
    occ = latest_summary("mon 09:00", BOGOTA, first, start)
    assert (occ.key, occ.at) == ("2014-W49", first.astimezone(UTC))
    assert latest_summary("mon 09:00", BOGOTA, first + SUMMARY_CATCH_UP, start).key == "2014-W49"
    assert latest_summary("mon 09:00", BOGOTA, first + SUMMARY_CATCH_UP + MINUTE, start) is None  # too late
    assert latest_summary("mon 09:00", BOGOTA, nine(dt.date(2014, 12, 8), BOGOTA), start).key == "2014-W50"


def test_summary_follows_the_local_calendar_not_utc():
    sunday_evening = dt.datetime(2014, 12, 7, 21, 30, tzinfo=UTC)  # Monday 04:30 in Bangkok
    occ = latest_summary("mon 04:00", BANGKOK, sunday_evening, LONG_AGO)
    assert (occ.key, occ.day) == ("2014-W50", dt.date(2014, 12, 8))
    # still Sunday in Bogota: this week's is ahead, last week's too late
    assert latest_summary("mon 04:00", BOGOTA, sunday_evening, LONG_AGO) is None
    assert latest_summary("mon 04:00", BOGOTA, sunday_evening + dt.timedelta(hours=12), LONG_AGO).key == "2014-W50"
    # the default 09:00 in Bangkok is still ahead at Monday 04:30
    assert latest_summary("mon 09:00", BANGKOK, sunday_evening, LONG_AGO) is None


@pytest.mark.parametrize("text,expected", [("Friday 16:30", "fri 16:30"), ("mon 9:00", "mon 09:00")])
def test_check_schedule_accepts(text, expected):
    assert check_schedule(text) == expected


@pytest.mark.parametrize("text", ["mon 25:00", "mon 09:60", "someday 09:00", "mon"])
def test_check_schedule_rejects(text):
    with pytest.raises(BadInput):
        check_schedule(text)


# -- snooze targets -----------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [next_working_morning, next_week_morning])
@pytest.mark.parametrize("tz", [BOGOTA, BANGKOK], ids=str)
def test_from_friday_afternoon_the_next_morning_is_monday_nine_local(fn, tz):
    friday = dt.datetime(2014, 12, 12, 15, tzinfo=tz)
    assert fn(friday, tz, MON_FRI) == nine(dt.date(2014, 12, 15), tz).astimezone(UTC)


def test_midweek_next_morning_is_tomorrow_and_next_week_is_monday():
    wednesday = dt.datetime(2014, 12, 10, 15, tzinfo=NAIROBI)
    assert next_working_morning(wednesday, NAIROBI, MON_FRI) == at_local(dt.date(2014, 12, 11), NAIROBI)
    assert next_week_morning(wednesday, NAIROBI, MON_FRI) == at_local(dt.date(2014, 12, 15), NAIROBI)


def test_next_working_morning_uses_the_local_day():
    late_thursday_utc = dt.datetime(2014, 12, 11, 20, tzinfo=UTC)  # already Friday 03:00 in Bangkok
    assert next_working_morning(late_thursday_utc, BANGKOK, MON_FRI) == at_local(dt.date(2014, 12, 15), BANGKOK)
    assert next_working_morning(late_thursday_utc, BOGOTA, MON_FRI) == at_local(dt.date(2014, 12, 12), BOGOTA)


# -- settings text ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["-3,0,1", "-3 0 +1", " 1, -3 ,0 "])
def test_parse_offsets_reads_lists(text):
    assert NudgeSettings.parse_offsets(text) == (-3, 0, 1)


@pytest.mark.parametrize("text", ["abc", "100", "-61", "", "1,x"])
def test_parse_offsets_refuses(text):
    with pytest.raises(BadInput):
        NudgeSettings.parse_offsets(text)


def test_describe_reads_naturally():
    assert str(NudgeSettings().describe()) == "3 days before, on the due day, 1 day after, then every 7 days while open"
    assert str(NudgeSettings((-1, 2), repeat_days=0).describe()) == "1 day before, 2 days after"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Monday-Thursday", {0, 1, 2, 3}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("", {0, 1, 2, 3, 4}),
        (None, {0, 1, 2, 3, 4}),
    ],
)
def test_working_days(text, expected):
    assert working_days(text) == expected


def test_parse_days_canonicalises_and_refuses():
    assert parse_days(" Sunday-Thursday ") == "sun-thu"
    # any set of days is written as ranges, so it always fits the column (all seven once overflowed it)
    assert parse_days("mon,tue,wed,thu,fri,sat,sun") == "mon-sun"
    assert parse_days("fri,mon,sat,sun") == "fri-mon"
    assert parse_days("mon,wed,fri") == "mon,wed,fri"
    assert parse_days("mon,wed,fri,sun") == "wed,fri,sun-mon"  # Sunday and Monday are neighbours
    assert parse_days("sat,tue-wed") == "tue-wed,sat"
    for bad in ("weekdays", "mon-wed-fri", "mon,,fri"):
        with pytest.raises(BadInput):
            parse_days(bad)


def test_next_week_starts_on_the_regions_first_working_day():
    tz = zone("Asia/Dubai")
    thursday = dt.datetime(2014, 12, 11, 10, 0, tzinfo=dt.timezone.utc)
    assert (
        next_week_morning(thursday, tz, working_days("sun-thu")).astimezone(tz).strftime("%a %d %H:%M")
        == "Sun 14 09:00"
    )
    assert (
        next_week_morning(thursday, tz, working_days("mon-fri")).astimezone(tz).strftime("%a %d %H:%M")
        == "Mon 15 09:00"
    )


@pytest.mark.parametrize("text", ["saturn", "monkey-fri", "mo-fr"])
def test_day_names_must_be_days(text):
    with pytest.raises(BadInput):
        parse_days(text)


def test_summary_day_must_be_a_day():
    with pytest.raises(BadInput):
        check_schedule("monkey 09:00")
    assert check_schedule("Thursday 7:05") == "thu 07:05"


def test_only_early_nudges_still_repeat_once_overdue():
    tz = zone("Africa/Nairobi")
    settings = NudgeSettings(offsets=(-3, -1), repeat_days=7)
    now = at_local(dt.date(2014, 12, 17), tz) + dt.timedelta(minutes=5)  # Wed, 7 days after a Wed due date
    occ = latest_nudge(
        dt.date(2014, 12, 10),
        settings,
        tz,
        working_days("mon-fri"),
        now,
        dt.datetime(2014, 1, 1, tzinfo=dt.timezone.utc),
    )
    assert occ.key == "2014-12-10/+7"
