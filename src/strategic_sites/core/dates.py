"""ISO 8601 dates of year, month or day precision (``2013``, ``2013-02``, ``2013-02-08``)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# ASCII digits only: \d also matches the digits of other scripts (Arabic-Indic ٢٠١٣, Devanagari,
# fullwidth), which int() reads, so such text would pass for a date.
_PARTIAL = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day, as the interval of days it covers."""

    text: str
    precision: str  # "year", "month" or "day"
    first: date
    last: date


def parse_partial(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` saying why not."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return _parse(text)


# Loading checks and converts each distinct date a few times (is it a date? of which form?
# first day, last day); the cache parses it once. Bounded: a column of 100,000 events holds a
# few thousand distinct dates. Only valid dates are cached (a ValueError is not).
@lru_cache(maxsize=1 << 16)
def _parse(text: str) -> PartialDate:
    match = _PARTIAL.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    if year < 1:
        raise ValueError(f"{text!r} has year 0")
    if month is None:
        return PartialDate(text, "year", date(year, 1, 1), date(year, 12, 31))
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return PartialDate(text, "month", date(year, month, 1), date(year, month, last_day))
    if not 1 <= day <= last_day:
        raise ValueError(f"{text!r} is not a day of the calendar")
    return PartialDate(text, "day", date(year, month, day), date(year, month, day))


def is_partial_date(text: str) -> bool:
    try:
        parse_partial(text)
    except ValueError:
        return False
    return True


def first_day(text: str) -> date:
    return parse_partial(text).first


# The precision a date's written form gives, by its length: 2013, 2013-02, 2013-02-08.
DATE_PRECISIONS_BY_FORM = {4: "year", 7: "month", 10: "day"}
