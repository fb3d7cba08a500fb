"""Display tables: plain DataFrames built from the atlas for a date, ready to show."""

from __future__ import annotations

from datetime import date

import pandas as pd

from strategic_sites.data import Atlas
from strategic_sites.timeline import leases_in_force, status_as_of
from strategic_sites.vocab import EVENT_KINDS, SITE_KINDS, STATUSES, country_name


def sites_table(atlas: Atlas, day: date | str, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per site: name, kind, host country, status on ``day`` with since-when, lease end."""
    sites = atlas.sites if sites is None else sites
    status = status_as_of(atlas.control, day)
    leases = leases_in_force(atlas.leases, day)
    rows = []
    for site in sites.itertuples():
        period = status.loc[site.id] if site.id in status.index else None
        lease = leases.loc[site.id] if site.id in leases.index else None
        rows.append(
            {
                "id": site.id,
                "name": site.name,
                "name_ru": site.name_ru,
                "kind": SITE_KINDS.get(site.kind, site.kind),
                "country": f"{country_name(site.country)} ({site.country})",
                "status": STATUSES[period["status"]] if period is not None else "No record on this date",
                "since": period["start"] if period is not None else "",
                "lessee": lease["lessee"] if lease is not None else "",
                "lease_end": lease["end"] if lease is not None else "",
                "years_left": round(float(lease["years_remaining"]), 1) if lease is not None and pd.notna(lease["years_remaining"]) else None,
                "sources": site.sources,
            }
        )
    return pd.DataFrame(rows)


def _first_url(source_ids: list[str], urls: dict[str, str]) -> str:
    return next((urls[s] for s in source_ids if urls.get(s)), "")


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
    from strategic_sites.timeline import events_of_site

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


def sources_table(atlas: Atlas, source_ids: list[str]) -> pd.DataFrame:
    """The listed sources, in the order given, without repeats."""
    table = atlas.sources.set_index("id")
    wanted = [s for s in dict.fromkeys(source_ids) if s in table.index]
    rows = table.loc[wanted]
    return pd.DataFrame(
        {
            "title": rows["title"].tolist(),
            "publisher": rows["publisher"].tolist(),
            "published": rows["published"].tolist(),
            "url": rows["url"].tolist(),
            "id": wanted,
        }
    )


def sources_of_site(atlas: Atlas, site_id: str) -> list[str]:
    """Every source behind a fact about the site: the site itself, its history, leases and events."""
    from strategic_sites.timeline import events_of_site

    ids: list[str] = []
    site = atlas.site(site_id)
    if site is not None:
        ids += site["source_ids"]
    for frame in (atlas.control, atlas.leases):
        for source_ids in frame.loc[frame["site_id"] == site_id, "source_ids"]:
            ids += source_ids
    for source_ids in events_of_site(atlas.events, site_id)["source_ids"]:
        ids += source_ids
    ids += [s for area_ids in atlas.areas.loc[atlas.areas["site_id"] == site_id, "source_ids"] for s in area_ids]
    return list(dict.fromkeys(ids))
