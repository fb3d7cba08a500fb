"""Display tables: plain DataFrames built from a view or a site, ready to show.

Every status and lease comes from the :class:`~strategic_sites.view.filters.View`; names come
from :func:`strategic_sites.view.language.names`, wording from :mod:`strategic_sites.core.text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from strategic_sites.data import lookup
from strategic_sites.core import text
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View, in_file_name
from strategic_sites.view.language import names as names_of
from strategic_sites.data.schema import split_list
from strategic_sites.map.style import CONFIDENCE_BADGES
from strategic_sites.view.timeline import events_of_site

SITE_COLUMNS = ["id", "name", "name_ru", "kind", "country", "status", "operator", "since", "confidence", "lessee", "lease_end", "years_left", "sources", "source"]


def grade(value) -> str:
    """A fact's confidence as a table shows it: ``! disputed`` (blank when it has none)."""
    value = str(value) if not text.blank(value) else ""
    return f"{CONFIDENCE_BADGES[value][0]} {value}" if value in CONFIDENCE_BADGES else ""


def other_value(row, links) -> str:
    """A disputed fact's other value and who gives it: ``annual rent usd: 4500000 (RFE/RL)``."""
    column = text.disputed_column(row["confidence"], row["dispute_field"])
    if not column:
        return ""
    return f"{column}: {row['dispute_value']} ({links.publishers(split_list(str(row['dispute_source_id'])))})"


def sites_table(atlas: Atlas, view: View) -> pd.DataFrame:
    """One row per site shown: kind, host, status and operator on the as-of date since when,
    lessee, lease end and years left."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    rows = []
    for site in view.sites.itertuples():
        period = view.status_of(site.id)
        lease = view.lease_of(site.id)
        years_left = lease["years_remaining"] if lease is not None else None
        rows.append(
            {
                "id": site.id,
                "name": site.name,
                "name_ru": site.name_ru,
                "kind": names.kind(site.kind),
                "country": names.country_with_code(site.country),
                "status": names.status(period["status"]) if period is not None else "No record on this date",
                "operator": period["operator"] if period is not None else "",
                "since": period["start"] if period is not None else "",
                "confidence": grade(period["confidence"]) if period is not None else "",
                "lessee": names.country(lease["lessee"]) if lease is not None else "",
                "lease_end": text.end(lease["end"]) if lease is not None else "",
                "years_left": round(float(years_left), 1) if years_left is not None and pd.notna(years_left) else None,
                "sources": len(site.source_ids),
                "source": links.first_url(site.source_ids),
            }
        )
    return pd.DataFrame(rows, columns=SITE_COLUMNS)


def events_table(atlas: Atlas, events: pd.DataFrame) -> pd.DataFrame:
    """One row per event shown: date, site, kind, title, countries, source."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    # Cells repeat across thousands of events: each distinct cell is worked out once.
    countries = events["countries"].astype(str).tolist()
    country_text = {cell: names.countries(split_list(cell)) for cell in set(countries)}
    cited = events["source_id"].astype(str).tolist()
    first_url = {cell: links.first_url(split_list(cell)) for cell in set(cited)}
    grades = {value: grade(value) for value in CONFIDENCE_BADGES}
    other = [""] * len(events)
    for position in np.flatnonzero((events["confidence"].astype(str) == "disputed").to_numpy()):
        other[position] = other_value(events.iloc[position], links)
    return pd.DataFrame(
        {
            "id": events["id"].tolist(),
            "date": events["date"].tolist(),
            "site": [links.site_name(s) for s in events["site_id"].astype(str).tolist()],
            "kind": [names.event_kind(k) for k in events["kind"].astype(str).tolist()],
            "title": events["title"].tolist(),
            "countries": [country_text[cell] for cell in countries],
            "confidence": [grades.get(g, "") for g in events["confidence"].astype(str).tolist()],
            "other_value": other,
            "source": [first_url[cell] for cell in cited],
        },
        columns=["id", "date", "site", "kind", "title", "countries", "confidence", "other_value", "source"],
    )


