import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import NO_DUE, ONGOING, DateParseError, Due, format_date, parse_due

D = dt.date
TUE = D(2026, 11, 24)  # a Tuesday
FRI = D(2026, 11, 27)
SAT = D(2026, 11, 28)
SUN = D(2026, 11, 29)


def test_reference_weekdays():
    assert [d.strftime("%A") for d in (TUE, FRI, SAT, SUN)] == ["Tuesday", "Friday", "Saturday", "Sunday"]


@pytest.mark.parametrize(
    "phrase, today, expected",
    [
        # the seed's real inputs
        ("Nov 30, 2014", TUE, D(2014, 11, 30)),
        ("Dec 30, 2014", TUE, D(2014, 12, 30)),
        ("Dec 20, 2014", TUE, D(2014, 12, 20)),
        # month names
        ("30 November 2014", TUE, D(2014, 11, 30)),
        ("NOV 30TH, 2014", TUE, D(2014, 11, 30)),
        ("  nov. 30, 2014. ", TUE, D(2014, 11, 30)),
        ("30-Nov-2014", TUE, D(2014, 11, 30)),
        ("Nov 30 '14", TUE, D(2014, 11, 30)),
        ("30 nov 14", TUE, D(2014, 11, 30)),
        ("Sun 30 Nov 2014", TUE, D(2014, 11, 30)),  # format_date's own output
        ("Dec 20th", TUE, D(2026, 12, 20)),
        ("December 20", TUE, D(2026, 12, 20)),
        ("20 dec", TUE, D(2026, 12, 20)),
        ("sept 3", TUE, D(2027, 9, 3)),
        # no year: next occurrence, today included
        ("Nov 30", TUE, D(2026, 11, 30)),
        ("Nov 20", TUE, D(2027, 11, 20)),
        ("Nov 24", TUE, D(2026, 11, 24)),
        ("Feb 29", TUE, D(2028, 2, 29)),
        ("Feb 29", D(2028, 3, 1), D(2032, 2, 29)),
        ("Jan 1", D(2026, 12, 31), D(2027, 1, 1)),
        # Spanish and French
        ("30 de noviembre de 2014", TUE, D(2014, 11, 30)),
        ("30 noviembre", TUE, D(2026, 11, 30)),
        ("ene 5", TUE, D(2027, 1, 5)),
        ("5 enero 2015", TUE, D(2015, 1, 5)),
        ("1er décembre", TUE, D(2026, 12, 1)),
        ("1er decembre", TUE, D(2026, 12, 1)),
        ("15 février 2015", TUE, D(2015, 2, 15)),
        ("15 fevrier 2015", TUE, D(2015, 2, 15)),
        ("3 août", TUE, D(2027, 8, 3)),
        ("le 3 janv. 2015", TUE, D(2015, 1, 3)),
        # ISO
        ("2014-11-30", TUE, D(2014, 11, 30)),
        ("2014/11/30", TUE, D(2014, 11, 30)),
        # today, tomorrow, weekdays
        ("today", TUE, TUE),
        ("Tomorrow", TUE, D(2026, 11, 25)),
        ("tomorrow", D(2026, 12, 31), D(2027, 1, 1)),
        ("friday", TUE, FRI),
        ("Fri", TUE, FRI),
        ("fri.", TUE, FRI),
        ("tue", TUE, TUE),
        ("tuesday", TUE, TUE),
        ("thurs", TUE, D(2026, 11, 26)),
        ("mon", TUE, D(2026, 11, 30)),
        ("friday", FRI, FRI),
        ("thursday", FRI, D(2026, 12, 3)),
        ("friday", SUN, D(2026, 12, 4)),
        ("sunday", SUN, SUN),
        ("monday", SUN, D(2026, 11, 30)),
        ("next friday", TUE, D(2026, 12, 4)),
        ("next tuesday", TUE, D(2026, 12, 1)),
        ("next monday", TUE, D(2026, 11, 30)),
        ("next friday", FRI, D(2026, 12, 4)),
        ("next friday", SAT, D(2026, 12, 4)),
        ("next friday", SUN, D(2026, 12, 4)),
        ("next sunday", SUN, D(2026, 12, 6)),
        ("next monday", SUN, D(2026, 11, 30)),
        ("this friday", TUE, FRI),
        ("this friday", FRI, FRI),
        ("this friday", SAT, D(2026, 12, 4)),
        ("this monday", TUE, D(2026, 11, 30)),
        # in N units
        ("in 3 days", TUE, D(2026, 11, 27)),
        ("in 2 weeks", TUE, D(2026, 12, 8)),
        ("in two weeks", TUE, D(2026, 12, 8)),
        ("in a week", TUE, D(2026, 12, 1)),
        ("in 1 day", TUE, D(2026, 11, 25)),
        ("In 1 Month", TUE, D(2026, 12, 24)),
        ("in an month", TUE, D(2026, 12, 24)),
        ("in twelve months", TUE, D(2027, 11, 24)),
        ("in 1 year", TUE, D(2027, 11, 24)),
        ("in 1 month", D(2027, 1, 31), D(2027, 2, 28)),
        # end of ...
        ("end of month", TUE, D(2026, 11, 30)),
        ("end of the month", TUE, D(2026, 11, 30)),
        ("end of month", D(2028, 2, 10), D(2028, 2, 29)),
        ("end of week", TUE, FRI),
        ("end of week", FRI, FRI),
        ("end of week", SAT, D(2026, 12, 4)),
        ("end of the week", SUN, D(2026, 12, 4)),
        ("End of Year", TUE, D(2026, 12, 31)),
    ],
)
def test_dates(phrase, today, expected):
    assert parse_due(phrase, today) == Due("date", expected)


