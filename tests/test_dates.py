import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from strategic_sites.core.dates import is_partial_date, parse_partial


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


# Text that looks like a date: digits of any script (Unicode category Nd: ٢٠١٣, २०१३, ２０１３),
# hyphens and spaces, so that near misses are tried as often as plain noise.
DATE_LIKE = st.text(alphabet=st.characters(categories=["Nd"]) | st.sampled_from("-0123456789 "), max_size=12)


@given(st.text(max_size=20) | DATE_LIKE)
@example("٢٠١٣")
def test_any_text_parses_or_raises_value_error(text):
    """Whatever parses is written in ASCII digits and hyphens, and is how its first day is written."""
    try:
        parsed = parse_partial(text)
    except ValueError:
        assert not is_partial_date(text)
        return
    written = text.strip()
    assert re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", written), f"{text!r} parsed as a date"
    assert parsed.first.isoformat().startswith(written) and parsed.last.isoformat().startswith(written)
    assert is_partial_date(text)


@pytest.mark.parametrize(
    "text",
    ["٢٠١٣", "٢٠١٣-٠٢", "2013-٠٢-08", "۲۰۱۳", "२०१३", "２０１３", "2013-02-0８", "１９９１-12-25"],
)
def test_digits_of_other_scripts_are_not_a_date(text):
    """int() reads them (int("٢٠١٣") == 2013), but a date in the data is written in ASCII digits."""
    assert not is_partial_date(text)
    with pytest.raises(ValueError, match="is not an ISO date") as info:
        parse_partial(text)
    assert repr(text) in str(info.value)
