"""pandera schemas for the files in ``geodata/``: one schema per file, on the raw text.

Every file is read as text (blank cells are empty strings), so each check says in
words what a contributor must fix; :func:`strategic_sites.data.validation.validate_frame`
turns a failed check into a problem naming file, row and column. Every check here is
the project's own (uniqueness too), with its message, so that reading pandera's report
needs none of pandera's internal check names. Checks across files (ids that must
resolve, overlapping periods) live in :mod:`strategic_sites.data.checks`.

The checks are vectorised (the column tests live in :mod:`strategic_sites.data.columns`), so that a
file of 100,000 events is checked in about a second: ``isin`` for vocabularies, ``pd.to_numeric``
for numbers, one tight pass for spaces, and otherwise the rule's Python test run once per
*distinct* value of a column (100,000 events hold about 12,000 distinct dates and a few thousand
source lists). Each rule still means exactly what its Python test means, value for value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

# split_list is also imported from here (by mapdata, tables and tests).
from strategic_sites.data.columns import each, matching, numeric, one_of, split_list, stripped, unique_cells
from strategic_sites.core.dates import DATE_PRECISIONS_BY_FORM, is_partial_date
from strategic_sites.core.vocab import (
    AREA_KINDS,
    CONFIDENCE,
    SOURCE_KINDS,
    DATE_PRECISIONS,
    EVENT_KINDS,
    LOCATION_PRECISIONS,
    OPERATORS,
    SITE_KINDS,
    STATUSES,
    is_iso3,
)

# No dtype is checked: the readers (strategic_sites.data.reading) make every cell a Python string
# (blank cells ""). (pandera's ``str`` on pandas 3 tests every cell of an object column with a
# Python call, and refuses every column of a file that has no rows.)
TEXT = None

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://[^\s<>\"']+$")


# --- checks ------------------------------------------------------------------------------------


def _check(test, message: str) -> pa.Check:
    """A pandera check with the message a contributor reads. Cells are never null, so no null handling."""
    return pa.Check(test, error=message, ignore_na=False)


def _column(check: pa.Check, unique: bool = False, required: bool = True) -> pa.Column:
    # nullable=True only spares pandera a null scan of every column: the readers never make a
    # null cell (a blank cell is ""), and blank cells are judged by the checks.
    checks = [_check(unique_cells, "is used more than once; ids must be unique"), check] if unique else [check]
    return pa.Column(TEXT, checks=checks, required=required, nullable=True)


def _in_range(low: float, high: float):
    return lambda x: (low <= x) & (x <= high)  # NaN (not a number) is in no range


def _non_negative(x: np.ndarray) -> np.ndarray:
    return x >= 0


def _positive(x: np.ndarray) -> np.ndarray:
    return x > 0


def _slug_list(value: str) -> bool:
    items = split_list(value)
    return bool(items) and all(map(SLUG.match, items))


def _iso3_list(value: str) -> bool:
    items = split_list(value)
    return bool(items) and all(is_iso3(item, former=True) for item in items)


def _choices(values) -> str:
    return ", ".join(values)


# --- column kinds ------------------------------------------------------------------------------


def text(required: bool = True) -> pa.Column:
    return _column(_check(stripped(blank_ok=not required), "must not be blank or start/end with spaces" if required else "must not start or end with spaces"))


def rule(test, message: str, blank_ok: bool = False, unique: bool = False) -> pa.Column:
    return _column(_check(each(test, blank_ok), message), unique=unique)


def number(test, message: str, blank_ok: bool = False) -> pa.Column:
    """A number (as Python's ``float`` reads it) for which ``test``, vectorised over a float array, holds."""
    return _column(_check(numeric(test, blank_ok), message))


def slug(unique: bool = False, blank_ok: bool = False) -> pa.Column:
    message = "must be a lowercase slug (letters, digits, hyphens)"
    if unique:  # every cell differs: one pass of the regex beats finding the distinct values first
        return _column(_check(matching(SLUG, blank_ok), message), unique=True)
    return rule(SLUG.match, message, blank_ok=blank_ok)


def _name_list(value: str) -> bool:
    names = value.split(";")
    return all(name and name == name.strip() for name in names)


def slugs() -> pa.Column:
    return rule(_slug_list, "must list one or more source ids separated by ';'")


def choice(values, blank_ok: bool = False, required: bool = True) -> pa.Column:
    return _column(_check(one_of(values, blank_ok), f"must be one of: {_choices(values)}"), required=required)


def graded() -> dict[str, pa.Column]:
    """How sure a fact is, and a disputed fact's other value: optional columns (a file without
    them grades every row ``reported``); when present, every row is graded. Whether the dispute
    columns are filled exactly for the disputed rows is checked in :func:`strategic_sites.data.checks.disputes`."""
    message = "must be blank or not start or end with spaces"
    optional = lambda: _column(_check(stripped(blank_ok=True), message), required=False)  # noqa: E731
    return {
        "confidence": choice(CONFIDENCE, required=False),
        "dispute_field": optional(),
        "dispute_value": optional(),
        "dispute_source_id": _column(_check(each(_slug_list, True), "must be blank or list source ids separated by ';'"), required=False),
    }


def iso_date(blank_ok: bool = False) -> pa.Column:
    return rule(is_partial_date, "must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD", blank_ok=blank_ok)


def iso3(blank_ok: bool = False) -> pa.Column:
    return rule(is_iso3, "must be an ISO 3166-1 alpha-3 country code such as KAZ", blank_ok=blank_ok)


def iso3_list() -> pa.Column:
    return rule(
        _iso3_list,
        "must list ISO 3166-1 alpha-3 country codes separated by ';' (former countries as in ISO 3166-3, e.g. SUN)",
    )


def _date_matches_precision(df: pd.DataFrame) -> pd.Series:
    """A date of a known precision is written in that precision's form (2013, 2013-02, 2013-02-08).

    Without either column every row passes: the missing column is the problem reported."""
    if "date" not in df.columns or "date_precision" not in df.columns:
        return pd.Series(True, index=df.index)
    dates = df["date"].to_numpy(dtype=object)
    forms = {d: DATE_PRECISIONS_BY_FORM[len(d.strip())] if is_partial_date(d) else None for d in set(dates)}
    form = np.fromiter(map(forms.__getitem__, dates), dtype=object, count=len(dates))
    precisions = df["date_precision"].to_numpy(dtype=object)
    known = pd.Series(precisions, dtype=object).isin(DATE_PRECISIONS).to_numpy()
    return pd.Series((form == None) | ~known | (form == precisions), index=df.index)  # noqa: E711 (elementwise)


SOURCES = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "title": text(),
        "publisher": text(),
        "published": iso_date(blank_ok=True),
        "url": rule(URL.match, "must be blank or an http(s) URL", blank_ok=True),
        "author": text(required=False),
        "note": text(required=False),
        # What the source is and whose story it relays, for the grading rule (data/grading.py): optional.
        "kind": choice(SOURCE_KINDS, blank_ok=True, required=False),
        "origin": _column(_check(stripped(blank_ok=True), "must be blank or not start or end with spaces"), required=False),
    },
    name="sources.csv",
)

