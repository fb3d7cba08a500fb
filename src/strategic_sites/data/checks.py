"""Checks that look across the rows of a file, or across files, once each file has met its schema.

Each check is a function ``check(raw, valid)`` of a file as read (:class:`~strategic_sites.data.reading.Raw`)
and of every file that met its schema, by name; it returns the problems it finds. The table of
files in :mod:`strategic_sites.data.atlas` says which checks each file gets. A check across files
finds nothing to say when the other file did not meet its schema (its own problems are reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd
import numpy as np
import shapely

from strategic_sites.data.columns import failing, split_list
from strategic_sites.core.dates import first_day
from strategic_sites.core.problems import Problem
from strategic_sites.data.reading import CRS, Raw
from strategic_sites.core.vocab import DISPUTE_COLUMNS

Check = Callable[[Raw, Mapping[str, Raw]], Iterable[Problem]]


def refs(column: str, target: str, what: str) -> Check:
    """Every id listed in ``column`` is an ``id`` of the file ``target``: "'x' is not a known {what} in {target}".

    A blank cell lists no id (an event away from any site); a missing optional column lists none.
    A feature of ``target`` left out for its geometry (reported there) is still known here.
    """

    def check(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
        if target not in valid or column not in raw.frame.columns:
            return []
        return _unknown_ids(raw, column, set(valid[target].frame["id"]) | valid[target].unread_ids, f"{what} in {target}")

    return check


def _unknown_ids(raw: Raw, column: str, known: set[str], what: str) -> list[Problem]:
    """Each distinct cell is split once; only cells listing an unknown id are looked at again."""
    cells = raw.frame[column].to_numpy(dtype=object)
    found = []
    for position in np.flatnonzero(failing(cells, lambda value: all(item in known for item in split_list(value)))):
        for item in split_list(cells[position]):
            if item not in known:
                found.append(Problem(raw.name, raw.where(raw.frame.index[position]), column, f"{item!r} is not a known {what}"))
    return found


def _starts_and_ends(raw: Raw):
    frame = raw.frame
    return frame["start"].map(first_day), frame["end"].map(lambda v: first_day(v) if v else None)


def ends_after_starts(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """A period's end (when given) is after its start."""
    frame, (starts, ends) = raw.frame, _starts_and_ends(raw)
    return [
        Problem(raw.name, raw.where(index), "end", f"{frame.at[index, 'end']!r} is not after start {frame.at[index, 'start']!r}")
        for index in frame.index
        if ends[index] is not None and ends[index] <= starts[index]
    ]


def no_overlaps(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """The periods of one site follow each other: each ends (not blank) by the start of the next."""
    frame, (starts, ends) = raw.frame, _starts_and_ends(raw)
    found = []
    for site_id, group in frame.groupby("site_id", sort=False):
        order = sorted(group.index, key=lambda i: starts[i])
        for before, after in zip(order, order[1:]):
            if ends[before] is None or ends[before] > starts[after]:
                found.append(
                    Problem(
                        raw.name,
                        raw.where(after),
                        "start",
                        f"period of {site_id!r} from {frame.at[after, 'start']!r} overlaps the one from "
                        f"{frame.at[before, 'start']!r} ({raw.where(before)}), which ends "
                        f"{frame.at[before, 'end'] or 'never (blank end)'}",
                    )
                )
    return found


def soviet_by_1992(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """A 'soviet' period ends, by 1992."""
    frame = raw.frame
    return [
        Problem(raw.name, raw.where(index), "end", "a 'soviet' period must end by 1992 (the USSR was dissolved in December 1991)")
        for index, row in frame[frame["status"] == "soviet"].iterrows()
        if not row["end"] or first_day(row["end"]) > first_day("1992-01-01")
    ]


def two_parties(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """A lease's lessor and lessee are different countries."""
    frame = raw.frame
    same = frame.index[(frame["lessor"] == frame["lessee"]).to_numpy()]
    return [Problem(raw.name, raw.where(index), "lessee", "lessor and lessee are the same country") for index in same]


def placed(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """An event is at a site or at its own point (lat and lon), and never has half a point."""
    frame = raw.frame
    no_site = (frame["site_id"] == "").to_numpy()
    no_lat, no_lon = (frame["lat"] == "").to_numpy(), (frame["lon"] == "").to_numpy()
    unplaced = no_site & (no_lat | no_lon)
    half = ~unplaced & (no_lat != no_lon)
    return [
        Problem(
            raw.name,
            raw.where(frame.index[position]),
            "lat/lon",
            "an event with no site_id needs lat and lon" if unplaced[position] else "give both lat and lon, or neither",
        )
        for position in np.flatnonzero(unplaced | half)
    ]


def valid_polygons(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """Every geometry is a valid polygon (no self-intersection)."""
    return [
        Problem(raw.name, raw.where(index), "geometry", f"is not a valid polygon ({shapely.is_valid_reason(geom)})")
        for index, geom in zip(raw.frame.index, raw.geometries)
        if not geom.is_valid
    ]


def lies_in(column: str, target: str, key: str, what: str) -> Check:
    """Each feature's point lies in a feature of ``target`` (a ``what``) whose ``key`` is the
    feature's ``column``, as a site lies in its host country: "'KAZ' but the point lies in KGZ"."""

    def check(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
        if target not in valid:
            return []
        outlines = valid[target]
        points = gpd.GeoDataFrame(raw.frame[["id", column]], geometry=raw.geometries, crs=CRS)
        areas = gpd.GeoDataFrame(outlines.frame[[key]].reset_index(drop=True), geometry=outlines.geometries, crs=CRS)
        joined = gpd.sjoin(points, areas, how="left", predicate="within")
        inside = joined.groupby("id")[key].agg(lambda codes: set(codes.dropna()))
        found = []
        for index, row in points.iterrows():
            there = inside.get(row["id"], set())
            if row[column] not in there:
                lies = ", ".join(sorted(there)) or f"no {what} of {target}"
                found.append(Problem(raw.name, raw.where(index), column, f"{row[column]!r} but the point lies in {lies}"))
        return found

    return check


def disputes(fields: tuple[str, ...]) -> Check:
    """A disputed row gives the other value: the column it concerns (one of ``fields``), the
    value and its source; no other row fills those columns."""

    def check(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
        frame = raw.frame
        present = [c for c in DISPUTE_COLUMNS if c in frame.columns]
        disputed = (frame["confidence"] == "disputed").to_numpy() if "confidence" in frame.columns else np.zeros(len(frame), dtype=bool)
        found = []
        for position in np.flatnonzero(disputed):
            index = frame.index[position]
            blank = [c for c in DISPUTE_COLUMNS if c not in present or frame.at[index, c] == ""]
            if blank:
                found.append(Problem(raw.name, raw.where(index), blank[0], "confidence is 'disputed': give the other value in dispute_field, dispute_value and dispute_source_id"))
            elif frame.at[index, "dispute_field"] not in fields:
                found.append(Problem(raw.name, raw.where(index), "dispute_field", f"{frame.at[index, 'dispute_field']!r} is not one of the columns a dispute can concern: {', '.join(fields)}"))
        for column in present:
            for position in np.flatnonzero(~disputed & (frame[column] != "").to_numpy()):
                found.append(Problem(raw.name, raw.where(frame.index[position]), column, "is only for a row whose confidence is 'disputed'; leave it blank"))
        return found

    return check