def leases_table(atlas: Atlas, leases: pd.DataFrame) -> pd.DataFrame:
    """One row per lease agreement (of the sites shown, or of one site), oldest first per site."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    rows = leases.sort_values(["site_id", "start_date"])
    return pd.DataFrame(
        {
            "site_id": rows["site_id"].tolist(),
            "site": [links.site_name(s, s) for s in rows["site_id"]],
            "parties": [names.parties(a, b) for a, b in zip(rows["lessor"], rows["lessee"])],
            "signed": rows["signed"].tolist(),
            "start": rows["start"].tolist(),
            "end": [text.end(e) for e in rows["end"]],
            "rent_usd": rows["annual_rent_usd"].tolist(),
            "area_km2": rows["area_km2"].tolist(),
            "confidence": [grade(g) for g in rows["confidence"]],
            "other_value": [other_value(row, links) for _, row in rows.iterrows()],
            "note": rows["note"].tolist(),
            "source": [links.first_url(ids) for ids in rows["source_ids"]],
        },
        columns=["site_id", "site", "parties", "signed", "start", "end", "rent_usd", "area_km2", "confidence", "other_value", "note", "source"],
    )


def changes_table(atlas: Atlas, view: View) -> pd.DataFrame:
    """Compare mode: one row per fact of a site shown that differs between the two dates, the
    earlier date's value first, with the sources of both values."""
    links = lookup.of(atlas)
    changes = view.changes
    return pd.DataFrame(
        {
            "site_id": changes["site_id"].tolist(),
            "site": [links.site_name(s, s) for s in changes["site_id"]],
            "what": changes["what"].tolist(),
            "before": changes["before"].tolist(),
            "after": changes["after"].tolist(),
            "confidence": [" → ".join(grade(g) or "–" for g in pair) for pair in zip(changes["before_confidence"], changes["after_confidence"])],
            "sources": [links.publishers(dict.fromkeys([*a, *b])) for a, b in zip(changes["before_sources"], changes["after_sources"])],
            "source": [links.first_url([*b, *a]) for a, b in zip(changes["before_sources"], changes["after_sources"])],
        },
        columns=["site_id", "site", "what", "before", "after", "confidence", "sources", "source"],
    )


def sites_geojson(sites, table: pd.DataFrame) -> str:
    """The sites shown, as RFC 7946 GeoJSON with the table's columns as properties."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(table.drop(columns=["id"]).assign(id=table["id"].tolist()), geometry=list(sites.geometry), crs=sites.crs)
    return frame.to_json(drop_id=True, ensure_ascii=False, na="null")


def events_geojson(events, table: pd.DataFrame) -> str:
    """The events shown, as GeoJSON points (at their site, or at their own place)."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(table.assign(summary=events["summary"].tolist(), date_precision=events["date_precision"].tolist()), geometry=list(events.geometry), crs=events.crs)
    return frame.to_json(drop_id=True, ensure_ascii=False, na="null")


def download_name(what: str, filters, extension: str) -> str:
    """A file name that says what it holds: ``sites_KAZ-KGZ_asof-2014-01-01.geojson``,
    ``sites_all_air_base_roscosmos_asof-2014-01-01.csv``."""
    import re

    parts = [what, *in_file_name(filters)]  # every filter chosen (filters.CHOICES)
    if filters.q.strip():
        parts.append("q-" + (re.sub(r"[^0-9A-Za-z]+", "-", filters.q.strip()).strip("-")[:30] or "search"))
    if what != "events":
        parts.append(f"asof-{filters.asof.isoformat()}")
    if what in ("events", "sources", "map", "timeline", "events-per-year"):  # sources and the map: of the sites and the events shown
        parts.append(f"{filters.year_from}-{filters.year_to}")
    return "_".join(parts) + "." + extension


def history_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """The control periods of one site, oldest first."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    rows = atlas.control[atlas.control["site_id"] == site_id].sort_values("start_date")
    return pd.DataFrame(
        {
            "status": [names.status(s) for s in rows["status"]],
            "from": rows["start"].tolist(),
            "to": [text.end(e) for e in rows["end"]],
            "operator": rows["operator"].tolist(),
            "confidence": [grade(g) for g in rows["confidence"]],
            "other_value": [other_value(row, links) for _, row in rows.iterrows()],
            "note": rows["note"].tolist(),
            "sources": [links.publishers(ids) for ids in rows["source_ids"]],
            "link": [links.first_url(ids) for ids in rows["source_ids"]],
        }
    )


def lease_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """The lease agreements of one site, oldest first: the leases table's rows for it."""
    return leases_table(atlas, atlas.leases[atlas.leases["site_id"] == site_id]).drop(columns=["site_id", "site"])


