"""A user's own points on the map ("Your points"): which of them a view shows, and how
they travel to the browser.

The points come from :func:`strategic_sites.uploads.upload.read_points` and live only in the
user's session. They are packed like the atlas's events (:func:`strategic_sites.map.mapdata.bundle`),
with their text inline, so the map clusters and draws them with the same code
(``SSA.points`` in atlas-map.js); each view then sends a bitmap of the points it shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from strategic_sites.core.dates import DATE_PRECISIONS_BY_FORM
from strategic_sites.view import search
from strategic_sites.view.filters import Filters, points_shown
from strategic_sites.view.language import Names
from strategic_sites.map.mapdata import COORD_SCALE, bitmap

COLOUR = "#008080"  # the points' colour on the map and in the legend
LABEL = "Your points"


def shown(points: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The points a view shows: those every filter that applies to points keeps (a chosen host
    country, by the point's country: :func:`strategic_sites.view.filters.points_shown`; site
    kind, status and operator do not apply to them), in the event period (points without a
    date are always shown: no period excludes them), and found by the search text by their
    name, as the sites are (:mod:`strategic_sites.view.search`: any word's start, any script,
    near spellings)."""
    keep = points_shown(points, filters)
    dated = points["date_first"].notna()
    in_period = (points["date_last"] >= pd.Timestamp(filters.year_from, 1, 1)) & (points["date_first"] <= pd.Timestamp(filters.year_to, 12, 31))
    keep &= ~dated | in_period
    q = filters.q.strip()
    if q:
        found = {hit.site_id for hit in _finder(points).find(q)}
        keep &= pd.Series(np.arange(len(points)), index=points.index).isin(found)
    return points if keep.all() else points[keep]  # all of them: the frame itself, not a copy of it


_FINDERS: list[tuple[pd.DataFrame, search.Finder]] = []  # the last few points' finders, by the frame itself


def _finder(points: pd.DataFrame) -> search.Finder:
    """The finder of a set of points' names, built once per set (a session keeps its points)."""
    for frame, finder in _FINDERS:
        if frame is points:
            return finder
    finder = search.Finder.of_names(range(len(points)), points["name"].fillna("").astype(str))
    _FINDERS.append((points, finder))
    del _FINDERS[:-4]
    return finder


def bundle(points: pd.DataFrame, names: Names) -> dict:
    """Every point as the events bundle's compact columns, with its text inline (one chunk):
    [row, date, precision, name, kind, [country], [source number]]."""
    sources: dict[tuple[str, str], int] = {}
    rows = []
    for point in points.itertuples():
        cited = []
        if point.source or point.url:
            key = (point.source or point.url, point.url)
            cited = [sources.setdefault(key, len(sources))]
        precision = DATE_PRECISIONS_BY_FORM.get(len(point.date), "") if point.date else "undated"
        rows.append([f"row {point.row}", point.date or "no date", precision, point.name or f"Row {point.row}", point.kind, [point.country] if point.country else [], cited])
    codes = sorted({code for code in points["country"] if code})
    return {
        "sites": [],
        "kinds": [[LABEL, COLOUR]],
        "countries": {code: names.country(code) for code in codes},
        "sources": [[title, "your file", "", url] for (title, url) in sources],
        "events": {
            "n": len(points),
            "scale": COORD_SCALE,
            "lat": np.rint(points["lat"].to_numpy(dtype=float) * COORD_SCALE).astype(np.int64).tolist(),
            "lon": np.rint(points["lon"].to_numpy(dtype=float) * COORD_SCALE).astype(np.int64).tolist(),
            "kind": [0] * len(points),
            "site": [-1] * len(points),
            "chunk": max(1, len(points)),
            "text": [rows],
        },
    }


def bits(points: pd.DataFrame, in_view: pd.DataFrame) -> dict:
    """Which points the view shows (:func:`strategic_sites.map.mapdata.bitmap`) and their count."""
    return {"bits": bitmap(points.index, in_view.index), "count": len(in_view)}
