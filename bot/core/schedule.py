"""When nudges, escalations and summaries fall due: pure functions of dates, zones and `now`.

Every occurrence is a calendar day in the recipient's zone at 09:00 local time (built with zoneinfo, so a
DST change never moves it off 09:00). A day that is not a working day moves: before or on the due day to
the working day before, after it to the working day after. A sweep asks only for the *latest* occurrence
at or before `now`; that is what makes a scheduler that was down catch up with one message, not a storm.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import DAILY, rrule

from bot.core import limits
from bot.core.errors import BadInput
from bot.messages import Example, Msg, Opt, msg

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = {
    **{d: d for d in DAYS},
    **{f: d for f, d in zip(FULL_DAYS, DAYS)},
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}
SEND_AT = dt.time(9, 0)
CATCH_UP = dt.timedelta(days=21)  # older occurrences are history, not news
SUMMARY_CATCH_UP = dt.timedelta(days=1)  # a summary more than a day late waits for next week's


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.lru_cache(maxsize=1024)  # asked on every request; the answer for a name never changes
def known_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone `name`, or None for anything else: a folder of zones (`America`), a path (`../x`),
    an over-long or unknown name. Only names listed as zones are opened, so no file path is tried."""
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The first of `name`, `fallback`, UTC that is a zone this machine knows."""
    return known_zone(name) or known_zone(fallback) or ZoneInfo("UTC")


def check_timezone(name: str) -> str:
    """`name` if it is an IANA zone that fits where zones are stored; else a BadInput saying how to write one."""
    limits.check("timezone", name)
    if known_zone(name) is None:
        raise BadInput(
            "unknown_zone",
            (Example(None, (Opt("tz", "America/Bogota"),)), Example(None, (Opt("tz", "Africa/Nairobi"),))),
            field="tz",
            name=name,
        )
    return name


def parse_days(text: str) -> str:
    """`mon-fri`, `sun-thu` or `mon,tue,thu` → the canonical form, the days as ranges in week order
    (`mon,tue,wed,thu,fri,sat,sun` → `mon-sun`, so any set of days fits where it is stored); anything
    else is refused."""
    return _written(_day_set(text))


def _day_set(text: str) -> set[int]:
    """The weekday numbers (Monday 0) that `text` names; BadInput when it is not days and ranges."""
    text = text.strip().lower()
    days: set[int] = set()
    for chunk in text.split(","):
        ends = [c.strip() for c in chunk.split("-")]
        if not all(end in DAY_NAMES for end in ends) or len(ends) > 2:
            raise BadInput(
                "unread_days",
                (Example(None, (Opt("days", "mon-fri"),)), Example(None, (Opt("days", "sun-thu"),))),
                field="days",
                text=text,
            )
        i, last = DAYS.index(DAY_NAMES[ends[0]]), DAYS.index(DAY_NAMES[ends[-1]])
        days.add(i)
        while i != last:
            i = (i + 1) % 7
            days.add(i)
    return days


def _written(days: set[int]) -> str:
    """Weekday numbers as ranges in week order, a range running on over Sunday where it does (`sun-thu`)."""
    if len(days) == 7:
        return "mon-sun"
    runs = []
    for start in sorted(d for d in days if (d - 1) % 7 not in days):
        end = start
        while (end + 1) % 7 in days:
            end = (end + 1) % 7
        runs.append(DAYS[start] if end == start else f"{DAYS[start]}-{DAYS[end]}")
    return ",".join(runs)


def working_days(text: str | None) -> frozenset[int]:
    """The weekday numbers (Monday 0) of a `days` text; Monday to Friday when unreadable."""
    try:
        return frozenset(_day_set(text or "mon-fri"))
    except BadInput:
        return frozenset(range(5))


def move_to_working_day(day: dt.date, days: frozenset[int], backwards: bool) -> dt.date:
    step = dt.timedelta(days=-1 if backwards else 1)
    for _ in range(7):
        if day.weekday() in days:
            return day
        day += step
    return day


def at_local(day: dt.date, tz: ZoneInfo, time: dt.time = SEND_AT) -> dt.datetime:
    """`time` on `day` in `tz`, as UTC."""
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.timezone.utc)


# -- nudge settings --------------------------------------------------------------------------

MAX_OFFSET = 60
NUDGE_DAYS = msg("nudge_days", limit=MAX_OFFSET)
NUDGE_EXAMPLE = Example(None, (Opt("nudges", "-3,0,1"),), note=msg("nudge_example_note"))


@dataclass(frozen=True)
class NudgeSettings:
    offsets: tuple[int, ...] = (-3, 0, 1)  # days relative to the due date
    repeat_days: int = 7  # then every N days while open (0: never)
    escalate_after_days: int = 7  # overdue this long: tell the region lead, at most weekly (0: never)

    @classmethod
    def parse_offsets(cls, text: str) -> tuple[int, ...]:
        """`-3,0,1` → (-3, 0, 1): whole days from -60 to 60, as many as fit where they are stored."""
        unread = msg("unread_nudge_days", text=text.strip()[:40], rule=NUDGE_DAYS)
        offsets = tuple(
            sorted(
                {
                    limits.whole_number(p, -MAX_OFFSET, MAX_OFFSET, unread, NUDGE_EXAMPLE)
                    for p in re.split(r"[,\s]+", text.strip())
                    if p
                }
            )
        )
        if not offsets:
            raise BadInput(NUDGE_DAYS, NUDGE_EXAMPLE)
        limits.check("nudges", cls.written(offsets))
        return offsets

    @staticmethod
    def written(offsets: tuple[int, ...]) -> str:
        """The offsets as the workspace row stores them."""
        return ",".join(str(o) for o in offsets)

    def describe(self) -> Msg:
        """When an owner is nudged: "3 days before, on the due day, then every 7 days while open"."""
        parts = []
        for o in self.offsets:
            if o < 0:
                parts.append(msg("nudge.before" if o == -1 else "nudge.before_many", days=-o))
            elif o == 0:
                parts.append(msg("nudge.due_day"))
            else:
                parts.append(msg("nudge.after" if o == 1 else "nudge.after_many", days=o))
        said = parts[0] if parts else msg("empty")
        for part in parts[1:]:
            said = msg("comma_list", head=said, tail=part)
        if self.repeat_days:
            said = msg("nudge.then_every", plan=said, days=self.repeat_days)
        return said


@dataclass(frozen=True)
class Occurrence:
    key: str  # unique for its subject: the ledger's occurrence
    at: dt.datetime  # UTC
    day: dt.date  # the local calendar day it is sent on


def _latest(
    candidates: list[Occurrence], now: dt.datetime, not_before: dt.datetime, catch_up: dt.timedelta = CATCH_UP
) -> Occurrence | None:
    due = [c for c in candidates if not_before <= c.at <= now and now - c.at <= catch_up]
    # occurrences moved onto one instant: the last listed (the later offset, the more urgent) wins
    return max(reversed(due), key=lambda c: c.at) if due else None


def _repeats(start: dt.date, every: int, today: dt.date) -> list[dt.date]:
    """The days of a repeat from `start` every `every` days that could be the latest occurrence by `today`:
    those on or before it within a week and one interval (a move to a working day adds at most six days)."""
    if every <= 0 or start > today:
        return []
    window = max(start, today - dt.timedelta(days=every + 7))
    skipped = -(-(window - start).days // every)  # whole intervals before the window, rounded up
    first = dt.datetime.combine(start + dt.timedelta(days=skipped * every), dt.time())
    rule = rrule(DAILY, interval=every, dtstart=first, until=dt.datetime.combine(today, dt.time()))
    return [d.date() for d in rule]


def latest_nudge(
    due: dt.date,
    settings: NudgeSettings,
    tz: ZoneInfo,
    days: frozenset[int],
    now: dt.datetime,
    not_before: dt.datetime,
    snoozed_until: dt.datetime | None = None,
) -> Occurrence | None:
    """The latest nudge occurrence for an action due on `due`, at or before `now`, or None."""
    today = now.astimezone(tz).date()
    candidates = []
    for offset in settings.offsets:
        day = move_to_working_day(due + dt.timedelta(days=offset), days, backwards=offset <= 0)
        candidates.append(Occurrence(f"{due.isoformat()}/{offset:+d}", at_local(day, tz), day))
    last = max(max(settings.offsets), 0)  # with only early nudges, the overdue repeats count from the due day
    if settings.repeat_days:
        start = due + dt.timedelta(days=last + settings.repeat_days)
        for day in _repeats(start, settings.repeat_days, today):
            offset = (day - due).days
            moved = move_to_working_day(day, days, backwards=False)
            candidates.append(Occurrence(f"{due.isoformat()}/{offset:+d}", at_local(moved, tz), moved))
    if snoozed_until is not None:
        snooze = Occurrence(
            f"snooze/{snoozed_until.strftime('%Y%m%dT%H%M')}", snoozed_until, snoozed_until.astimezone(tz).date()
        )
        candidates = [snooze] + [c for c in candidates if c.at >= snoozed_until]
    return _latest(candidates, now, not_before)


def latest_escalation(
    due: dt.date, settings: NudgeSettings, tz: ZoneInfo, days: frozenset[int], now: dt.datetime, not_before: dt.datetime
) -> Occurrence | None:
    if not settings.escalate_after_days:
        return None
    start = due + dt.timedelta(days=settings.escalate_after_days)
    today = now.astimezone(tz).date()
    candidates = []
    for day in _repeats(start, 7, today):
        week = (day - start).days // 7
        moved = move_to_working_day(day, days, backwards=False)
        candidates.append(Occurrence(f"{due.isoformat()}/esc{week}", at_local(moved, tz), moved))
    return _latest(candidates, now, not_before)


# -- summaries -------------------------------------------------------------------------------

SCHEDULE = re.compile(r"^([a-z]+) +([01]?\d|2[0-3]):([0-5]\d)$", re.I)


def check_schedule(text: str) -> str:
    """`mon 09:00`, `Friday 16:30` → the canonical `mon 09:00`; anything else is refused."""
    m = SCHEDULE.match(text.strip())
    if not m or m.group(1).lower() not in DAY_NAMES:
        raise BadInput("unread_summary_time", Example(None, (Opt("summary", "mon 09:00"),)), field="summary", text=text)
    return f"{DAY_NAMES[m.group(1).lower()]} {int(m.group(2)):02d}:{m.group(3)}"


def parse_summary_schedule(text: str) -> tuple[int, dt.time]:
    day, clock = check_schedule(text).split()
    hour, minute = clock.split(":")
    return DAYS.index(day), dt.time(int(hour), int(minute))


def latest_summary(schedule: str, tz: ZoneInfo, now: dt.datetime, not_before: dt.datetime) -> Occurrence | None:
    """The latest weekly summary time at or before `now`; its key is the local ISO week."""
    try:
        weekday, time = parse_summary_schedule(schedule)
    except BadInput:
        weekday, time = 0, SEND_AT
    today = now.astimezone(tz).date()
    day = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    candidates = []
    for back in (0, 7):
        d = day - dt.timedelta(days=back)
        year, week, _ = d.isocalendar()
        candidates.append(Occurrence(f"{year}-W{week:02d}", at_local(d, tz, time), d))
    return _latest(candidates, now, not_before, SUMMARY_CATCH_UP)


# -- snoozing --------------------------------------------------------------------------------


def next_working_morning(now: dt.datetime, tz: ZoneInfo, days: frozenset[int]) -> dt.datetime:
    """09:00 on the next working day after today, in `tz`."""
    today = now.astimezone(tz).date()
    return at_local(move_to_working_day(today + dt.timedelta(days=1), days, backwards=False), tz)


def next_week_morning(now: dt.datetime, tz: ZoneInfo, days: frozenset[int]) -> dt.datetime:
    """09:00 on the first working day of next week, in `tz`: the next working day that follows a rest
    day (Monday for mon-fri, Sunday for sun-thu); a week later when every day is a working day."""
    today = now.astimezone(tz).date()
    for ahead in range(1, 8):
        day = today + dt.timedelta(days=ahead)
        if day.weekday() in days and (day.weekday() - 1) % 7 not in days:
            return at_local(day, tz)
    return at_local(today + dt.timedelta(days=7), tz)