@pytest.mark.parametrize(
    "phrase, order, expected",
    [
        ("03/04", "MDY", D(2027, 3, 4)),
        ("3/4/2015", "MDY", D(2015, 3, 4)),
        ("03.04.15", "MDY", D(2015, 3, 4)),
        ("3-4-2015", "MDY", D(2015, 3, 4)),
        ("12/25", "MDY", D(2026, 12, 25)),
        ("11/24", "MDY", TUE),
        ("03/04", "DMY", D(2027, 4, 3)),
        ("3/4/2015", "DMY", D(2015, 4, 3)),
        ("03.04.15", "DMY", D(2015, 4, 3)),
        ("3-4-2015", "DMY", D(2015, 4, 3)),
        ("25/12", "DMY", D(2026, 12, 25)),
        ("30.11.14", "DMY", D(2014, 11, 30)),
        ("15/03/04", "YMD", D(2015, 3, 4)),
        ("03/04", "YMD", D(2027, 3, 4)),
        ("03/04", "dmy", D(2027, 4, 3)),
        # a 4-digit year first is year/month/day whatever the order
        ("2014-11-30", "DMY", D(2014, 11, 30)),
        ("2014.11.30", "MDY", D(2014, 11, 30)),
    ],
)
def test_numeric_dates(phrase, order, expected):
    assert parse_due(phrase, TUE, order) == Due("date", expected)


@pytest.mark.parametrize("phrase", ["ongoing", "On going", "on-going", "Continuous", "ONGOING."])
def test_ongoing(phrase):
    assert parse_due(phrase, TUE) is ONGOING


@pytest.mark.parametrize("phrase", ["none", "No date", "no due date"])
def test_no_due(phrase):
    assert parse_due(phrase, TUE) is NO_DUE


