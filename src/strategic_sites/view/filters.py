"""The filter state of a view and the one function that applies it to the atlas.

The map, the tables, the charts, the site panel and the counts above them all come from
:func:`apply`, called once per rerun, so they always agree. The :class:`View` answers every
question about what it shows (a site's status and lease on the as-of date, the events at
the sites shown); nothing downstream works them out again. A site selected from outside
the filters is answered by :func:`focus`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

from strategic_sites.core import layerset
from strategic_sites.view import compare, search
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.language import names as names_of
from strategic_sites.view.timeline import events_in_years, leases_in_force, status_as_of

FIRST_YEAR = 1991
LAYERS = layerset.ids()


def _today() -> date:
    return date.today()


@dataclass(frozen=True)
class Filters:
    """Everything that defines a view; the URL holds exactly this (see :mod:`urlstate`)."""

    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    asof: date = field(default_factory=_today)
    year_from: int = FIRST_YEAR
    year_to: int = field(default_factory=lambda: _today().year)
    q: str = ""
    site: str = ""
    layers: tuple[str, ...] = LAYERS
    lang: str = "en"  # names in English or Russian (display only: never changes what is shown)
    confidence: tuple[str, ...] = ()  # facts of these grades only (none chosen: all)
    vs: date | None = None  # compare the as-of date with this one (None: no comparison)
    at: tuple[float, float, float] | None = None  # where the map is, (lat, lon, zoom); None: fitted to the sites (display only)


@dataclass(frozen=True)
class View:
    """What one set of filters shows."""

    filters: Filters
    sites: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    leases: pd.DataFrame  # all lease rows of the sites shown
    areas: gpd.GeoDataFrame
    status: pd.DataFrame  # status on the as-of date of the sites shown (those with one)
    in_force: pd.DataFrame  # governing leases on the as-of date of the sites shown
    found_as: dict[str, str] = field(default_factory=dict)  # site id -> the other name a search found it by
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=compare.COLUMNS))  # Compare mode: what differs (compare.changes)

    @property
    def compared(self) -> tuple[date, date] | None:
        """The two dates compared, earlier first (None: not comparing)."""
        vs = self.filters.vs
        return None if vs is None or vs == self.filters.asof else tuple(sorted((self.filters.asof, vs)))

    def changes_of(self, site_id: str) -> pd.DataFrame:
        """The site's rows of :attr:`changes` (none: unchanged, or not comparing)."""
        return self.changes[self.changes["site_id"] == site_id]

    @property
    def counts(self) -> dict[str, int]:
        return {"sites": len(self.sites), "events": len(self.events), "leases": len(self.in_force)}

    def shows(self, site_id: str) -> bool:
        return site_id in set(self.sites["id"])

    def status_of(self, site_id: str) -> pd.Series | None:
        """The site's control period on the as-of date (None: no record covers it)."""
        return _row(self.status, site_id)

    def lease_of(self, site_id: str) -> pd.Series | None:
        """The lease governing the site on the as-of date, with ``years_remaining``."""
        return _row(self.in_force, site_id)

    def site_events(self, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """The events of the view (or ``events``) that belong to a site shown (at it, or
        about it), each with ``row_site``: the site whose row it goes on (where it happened,
        else the first site it concerns)."""
        events = self.events if events is None else events
        first = events["concern_ids"].map(lambda ids: ids[0] if len(ids) else "")
        row_site = events["site_id"].astype(str).where(events["site_id"] != "", first)
        events = events.assign(row_site=row_site)
        return events[events["row_site"].isin(set(self.sites["id"]))]


def _row(frame: pd.DataFrame, key: str) -> pd.Series | None:
    """The row of ``key`` in a frame indexed by site id, or None."""
    return frame.loc[key] if key in frame.index else None


def _matches(series: pd.Series, text: str) -> pd.Series:
    return series.fillna("").str.casefold().str.contains(text.casefold(), regex=False)


def _any_in(lists: pd.Series, wanted: set[str]) -> pd.Series:
    """For a column of lists: whether each list holds one of ``wanted`` (vectorised)."""
    items = lists.explode()
    return items.isin(wanted).groupby(level=0).any().reindex(lists.index, fill_value=False).astype(bool)


def _touches(events: pd.DataFrame, ids: set[str]) -> pd.Series:
    """Events at one of the sites, or concerning one of them."""
    return events["site_id"].isin(ids) | _any_in(events["concern_ids"], ids)


def graded(frame: pd.DataFrame, confidence: tuple[str, ...]) -> pd.DataFrame:
    """The rows of a frame of facts (control periods, leases, events) of the chosen grades."""
    return frame[frame["confidence"].isin(confidence)] if confidence else frame


def apply(atlas: Atlas, filters: Filters) -> View:
    """Filter the atlas.

    Sites: by host country, kind, status on the as-of date, and search text (any name of the
    site: :mod:`strategic_sites.view.search`; the best hits first). Events: by period; when sites
    are filtered, those at or about the sites that pass, plus events away from any site that
    involve a chosen country (unless a kind or status is chosen); search text also finds events
    by title. A confidence filter keeps the facts of the chosen grades: the events, the lease
    agreements, and the sites whose status on the as-of date is one of them.
    """
    control = graded(atlas.control, filters.confidence)
    status_all = status_as_of(control, filters.asof)
    sites = atlas.sites
    if filters.countries:
        sites = sites[sites["country"].isin(filters.countries)]
    if filters.kinds:
        sites = sites[sites["kind"].isin(filters.kinds)]
    if filters.statuses:
        allowed = set(status_all.index[status_all["status"].isin(filters.statuses)])
        sites = sites[sites["id"].isin(allowed)]
    if filters.confidence:
        sites = sites[sites["id"].isin(set(status_all.index))]
    structural_ids = set(sites["id"])
    q = filters.q.strip()
    found_as = {}
    if q:
        hits = [hit for hit in search.finder(atlas).find(q) if hit.site_id in structural_ids]
        order = {hit.site_id: rank for rank, hit in enumerate(hits)}
        sites = sites[sites["id"].isin(order)]
        sites = sites.iloc[sites["id"].map(order).argsort(kind="stable")]
        found_as = {hit.site_id: said for hit in hits if (said := search.matched_name(hit))}
    shown = set(sites["id"])

    events = graded(events_in_years(atlas.events, filters.year_from, filters.year_to), filters.confidence)
    if filters.countries or filters.kinds or filters.statuses:
        loose = (events["site_id"] == "") & events["concern_ids"].str.len().eq(0)
        if filters.kinds or filters.statuses:
            loose &= False
        if filters.countries:
            loose &= _any_in(events["country_list"], set(filters.countries))
        events = events[_touches(events, structural_ids) | loose]
    if q:
        events = events[_matches(events["title"], q) | _matches(events["title"], search.fold(q)) | _touches(events, shown)]

    leases = graded(atlas.leases[atlas.leases["site_id"].isin(shown)], filters.confidence)
    changes = None
    if filters.vs is not None and filters.vs != filters.asof:
        changes = compare.changes(control, leases, list(sites["id"]), filters.asof, filters.vs, names_of(atlas))
    return View(
        filters=filters,
        sites=sites,
        events=events,
        leases=leases,
        areas=atlas.areas[atlas.areas["site_id"].isin(shown)],
        status=status_all[status_all["site_id"].isin(shown)],
        in_force=leases_in_force(leases, filters.asof),
        found_as=found_as,
        **({"changes": changes} if changes is not None else {}),
    )


def focus(atlas: Atlas, view: View, site_id: str) -> View:
    """The view that answers for one selected site: ``view`` itself when it shows the site,
    else the site alone on the view's as-of date (a site opened by link or picked outside
    the filters is still shown, with its status and lease on that date)."""
    if view.shows(site_id):
        return view
    return site_only(atlas, site_id, view.filters.asof)


def site_only(atlas: Atlas, site_id: str, day: date) -> View:
    """The view of one site alone on ``day`` (its status, leases and areas; no events),
    whatever the filters: the site page's small map."""
    sites = atlas.sites[atlas.sites["id"] == site_id]
    leases = atlas.leases[atlas.leases["site_id"] == site_id]
    return View(
        filters=Filters(asof=day, site=site_id, layers=("status", "leases", "countries")),
        sites=sites,
        events=atlas.events.iloc[:0],
        leases=leases,
        areas=atlas.areas[atlas.areas["site_id"] == site_id],
        status=status_as_of(atlas.control[atlas.control["site_id"] == site_id], day),
        in_force=leases_in_force(leases, day),
    )
