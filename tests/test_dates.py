from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategic_sites.dates import parse_partial


@pytest.mark.parametrize(
    "text, precision, first, last",
    [
        ("2013", "year", date(2013, 1, 1), date(2013, 12, 31)),
        ("2013-02", "month", date(2013, 2, 1), date(2013, 2, 28)),
        ("2012-02", "month", date(2012, 2, 1), date(2012, 2, 29)),
        ("2013-07-02", "day", date(2013, 7, 2), date(2013, 7, 2)),
    ],
)
def test_partial_dates_cover_their_whole_year_month_or_day(text, precision, first, last):
    parsed = parse_partial(text)
    assert (parsed.precision, parsed.first, parsed.last) == (precision, first, last)


@pytest.mark.parametrize("text", ["", "13", "2013-2", "2013-13", "2013-02-30", "02/07/2013", "2013-07-02T00:00", "soon"])
def test_malformed_dates_are_refused_with_the_value_named(text):
    with pytest.raises(ValueError, match="2013|ISO|calendar|month") as info:
        parse_partial(text)
    assert repr(text) in str(info.value)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_every_calendar_day_round_trips(day):
    parsed = parse_partial(day.isoformat())
    assert parsed.first == parsed.last == day
    assert parse_partial(day.isoformat()[:7]).first <= day <= parse_partial(day.isoformat()[:7]).last
    assert parse_partial(day.isoformat()[:4]).first <= day <= parse_partial(day.isoformat()[:4]).last


@given(st.text(max_size=20))
def test_any_text_parses_or_raises_value_error(text):
    try:
        parse_partial(text)
    except ValueError:
        pass
