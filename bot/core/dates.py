"""Due-date phrases: turn what a user typed after `due` into a `Due`, and dates back into text.

Platform-neutral (stdlib + python-dateutil). The caller passes `today`, so nothing here reads the
clock. Accepted phrases:

- `2014-11-30`; numeric `03/04`, `3/4/2015`, `03.04.15`, `3-4-2015`, read in the workspace's
  `date_order` ("MDY", "DMY" or "YMD"; a leading 4-digit year always means Y-M-D); 2-digit years
  are 20xx.
- month names, with or without a year: `Nov 30`, `Nov 30, 2014`, `30 November 2014`, `Dec 20th`,
  also Spanish and French (`30 de noviembre`, `1er décembre`). A leading weekday is allowed but
  must match the date (`Sun 30 Nov 2014`, as `format_date` writes it).
- `today`, `tomorrow`, `friday`/`fri` (first one on or after today), `this friday` (same),
  `next friday` (the Friday of next week; weeks start on Monday).
- `in 3 days`, `in a week`, `in two months`, `in 1 year`.
- `end of week` (first Friday on or after today), `end of (the) month`, `end of year`.
- `ongoing`, `on going`, `on-going`, `continuous` -> ONGOING; `none`, `no date` -> NO_DUE.

A date without a year is its next occurrence, today included. Times of day (`Nov 30 9am`) are
rejected rather than silently dropped, and so is a phrase longer than MAX_PHRASE characters.
Anything else raises DateParseError, whose text is a short message for the user.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from dateutil import parser as du_parser
from dateutil.relativedelta import FR, MO, relativedelta

from bot.core.errors import too_long
from bot.messages import PLAIN, Example, Msg, msg, render

MIN_YEAR, MAX_YEAR = 1970, 2100
MAX_PHRASE = 100  # characters; the longest real phrase ("au plus tard le 30 novembre 2014") has 32
EXAMPLES = msg(
    "date_examples",
    a=Example(None, ("due", "Nov", "30")),
    b=Example(None, ("due", "2014-11-30")),
    c=Example(None, ("due", "friday")),
    d=Example(None, ("due", "in", "2", "weeks")),
)

_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DateParseError(ValueError):
    """What was wrong with a date phrase, with examples: `message` for the user, `str(err)` neutral."""

    def __init__(self, message: Msg):
        self.message = message
        super().__init__(render(message, PLAIN))


@dataclass(frozen=True)
class Due:
    kind: str  # "date", "ongoing" or "none"
    date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("date", "ongoing", "none") or (self.kind == "date") != (self.date is not None):
            raise ValueError(f"inconsistent Due: {self.kind!r}, {self.date!r}")

    def describe(self) -> Msg:
        if self.date is not None:
            return msg("due.on", date=format_date(self.date))
        return msg("due.ongoing" if self.kind == "ongoing" else "due.none")


ONGOING = Due("ongoing")
NO_DUE = Due("none")


def format_date(d: dt.date) -> str:
    """`Sun 30 Nov 2014`: English abbreviations whatever the locale, day without a leading zero."""
    return f"{_WEEKDAY_ABBR[d.weekday()]} {d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"


class _Info(du_parser.parserinfo):
    """dateutil's English names plus Spanish and French ones (matched after accents are removed)."""

    JUMP = du_parser.parserinfo.JUMP + ["de", "del", "le", "er"]
    # dateutil reads any number of names a day or month; its stubs allow two or three
    WEEKDAYS: list[tuple[str, ...]] = [  # type: ignore[assignment]
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    ]
    MONTHS: list[tuple[str, ...]] = [  # type: ignore[assignment]
        ("jan", "january", "ene", "enero", "janv", "janvier"),
        ("feb", "february", "febrero", "fev", "fevr", "fevrier"),
        ("mar", "march", "marzo", "mars"),
        ("apr", "april", "abr", "abril", "avr", "avril"),
        ("may", "mayo", "mai"),
        ("jun", "june", "junio", "juin"),
        ("jul", "july", "julio", "juil", "juillet"),
        ("aug", "august", "ago", "agosto", "aout"),
        ("sep", "sept", "september", "set", "septiembre", "setiembre", "septembre"),
        ("oct", "october", "octubre", "octobre"),
        ("nov", "november", "noviembre", "novembre"),
        ("dec", "december", "dic", "diciembre", "decembre"),
    ]

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        # dateutil would pick the century from the clock; we want 2-digit years to mean 20xx.
        return year + 2000 if year < 100 and not century_specified else year