@pytest.mark.parametrize(
    "phrase, order, reason",
    [
        ("asap", "MDY", "couldn't read"),
        ("soon", "MDY", "couldn't read"),
        ("hello world", "MDY", "couldn't read"),
        ("to delays", "MDY", "couldn't read"),
        ("Novembr 30", "MDY", "couldn't read"),
        ("next", "MDY", "couldn't read"),
        ("next week", "MDY", "couldn't read"),
        ("in many weeks", "MDY", "couldn't read"),
        ("in 2 hours", "MDY", "couldn't read"),
        ("1/2/3/4", "MDY", "couldn't read"),
        ("Nov 30 2014 Dec", "MDY", "couldn't read"),
        ("Nov 300", "MDY", "couldn't read"),
        ("30", "MDY", "only a number"),
        ("2014", "MDY", "only a number"),
        ("Nov", "MDY", "day of the month"),
        ("2014-11", "MDY", "day of the month"),
        ("31/02", "MDY", "month/day/year"),
        ("13/04", "MDY", "isn't a real date"),
        ("02/31", "MDY", "isn't a real date"),
        ("31/02", "DMY", "day/month/year"),
        ("29/02/2015", "DMY", "isn't a real date"),
        ("Feb 30", "MDY", "isn't a real date"),
        ("feb 29 2015", "MDY", "isn't a real date"),
        ("Nov 30 1900", "MDY", "between 1970 and 2100"),
        ("1/1/1969", "MDY", "between 1970 and 2100"),
        ("2101-01-01", "MDY", "between 1970 and 2100"),
        ("in 999 years", "MDY", "between 1970 and 2100"),
        ("Nov 30 9am", "MDY", "time"),
        ("Nov 30 9:30", "MDY", "time"),
        ("2014-11-30 09:00", "MDY", "time"),
        ("Nov 30 2014 12", "MDY", "time"),
        ("Fri 30 Nov 2014", "MDY", "Sun 30 Nov 2014"),
    ],
)
def test_rejections(phrase, order, reason):
    with pytest.raises(DateParseError) as info:
        parse_due(phrase, TUE, order)
    message = str(info.value)
    assert f"“{phrase}”" in message
    assert reason in message
    assert "`due " in message


@pytest.mark.parametrize("phrase", ["", "   ", "."])
def test_empty(phrase):
    with pytest.raises(DateParseError, match="`due "):
        parse_due(phrase, TUE)


def test_long_phrase_is_shortened_in_message():
    with pytest.raises(DateParseError) as info:
        parse_due("x" * 500, TUE)
    assert len(str(info.value)) < 200


def test_bad_date_order_is_a_programming_error():
    with pytest.raises(ValueError) as info:
        parse_due("03/04", TUE, "MYD")
    assert not isinstance(info.value, DateParseError)


@pytest.mark.parametrize(
    "date, text",
    [
        (D(2014, 11, 30), "Sun 30 Nov 2014"),
        (D(2015, 3, 2), "Mon 2 Mar 2015"),
        (D(2026, 11, 24), "Tue 24 Nov 2026"),
        (D(2000, 2, 29), "Tue 29 Feb 2000"),
        (D(2014, 12, 20), "Sat 20 Dec 2014"),
        (D(2027, 1, 7), "Thu 7 Jan 2027"),
    ],
)
def test_format_date(date, text):
    assert format_date(date) == text


def test_describe():
    assert str(Due("date", D(2014, 11, 30)).describe()) == "Sun 30 Nov 2014"
    assert str(ONGOING.describe()) == "ongoing"
    assert str(NO_DUE.describe()) == "no due date"


def test_due_is_frozen_and_consistent():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ONGOING.kind = "none"
    with pytest.raises(ValueError):
        Due("date")
    with pytest.raises(ValueError):
        Due("ongoing", TUE)


_todays = st.dates(D(1980, 1, 1), D(2090, 12, 31))
_orders = st.sampled_from(["MDY", "DMY", "YMD"])
# Date-like fragments reach deeper into the parser than uniformly random text does.
_datey = st.lists(
    st.sampled_from(
        list("0123456789/.-,' :")
        + ["nov", "feb", "fri", "in ", "next ", "de ", "th", "er", "am", "week", "a ", "end of "]
    )
).map("".join)


@settings(max_examples=300)
@given(text=st.one_of(st.text(), _datey), today=_todays, order=_orders)
def test_any_text_gives_due_or_date_parse_error(text, today, order):
    try:
        due = parse_due(text, today, order)
    except DateParseError as err:
        assert "`due " in str(err)
    else:
        assert isinstance(due, Due)
        if due.kind == "date":
            assert 1970 <= due.date.year <= 2100


@given(date=st.dates(D(1970, 1, 1), D(2100, 12, 31)), today=_todays, order=_orders)
def test_round_trip(date, today, order):
    assert parse_due(format_date(date), today, order).date == date
    assert parse_due(date.isoformat(), today, order).date == date
