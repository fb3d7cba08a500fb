"""A view as files for GIS and Google Earth: a GeoPackage for QGIS or ArcGIS, and KML and KMZ
for Google Earth, whose time slider then plays the sites' control history.

**GeoPackage** (:func:`geopackage`): one file of seven tables, EPSG:4326, written by GDAL
through pyogrio (the reader geopandas already uses):

- ``sites``: points with the Sites table's columns (``tables.sites_table``);
- ``events``: points with the Events table's columns, the summary and the date's precision;
- ``lease_areas``: the leased territories and ranges as the map's Lease terms layer shows them,
  with the lease in force on the as-of date, its years left and the map's shade;
- ``control_periods``, ``leases`` and ``sources``: the control history of the sites shown, their
  lease agreements, and the sources behind the view, as tables without geometry;
- ``about``: what the file is: the atlas, the view in words, its live link, the data version,
  the day it was made and the licence.

Columns are typed: numbers as numbers, and each date column as the data writes it (``1997``,
``1999-08`` or ``2019-08-28``: the precision the source gives) with a true date beside it
(``since_date``, ``from_date``, ``date_first``…; a partial date's first day, an event's last
day too), so that QGIS's temporal controller or a date filter can use them. The types stay the
same whatever the view holds, an empty one too. Each table's description says what it is.

**KML and KMZ** (:func:`kml`, :func:`kmz`): one folder per layer.

- *Sites by control status*: one placemark per control period of each site shown, with its
  ``TimeSpan`` (an ongoing period has no end), styled by its status in the map's colours and
  shapes (:mod:`strategic_sites.map.style`), the status written in its name and description too.
- *Events*: one placemark per event, with a ``TimeStamp`` (an event known to a month or a year
  spans it: a ``TimeSpan`` from its first to its last day).
- *Lease areas*: each drawn area once per lease of its site, with that lease's ``TimeSpan``.

Every description lists the facts and the sources as links; text from the data is escaped twice
over (as HTML in the description, then as XML), so a name such as ``<img src=x onerror=…>`` or
``]]>`` reads as text. The KMZ holds the KML and the atlas's own marker icons (the status's shape
in its colour, :func:`strategic_sites.map.style.status_marker_svg`); the KML, a single text file,
tints Google Earth's standard placemark circle with the status's colour instead.

The KML is built with **fastkml** rather than GDAL's LIBKML driver or simplekml: it builds an
lxml element tree, so every text is escaped by the serialiser rather than by a flag a caller can
turn off (simplekml's ``parsetext``); its ``KmlDateTime`` writes a year, a month or a day as KML's
``gYear``, ``gYearMonth`` or ``date``, the precision the data has; and its ``Style``,
``IconStyle``, ``TimeSpan`` and ``TimeStamp`` are objects, where LIBKML takes a time span from
fields of set names and a style only as an OGR style string, with no shared styles or icons of a
KMZ's own.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from strategic_sites.core import text
from strategic_sites.core.dates import parse_partial
from strategic_sites.data import lookup
from strategic_sites.data.atlas import Atlas
from strategic_sites.map import popups
from strategic_sites.map.layer_kinds.leases import NO_LEASE
from strategic_sites.map.style import (
    EVENT_COLOURS,
    LEASE_NONE_COLOUR,
    LEASE_OPEN_COLOUR,
    NO_STATUS_COLOUR,
    NO_STATUS_SHAPE,
    STATUS_COLOURS,
    STATUS_SHAPES,
    lease_colour,
    status_marker_svg,
)
from strategic_sites.outputs import tables
from strategic_sites.view.filters import View, graded
from strategic_sites.view.language import names as names_of

TITLE = "Strategic Sites Atlas"
LICENCE = "Data: CC BY 4.0 (Strategic Sites Atlas); cite the sources linked in each row"
CRS = "EPSG:4326"
NO_STATUS = "No recorded status"


@dataclass(frozen=True)
class Format:
    """One kind of GIS file of a view."""

    ext: str
    label: str  # its download button
    media: str  # its media type
    use: str  # what it is for, in a sentence


FORMATS: dict[str, Format] = {
    "gpkg": Format("gpkg", "GeoPackage", "application/geopackage+sqlite3", "for QGIS, ArcGIS and other GIS: sites, events and lease areas as layers, with the control history, leases and sources as tables"),
    "kml": Format("kml", "KML", "application/vnd.google-earth.kml+xml", "for Google Earth and web maps: one text file, the time slider playing each site's control history"),
    "kmz": Format("kmz", "KMZ", "application/vnd.google-earth.kmz", "for Google Earth: the KML zipped with the map's own status icons"),
}


# --- the tables -------------------------------------------------------------------------------


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


def lease_areas_table(atlas: Atlas, view: View) -> pd.DataFrame:
    """Each drawn area of the sites shown, as the map's Lease terms layer shades it: the lease
    in force on the as-of date (none: "no lease in force"), its years left and the shade."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    rows = []
    for area in view.areas.itertuples():
        lease = view.lease_of(area.site_id)
        if lease is not None:
            colour, shade = lease_colour(lease["years_remaining"])
            years = lease["years_remaining"]
        else:
            colour, shade, years = LEASE_NONE_COLOUR, NO_LEASE, None
        rows.append(
            {
                "site_id": area.site_id,
                "site": links.site_name(area.site_id, area.site_id),
                "area_kind": names.area_kind(area.area_kind),
                "area_km2": area.area_km2,
                "drawn_as": area.drawn_as,
                "lease": names.parties(lease["lessor"], lease["lessee"]) if lease is not None else "",
                "lease_start": lease["start"] if lease is not None else "",
                "lease_end": text.end(lease["end"]) if lease is not None else "",
                "years_left": round(float(years), 1) if years is not None and pd.notna(years) else None,
                "shade": shade,
                "colour": colour,
                "confidence": tables.grade(lease["confidence"]) if lease is not None else "",
                "sources": links.publishers([*area.source_ids, *(lease["source_ids"] if lease is not None else [])]),
                "source": links.first_url(area.source_ids),
                "note": area.note,
            }
        )
    columns = ["site_id", "site", "area_kind", "area_km2", "drawn_as", "lease", "lease_start", "lease_end", "years_left", "shade", "colour", "confidence", "sources", "source", "note"]
    return pd.DataFrame(rows, columns=columns)


