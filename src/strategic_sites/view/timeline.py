"""Temporal queries over the atlas, as pure functions of frames and dates.

Conventions (also in the README's data model):
- A control period or lease covers the days from the first day of ``start`` up to,
  not including, the first day of ``end``; a blank ``end`` means ongoing. So a period
  ending ``1994`` and the next starting ``1994`` meet without a gap or overlap.
- An event dated to a year or month covers that whole year or month; it is in a
  period when any of its days is.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

DAYS_PER_YEAR = 365.2425


def _ts(day: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(day).normalize()


def _in_force(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (frame["start_date"] <= day) & (frame["end_date"].isna() | (frame["end_date"] > day))


def status_as_of(control: pd.DataFrame, day: date | str) -> pd.DataFrame:
    """The control period in force for each site on ``day`` (sites with none are absent).

    Columns: site_id, status, operator, start, end, start_date, end_date, note, source_ids.
    """
    day = _ts(day)
    current = control[_in_force(control, day)]
    return current.drop_duplicates("site_id").set_index("site_id", drop=False).rename_axis(None)


def leases_in_force(leases: pd.DataFrame, day: date | str) -> pd.DataFrame:
    """The lease governing each leased site on ``day``, with ``years_remaining``.

    Where several agreements of one site are in force at once (an extension signed
    before the original term ran out), the one that took effect last governs; a
    protocol that does not restate the rent or area keeps those of the agreements in
    force before it. ``years_remaining`` is blank for a lease with no end date.
    """
    day = _ts(day)
    current = leases[_in_force(leases, day)].sort_values(["site_id", "start_date"], kind="stable").copy()
    for column in ("annual_rent_usd", "area_km2"):
        current[column] = current.groupby("site_id")[column].ffill()
    governing = current.drop_duplicates("site_id", keep="last").copy()
    governing["years_remaining"] = (governing["end_date"] - day).dt.days / DAYS_PER_YEAR
    return governing.set_index("site_id", drop=False).rename_axis(None)


def lease_term_fraction(lease: pd.Series, day: date | str) -> float | None:
    """How much of a lease's term has passed on ``day``, from 0 to 1 (None when it has no end)."""
    if pd.isna(lease["end_date"]):
        return None
    total = (lease["end_date"] - lease["start_date"]).days
    done = (_ts(day) - lease["start_date"]).days
    return min(1.0, max(0.0, done / total)) if total > 0 else 1.0


def events_in_period(events: pd.DataFrame, start: date | str | None = None, end: date | str | None = None) -> pd.DataFrame:
    """Events any of whose days fall in ``start``..``end`` (both inclusive; None is open)."""
    mask = pd.Series(True, index=events.index)
    if start is not None:
        mask &= events["date_last"] >= _ts(start)
    if end is not None:
        mask &= events["date_first"] <= _ts(end)
    return events[mask]


def events_in_years(events: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Events in the whole years ``first_year``..``last_year``."""
    return events_in_period(events, date(first_year, 1, 1), date(last_year, 12, 31))


def events_of_site(events: pd.DataFrame, site_id: str) -> pd.DataFrame:
    """Events at a site or concerning it (an agreement on Kant signed in Moscow), oldest first."""
    mask = (events["site_id"] == site_id) | events["concern_ids"].map(lambda ids: site_id in ids)
    return events[mask].sort_values(["date_first", "id"])
