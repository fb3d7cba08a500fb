"""The map's data as the browser gets it: compact, and sent once where it does not change.

Three kinds of data, by how often they change:

- :func:`outlines`: the Natural Earth land and borders, simplified. Fixed for the data folder.
- :func:`site_bundle`: the sites' popups (all but the date's part) and the lease areas'
  outlines. Fixed for the data folder and the language.
- :func:`bundle` and :func:`event_texts`: every event as compact columns (coordinates as
  integers, kind and site as indexes), the tables popups need (sites, kinds, countries,
  sources), and the events' text in chunks that the browser fetches when a tooltip or popup
  needs one. Fixed for the data folder and the language.
- :func:`view_data`: what one view shows, each layer's part from its own module
  (:mod:`strategic_sites.map.layer_kinds`): the sites with their status and lease on the as-of
  date (tooltips and popups escaped there), the sites' labels, the lease areas' shading, and which
  events are in the view, as a bitmap over the bundle's events. This is all a filter change sends.

Everything is plain JSON-ready Python; :mod:`strategic_sites.map.layers` turns it into map
elements, and ``static/atlas/atlas-map.js`` draws it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd

from strategic_sites.core import layerset
from strategic_sites.core.gcpause import paused_gc
from strategic_sites.data import lookup
from strategic_sites.map import layer_kinds, popups
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.language import names as names_of
from strategic_sites.data.schema import split_list
from strategic_sites.view.filters import View
from strategic_sites.map.style import CONFIDENCE_BADGES, EVENT_COLOURS, STATUS_COLOURS, glyph_svg, status_marker_svg
from strategic_sites.core.vocab import CONFIDENCE, CONFIDENCE_MEANING, EVENT_KINDS

# The names other modules know these by (the compact forms live in compact.py, each layer's data in its module).
from strategic_sites.map.compact import COORD_SCALE, bitmap  # noqa: F401
from strategic_sites.map.layer_kinds.countries import HOST_COUNTRIES  # noqa: F401
from strategic_sites.map.layer_kinds.leases import data as lease_data  # noqa: F401
from strategic_sites.map.layer_kinds.status import data as status_data, site_label  # noqa: F401

TEXT_CHUNK = 2_000  # events per text file: a popup fetches about 0.5 MB at most
OUTLINE_TOLERANCE = 0.01  # degrees; the outlines as the map shows them at country scale


def _round(values, digits: int = 4):
    """Round every coordinate of a GeoJSON geometry's nested lists."""
    if isinstance(values, (list, tuple)):
        return [_round(v, digits) for v in values]
    return round(values, digits)


def _geometry(geom, tolerance: float = 0.0) -> dict:
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    shape = geom.__geo_interface__
    return {"type": shape["type"], "coordinates": _round(shape["coordinates"])}


def _unwrapped(ring) -> np.ndarray:
    """A ring's vertices with continuous longitudes: every step of more than 180° is taken
    the short way round (±360°), so that a ring crossing the antimeridian, or one whose
    vertices on it are written -180 on the +180 side (as Natural Earth's are), stays whole."""
    xy = np.array(ring.coords, dtype=float)[:, :2]
    xy[1:, 0] -= 360.0 * np.cumsum(np.round(np.diff(xy[:, 0]) / 360.0))
    if abs(xy[-1, 0] - xy[0, 0]) > 1e-9:  # round a pole (Antarctica): closed along it
        pole = 90.0 if xy[:, 1].mean() > 0 else -90.0
        xy = np.vstack([xy, [[xy[-1, 0], pole], [xy[0, 0], pole], xy[0]]])
    return xy


def _cut_polygon(polygon) -> list:
    """``polygon`` as parts that each lie within [-180°, 180°] of longitude, cut at the antimeridian."""
    import shapely
    from shapely.geometry import Polygon, box

    rings = [polygon.exterior, *polygon.interiors]
    if not any(np.any(np.abs(np.diff(np.asarray(ring.coords)[:, 0])) > 180.0) for ring in rings):
        return [polygon]  # drawn as it is: no ring jumps across the map
    shell = _unwrapped(polygon.exterior)
    middle = (shell[:, 0].min() + shell[:, 0].max()) / 2
    holes = []
    for ring in polygon.interiors:  # each hole on the same copy of the world as the shell
        hole = _unwrapped(ring)
        hole[:, 0] += 360.0 * np.round((middle - (hole[:, 0].min() + hole[:, 0].max()) / 2) / 360.0)
        holes.append(hole)
    whole = Polygon(shell, holes)
    whole = whole if whole.is_valid else shapely.make_valid(whole)
    west, _, east, _ = whole.bounds
    parts = []
    for turn in range(int(np.floor((west + 180.0) / 360.0)), int(np.ceil((east - 180.0) / 360.0)) + 1):
        shift = 360.0 * turn  # this copy of the world, moved back onto [-180°, 180°]
        piece = whole.intersection(box(shift - 180.0, -90.0, shift + 180.0, 90.0))
        piece = shapely.transform(piece, lambda xy, s=shift: xy - [s, 0.0])
        parts += [p for p in shapely.get_parts(piece) if p.geom_type == "Polygon" and p.area > 0]
    return parts


