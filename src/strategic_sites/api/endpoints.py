"""The API's endpoints, declared once: each is a table of the page (``outputs.tables``) built
from the same atlas and view as the page builds it, and written as JSON (GeoJSON for the sites
and the events) or CSV; and the whole-view files (:data:`FILES`): one file of everything a view
shows, as the page's downloads make it (a GeoPackage, KML and KMZ, ``outputs.gis``).

The service (:mod:`.service`), the OpenAPI document (:mod:`.openapi`), the Data API page, the
README's table and the tests all read :data:`ENDPOINTS` and :data:`FILES`. A new kind of file of
a view (citations as BibTeX, RIS or CSL-JSON, say) is one more :class:`ViewFile` entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from strategic_sites.data.atlas import Atlas
from strategic_sites.outputs import cite, gis, tables
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


control_table = gis.control_table  # the control periods of the sites shown (the GeoPackage's table too)
sources_table = gis.sources_table  # the Sources page's bibliography of the view


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


@dataclass(frozen=True)
class ViewFile:
    """One file of a whole view, served as ``/api/v1/<name>.<ext>`` with the share link's
    parameters, and downloaded from the page under the same name (``tables.download_name``)."""

    name: str  # the path's stem
    ext: str  # the path's extension, and the downloaded file's
    media: str  # its media type
    summary: str
    description: str
    build: Callable[[Atlas, View, str, dict[str, str]], bytes]  # (shown atlas, view, the view's share link, options) -> the file
    download: str = "map"  # the stem of its download name (tables.download_name): of the sites and the period's events
    paged: bool = False  # never: a file is the whole view
    options: tuple[tuple[str, str], ...] = ()  # its own parameters beside the share link's: (name, what it says)

    @property
    def path(self) -> str:
        return f"{self.name}.{self.ext}"

    @property
    def paths(self) -> tuple[str]:
        return (self.path,)

    def file_name(self, filters) -> str:
        """The name the file is saved under, as the page's download of it names it."""
        return tables.download_name(self.download, filters, self.ext)


def _gis_file(ext: str, description: str) -> ViewFile:
    fmt = gis.FORMATS[ext]
    return ViewFile(
        "view",
        ext,
        fmt.media,
        f"The whole view as a {fmt.label} file",
        description,
        lambda atlas, view, link, options: gis.build(ext, atlas, view, link),
    )


SCOPE = (
    "scope",
    "What to cite: `view` (the default: the atlas and the sources of the view's sites and events), `site:<site id>` "
    "(the sources of all the site's facts), or one fact: `control:<site id>:<start>`, `lease:<site id>:<start>`, "
    "`event:<event id>` (its sources, and a disputed fact's other source marked as such).",
)


def _cite_file(fmt: str) -> ViewFile:
    made = cite.FORMATS[fmt]
    return ViewFile(
        "cite",
        made.extension,
        made.media_type,
        f"Cite the view, a site or one fact: {made.label}",
        f"The citation of the atlas (its data version, the day, the view's link) and of the sources behind what is cited, "
        f"as {made.label}: the page's 'Cite this view' and 'Cite this site or one of its facts' downloads.",
        lambda atlas, view, link, options: cite.citation(atlas, view, link, fmt, options.get("scope") or "view").text.encode("utf-8"),
        download="cite",
        options=(SCOPE,),
    )


FILES: tuple[ViewFile, ...] = (
    _gis_file(
        "gpkg",
        "One GeoPackage (EPSG:4326) for QGIS, ArcGIS and other GIS: layers sites and events (points, the Sites and "
        "Events tables' columns), lease_areas (polygons, as the map's Lease terms layer shades them), and tables "
        "control_periods, leases, sources and about (the atlas, the view, its link, the data version). Dates as "
        "the sources give them, with a true date beside each.",
    ),
    _gis_file(
        "kml",
        "KML for Google Earth: folders of sites by control status (one placemark per control period, with its "
        "time span, so the time slider plays each site's history), events (at their date) and lease areas (while "
        "a lease runs); each placemark lists its facts and its sources as links.",
    ),
    _gis_file(
        "kmz",
        "The KML zipped with the atlas's own status icons (each status's marker shape in its colour), for Google Earth.",
    ),
)
FILES += tuple(_cite_file(fmt) for fmt in ("bibtex", "ris", "csl-json", "text"))
FILE_BY_PATH: dict[str, ViewFile] = {file.path: file for file in FILES}
