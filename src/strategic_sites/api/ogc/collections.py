"""The three collections of the OGC API, declared once: the sites, the events and the lease areas.

Each is the atlas's own table of a view, as the pages and the data API build it: a site has the
Sites table's columns (``outputs.tables.sites_table``, the data API's ``sites.geojson``), an event
the Events table's (``tables.events_table`` with its summary), a lease area what the map's Lease
terms layer says of it (``map/layer_kinds/leases.py``: the area of ``areas.geojson`` and the lease
governing its site on the as-of date). The routes (:mod:`.routes`), the HTML pages (:mod:`.html`)
and the OpenAPI document (:mod:`.openapi`) all read :data:`COLLECTIONS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from strategic_sites.core import text
from strategic_sites.data import lookup
from strategic_sites.data.atlas import Atlas
from strategic_sites.map.layer_kinds.leases import NO_LEASE
from strategic_sites.map.style import lease_colour
from strategic_sites.outputs import tables
from strategic_sites.view.filters import Filters, View, site_only
from strategic_sites.view.language import names as names_of

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def _records(table: pd.DataFrame) -> list[dict]:
    """A table's rows as JSON values (NaN as null, dates as text), as the data API writes them."""
    return json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))


def geometry(shape) -> dict:
    """A shapely geometry as a GeoJSON geometry object (coordinates as lists)."""
    return json.loads(json.dumps(mapping(shape)))


# --- the sites ---------------------------------------------------------------------------------


