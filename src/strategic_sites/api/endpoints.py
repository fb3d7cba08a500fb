"""The API's endpoints, declared once: each is a table of the page (``outputs.tables``) built
from the same atlas and view as the page builds it, and written as JSON (GeoJSON for the sites
and the events) or CSV.

The service (:mod:`.service`), the OpenAPI document (:mod:`.openapi`), the README's table and the
tests all read :data:`ENDPOINTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from strategic_sites.data.atlas import Atlas
from strategic_sites.outputs import tables
from strategic_sites.view.filters import View
from strategic_sites.view.links import API_ROOT

PREFIX = API_ROOT  # where view.links writes the API's links
MEDIA = {"geojson": "application/geo+json", "json": "application/json", "csv": "text/csv; charset=utf-8"}
CSV_CHUNK = 2_000  # events written per piece of a streamed CSV
MAX_LIMIT = 10_000  # events one request may ask for (limit=)
DEFAULT_LIMIT = 1_000  # events a request gets when it names no limit (GeoJSON and JSON)


@dataclass(frozen=True)
class Page:
    """Which rows of a paged endpoint a request asks for (``limit=None``: all of them)."""

    offset: int = 0
    limit: int | None = None

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[self.offset :] if self.limit is None else frame.iloc[self.offset : self.offset + self.limit]

    def has_more(self, total: int) -> bool:
        return self.limit is not None and self.offset + self.limit < total


def control_table(atlas: Atlas, view: View) -> pd.DataFrame:
    """The control periods of every site shown, site by site in the view's order: the site
    panel's history table (``tables.history_table``) of each, with the site's id and name."""
    parts = [
        tables.history_table(atlas, site.id).pipe(lambda frame, s=site: frame.assign(site_id=s.id, site=s.name))
        for site in view.sites.itertuples()
    ]
    columns = ["site_id", "site", "status", "from", "to", "operator", "confidence", "other_value", "note", "sources", "link"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def sources_table(atlas: Atlas, view: View) -> pd.DataFrame:
    """The Sources page's bibliography of the view: the sources cited by the sites and events shown."""
    return tables.bibliography(atlas, set(view.sites["id"]), set(view.events["id"]))


@dataclass(frozen=True)
class Endpoint:
    """One table of a view, served as ``/api/v1/<name>.<ext>`` and ``/api/v1/<name>.csv``."""

    name: str  # the path's stem, and the name its downloads have (tables.download_name)
    ext: str  # "geojson" or "json"
    summary: str
    description: str
    table: Callable[[Atlas, View, pd.DataFrame | None], pd.DataFrame]  # (shown atlas, view, rows of view.events) -> table
    geojson: Callable[[View, pd.DataFrame, pd.DataFrame | None], str] | None = None  # (view, table, events) -> text
    paged: bool = False  # limit= and offset= page the rows (the events)

    @property
    def paths(self) -> tuple[str, str]:
        return f"{self.name}.{self.ext}", f"{self.name}.csv"

    def rows(self, atlas: Atlas, view: View, page: Page) -> pd.DataFrame:
        """The table of the view (for a paged endpoint, of the page's rows)."""
        return self.table(atlas, view, page.rows(view.events) if self.paged else None)

    def total(self, view: View) -> int | None:
        return len(view.events) if self.paged else None

    def csv_pieces(self, atlas: Atlas, view: View, page: Page) -> Iterator[str]:
        """The CSV of the rows, in pieces of :data:`CSV_CHUNK` rows (formula-safe,
        ``tables.to_csv``): their concatenation is ``to_csv`` of the whole table."""
        if not self.paged:
            yield tables.to_csv(self.rows(atlas, view, page))
            return
        events = page.rows(view.events)
        yield tables.to_csv(self.table(atlas, view, events.iloc[:CSV_CHUNK]))
        for start in range(CSV_CHUNK, len(events), CSV_CHUNK):
            text = tables.to_csv(self.table(atlas, view, events.iloc[start : start + CSV_CHUNK]))
            yield text.split("\r\n", 1)[1]  # the header once, at the top


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "sites",
        "geojson",
        "The sites of a view",
        "One feature per site shown, with the Sites table's columns: kind, host country, control status and operator "
        "on the as-of date and since when, confidence, lessee, lease end and years left, sources.",
        lambda atlas, view, events: tables.sites_table(atlas, view),
        lambda view, table, events: tables.sites_geojson(view.sites, table),
    ),
    Endpoint(
        "events",
        "geojson",
        "The events of a view, a page at a time",
        "One feature per event of the event period at or about the sites shown (or found by the search), oldest "
        "first, with the Events table's columns and the summary; at the event's site, or at its own place.",
        lambda atlas, view, events: tables.events_table(atlas, events),
        lambda view, table, events: tables.events_geojson(events, table),
        paged=True,
    ),
    Endpoint(
        "leases",
        "json",
        "The lease agreements of the sites of a view",
        "Every lease agreement of the sites shown (the Leases table), oldest first per site; the one in force on the "
        "as-of date governs.",
        lambda atlas, view, events: tables.leases_table(atlas, view.leases),
    ),
    Endpoint(
        "control",
        "json",
        "The control history of the sites of a view",
        "Every control period of each site shown (the site panel's history), oldest first: status, from, to, "
        "operator, confidence and sources.",
        lambda atlas, view, events: control_table(atlas, view),
    ),
    Endpoint(
        "sources",
        "json",
        "The sources behind a view",
        "The Sources page's bibliography of the view: each source cited by a site or an event shown, with the sites "
        "it documents and how many events cite it.",
        lambda atlas, view, events: sources_table(atlas, view),
    ),
    Endpoint(
        "changes",
        "json",
        "What changed between two dates (Compare)",
        "With vs=, the What changed table: one row per status, operator or lease of a site shown that differs "
        "between the as-of date and the vs date, with the sources of both values. Without vs=, no rows.",
        lambda atlas, view, events: tables.changes_table(atlas, view),
    ),
)
BY_PATH: dict[str, tuple[Endpoint, str]] = {
    path: (endpoint, path.rsplit(".", 1)[1]) for endpoint in ENDPOINTS for path in endpoint.paths
}
