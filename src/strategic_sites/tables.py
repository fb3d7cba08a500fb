"""Display tables: plain DataFrames built from the atlas for a date, ready to show."""

from __future__ import annotations

from datetime import date

import pandas as pd

from strategic_sites.data import Atlas
from strategic_sites.timeline import leases_in_force, status_as_of
from strategic_sites.vocab import SITE_KINDS, STATUSES, country_name


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