def cut_at_antimeridian(geom):
    """``geom`` with every polygon that jumps across the map cut at ±180° into parts that each
    stay within [-180°, 180°]: Leaflet and matplotlib draw a ring as straight lines between
    its vertices, so a ring from +180° to -180° is drawn as a band across the whole world.
    Other geometries, and polygons that need no cut, come back as they are."""
    import shapely

    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    polygons = list(shapely.get_parts(geom))
    cut = [_cut_polygon(polygon) for polygon in polygons]
    if all(len(parts) == 1 and parts[0] is polygon for parts, polygon in zip(cut, polygons)):
        return geom
    parts = [part for parts in cut for part in parts]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def outline_shape(geom):
    """A country as the maps draw it (the live map, its minimap, the standalone export and the
    image): cut at the antimeridian, then simplified to :data:`OUTLINE_TOLERANCE`. The
    simplification keeps a subset of each part's vertices, so no part can come out wider
    than it went in: no simplified ring wraps across the map."""
    return cut_at_antimeridian(geom).simplify(OUTLINE_TOLERANCE, preserve_topology=True)


def _sides(geom) -> list:
    """A country's outline as the features the map draws: itself, or, when its parts lie on
    both sides of the antimeridian (Russia: Chukotka east of 180°), its parts west and east
    of 0° apart, so that every feature's bounds (Leaflet's ``getBounds``) span at most 180°
    as each of its rings does; one feature a part should a side still span more."""
    import shapely

    west, _, east, _ = geom.bounds
    if east - west <= 180.0:
        return [geom]
    parts = list(shapely.get_parts(geom))
    sides = [[p for p in parts if p.bounds[0] + p.bounds[2] < 0], [p for p in parts if p.bounds[0] + p.bounds[2] >= 0]]
    groups = [side[0] if len(side) == 1 else shapely.MultiPolygon(side) for side in sides if side]
    if any(g.bounds[2] - g.bounds[0] > 180.0 for g in groups):
        return parts
    return groups


def outlines(atlas: Atlas) -> dict:
    """Natural Earth countries as a FeatureCollection of simplified outlines with ``iso3``:
    cut at the antimeridian (:func:`outline_shape`), a country on both sides of it in a
    feature a side (:func:`_sides`), so that no ring and no feature spans more than 180° of
    longitude (either would be drawn as a band across the world)."""
    features = [
        {"type": "Feature", "properties": {"iso3": iso3}, "geometry": _geometry(side)}
        for iso3, geom in zip(atlas.countries["iso3"], atlas.countries.geometry)
        if not geom.is_empty
        for side in _sides(outline_shape(geom))
    ]
    return {"type": "FeatureCollection", "features": features}


def site_bundle(atlas: Atlas, site_ids: set[str] | None = None) -> dict:
    """What the site markers, their labels and the lease areas look up, whatever the view: each
    site's popup parts that do not depend on the date (escaped HTML), the drawn areas' outlines,
    the glyph of each site kind and the shape of each status, and each layer's own part (the
    site labels: each site's label and place). ``site_ids`` limits the popups and the layers'
    parts to those sites."""
    latest, sources = lookups(atlas)
    empty = atlas.events.iloc[:0]
    sites = atlas.sites if site_ids is None else atlas.sites[atlas.sites["id"].isin(site_ids)]
    return {
        "popups": {site.id: list(popups.site_popup_parts(site, latest.get(site.id, empty), sources, names_of(atlas))) for site in sites.itertuples()},
        "areas": [_geometry(geom) for geom in atlas.areas.geometry],
        "glyphs": {kind: glyph_svg(kind, size=14) for kind in sorted(set(atlas.sites["kind"]))},
        # Each status's marker: its shape in its colour (the kind's glyph goes on top); "": no status on the date.
        "shapes": {status: status_marker_svg(status) for status in STATUS_COLOURS} | {"": status_marker_svg(None)},
        # The layers' own parts, under their ids (the site labels': each site's label and place).
        **{key: part(sites) for key, part in _site_parts().items()},
    }


def _site_parts() -> dict:
    """The layers whose modules add a part of their own to the sites' file (``site_part``)."""
    modules = {spec.id: layer_kinds.kind(spec.id) for spec in layerset.LAYERS}
    return {key: module.site_part for key, module in modules.items() if hasattr(module, "site_part")}


def source_index(atlas: Atlas) -> dict[str, int]:
    """Source id → its row number in the bundle's ``sources`` table."""
    return {source_id: number for number, source_id in enumerate(atlas.sources["id"])}


def _years(events: pd.DataFrame) -> tuple[int, list[int]]:
    """Each event's year (of its first possible day), as the first year and each year less it."""
    years = pd.to_datetime(events["date_first"]).dt.year.to_numpy(dtype=np.int64)
    first = int(years.min()) if len(years) else 0
    return first, (years - first).tolist()