def site_events_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """Every event at or about one site, oldest first."""
    names = names_of(atlas)
    links = lookup.of(atlas)
    rows = events_of_site(atlas.events, site_id)
    return pd.DataFrame(
        {
            "date": rows["date"].tolist(),
            "kind": [names.event_kind(k) for k in rows["kind"]],
            "title": rows["title"].tolist(),
            "summary": rows["summary"].tolist(),
            "confidence": [grade(g) for g in rows["confidence"].astype(str)],
            "link": [links.first_url(ids) for ids in rows["source_ids"]],
        }
    )


FACT_COLUMNS = ["fact", "what", "confidence", "source", "publisher", "published", "url"]
SOURCE_COLUMNS = ["source", "publisher", "published", "supports", "facts", "url"]
FACT_KINDS = ("Control", "Lease", "Area", "Event", "Site")  # the order a source's facts are named in: the site record, which most cite, last
EVENTS_LISTED = 5  # events named per source in :func:`site_sources`; the rest are counted


def _facts(atlas: Atlas, site_id: str) -> list[tuple[str, str, list[str], str]]:
    """Each fact about a site as ``(fact, what, source ids, confidence)``; a disputed fact also
    as its other value, with the sources of that value."""
    names = names_of(atlas)
    facts: list[tuple[str, str, list[str], str]] = []
    site = atlas.site(site_id)
    if site is None:
        return facts

    def add(fact: str, what: str, row) -> None:
        facts.append((fact, what, row.source_ids, grade(row.confidence)))
        column = text.disputed_column(row.confidence, row.dispute_field)
        if column:
            other = f"{what} — other value of {column}: {row.dispute_value}"
            facts.append((fact, other, split_list(str(row.dispute_source_id)), grade(row.confidence)))

    facts.append(("Site", f"{site['name']}: location, names and kind", site["source_ids"], ""))
    for period in atlas.control[atlas.control["site_id"] == site_id].itertuples():
        add("Control", f"{names.status(period.status)}, {text.period(period.start, period.end)}", period)
    for lease in atlas.leases[atlas.leases["site_id"] == site_id].sort_values("start_date").itertuples():
        add("Lease", f"{names.parties(lease.lessor, lease.lessee)}, signed {lease.signed}, {text.period(lease.start, lease.end)}", lease)
    for area in atlas.areas[atlas.areas["site_id"] == site_id].itertuples():
        size = f", {area.area_km2:,.0f} km²" if pd.notna(area.area_km2) else ""
        facts.append(("Area", f"{names.area_kind(area.area_kind)}{size}", area.source_ids, ""))
    for event in events_of_site(atlas.events, site_id).itertuples():
        add("Event", f"{event.date}: {event.title}", event)
    return facts


