"""How the atlas words dates, periods, money and time left: one wording, used everywhere.

Popups, tooltips, tables, charts and the site panel all call these, so a period with no
end reads "ongoing" wherever it is shown, a rent "US$115 m a year", a day "07 Jun 2010".
Names (sites, countries, vocabulary labels) come from :class:`strategic_sites.view.language.Names`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

OPEN_END = "ongoing"  # the end of a period or lease that has none
# NUL and the other C0/C1 control characters: no place in text (tab, line feed, CR aside).
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
UNKNOWN_RENT = "not known"


def line_and_column(text: str, at: int) -> tuple[int, int]:
    """Where offset ``at`` of a text is, as a contributor finds it in an editor: its line and the
    character on that line, both counted from 1."""
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def blank(value) -> bool:
    return value is None or value == "" or (not isinstance(value, str) and pd.isna(value))


def plural(n, noun: str, nouns: str | None = None) -> str:
    """A count and its noun, agreeing: ``1 site``, ``3 sites``, ``1,204 events``, ``0 sources``;
    ``nouns`` for a plural not made with "s" (``plural(2, "country", "countries")``)."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def size(count: int, binary: bool = False) -> str:
    """A byte count for people, in one wording wherever a size or a limit is said: ``980 bytes``,
    ``1.3 MB``, ``40 MB``; with ``binary``, units of 1,024 (``62.1 MiB``: Streamlit's upload limit
    is set in MiB). Rounded up to a tenth, so a size over a limit never reads as the limit itself
    (40,000,001 bytes is ``40.1 MB``, not ``40.0 MB``); whole numbers lose their ``.0``; never 1,000
    of a unit (``1 MB``, not ``1,000 kB``)."""
    base = 1024 if binary else 1000
    if count < 1000:
        return plural(count, "byte")
    units = ("KiB", "MiB", "GiB", "TiB") if binary else ("kB", "MB", "GB", "TB")
    power = 1
    while power < len(units) and -(-count * 10 // base**power) >= 10_000:  # 1,000 of a unit: the next one says it
        power += 1
    whole, tenth = divmod(-(-count * 10 // base**power), 10)  # tenths, rounded up
    return f"{whole:,}{f'.{tenth}' if tenth else ''} {units[power - 1]}"


def day(value: date) -> str:
    """A day as the atlas shows it: ``07 Jun 2010``."""
    return f"{value:%d %b %Y}"


def end(value) -> str:
    """The end of a period or lease as written in the data, or "ongoing"."""
    return OPEN_END if blank(value) else str(value)


def period(start, finish) -> str:
    """``1994 – 2050``, or ``1994 – ongoing``."""
    return f"{start} – {end(finish)}"


def since(start, finish) -> str:
    """``1994 – 2050``, or ``since 1994`` for a period still running: the short form of
    :func:`period` for a status on a date."""
    return f"since {start}" if blank(finish) else period(start, finish)


def money(value) -> str:
    """An annual rent: ``US$115 m a year``, ``US$4,500 a year``, or "not known"."""
    if blank(value):
        return UNKNOWN_RENT
    value = float(value)
    if value >= 1_000_000:
        return f"US${value / 1_000_000:,.2f} m a year".replace(".00 m", " m")
    if value >= 1_000:
        return f"US${value:,.0f} a year"
    return f"US${value:g} a year"


def years_left(value) -> str:
    """Years left of a lease: ``23.5 years left``, "ended", or "ongoing" (no end date)."""
    if blank(value):
        return OPEN_END
    if value < 0:
        return "ended"
    return f"{value:.1f} years left"


def disputed_column(confidence, dispute_field) -> str:
    """The column a disputed fact's sources disagree on, in words (``annual rent usd``); ""
    for a fact that is not disputed."""
    return str(dispute_field).replace("_", " ") if str(confidence) == "disputed" and dispute_field else ""


def lease_term(lease) -> str:
    """``to 2050 (terms in force since 2010-06-07)``: the end users ask about first."""
    return f"{lease_end(lease)} (terms in force since {lease['start']})"


def lease_end(lease) -> str:
    """``to 2050``, or "ongoing"."""
    return f"to {lease['end']}" if not blank(lease["end"]) else OPEN_END