# --- the GeoPackage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One table of the GeoPackage: its rows, which columns are typed how, and what it is."""

    name: str
    description: str
    table: pd.DataFrame
    geometry: list | None = None  # shapely geometries in EPSG:4326, one per row (None: no geometry)
    geometry_type: str | None = None
    numbers: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    dates: tuple[tuple[str, str, str], ...] = ()  # (new column, the text column it reads, "first" or "last")


def _day(value, end: str = "first") -> date | None:
    """A date the data writes (``1997``, ``1999-08``, ``2019-08-28``) as a day: its first (or
    last) day; None for a blank or an open end."""
    if value is None or (isinstance(value, float) and value != value) or text.blank(value) or value == text.OPEN_END:
        return None
    try:
        parsed = parse_partial(str(value))
    except ValueError:
        return None
    return parsed.first if end == "first" else parsed.last


def _typed(layer: Layer) -> pd.DataFrame:
    """The layer's table with typed columns: numbers as float, counts as integers, the added
    date columns as dates (Arrow ``date32``: GDAL writes them as a GeoPackage DATE), the rest as text."""
    import pyarrow as pa

    frame = layer.table.reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        values = frame[name]
        if name in layer.numbers:
            columns[name] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif name in layer.integers:
            columns[name] = pd.Series(pd.array(pd.to_numeric(values, errors="coerce"), dtype="Int64"))
        else:
            columns[name] = values.astype(object).where(values.notna(), None).map(lambda v: v if v is None else str(v)).astype("string")
        for added, source, end in layer.dates:
            if source == name:
                columns[added] = pd.Series(pd.array([_day(v, end) for v in values], dtype=pd.ArrowDtype(pa.date32())))
    return pd.DataFrame(columns, index=range(len(frame)))


