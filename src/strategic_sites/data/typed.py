"""Turn the text cells of files that passed every check into the typed frames of the atlas.

One function per file, ``typer(raw, done)``: ``raw`` is the file as read
(:class:`~strategic_sites.data.reading.Raw`), ``done`` the frames typed before it, by their
:class:`~strategic_sites.data.atlas.Atlas` field (events take their sites' points from ``done["sites"]``).
Dates become ``datetime64[s]`` (a partial date's first, or last, day), numbers floats, lists
of ids Python lists; each distinct value is converted once (see :class:`~strategic_sites.data.columns.Distinct`).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strategic_sites.data.columns import Distinct, numbers, split_list
from strategic_sites.core.dates import parse_partial
from strategic_sites.data.reading import CRS, Raw
from strategic_sites.core.vocab import DEFAULT_CONFIDENCE, DISPUTE_COLUMNS

# Columns of the typed events held compactly. The closed vocabularies are categorical; the other
# repetitive text columns stay plain strings (other modules compare, map and fill them freely)
# but rows with equal cells share one string object.
EVENT_CATEGORIES = ("kind", "date_precision", "confidence")
EVENT_SHARED = ("date", "site_id", "countries", "source_id", "concerns", *DISPUTE_COLUMNS)

NAT = np.datetime64("NaT", "s")


def _dates(series: pd.Series | Distinct, last: bool = False) -> pd.Series:
    """The first (or last) day of each partial date (datetime64[s]), NaT for blank; each distinct date is parsed once."""

    def convert(value: str) -> np.datetime64:
        if not value:
            return NAT
        parsed = parse_partial(value)
        return np.datetime64(parsed.last if last else parsed.first, "s")

    column = series if isinstance(series, Distinct) else Distinct(series)
    return column.map(convert, dtype="datetime64[s]")


def _numbers(series: pd.Series) -> pd.Series:
    """The numbers of a validated column (NaN for blank), read as the schema's checks read them."""
    return pd.Series(numbers(series), index=series.index, dtype=float)


def _lists(series: pd.Series | Distinct) -> pd.Series:
    """The ids listed in each cell, as lists; rows with equal cells share one list (treat them as read-only)."""
    return (series if isinstance(series, Distinct) else Distinct(series)).map(split_list)


def _shared(column: Distinct) -> pd.Series:
    """The same strings, equal cells sharing one object (100,000 rows of a few hundred values cost 8 bytes a row)."""
    return column.map(str)


