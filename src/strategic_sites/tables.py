"""Display tables: plain DataFrames built from the atlas for a date, ready to show."""

from __future__ import annotations

from datetime import date

import pandas as pd

from strategic_sites.data import Atlas
from strategic_sites.schema import split_list
from strategic_sites.timeline import events_of_site, leases_in_force, status_as_of
from strategic_sites.vocab import AREA_KINDS, EVENT_KINDS, SITE_KINDS, STATUSES, country_name


def _first_url(source_ids: list[str], urls: dict[str, str]) -> str:
    """The link of the first source that has one."""
    return next((urls[s] for s in source_ids if urls.get(s)), "")


def sites_table(atlas: Atlas, day: date | str, sites: pd.DataFrame | None = None, status=None, in_force=None) -> pd.DataFrame:
    """One row per site: kind, host, status on ``day`` since when, lessee, lease end and years left."""
    lang = atlas.lang
    sites = atlas.sites if sites is None else sites
    status = status_as_of(atlas.control, day) if status is None else status
    in_force = leases_in_force(atlas.leases, day) if in_force is None else in_force
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    rows = []
    for site in sites.itertuples():
        period = status.loc[site.id] if site.id in status.index else None
        lease = in_force.loc[site.id] if site.id in in_force.index else None
        years_left = lease["years_remaining"] if lease is not None else None
        rows.append(
            {
                "id": site.id,
                "name": site.name,
                "name_ru": site.name_ru,
                "kind": SITE_KINDS.get(site.kind, site.kind),
                "country": f"{country_name(site.country, lang)} ({site.country})",
                "status": STATUSES[period["status"]] if period is not None else "No record on this date",
                "since": period["start"] if period is not None else "",
                "lessee": country_name(lease["lessee"], lang) if lease is not None else "",
                "lease_end": (lease["end"] or "no end date") if lease is not None else "",
                "years_left": round(float(years_left), 1) if years_left is not None and pd.notna(years_left) else None,
                "sources": len(site.source_ids),
                "source": _first_url(site.source_ids, urls),
            }
        )
    return pd.DataFrame(rows, columns=["id", "name", "name_ru", "kind", "country", "status", "since", "lessee", "lease_end", "years_left", "sources", "source"])


def events_table(atlas: Atlas, events: pd.DataFrame) -> pd.DataFrame:
    """One row per event shown: date, site, kind, title, countries, source."""
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    names = dict(zip(atlas.sites["id"], atlas.sites["name"]))
    # Cells repeat across thousands of events: each distinct cell is worked out once.
    countries = events["countries"].astype(str).tolist()
    country_text = {cell: ", ".join(country_name(c, atlas.lang) for c in split_list(cell)) for cell in set(countries)}
    cited = events["source_id"].astype(str).tolist()
    first_url = {cell: _first_url(split_list(cell), urls) for cell in set(cited)}
    return pd.DataFrame(
        {
            "id": events["id"].tolist(),
            "date": events["date"].tolist(),
            "site": [names.get(s, "") for s in events["site_id"].astype(str).tolist()],
            "kind": [EVENT_KINDS[k] for k in events["kind"].astype(str).tolist()],
            "title": events["title"].tolist(),
            "countries": [country_text[cell] for cell in countries],
            "source": [first_url[cell] for cell in cited],
        },
        columns=["id", "date", "site", "kind", "title", "countries", "source"],
    )


