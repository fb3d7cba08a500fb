"""Temporal queries on the three-site fixture, whose answers were worked out by hand."""

from datetime import date

import pandas as pd
import pytest

from strategic_sites.outputs import tables
from strategic_sites.view.filters import site_only
from strategic_sites.view.timeline import (
    events_in_period,
    events_in_years,
    lease_term_fraction,
    leases_in_force,
    status_as_of,
)


@pytest.mark.parametrize(
    "site, day, expected",
    [
        ("baikonur", "1990-06-01", "soviet"),
        ("baikonur", "1991-12-25", "soviet"),
        ("baikonur", "1991-12-26", "joint"),  # a period starts on its start day
        ("baikonur", "1994-12-09", "joint"),
        ("baikonur", "1994-12-10", "russian_lease"),  # ... and the previous one ends the day before
        ("baikonur", "2026-01-01", "russian_lease"),  # blank end: ongoing
        ("baikonur", "1950-01-01", None),  # before the site existed
        ("kant", "2002-01-01", "host"),
        ("kant", "2004-01-01", "russian_lease"),
        ("vostochny", "2011-12-31", None),  # before construction
        ("vostochny", "2012-01-01", "russian"),  # year precision starts on 1 January
        ("nowhere", "2000-01-01", None),
    ],
)
def test_status_of_a_site_on_a_date(mini, site, day, expected):
    # As the site panel asks it: the site alone on the day (whatever the filters).
    period = site_only(mini, site, date.fromisoformat(day)).status_of(site)
    assert (None if period is None else period["status"]) == expected


def test_status_as_of_gives_one_row_per_site_with_a_status(mini):
    on_2000 = status_as_of(mini.control, date(2000, 1, 1))
    assert sorted(on_2000.index) == ["baikonur", "kant"]
    assert on_2000.loc["baikonur", "start"] == "1994-12-10"
    assert sorted(status_as_of(mini.control, "1990-01-01")["site_id"]) == ["baikonur"]


def test_a_sites_control_history_is_listed_oldest_first_with_an_open_end_worded_once(mini):
    history = tables.history_table(mini, "baikonur")
    assert list(history["status"]) == ["Soviet (USSR, to 1991)", "Joint with the host country", "Leased to Russia"]
    assert history["to"].iloc[-1] == "ongoing"


def test_leases_in_force_with_years_remaining(mini):
    on_2000 = leases_in_force(mini.leases, "2000-12-10")
    assert list(on_2000.index) == ["baikonur"]  # Kant's lease starts in 2003
    assert on_2000.loc["baikonur", "years_remaining"] == pytest.approx(14.0, abs=0.01)

    # The 2004 extension took effect in 2010 and governs from then on, to 2050.
    on_2013 = leases_in_force(mini.leases, "2013-01-01")
    assert on_2013.loc["baikonur", "signed"] == "2004-01-09"
    assert on_2013.loc["baikonur", "years_remaining"] == pytest.approx(37.0, abs=0.01)
    assert pd.isna(on_2013.loc["kant", "years_remaining"])  # open-ended lease

    assert leases_in_force(mini.leases, "1994-12-09").empty
    assert leases_in_force(mini.leases, "2013-01-01").loc["baikonur", "area_km2"] == 6717
    assert "baikonur" not in leases_in_force(mini.leases, "2050-01-01").index


def test_lease_term_fraction(mini):
    original = mini.leases.iloc[0]
    assert lease_term_fraction(original, "1994-12-10") == 0
    assert lease_term_fraction(original, "2004-12-10") == pytest.approx(0.5, abs=0.001)
    assert lease_term_fraction(original, "2030-01-01") == 1
    assert lease_term_fraction(mini.leases.iloc[2], "2010-01-01") is None


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2013-07-02", "2013-07-02", ["proton-crash-2013"]),  # day precision: that day only
        ("2013-07-03", "2013-12-31", []),
        ("2012-12-31", "2012-12-31", ["vostochny-construction"]),  # year precision: any day of 2012
        ("2003-10-31", "2003-11-30", ["kant-opening"]),  # month precision: any day of October 2003
        ("2003-11-01", "2003-12-31", []),
        ("2013-01-01", "2013-12-31", ["moscow-2013", "proton-crash-2013"]),
    ],
)
def test_events_in_a_period_respect_date_precision(mini, start, end, expected):
    assert list(events_in_period(mini.events, start, end)["id"]) == expected


def test_events_in_whole_years_and_open_periods(mini):
    assert list(events_in_years(mini.events, 2012, 2013)["id"]) == ["vostochny-construction", "moscow-2013", "proton-crash-2013"]
    assert len(events_in_period(mini.events)) == len(mini.events)
    assert list(events_in_period(mini.events, end="2003-12-31")["id"]) == ["kant-opening"]