SITES = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "name": text(),
        "name_ru": text(required=False),
        # Other names (former, local, transliterated, designations) for search: optional column.
        "aliases": _column(_check(each(_name_list, True), "must be blank or names separated by ';', none blank and none with spaces at its ends"), required=False),
        "kind": choice(SITE_KINDS),
        "country": iso3(),
        "place": text(),
        # Where the site lies, for search (each optional; several names separated by ';'): the
        # district, region or oblast, and the lake it is on, as the site's cited sources name them.
        **{field: _column(_check(each(_name_list, True), "must be blank or names separated by ';', none blank and none with spaces at its ends"), required=False)
           for field in ("district", "region", "lake")},
        "summary": text(),
        "location_precision": choice(LOCATION_PRECISIONS),
        "sources": slugs(),
        "lon": number(_in_range(-180, 180), "longitude must be a number in [-180, 180]"),
        "lat": number(_in_range(-90, 90), "latitude must be a number in [-90, 90]"),
    },
    name="sites.geojson",
)

CONTROL = pa.DataFrameSchema(
    {
        "site_id": slug(),
        "start": iso_date(),
        "end": iso_date(blank_ok=True),
        "status": choice(STATUSES),
        "operator": text(required=False),
        # The operator grouped for the operator filter; optional (a folder without it: no group).
        "operator_group": choice(OPERATORS, blank_ok=True, required=False),
        "note": text(required=False),
        "source_id": slugs(),
        **graded(),
    },
    name="control.csv",
)

LEASES = pa.DataFrameSchema(
    {
        "site_id": slug(),
        "lessor": iso3(),
        "lessee": iso3(),
        "signed": iso_date(blank_ok=True),
        "start": iso_date(),
        "end": iso_date(blank_ok=True),
        "annual_rent_usd": number(_non_negative, "must be blank or a number of US dollars (0 or more)", blank_ok=True),
        "area_km2": number(_positive, "must be blank or a positive number of km²", blank_ok=True),
        "note": text(required=False),
        "source_id": slugs(),
        **graded(),
    },
    name="leases.csv",
)

EVENTS = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "date": iso_date(),
        "date_precision": choice(DATE_PRECISIONS),
        "site_id": slug(blank_ok=True),
        "lat": number(_in_range(-90, 90), "latitude must be blank or a number in [-90, 90]", blank_ok=True),
        "lon": number(_in_range(-180, 180), "longitude must be blank or a number in [-180, 180]", blank_ok=True),
        "kind": choice(EVENT_KINDS),
        "title": text(),
        "summary": text(required=False),
        "countries": iso3_list(),
        "source_id": slugs(),
        "concerns": _column(
            _check(each(lambda v: all(map(SLUG.match, split_list(v))), blank_ok=True), "must be blank or list site ids separated by ';'"),
            required=False,
        ),
        # Optional: a reviewer's note, e.g. the reason for a grade the rule would refuse (data/grading.py).
        "note": _column(_check(stripped(blank_ok=True), "must be blank or not start or end with spaces"), required=False),
        **graded(),
    },
    checks=[_check(_date_matches_precision, "date_precision does not match the form of date")],
    name="events.csv",
)

AREAS = pa.DataFrameSchema(
    {
        "site_id": slug(),
        "area_kind": choice(AREA_KINDS),
        "area_km2": number(_positive, "must be blank or a positive number of km²", blank_ok=True),
        "drawn_as": text(),
        "source_id": slugs(),
    },
    name="areas.geojson",
)

COUNTRIES = pa.DataFrameSchema(
    {
        "iso3": iso3(),
        "name": text(),
    },
    name="countries.geojson",
)