def sources(raw: Raw, done: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frame = raw.frame.reset_index(drop=True)
    frame["published_date"] = _dates(frame["published"])
    return frame


def sites(raw: Raw, done: Mapping[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(raw.frame, geometry=raw.geometries, crs=CRS).reset_index(drop=True)
    frame["lat"] = _numbers(frame["lat"])
    frame["lon"] = _numbers(frame["lon"])
    frame["source_ids"] = _lists(frame["sources"])
    if "aliases" not in frame.columns:  # an optional column
        frame["aliases"] = ""
    frame["alias_list"] = _lists(frame["aliases"])
    return frame


def _graded(frame: pd.DataFrame) -> pd.DataFrame:
    """The optional columns of how sure each fact is, filled where a file has none: every row
    ``reported``, none disputed."""
    if "confidence" not in frame.columns:
        frame["confidence"] = DEFAULT_CONFIDENCE
    for column in DISPUTE_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def control(raw: Raw, done: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The periods of control, by site and then start."""
    frame = _graded(raw.frame.reset_index(drop=True))
    if "operator_group" not in frame.columns:  # an older folder: no operator is grouped
        frame["operator_group"] = ""
    frame["start_date"] = _dates(frame["start"])
    frame["end_date"] = _dates(frame["end"])
    frame["source_ids"] = _lists(frame["source_id"])
    return frame.sort_values(["site_id", "start_date"], kind="stable").reset_index(drop=True)


def leases(raw: Raw, done: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frame = _graded(raw.frame.reset_index(drop=True))
    for column in ("signed", "start", "end"):
        frame[f"{column}_date"] = _dates(frame[column])
    frame["annual_rent_usd"] = _numbers(frame["annual_rent_usd"])
    frame["area_km2"] = _numbers(frame["area_km2"])
    frame["source_ids"] = _lists(frame["source_id"])
    return frame


def areas(raw: Raw, done: Mapping[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(raw.frame.reset_index(drop=True), geometry=list(raw.geometries), crs=CRS)
    frame["area_km2"] = _numbers(frame["area_km2"])
    frame["source_ids"] = _lists(frame["source_id"])
    return frame


def countries(raw: Raw, done: Mapping[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(raw.frame.reset_index(drop=True), geometry=list(raw.geometries), crs=CRS)


def _by_date(dates: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The order of rows by date, then id (stable), as positions. Arrow sorts the ids as UTF-8,
    which orders them as Python does (by code point), and faster than pandas sorts Python strings."""
    try:
        import pyarrow
        import pyarrow.compute
    except ImportError:  # pragma: no cover - pandas 3 ships with pyarrow in practice
        return pd.DataFrame({"date": dates, "id": pd.Series(ids, dtype=object)}).sort_values(["date", "id"], kind="stable").index.to_numpy()
    table = pyarrow.table({"date": pyarrow.array(dates), "id": pyarrow.array(ids, type=pyarrow.string())})
    return pyarrow.compute.sort_indices(table, sort_keys=[("date", "ascending"), ("id", "ascending")]).to_numpy()


def events(raw: Raw, done: Mapping[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    """The events with their lists, dates and points, in date order; built column by column, then framed once."""
    frame = raw.frame
    columns = {name: frame[name].to_numpy(dtype=object) for name in frame.columns}
    for name, fill in (("concerns", ""), ("confidence", DEFAULT_CONFIDENCE), *((c, "") for c in DISPUTE_COLUMNS)):
        if name not in columns:  # optional columns
            columns[name] = np.full(len(frame), fill, dtype=object)
    # Each repetitive column is reduced to its distinct values once, and put in date order by
    # its codes (an integer take), so that every column made from it comes out in order.
    distinct = {name: Distinct(pd.Series(columns[name], dtype=object, copy=False)) for name in EVENT_SHARED + EVENT_CATEGORIES}
    date_first = _dates(distinct["date"]).to_numpy()
    order = _by_date(date_first, columns["id"])
    distinct = {name: column.take(order) for name, column in distinct.items()}
    geometry = _event_points(frame, order, distinct["site_id"], done["sites"])

    typed = {}
    for name, values in columns.items():  # the file's columns, in the file's order
        if name in EVENT_SHARED:
            typed[name] = _shared(distinct[name])
        elif name in EVENT_CATEGORIES:
            typed[name] = distinct[name].categorical()
        elif name in ("lat", "lon"):
            typed[name] = shapely.get_y(geometry) if name == "lat" else shapely.get_x(geometry)
        else:
            typed[name] = pd.Series(values[order], dtype=object, copy=False)
    typed["concern_ids"] = _lists(distinct["concerns"])
    typed["date_first"] = pd.Series(date_first[order])
    typed["date_last"] = _dates(distinct["date"], last=True)
    typed["country_list"] = _lists(distinct["countries"])
    typed["source_ids"] = _lists(distinct["source_id"])
    return gpd.GeoDataFrame(pd.DataFrame(typed), geometry=geometry, crs=CRS)


def _event_points(frame: pd.DataFrame, order: np.ndarray, site_ids: Distinct, sites: gpd.GeoDataFrame) -> np.ndarray:
    """An event's point, in ``order``: its own lat/lon, or else its site's point (the site's geometry object itself)."""
    lat, lon = numbers(frame["lat"])[order], numbers(frame["lon"])[order]
    own = ~np.isnan(lat) & ~np.isnan(lon)
    geometry = np.empty(len(frame), dtype=object)
    geometry[own] = shapely.points(lon[own], lat[own])
    site_points = sites.set_index("id").geometry
    geometry[~own] = site_ids.map(lambda site: site_points.get(site)).to_numpy()[~own]
    return geometry