def site_facts(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """Each fact about a site with the sources behind it: one row per fact and source.

    Facts: the site record (location, names, kind), each control period, each lease
    agreement, each drawn area and each event at or about the site, with its confidence. A
    disputed fact also has a row per source of its other value, saying what that value is.
    """
    sources = atlas.sources.set_index("id")
    rows = []
    for fact, what, source_ids, confidence in _facts(atlas, site_id):
        for source_id in source_ids:
            if source_id in sources.index:
                source = sources.loc[source_id]
                rows.append({"fact": fact, "what": what, "confidence": confidence, "source": source["title"], "publisher": source["publisher"], "published": source["published"], "url": source["url"]})
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def site_sources(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """The sources behind a site's facts: one row per source, with what it supports.

    ``supports`` names the facts the source is cited for, by kind (``Control: Leased to Russia,
    1994-12-10 – ongoing · 3 events: … · Site: location, names and kind``); ``facts`` counts
    them. Each source is listed once however many facts cite it: those behind the most facts
    first, then in the order of the first fact citing them."""
    sources = atlas.sources.set_index("id")
    supported: dict[str, dict[str, list[str]]] = {}
    for fact, what, source_ids, _ in _facts(atlas, site_id):
        if fact == "Site":
            what = "location, names and kind"
        for source_id in dict.fromkeys(source_ids):
            if source_id in sources.index:
                whats = supported.setdefault(source_id, {}).setdefault(fact, [])
                if what not in whats:
                    whats.append(what)
    rows = []
    for source_id, by_kind in supported.items():
        source = sources.loc[source_id]
        said = []
        for fact in FACT_KINDS:
            whats = by_kind.get(fact, [])
            if whats:
                head = text.plural(len(whats), "event") if fact == "Event" and len(whats) > 1 else fact
                listed = whats[:EVENTS_LISTED] if fact == "Event" else whats
                more = f"; and {len(whats) - len(listed):,} more" if len(listed) < len(whats) else ""
                said.append(f"{head}: {'; '.join(listed)}{more}")
        rows.append(
            {
                "source": source["title"],
                "publisher": source["publisher"],
                "published": source["published"],
                "supports": " · ".join(said),
                "facts": sum(len(w) for w in by_kind.values()),
                "url": source["url"],
            }
        )
    rows.sort(key=lambda row: -row["facts"])  # stable: ties keep the order of first citation
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def citations(atlas: Atlas) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """For each source id: the sites it documents (any fact about them) and the events citing it."""
    sites: dict[str, list[str]] = {}
    events: dict[str, list[str]] = {}

    def add(index: dict[str, list[str]], source_ids, item: str) -> None:
        for source_id in source_ids:
            bucket = index.setdefault(source_id, [])
            if item not in bucket:
                bucket.append(item)

    for site in atlas.sites.itertuples():
        add(sites, site.source_ids, site.id)
    for frame in (atlas.control, atlas.leases, atlas.areas):
        for site_id, source_ids in zip(frame["site_id"], frame["source_ids"]):
            add(sites, source_ids, site_id)
    for frame in (atlas.control, atlas.leases):  # the other value of a disputed fact
        disputed = frame[frame["dispute_source_id"] != ""]
        for site_id, cell in zip(disputed["site_id"], disputed["dispute_source_id"]):
            add(sites, split_list(cell), site_id)
    for event_id, source_ids in zip(atlas.events["id"].tolist(), atlas.events["source_ids"].tolist()):
        for source_id in dict.fromkeys(source_ids):  # each event once per source, in linear time
            events.setdefault(source_id, []).append(event_id)
    disputed = atlas.events[atlas.events["dispute_source_id"] != ""]
    for event_id, cell in zip(disputed["id"].tolist(), disputed["dispute_source_id"].tolist()):
        for source_id in split_list(cell):
            if event_id not in events.setdefault(source_id, []):
                events[source_id].append(event_id)
    return sites, events


def bibliography(atlas: Atlas, site_ids: set[str] | None = None, event_ids: set[str] | None = None) -> pd.DataFrame:
    """Every source with publisher, date, link, and the sites and events that cite it.

    With ``site_ids``/``event_ids`` (a filtered view), only sources cited by one of those
    sites or events are listed, and only those are named.
    """
    cited_sites, cited_events = citations(atlas)
    names = lookup.of(atlas).site_names
    rows = []
    for source in atlas.sources.sort_values(["publisher", "title"], key=lambda s: s.str.casefold()).itertuples():
        sites = [s for s in cited_sites.get(source.id, []) if site_ids is None or s in site_ids]
        events = [e for e in cited_events.get(source.id, []) if event_ids is None or e in event_ids]
        if (site_ids is not None or event_ids is not None) and not sites and not events:
            continue
        rows.append(
            {
                "id": source.id,
                "title": source.title,
                "publisher": source.publisher,
                "published": source.published,
                "author": source.author,
                "url": source.url,
                "sites": ", ".join(sorted(names[s] for s in sites)),
                "events": len(events),
                "note": source.note,
            }
        )
    return pd.DataFrame(rows, columns=["id", "title", "publisher", "published", "author", "url", "sites", "events", "note"])


# Cells a spreadsheet would read as a formula (OWASP, "CSV Injection"): text that begins
# with one of these is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: pd.DataFrame) -> str:
    """A table as CSV that cannot attack a spreadsheet: text cells that begin like a formula
    are prefixed with ``'``, and so are such column names (an upload's rejected rows keep the
    file's own header); numbers (negative ones too) stay numbers. Lines end in CRLF (RFC 4180),
    so a carriage return inside a cell is quoted, never a row break."""
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(_inert)
    safe.columns = [_inert(name) for name in safe.columns]
    return safe.to_csv(index=False, lineterminator="\r\n")