def gpkg_layers(atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> list[Layer]:
    """The GeoPackage's tables of a view, in the order a GIS lists them."""
    import geopandas as gpd

    def points(frame) -> list:
        return list(gpd.GeoSeries(list(frame.geometry), crs=frame.crs or CRS).to_crs(CRS))

    events = view.events
    event_rows = tables.events_table(atlas, events).assign(summary=events["summary"].tolist(), date_precision=events["date_precision"].astype(str).tolist())
    areas = view.areas
    area_shapes = list(gpd.GeoSeries(list(areas.geometry), crs=areas.crs or CRS).to_crs(CRS))
    about = pd.DataFrame(about_rows(atlas, view, link, exported), columns=["key", "value"])
    return [
        Layer(
            "sites",
            "The sites of the view: kind, host country, control status and operator on the as-of date and since when "
            "(since_date: its first day), confidence, lessee, lease end (lease_end_date) and years left, sources.",
            tables.sites_table(atlas, view),
            points(view.sites),
            "Point",
            numbers=("years_left",),
            integers=("sources",),
            dates=(("since_date", "since", "first"), ("lease_end_date", "lease_end", "first")),
        ),
        Layer(
            "events",
            "The events of the view's period at or about the sites shown, oldest first, at the site or at their own "
            "place: date as the sources give it (year, month or day; date_precision) and its first and last day.",
            event_rows,
            points(events),
            "Point",
            dates=(("date_first", "date", "first"), ("date_last", "date", "last")),
        ),
        Layer(
            "lease_areas",
            "The leased territories and ranges of the sites shown, as the map's Lease terms layer shades them: the lease "
            "in force on the as-of date, its years left, the shade and its colour. drawn_as says where each outline comes from.",
            lease_areas_table(atlas, view),
            area_shapes,
            "MultiPolygon",
            numbers=("area_km2", "years_left"),
            dates=(("lease_start_date", "lease_start", "first"), ("lease_end_date", "lease_end", "first")),
        ),
        Layer(
            "control_periods",
            "Every control period of each site shown (the site panel's history): status, from, to (from_date and "
            "to_date: their first day; none: ongoing), operator, confidence and sources. Join to sites on site_id = id.",
            control_table(atlas, view),
            numbers=(),
            dates=(("from_date", "from", "first"), ("to_date", "to", "first")),
        ),
        Layer(
            "leases",
            "Every lease agreement of the sites shown (the Leases table), oldest first per site: parties, signed, start, "
            "end, annual rent in US dollars, area, confidence and source. Join to sites on site_id = id.",
            tables.leases_table(atlas, view.leases),
            numbers=("rent_usd", "area_km2"),
            dates=(("signed_date", "signed", "first"), ("start_date", "start", "first"), ("end_date", "end", "first")),
        ),
        Layer(
            "sources",
            "The sources behind the view (the Sources page): title, publisher, date, author, link, the sites they "
            "document and how many events cite them.",
            sources_table(atlas, view),
            integers=("events",),
            dates=(("published_date", "published", "first"),),
        ),
        Layer("about", "What this file is: the atlas, the view, its live link, the data version, when it was made and the licence.", about),
    ]


def about_rows(atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> list[tuple[str, str]]:
    """What a file of the view says about itself: the atlas, the view in words, its live link,
    the data version, the day it was made, the licence and the coordinates' reference system."""
    from strategic_sites.outputs.export import describe

    version = atlas.data_version
    return [
        ("title", TITLE),
        ("view", "; ".join(describe(atlas, view))),
        ("link", link),
        ("data_version", version.code if version is not None else atlas.version[:8]),
        ("data_changed", version.changed if version is not None else ""),
        ("exported", (exported or date.today()).isoformat()),
        ("licence", LICENCE),
        ("crs", CRS),
    ]


def geopackage(atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> bytes:
    """The view as one GeoPackage (its bytes): the layers of :func:`gpkg_layers`, each with its
    description, written to a temporary file that is removed once read."""
    import geopandas as gpd
    import pyogrio

    layers = gpkg_layers(atlas, view, link, exported)
    with tempfile.TemporaryDirectory(prefix="ssa-gpkg-") as folder:
        path = Path(folder) / "view.gpkg"
        for layer in layers:
            frame = _typed(layer)
            options = {"DESCRIPTION": layer.description, "IDENTIFIER": f"{TITLE}: {layer.name}"}
            if layer.geometry is not None:
                frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(layer.geometry, crs=CRS, index=frame.index), crs=CRS)
                pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG", use_arrow=True, geometry_type=layer.geometry_type, promote_to_multi=layer.geometry_type == "MultiPolygon", layer_options=options)
            else:
                pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG", use_arrow=True, layer_options=options)
        return path.read_bytes()


# --- KML and KMZ --------------------------------------------------------------------------------

GOOGLE_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"  # tinted in a plain KML
ICON_PX = 32
STATUS_KEYS = (*STATUS_COLOURS, None)  # every status, and none on the date


def _kml_colour(hex_colour: str, alpha: int = 255) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{alpha:02x}{b}{g}{r}".lower()


def _status_style(status: str | None) -> str:
    return f"status-{status or 'none'}"


def _icon_file(style_id: str) -> str:
    return f"files/{style_id}.png"


def icons() -> dict[str, bytes]:
    """The KMZ's icons: each status's marker (its shape in its colour, as on the map) and each
    event kind's dot, as PNG, by their path in the KMZ."""
    import vl_convert

    made = {_icon_file(_status_style(status)): vl_convert.svg_to_png(status_marker_svg(status, ICON_PX)) for status in STATUS_KEYS}
    for kind, colour in EVENT_COLOURS.items():
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {ICON_PX} {ICON_PX}" width="{ICON_PX}" height="{ICON_PX}">'
            f'<circle cx="16" cy="16" r="12" fill="{colour}" stroke="#ffffff" stroke-width="3"/>'
            f'<circle cx="16" cy="16" r="13.5" fill="none" stroke="rgba(0,0,0,0.55)" stroke-width="1"/></svg>'
        )
        made[_icon_file(f"event-{kind}")] = vl_convert.svg_to_png(svg)
    return made


def _styles(local_icons: bool) -> list:
    from fastkml.links import Icon
    from fastkml.styles import IconStyle, LabelStyle, LineStyle, PolyStyle, Style

    def icon_style(style_id: str, colour: str, scale: float) -> IconStyle:
        if local_icons:
            return IconStyle(scale=scale, icon=Icon(href=_icon_file(style_id)))
        return IconStyle(color=_kml_colour(colour), scale=scale, icon=Icon(href=GOOGLE_ICON))

    styles = []
    for status in STATUS_KEYS:
        colour = STATUS_COLOURS[status] if status else NO_STATUS_COLOUR
        style_id = _status_style(status)
        styles.append(Style(id=style_id, styles=[icon_style(style_id, colour, 1.0), LabelStyle(scale=0.8)]))
    for kind, colour in EVENT_COLOURS.items():
        style_id = f"event-{kind}"
        styles.append(Style(id=style_id, styles=[icon_style(style_id, colour, 0.6), LabelStyle(scale=0)]))
    for style_id, colour in (("lease-area", LEASE_OPEN_COLOUR), ("lease-none", LEASE_NONE_COLOUR)):
        styles.append(Style(id=style_id, styles=[PolyStyle(color=_kml_colour(colour, 0x59)), LineStyle(color=_kml_colour(colour), width=2)]))
    return styles


def _facts(rows: list[tuple[str, str]]) -> str:
    """Facts as an HTML table of label and value (values already escaped)."""
    cells = "".join(f"<tr><th align='left' valign='top'>{popups.esc(label)}</th><td>{value}</td></tr>" for label, value in rows if value)
    return f"<table>{cells}</table>"


def _sources(heading: str, source_ids, links: lookup.Lookup) -> str:
    listed = popups.source_links(list(dict.fromkeys(source_ids)), links.source_rows)
    return f"<p><b>{popups.esc(heading)}</b></p>{listed}" if listed else ""


def _when(start, finish):
    """A period as a KML ``TimeSpan``: begin and end as the data writes them (an open end: none)."""
    from fastkml.times import KmlDateTime, TimeSpan

    return TimeSpan(begin=KmlDateTime.parse(str(start)), end=None if text.blank(finish) else KmlDateTime.parse(str(finish)))


def _event_time(row):
    """An event's time: a ``TimeStamp`` of its day, or a ``TimeSpan`` over the month or year it is known to."""
    from fastkml.times import KmlDateTime, TimeSpan, TimeStamp

    when = parse_partial(str(row.date))
    if when.precision == "day":
        return TimeStamp(timestamp=KmlDateTime(when.first))
    return TimeSpan(begin=KmlDateTime(when.first), end=KmlDateTime(when.last))


def _data(**values):
    from fastkml.data import Data, ExtendedData

    return ExtendedData(elements=[Data(name=name, value=str(value)) for name, value in values.items() if not text.blank(value)])


def _site_placemarks(atlas: Atlas, view: View) -> list:
    """One placemark per control period of each site shown (of the view's confidence grades),
    with its time span and its status's style; a site with none, one placemark without time."""
    from fastkml import Placemark
    from fastkml.styles import StyleUrl

    names = names_of(atlas)
    links = lookup.of(atlas)
    control = graded(atlas.control, view.filters.confidence)
    by_site = {site_id: rows.sort_values("start_date", kind="stable") for site_id, rows in control[control["site_id"].isin(set(view.sites["id"]))].groupby("site_id")}
    placemarks = []
    for site in view.sites.itertuples():
        head = [("Kind", popups.esc(names.kind(site.kind))), ("Host", popups.esc(f"{names.country_with_code(site.country)}, {site.place}"))]
        if site.name_ru and site.name_ru != site.name:
            head.insert(0, ("Russian name", popups.esc(site.name_ru)))
        about_site = f"<p>{popups.esc(site.summary)}</p>" if not text.blank(site.summary) else ""
        site_sources = _sources("Sources for the site", site.source_ids, links)
        periods = by_site.get(site.id)
        if periods is None or periods.empty:
            description = f"<h3>{popups.esc(site.name)}</h3>" + _facts([*head, ("Status", popups.esc(NO_STATUS))]) + about_site + site_sources
            placemarks.append(Placemark(name=f"{site.name} — {NO_STATUS}", description=description, style_url=StyleUrl(url="#" + _status_style(None)), geometry=site.geometry, extended_data=_data(site_id=site.id)))
            continue
        for period in periods.itertuples():
            label = names.status(period.status)
            shape = STATUS_SHAPES.get(period.status, NO_STATUS_SHAPE)
            facts = [
                *head,
                ("Status", f"{popups.esc(label)} ({popups.esc(shape)} marker) {popups.badge(str(period.confidence))}"),
                ("Period", popups.esc(text.period(period.start, period.end))),
                ("Operator", popups.esc(period.operator)),
                ("Note", popups.esc(period.note)),
            ]
            description = (
                f"<h3>{popups.esc(site.name)}</h3>"
                + _facts(facts)
                + popups.dispute(control.loc[period.Index], links.source_rows)
                + _sources("Sources for this period", period.source_ids, links)
                + about_site
                + site_sources
            )
            placemarks.append(
                Placemark(
                    name=f"{site.name} — {label}, {text.period(period.start, period.end)}",
                    description=description,
                    times=_when(period.start, period.end),
                    style_url=StyleUrl(url="#" + _status_style(period.status)),
                    geometry=site.geometry,
                    extended_data=_data(site_id=site.id, status=label, start=period.start, end=period.end, operator=period.operator, confidence=period.confidence),
                )
            )
    return placemarks


def _event_placemarks(atlas: Atlas, view: View) -> list:
    """One placemark per event of the view, at its site or its own place, with its time."""
    from fastkml import Placemark
    from fastkml.styles import StyleUrl

    names = names_of(atlas)
    links = lookup.of(atlas)
    placemarks = []
    for event in view.events.itertuples():
        kind = names.event_kind(str(event.kind))
        facts = [
            ("Date", popups.esc(event.date)),
            ("Kind", popups.esc(kind)),
            ("Site", popups.esc(links.site_name(str(event.site_id)))),
            ("Countries", popups.esc(names.countries(list(event.country_list)))),
            ("Confidence", popups.badge(str(event.confidence))),
        ]
        description = (
            f"<h3>{popups.esc(event.title)}</h3>"
            + _facts(facts)
            + (f"<p>{popups.esc(event.summary)}</p>" if not text.blank(event.summary) else "")
            + popups.dispute(view.events.loc[event.Index], links.source_rows)
            + _sources("Sources", event.source_ids, links)
        )
        placemarks.append(
            Placemark(
                name=f"{event.date} · {kind}: {event.title}",
                description=description,
                times=_event_time(event),
                style_url=StyleUrl(url=f"#event-{event.kind}" if str(event.kind) in EVENT_COLOURS else "#event-statement"),
                geometry=event.geometry,
                extended_data=_data(event_id=event.id, date=event.date, kind=kind, site_id=event.site_id),
            )
        )
    return placemarks


def _area_placemarks(atlas: Atlas, view: View) -> list:
    """Each drawn area once per lease agreement of its site, with the lease's time span; an
    area of a site with no lease, once without time."""
    from fastkml import Placemark
    from fastkml.styles import StyleUrl

    names = names_of(atlas)
    links = lookup.of(atlas)
    leases = view.leases.sort_values(["site_id", "start_date"], kind="stable")
    placemarks = []
    for area in view.areas.itertuples():
        site = links.site_name(area.site_id, area.site_id)
        size = f"{area.area_km2:,.0f} km²" if pd.notna(area.area_km2) else "not known"
        shape = [("Area", popups.esc(names.area_kind(area.area_kind))), ("Size", popups.esc(size)), ("Drawn as", popups.esc(area.drawn_as))]
        area_sources = _sources("Sources for the area", area.source_ids, links)
        own = leases[leases["site_id"] == area.site_id]
        if own.empty:
            description = f"<h3>{popups.esc(site)}</h3>" + _facts([("Lease", popups.esc("No lease recorded")), *shape]) + area_sources
            placemarks.append(Placemark(name=f"{site} — area, no lease recorded", description=description, style_url=StyleUrl(url="#lease-none"), geometry=area.geometry, extended_data=_data(site_id=area.site_id)))
            continue
        for lease in own.itertuples():
            parties = names.parties(lease.lessor, lease.lessee)
            term = text.period(lease.start, lease.end)
            facts = [
                ("Lease", popups.esc(f"{parties}, {term}") + " " + popups.badge(str(lease.confidence))),
                ("Signed", popups.esc(lease.signed)),
                ("Rent", popups.esc(text.money(lease.annual_rent_usd))),
                *shape,
                ("Note", popups.esc(lease.note)),
            ]
            description = (
                f"<h3>{popups.esc(site)}</h3>"
                + _facts(facts)
                + popups.dispute(view.leases.loc[lease.Index], links.source_rows)
                + _sources("Sources for the lease", lease.source_ids, links)
                + area_sources
            )
            placemarks.append(
                Placemark(
                    name=f"{site} — lease area, {parties}, {term}",
                    description=description,
                    times=_when(lease.start, lease.end),
                    style_url=StyleUrl(url="#lease-area"),
                    geometry=area.geometry,
                    extended_data=_data(site_id=area.site_id, lessee=lease.lessee, start=lease.start, end=lease.end),
                )
            )
    return placemarks


def _legend(atlas: Atlas, local_icons: bool) -> str:
    """The statuses in words, with their marker's shape (and, in a KMZ, the icon itself)."""
    names = names_of(atlas)
    items = []
    for status in STATUS_KEYS:
        label = names.status(status) if status else NO_STATUS
        shape = STATUS_SHAPES[status] if status else NO_STATUS_SHAPE
        icon = f"<img src='{_icon_file(_status_style(status))}' width='16' height='16' alt=''> " if local_icons else ""
        items.append(f"<li>{icon}{popups.esc(label)}: {popups.esc(shape)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def kml_document(atlas: Atlas, view: View, link: str = "", exported: date | None = None, local_icons: bool = False) -> bytes:
    """The view as a KML document (UTF-8 bytes): folders of sites by control status, events and
    lease areas; ``local_icons``: the styles point at the KMZ's own icons."""
    from fastkml import KML, Document, Folder
    from lxml import etree

    about = dict(about_rows(atlas, view, link, exported))
    note = "".join(f"<p>{popups.esc(line)}</p>" for line in about["view"].split("; "))
    if link:
        note += f'<p><a href="{popups.esc(link)}">The live view in the atlas</a></p>'
    note += (
        f"<p>Made {popups.esc(about['exported'])} from data version {popups.esc(about['data_version'])}. {popups.esc(LICENCE)}.</p>"
        "<p>Move the time slider: each site shows the status it had then. Marker shapes by status:</p>" + _legend(atlas, local_icons)
    )
    folders = [
        Folder(name="Sites by control status", description="One placemark per control period of each site, shown while the period lasts.", features=_site_placemarks(atlas, view)),
        Folder(name="Events", description="The view's events, each shown at its date.", features=_event_placemarks(atlas, view)),
        Folder(name="Lease areas", description="Leased territories and ranges, each shown while a lease of its site runs.", features=_area_placemarks(atlas, view)),
    ]
    document = Document(name=f"{TITLE}: {about['view'].split('; ')[0]}", description=note, isopen=True, styles=_styles(local_icons), features=folders)
    tree = KML(features=[document]).etree_element()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def kml(atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> bytes:
    """The view as one KML file for Google Earth (see the module's description)."""
    return kml_document(atlas, view, link, exported, local_icons=False)


def kmz(atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> bytes:
    """The view as a KMZ: ``doc.kml`` (first, as Google Earth expects) and its icons under ``files/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kmz_file:
        kmz_file.writestr("doc.kml", kml_document(atlas, view, link, exported, local_icons=True))
        for name, data in icons().items():
            kmz_file.writestr(name, data)
    return buffer.getvalue()


BUILDERS = {"gpkg": geopackage, "kml": kml, "kmz": kmz}


def build(fmt: str, atlas: Atlas, view: View, link: str = "", exported: date | None = None) -> bytes:
    """The view as a file of ``fmt`` (a key of :data:`FORMATS`)."""
    return BUILDERS[fmt](atlas, view, link, exported)