def leases_table(atlas: Atlas, leases: pd.DataFrame) -> pd.DataFrame:
    """One row per lease agreement of the sites shown."""
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    names = dict(zip(atlas.sites["id"], atlas.sites["name"]))
    rows = leases.sort_values(["site_id", "start_date"])
    return pd.DataFrame(
        {
            "site_id": rows["site_id"].tolist(),
            "site": [names.get(s, s) for s in rows["site_id"]],
            "parties": [f"{country_name(a, atlas.lang)} → {country_name(b, atlas.lang)}" for a, b in zip(rows["lessor"], rows["lessee"])],
            "signed": rows["signed"].tolist(),
            "start": rows["start"].tolist(),
            "end": [e or "no end date" for e in rows["end"]],
            "rent_usd": rows["annual_rent_usd"].tolist(),
            "area_km2": rows["area_km2"].tolist(),
            "source": [_first_url(ids, urls) for ids in rows["source_ids"]],
        },
        columns=["site_id", "site", "parties", "signed", "start", "end", "rent_usd", "area_km2", "source"],
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
    """A file name that says what it holds: ``sites_KAZ-KGZ_asof-2014-01-01.geojson``."""
    import re

    parts = [what, "-".join(filters.countries) or "all"]
    if filters.kinds:
        parts.append("-".join(filters.kinds))
    if filters.statuses:
        parts.append("-".join(filters.statuses))
    if filters.q.strip():
        parts.append("q-" + (re.sub(r"[^0-9A-Za-z]+", "-", filters.q.strip()).strip("-")[:30] or "search"))
    if what != "events":
        parts.append(f"asof-{filters.asof.isoformat()}")
    if what in ("events", "sources", "map"):  # sources and the map: of the sites and the events shown
        parts.append(f"{filters.year_from}-{filters.year_to}")
    return "_".join(parts) + "." + extension


def _source_labels(source_ids: list[str], titles: dict[str, str]) -> str:
    return "; ".join(titles.get(s, s) for s in source_ids)


def history_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """The control periods of one site, oldest first."""
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    titles = dict(zip(atlas.sources["id"], atlas.sources["publisher"]))
    rows = atlas.control[atlas.control["site_id"] == site_id].sort_values("start_date")
    return pd.DataFrame(
        {
            "status": [STATUSES[s] for s in rows["status"]],
            "from": rows["start"].tolist(),
            "to": [e or "ongoing" for e in rows["end"]],
            "operator": rows["operator"].tolist(),
            "note": rows["note"].tolist(),
            "sources": [_source_labels(ids, titles) for ids in rows["source_ids"]],
            "link": [_first_url(ids, urls) for ids in rows["source_ids"]],
        }
    )


def lease_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """The lease agreements of one site, oldest first."""
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    rows = atlas.leases[atlas.leases["site_id"] == site_id].sort_values("start_date")
    return pd.DataFrame(
        {
            "lessor → lessee": [f"{a} → {b}" for a, b in zip(rows["lessor"], rows["lessee"])],
            "signed": rows["signed"].tolist(),
            "start": rows["start"].tolist(),
            "end": [e or "open-ended" for e in rows["end"]],
            "rent_usd": rows["annual_rent_usd"].tolist(),
            "area_km2": rows["area_km2"].tolist(),
            "note": rows["note"].tolist(),
            "link": [_first_url(ids, urls) for ids in rows["source_ids"]],
        }
    )


def site_events_table(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """Every event at or about one site, oldest first."""
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    rows = events_of_site(atlas.events, site_id)
    return pd.DataFrame(
        {
            "date": rows["date"].tolist(),
            "kind": [EVENT_KINDS[k] for k in rows["kind"]],
            "title": rows["title"].tolist(),
            "summary": rows["summary"].tolist(),
            "link": [_first_url(ids, urls) for ids in rows["source_ids"]],
        }
    )


def site_facts(atlas: Atlas, site_id: str) -> pd.DataFrame:
    """Each fact about a site with the sources behind it: one row per fact and source.

    Facts: the site record (location, names, kind), each control period, each lease
    agreement, each drawn area and each event at or about the site.
    """
    sources = atlas.sources.set_index("id")
    facts: list[tuple[str, str, list[str]]] = []
    site = atlas.site(site_id)
    if site is None:
        return pd.DataFrame(columns=["fact", "what", "source", "publisher", "published", "url"])
    facts.append(("Site", f"{site['name']}: location, names and kind", site["source_ids"]))
    for period in atlas.control[atlas.control["site_id"] == site_id].itertuples():
        facts.append(("Control", f"{STATUSES[period.status]}, {period.start} – {period.end or 'ongoing'}", period.source_ids))
    for lease in atlas.leases[atlas.leases["site_id"] == site_id].sort_values("start_date").itertuples():
        facts.append(("Lease", f"{country_name(lease.lessor)} → {country_name(lease.lessee)}, signed {lease.signed}, {lease.start} – {lease.end or 'no end date'}", lease.source_ids))
    for area in atlas.areas[atlas.areas["site_id"] == site_id].itertuples():
        size = f", {area.area_km2:,.0f} km²" if pd.notna(area.area_km2) else ""
        facts.append(("Area", f"{AREA_KINDS.get(area.area_kind, area.area_kind)}{size}", area.source_ids))
    for event in events_of_site(atlas.events, site_id).itertuples():
        facts.append(("Event", f"{event.date}: {event.title}", event.source_ids))
    rows = []
    for fact, what, source_ids in facts:
        for source_id in source_ids:
            if source_id in sources.index:
                source = sources.loc[source_id]
                rows.append({"fact": fact, "what": what, "source": source["title"], "publisher": source["publisher"], "published": source["published"], "url": source["url"]})
    return pd.DataFrame(rows, columns=["fact", "what", "source", "publisher", "published", "url"])


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
    for event_id, source_ids in zip(atlas.events["id"].tolist(), atlas.events["source_ids"].tolist()):
        for source_id in dict.fromkeys(source_ids):  # each event once per source, in linear time
            events.setdefault(source_id, []).append(event_id)
    return sites, events


def bibliography(atlas: Atlas, site_ids: set[str] | None = None, event_ids: set[str] | None = None) -> pd.DataFrame:
    """Every source with publisher, date, link, and the sites and events that cite it.

    With ``site_ids``/``event_ids`` (a filtered view), only sources cited by one of those
    sites or events are listed, and only those are named.
    """
    cited_sites, cited_events = citations(atlas)
    names = dict(zip(atlas.sites["id"], atlas.sites["name"]))
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