def bundle(atlas: Atlas, texts: list) -> dict:
    """Every event as compact columns, and the tables the popups look up.

    ``texts`` holds, for each chunk of :data:`TEXT_CHUNK` events, either the chunk itself
    (a standalone file) or the URL the browser fetches it from.
    """
    events = atlas.events
    sites = atlas.sites
    site_number = {site_id: number for number, site_id in enumerate(sites["id"])}
    kinds = list(EVENT_KINDS)
    codes = sorted({code for codes in events["country_list"] for code in codes})
    names = names_of(atlas)
    year0, years = _years(events)  # the year of each event, less year0 (a cluster's name says the years it holds)
    return {
        "sites": [[site_id, name] for site_id, name in zip(sites["id"], sites["name"])],
        "kinds": [[names.event_kind(k), EVENT_COLOURS[k]] for k in kinds],
        "countries": {code: names.country(code) for code in codes},
        "confidence": [[grade, CONFIDENCE[grade], *CONFIDENCE_BADGES[grade], CONFIDENCE_MEANING[grade]] for grade in CONFIDENCE],
        "sources": [
            [title, publisher, published, url]
            for title, publisher, published, url in zip(atlas.sources["title"], atlas.sources["publisher"], atlas.sources["published"], atlas.sources["url"])
        ],
        "events": {
            "n": len(events),
            "scale": COORD_SCALE,
            "lat": np.rint(events["lat"].to_numpy(dtype=float) * COORD_SCALE).astype(np.int64).tolist(),
            "lon": np.rint(events["lon"].to_numpy(dtype=float) * COORD_SCALE).astype(np.int64).tolist(),
            "kind": pd.Categorical(events["kind"].astype(str), categories=kinds).codes.tolist(),
            "site": [site_number.get(s, -1) for s in events["site_id"].astype(str)],
            "conf": pd.Categorical(events["confidence"].astype(str), categories=list(CONFIDENCE)).codes.tolist(),
            "year0": year0,
            "year": years,
            "chunk": TEXT_CHUNK,
            "text": texts,
        },
    }


def event_texts(atlas: Atlas) -> list[list]:
    """The events' text, in chunks of :data:`TEXT_CHUNK`, in the bundle's order: for each
    event [id, date, date precision, title, summary, [country codes], [source numbers], dispute],
    where dispute is 0, or for a disputed event [column, the other value, [its source numbers]]."""
    events = atlas.events
    numbers = source_index(atlas)
    text = [events[name].astype(str).tolist() for name in ("id", "date", "date_precision", "title")]
    summaries = events["summary"].fillna("").astype(str).tolist()
    # Country and source cells repeat: each distinct cell is split once, and its list shared.
    countries = events["countries"].astype(str).tolist()
    country_lists = {cell: split_list(cell) for cell in set(countries)}
    cited = events["source_id"].astype(str).tolist()
    source_lists = {cell: [numbers[s] for s in split_list(cell) if s in numbers] for cell in set(cited)}
    disputes = [0] * len(events)
    for position in np.flatnonzero((events["confidence"].astype(str) == "disputed").to_numpy()):
        row = events.iloc[position]
        disputes[position] = [str(row["dispute_field"]), str(row["dispute_value"]), [numbers[s] for s in split_list(str(row["dispute_source_id"])) if s in numbers]]
    with paused_gc():
        rows = [
            [event_id, when, precision, title, summary, country_lists[country], source_lists[source], other]
            for event_id, when, precision, title, summary, country, source, other in zip(*text, summaries, countries, cited, disputes)
        ]
    return [rows[start : start + TEXT_CHUNK] for start in range(0, len(rows), TEXT_CHUNK)] or [[]]


def to_json(data) -> bytes:
    """Compact JSON, as files are written and payloads measured."""
    with paused_gc():
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


# --- one view ------------------------------------------------------------------------------------


def data_filters(view: View):
    """The part of a view's filters that changes what the map's layers hold: not the
    selected site (it only moves the map), which layers are on (the layer control) nor where
    the map is."""
    return replace(view.filters, site="", layers=(), at=None)


def _latest_events(atlas: Atlas) -> dict[str, pd.DataFrame]:
    """Each site's latest events (of all events, whatever the filters), newest first."""
    at_site = atlas.events[atlas.events["site_id"].astype(str) != ""]
    latest = at_site.sort_values("date_first", ascending=False, kind="stable").groupby("site_id", sort=False, observed=True).head(popups.LATEST_EVENTS)
    return {site_id: rows for site_id, rows in latest.groupby("site_id", sort=False, observed=True)}


def _sources_by_id(atlas: Atlas) -> dict[str, dict]:
    return lookup.of(atlas).source_rows


def view_data(atlas: Atlas, view: View, keys: tuple[str, ...] = layerset.ids()) -> dict:
    """What the map's layers ``keys`` (every layer by default) hold for one view: each layer's
    ``data`` (:mod:`strategic_sites.map.layer_kinds`), under its id."""
    return {key: layer_kinds.kind(key).data(atlas, view) for key in keys}


def lookups(atlas: Atlas) -> tuple[dict, dict]:
    """The per-atlas tables :func:`view_data` looks things up in (computed once per atlas)."""
    return _latest_events(atlas), _sources_by_id(atlas)

