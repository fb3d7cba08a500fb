"""pandera schemas for the files in ``geodata/``: one schema per file, on the raw text.

Every file is read as text (blank cells are empty strings), so each check says in
words what a contributor must fix. Checks across files (ids that must resolve,
overlapping periods) live in :mod:`strategic_sites.data`.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from strategic_sites.dates import DATE_PRECISIONS_BY_FORM, is_partial_date
from strategic_sites.vocab import (
    AREA_KINDS,
    DATE_PRECISIONS,
    EVENT_KINDS,
    LOCATION_PRECISIONS,
    SITE_KINDS,
    STATUSES,
    is_iso3,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://[^\s<>\"']+$")


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell into its trimmed, non-blank items."""
    return [item.strip() for item in str(value).split(";") if item.strip()]


def _each(test, blank_ok: bool):
    def check(series: pd.Series) -> pd.Series:
        return series.map(lambda v: (blank_ok and v == "") or (v != "" and bool(test(v))))

    return check


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _in_range(low: float, high: float):
    return lambda v: _number(v) and low <= float(v) <= high


def _non_negative(value: str) -> bool:
    return _number(value) and float(value) >= 0


def _positive(value: str) -> bool:
    return _number(value) and float(value) > 0


def _choices(values) -> str:
    return ", ".join(values)


def text(required: bool = True) -> pa.Column:
    checks = [pa.Check(_each(lambda v: v.strip() == v, blank_ok=not required), error="must not be blank or start/end with spaces" if required else "must not start or end with spaces")]
    return pa.Column(str, checks=checks)


def rule(test, message: str, blank_ok: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(str, checks=[pa.Check(_each(test, blank_ok), error=message)], unique=unique)


def slug(unique: bool = False, blank_ok: bool = False) -> pa.Column:
    return rule(SLUG.match, "must be a lowercase slug (letters, digits, hyphens)", blank_ok=blank_ok, unique=unique)


def slugs() -> pa.Column:
    return rule(
        lambda v: split_list(v) and all(SLUG.match(i) for i in split_list(v)),
        "must list one or more source ids separated by ';'",
    )


def choice(values, blank_ok: bool = False) -> pa.Column:
    return rule(lambda v: v in values, f"must be one of: {_choices(values)}", blank_ok=blank_ok)


def iso_date(blank_ok: bool = False) -> pa.Column:
    return rule(is_partial_date, "must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD", blank_ok=blank_ok)


def iso3(blank_ok: bool = False) -> pa.Column:
    return rule(is_iso3, "must be an ISO 3166-1 alpha-3 country code such as KAZ", blank_ok=blank_ok)


def iso3_list() -> pa.Column:
    return rule(
        lambda v: split_list(v) and all(is_iso3(i, former=True) for i in split_list(v)),
        "must list ISO 3166-1 alpha-3 country codes separated by ';' (former countries as in ISO 3166-3, e.g. SUN)",
    )


def _date_matches_precision(df: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [
            (not is_partial_date(d)) or p not in DATE_PRECISIONS or DATE_PRECISIONS_BY_FORM[len(d.strip())] == p
            for d, p in zip(df["date"], df["date_precision"])
        ],
        index=df.index,
    )


SOURCES = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "title": text(),
        "publisher": text(),
        "published": iso_date(blank_ok=True),
        "url": rule(URL.match, "must be blank or an http(s) URL", blank_ok=True),
        "author": text(required=False),
        "note": text(required=False),
    },
    name="sources.csv",
)

SITES = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "name": text(),
        "name_ru": text(required=False),
        "kind": choice(SITE_KINDS),
        "country": iso3(),
        "place": text(),
        "summary": text(),
        "location_precision": choice(LOCATION_PRECISIONS),
        "sources": slugs(),
        "lon": rule(_in_range(-180, 180), "longitude must be a number in [-180, 180]"),
        "lat": rule(_in_range(-90, 90), "latitude must be a number in [-90, 90]"),
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
        "note": text(required=False),
        "source_id": slugs(),
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
        "annual_rent_usd": rule(_non_negative, "must be blank or a number of US dollars (0 or more)", blank_ok=True),
        "area_km2": rule(_positive, "must be blank or a positive number of km²", blank_ok=True),
        "note": text(required=False),
        "source_id": slugs(),
    },
    name="leases.csv",
)

EVENTS = pa.DataFrameSchema(
    {
        "id": slug(unique=True),
        "date": iso_date(),
        "date_precision": choice(DATE_PRECISIONS),
        "site_id": slug(blank_ok=True),
        "lat": rule(_in_range(-90, 90), "latitude must be blank or a number in [-90, 90]", blank_ok=True),
        "lon": rule(_in_range(-180, 180), "longitude must be blank or a number in [-180, 180]", blank_ok=True),
        "kind": choice(EVENT_KINDS),
        "title": text(),
        "summary": text(required=False),
        "countries": iso3_list(),
        "source_id": slugs(),
        "concerns": pa.Column(
            str,
            checks=[pa.Check(_each(lambda v: all(SLUG.match(i) for i in split_list(v)), blank_ok=True), error="must be blank or list site ids separated by ';'")],
            required=False,
        ),
    },
    checks=[pa.Check(_date_matches_precision, error="date_precision does not match the form of date")],
    name="events.csv",
)

AREAS = pa.DataFrameSchema(
    {
        "site_id": slug(),
        "area_kind": choice(AREA_KINDS),
        "area_km2": rule(_positive, "must be blank or a positive number of km²", blank_ok=True),
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