def _site_rows(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    return view.sites.assign(fid=view.sites["id"].tolist())


def _site_properties(atlas: Atlas, view: View, rows: pd.DataFrame) -> list[dict]:
    return _records(tables.sites_table(atlas, replace(view, sites=rows)))


def _site_alone(atlas: Atlas, filters: Filters, fid: str) -> tuple[View, pd.DataFrame] | None:
    if fid not in set(atlas.sites["id"]):
        return None
    view = site_only(atlas, fid, filters.asof)
    return view, _site_rows(atlas, view)


def _site_dates(atlas: Atlas) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    control = atlas.control
    return _first(control["start_date"]), _last(control["end_date"])


# --- the events --------------------------------------------------------------------------------


def _event_rows(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    return view.events.assign(fid=view.events["id"].tolist())


def _event_properties(atlas: Atlas, view: View, rows: pd.DataFrame) -> list[dict]:
    table = tables.events_table(atlas, rows).assign(summary=rows["summary"].tolist(), date_precision=rows["date_precision"].astype(str).tolist())
    return _records(table)


def _event_alone(atlas: Atlas, filters: Filters, fid: str) -> tuple[View, pd.DataFrame] | None:
    rows = atlas.events[atlas.events["id"] == fid]
    if rows.empty:
        return None
    view = site_only(atlas, str(rows["site_id"].iloc[0]), filters.asof) if rows["site_id"].iloc[0] else None
    return view, rows.assign(fid=rows["id"].tolist())


def _event_dates(atlas: Atlas) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    return _first(atlas.events["date_first"]), _last(atlas.events["date_last"])


# --- the lease areas ---------------------------------------------------------------------------


def area_ids(areas: pd.DataFrame) -> pd.Series:
    """Each area's stable id: its site's id, and ``-2``, ``-3``… for a site's later areas in the
    file (a site's first area keeps its site's id when another is added after it)."""
    order = areas.groupby("site_id", sort=False).cumcount()
    return pd.Series(
        [site if n == 0 else f"{site}-{n + 1}" for site, n in zip(areas["site_id"].tolist(), order.tolist())],
        index=areas.index,
        dtype=object,
    )


def _area_rows(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    ids = area_ids(atlas.areas)
    return view.areas.assign(fid=ids.loc[view.areas.index].tolist())


def _area_properties(atlas: Atlas, view: View, rows: pd.DataFrame) -> list[dict]:
    """What the Lease terms layer says of each area: its site, its kind and size, how it is drawn,
    and the lease governing its site on the as-of date (parties, term, years left, shade)."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    found = []
    for area in rows.itertuples():
        lease = view.lease_of(area.site_id)
        years = lease["years_remaining"] if lease is not None else None
        has_years = years is not None and pd.notna(years)
        found.append(
            {
                "id": area.fid,
                "site_id": area.site_id,
                "site": links.site_name(area.site_id, area.site_id),
                "area_kind": names.area_kind(area.area_kind),
                "area_km2": None if pd.isna(area.area_km2) else float(area.area_km2),
                "drawn_as": area.drawn_as,
                "lease_terms": lease_colour(years)[1] if lease is not None else NO_LEASE,
                "parties": names.parties(lease["lessor"], lease["lessee"]) if lease is not None else "",
                "lease_start": lease["start"] if lease is not None else "",
                "lease_end": text.end(lease["end"]) if lease is not None else "",
                "years_left": round(float(years), 1) if has_years else None,
                "rent_usd": None if lease is None or pd.isna(lease["annual_rent_usd"]) else float(lease["annual_rent_usd"]),
                "confidence": tables.grade(lease["confidence"]) if lease is not None else "",
                "source": links.first_url(lease["source_ids"]) if lease is not None else links.first_url(area.source_ids),
                "note": str(getattr(area, "note", "") or ""),
            }
        )
    return found


def _area_alone(atlas: Atlas, filters: Filters, fid: str) -> tuple[View, pd.DataFrame] | None:
    ids = area_ids(atlas.areas)
    if fid not in set(ids):
        return None
    site_id = str(atlas.areas.loc[ids[ids == fid].index[0], "site_id"])
    view = site_only(atlas, site_id, filters.asof)
    rows = view.areas.assign(fid=ids.loc[view.areas.index].tolist())
    return view, rows[rows["fid"] == fid]


def _area_dates(atlas: Atlas) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    leases = atlas.leases[atlas.leases["site_id"].isin(set(atlas.areas["site_id"]))]
    return _first(leases["start_date"]), _last(leases["end_date"])


# --- the declarations --------------------------------------------------------------------------


def _first(dates: pd.Series) -> pd.Timestamp | None:
    return None if dates.dropna().empty else dates.min()


def _last(dates: pd.Series) -> pd.Timestamp | None:
    """The latest date, or None when one of them is open (an ongoing period)."""
    return None if dates.empty or dates.isna().any() else dates.max()


@dataclass(frozen=True)
class Collection:
    """One collection: ``/ogc/collections/<id>`` and its items."""

    id: str  # a public interface, never renamed
    title: str
    description: str
    geometry: str  # its features' geometry type, as OGC's itemType says nothing of it
    instant: bool  # datetime is the as-of date (one instant); else an interval of the features' own dates
    rows: Callable[[Atlas, View], gpd.GeoDataFrame]  # the view's features in order, each with its id in "fid"
    properties: Callable[[Atlas, View, pd.DataFrame], list[dict]]  # the properties of some of those rows
    alone: Callable[[Atlas, Filters, str], tuple[View | None, pd.DataFrame] | None]  # one feature by id, whatever the filters
    dates: Callable[[Atlas], tuple[pd.Timestamp | None, pd.Timestamp | None]]  # the temporal extent
    frame_of: Callable[[Atlas], gpd.GeoDataFrame]  # every feature of the atlas (the spatial extent)
    listed: tuple[str, ...]  # the properties an HTML list of items shows, after the id
    datetime_help: str

    def extent(self, atlas: Atlas) -> dict:
        """Where and when: the bounding box of every feature, and the first and last dates (null: ongoing)."""
        frame = self.frame_of(atlas)
        bounds = [round(float(v), 5) for v in frame.total_bounds] if len(frame) else [-180.0, -90.0, 180.0, 90.0]
        if any(math.isnan(v) for v in bounds):
            bounds = [-180.0, -90.0, 180.0, 90.0]
        start, end = self.dates(atlas)
        stamp = lambda day: None if day is None else pd.Timestamp(day).strftime("%Y-%m-%dT00:00:00Z")  # noqa: E731
        return {"spatial": {"bbox": [bounds], "crs": CRS84}, "temporal": {"interval": [[stamp(start), stamp(end)]], "trs": TRS}}


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "sites",
        "Sites",
        "Every site of the view as a point, with the Sites table's columns: kind, host country, control status and "
        "operator on the as-of date and since when, confidence, lessee, lease end and years left, sources.",
        "Point",
        True,
        _site_rows,
        _site_properties,
        _site_alone,
        _site_dates,
        lambda atlas: atlas.sites,
        ("name", "kind", "country", "status", "operator", "lessee", "lease_end"),
        "The as-of date, one instant (2013-06-01, or a date-time whose UTC day is used): each site's control status and "
        "lease on that day. An interval is refused.",
    ),
    Collection(
        "events",
        "Events",
        "Every event of the view as a point (at its site, or at its own place), oldest first, with the Events table's "
        "columns and the summary.",
        "Point",
        False,
        _event_rows,
        _event_properties,
        _event_alone,
        _event_dates,
        lambda atlas: atlas.events,
        ("date", "site", "kind", "title", "countries"),
        "Events whose dates fall in an interval (2013-01-01/2015-12-31, ../2000-12-31, 2010-01-01/..) or on one day "
        "(an event dated to a year or month counts on any of its days). Without from and to, any year.",
    ),
    Collection(
        "leases",
        "Lease areas",
        "The leased territories and ranges of the view's sites as polygons (the map's Lease terms layer), with the "
        "lease governing each site on the as-of date: parties, term, years left and rent.",
        "Polygon",
        True,
        _area_rows,
        _area_properties,
        _area_alone,
        _area_dates,
        lambda atlas: atlas.areas,
        ("site", "area_kind", "area_km2", "lease_terms", "parties", "lease_end"),
        "The as-of date, one instant (2013-06-01): the lease in force on that day. An interval is refused.",
    ),
)
BY_ID: dict[str, Collection] = {collection.id: collection for collection in COLLECTIONS}