_INFO = _Info()
_PARSER = du_parser.parser(_INFO)
# dateutil fills missing fields from `default`; a field the user gave is the same under both.
# Day 1 vs 8 keeps even "weekday + month" (dateutil's next-weekday fill) from agreeing by chance;
# Jan/Mar have 31 days and 2000/2004 are leap years, so no real date is refused by a default.
_DEFAULTS = (dt.datetime(2000, 1, 1, 0, 0, 0), dt.datetime(2004, 3, 8, 1, 1, 1))

_ONGOING = {"ongoing", "on going", "on-going", "continuous"}
_NONE = {"none", "no date", "no due date"}
_NUMBER_WORDS = {
    w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_NUMBER_WORDS.update(a=1, an=1)
_ORDER_NAMES = {"MDY": "date_order.mdy", "DMY": "date_order.dmy", "YMD": "date_order.ymd"}

_IN = re.compile(r"in (\d{1,3}|[a-z]+) (day|week|month|year)s?", re.ASCII)
_END = re.compile(r"end of (?:the |this )?(week|month|year)")
_WEEKDAY = re.compile(r"(?:(next|this) )?([a-z]+)")
_NUMERIC = re.compile(r"(\d{1,4})([/.-])(\d{1,2})(?:\2(\d{1,4}))?", re.ASCII)
_TIME = re.compile(r"\b\d{1,2}(?::\d\d)?\s*[ap]\.?m\b|\b\d{1,2}:\d\d\b|\bnoon\b|\bmidnight\b", re.ASCII)
_NAMED_TOKEN = re.compile(r"\d{1,2}(?:st|nd|rd|th|er)?|[1-9]\d{3}|of|de|del|le", re.ASCII)


def parse_due(phrase: str, today: dt.date, date_order: str = "MDY") -> Due:
    """Read a due-date phrase (see the module docstring) relative to `today`."""
    order = date_order.upper()
    if order not in _ORDER_NAMES:
        raise ValueError(f"date_order must be MDY, DMY or YMD, not {date_order!r}")
    if len(phrase) > MAX_PHRASE:
        _fail(too_long(msg("field.due"), MAX_PHRASE, len(phrase)))
    shown = phrase.strip()
    if len(shown) > 60:
        shown = shown[:57] + "…"
    text = _normalize(phrase)
    if not text:
        _fail(msg("date_missing"))
    if text in _ONGOING:
        return ONGOING
    if text in _NONE:
        return NO_DUE
    if _TIME.search(text):
        _fail(msg("date_has_time", text=shown))
    if text.isascii() and re.fullmatch(r"\d+(?:st|nd|rd|th)?", text):
        _fail(msg("date_only_number", text=shown))
    date = _relative(text, today) or _numeric(text, today, order, shown) or _named(text, today, shown)
    if date is None:
        _fail(msg("date_unread", text=shown))
    _check_year(date.year, shown)
    return Due("date", date)


_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2})([/.-])(\d{1,2})(?:\2(?:\d{4}|\d{2}))?(?!\d)", re.ASCII)


def order_shown_by(texts: Iterable[str], order: str) -> tuple[str, str | None]:
    """The order a column of dates is written in: `order`, unless one of them can only be read the other
    way round (“31/01/2015” only day first, “01/31/2015” only month first) and none only `order`'s way;
    then the other order, and the text that shows it."""
    if order not in ("MDY", "DMY"):
        return order, None
    day_first = month_first = None
    for text in texts:
        for m in _DAY_MONTH.finditer(text):
            first, second = int(m[1]), int(m[3])
            if 12 < first <= 31 and 1 <= second <= 12:
                day_first = day_first or m[0]
            elif 12 < second <= 31 and 1 <= first <= 12:
                month_first = month_first or m[0]
    if order == "MDY" and day_first and not month_first:
        return "DMY", day_first
    if order == "DMY" and month_first and not day_first:
        return "MDY", month_first
    return order, None


def order_name(order: str) -> Msg:
    """“day/month/year” for DMY, and so on."""
    return msg(_ORDER_NAMES[order])


def _fail(problem: Msg) -> NoReturn:
    raise DateParseError(msg("date_with_examples", problem=problem, examples=EXAMPLES))


