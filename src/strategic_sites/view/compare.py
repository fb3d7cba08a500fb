"""What changed between two dates: each site's status, operator and governing lease on one
date against the other (the view's Compare mode, ``vs=`` in the URL).

:func:`changes` answers with one row per fact that differs, the earlier date's value
first, with the sources behind both values; the view holds it, and the map, the changes
table and the timeline show it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from strategic_sites.core import text
from strategic_sites.view.language import Names
from strategic_sites.view.timeline import leases_in_force, status_as_of

COLUMNS = ["site_id", "what", "before", "after", "before_sources", "after_sources", "before_confidence", "after_confidence"]
NO_STATUS = "no record"
NO_LEASE = "none in force"


def _status(period, names: Names) -> str:
    return f"{names.status(period['status'])} ({text.since(period['start'], period['end'])})" if period is not None else NO_STATUS


def _lease(lease, names: Names) -> str:
    if lease is None:
        return NO_LEASE
    signed = f"signed {lease['signed']}, " if not text.blank(lease["signed"]) else ""
    return f"{names.parties(lease['lessor'], lease['lessee'])}, {signed}{text.lease_end(lease)}; {text.money(lease['annual_rent_usd'])}"


def _lease_key(lease):
    """What makes two governing leases the same agreement on its same terms."""
    if lease is None:
        return None
    rent = lease["annual_rent_usd"]
    return (lease["lessor"], lease["lessee"], lease["signed"], lease["start"], lease["end"], None if text.blank(rent) else float(rent))


def _sources(row) -> list[str]:
    return list(row["source_ids"]) if row is not None else []


def _grade(row) -> str:
    return str(row["confidence"]) if row is not None else ""


def _get(frame: pd.DataFrame, site_id: str):
    return frame.loc[site_id] if site_id in frame.index else None


def changes(control: pd.DataFrame, leases: pd.DataFrame, site_ids: list[str], first: date, second: date, names: Names) -> pd.DataFrame:
    """The facts of ``site_ids`` that differ between two dates, in the sites' order: the
    status, the operator (when either date names one) and the lease governing on each date.
    ``before`` is the earlier date's value, whichever order the dates come in."""
    before_day, after_day = sorted((first, second))
    wanted = set(site_ids)
    control = control[control["site_id"].isin(wanted)]
    leases = leases[leases["site_id"].isin(wanted)]
    status = (status_as_of(control, before_day), status_as_of(control, after_day))
    lease = (leases_in_force(leases, before_day), leases_in_force(leases, after_day))
    rows = []
    for site_id in site_ids:
        old, new = _get(status[0], site_id), _get(status[1], site_id)
        if (old is None) != (new is None) or (old is not None and old["status"] != new["status"]):
            rows.append([site_id, "Status", _status(old, names), _status(new, names), _sources(old), _sources(new), _grade(old), _grade(new)])
        old_operator = old["operator"] if old is not None else ""
        new_operator = new["operator"] if new is not None else ""
        if (old_operator or new_operator) and old_operator != new_operator:
            rows.append([site_id, "Operator", old_operator or NO_STATUS, new_operator or NO_STATUS, _sources(old), _sources(new), _grade(old), _grade(new)])
        old_lease, new_lease = _get(lease[0], site_id), _get(lease[1], site_id)
        if _lease_key(old_lease) != _lease_key(new_lease):
            rows.append([site_id, "Lease", _lease(old_lease, names), _lease(new_lease, names), _sources(old_lease), _sources(new_lease), _grade(old_lease), _grade(new_lease)])
    return pd.DataFrame(rows, columns=COLUMNS)

