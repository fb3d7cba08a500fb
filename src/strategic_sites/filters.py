"""The filter state of a view and the one function that applies it to the atlas.

The map, the tables and the counts above them all come from :func:`apply`, called once
per rerun, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

from strategic_sites.data import Atlas
from strategic_sites.timeline import events_in_years, leases_in_force, status_as_of

FIRST_YEAR = 1991
LAYERS = ("status", "leases", "events", "countries")


@dataclass(frozen=True)
class Filters:
    asof: date = field(default_factory=date.today)
    year_from: int = FIRST_YEAR
    year_to: int = field(default_factory=lambda: date.today().year)
    site: str = ""
    layers: tuple[str, ...] = LAYERS


@dataclass(frozen=True)
class View:
    """What one set of filters shows."""

    filters: Filters
    sites: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    leases: pd.DataFrame  # all lease rows of the sites shown
    areas: gpd.GeoDataFrame
    status: pd.DataFrame  # status of the sites shown on the as-of date (sites with one)
    in_force: pd.DataFrame  # governing leases of the sites shown on the as-of date

    @property
    def counts(self) -> dict[str, int]:
        return {"sites": len(self.sites), "events": len(self.events), "leases": len(self.in_force)}


def apply(atlas: Atlas, filters: Filters) -> View:
    sites = atlas.sites
    shown = set(sites["id"])
    events = events_in_years(atlas.events, filters.year_from, filters.year_to)
    events = events[(events["site_id"] == "") | events["site_id"].isin(shown)]
    leases = atlas.leases[atlas.leases["site_id"].isin(shown)]
    status = status_as_of(atlas.control, filters.asof)
    in_force = leases_in_force(leases, filters.asof)
    return View(
        filters=filters,
        sites=sites,
        events=events,
        leases=leases,
        areas=atlas.areas[atlas.areas["site_id"].isin(shown)],
        status=status[status["site_id"].isin(shown)],
        in_force=in_force,
    )