def _check_year(year: int, shown: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        _fail(msg("date_out_of_range", text=shown, low=MIN_YEAR, high=MAX_YEAR))


def _normalize(phrase: str) -> str:
    """Lower case, accents removed, whitespace collapsed, trailing punctuation dropped."""
    text = "".join(c for c in unicodedata.normalize("NFKD", phrase) if not unicodedata.combining(c))
    return " ".join(text.lower().split()).rstrip(".,;:!?").strip()


def _relative(text: str, today: dt.date) -> dt.date | None:
    if text == "today":
        return today
    if text == "tomorrow":
        return today + relativedelta(days=1)
    if m := _IN.fullmatch(text):
        count = int(m[1]) if m[1].isdigit() else _NUMBER_WORDS.get(m[1])
        # the unit names the keyword; dateutil's stubs also match ** against the positional dt1
        return None if count is None else today + relativedelta(**{m[2] + "s": count})  # type: ignore[arg-type]
    if m := _END.fullmatch(text):
        # relativedelta's absolute day=31 is clamped to the month's last day.
        step = {
            "week": relativedelta(weekday=FR),
            "month": relativedelta(day=31),
            "year": relativedelta(month=12, day=31),
        }[m[1]]
        return today + step
    if (m := _WEEKDAY.fullmatch(text)) and (wd := _INFO.weekday(m[2])) is not None:
        if m[1] == "next":
            next_monday = today + relativedelta(days=1, weekday=MO)
            return next_monday + relativedelta(weekday=wd)
        # "this friday" is this week's Friday if still ahead, else the next one: same as "friday".
        return today + relativedelta(weekday=wd)
    return None


def _numeric(text: str, today: dt.date, order: str, shown: str) -> dt.date | None:
    if not (m := _NUMERIC.fullmatch(text)):
        return None
    parts = [p for p in (m[1], m[3], m[4]) if p]
    if len(m[1]) == 4:
        if len(parts) == 2:
            _fail(msg("date_needs_day", text=shown))
        order = "YMD"
    fields = dict(zip(order if len(parts) == 3 else order.replace("Y", ""), parts))
    if any(len(fields[k]) > 2 for k in "MD") or len(fields.get("Y", "00")) not in (2, 4):
        return None
    month, day = int(fields["M"]), int(fields["D"])
    year = int(fields["Y"]) if "Y" in fields else None
    if year is not None:
        year += 2000 if len(fields["Y"]) == 2 else 0
        _check_year(year, shown)
    date = _resolve(year, month, day, today)
    if date is None:
        _fail(msg("date_not_real_order", text=shown, order=msg(_ORDER_NAMES[order])))
    return date


def _named(text: str, today: dt.date, shown: str) -> dt.date | None:
    """Dates with a month name, read by dateutil (not fuzzily: every token has to be understood)."""
    tokens = [t for t in re.split(r"[\s,./'-]+", text) if t]
    weekdays = {_INFO.weekday(t) for t in tokens} - {None}
    if not any(_INFO.month(t) for t in tokens) or not all(
        _INFO.month(t) or _INFO.weekday(t) is not None or _NAMED_TOKEN.fullmatch(t) for t in tokens
    ):
        return None
    try:
        a, b = (_PARSER.parse(text, default=d) for d in _DEFAULTS)
    except ValueError as err:
        if err.__cause__ is not None:  # dateutil read the fields but they make no date (Feb 30)
            _fail(msg("date_not_real", text=shown))
        return None
    except OverflowError:
        return None
    if a.hour == b.hour or a.minute == b.minute or a.second == b.second:
        _fail(msg("date_has_time", text=shown))
    if a.day != b.day or a.month != b.month:
        _fail(msg("date_needs_day", text=shown))
    date = _resolve(a.year if a.year == b.year else None, a.month, a.day, today)
    if date is None:
        _fail(msg("date_not_real", text=shown))
    if weekdays and weekdays != {date.weekday()}:
        _fail(msg("date_adds_up", text=shown, date=format_date(date)))
    return date


def _resolve(year: int | None, month: int, day: int, today: dt.date) -> dt.date | None:
    """The date, or without a year its next occurrence on or after today; None if impossible."""
    # Feb 29 can be 8 years away (2096 -> 2104).
    for y in [year] if year is not None else range(today.year, today.year + 9):
        try:
            date = dt.date(y, month, day)
        except ValueError:
            continue
        if year is not None or date >= today:
            return date
    return None


def utc_now() -> dt.datetime:
    """The wall clock, in UTC: the default `now` of the processes (tests pass their own)."""
    return dt.datetime.now(dt.timezone.utc)
