"""The one filtering function behind the map, the tables and the counts (mini dataset, by hand)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from strategic_sites.outputs import tables
from strategic_sites.view.filters import Filters, apply


def view(mini, **changes):
    return apply(mini, Filters(asof=changes.pop("asof", date(2020, 1, 1)), year_from=changes.pop("year_from", 1991), year_to=changes.pop("year_to", 2020), **changes))


def ids(frame) -> list[str]:
    return sorted(frame["id"])


def test_no_filters_show_everything_in_the_period(mini):
    shown = view(mini)
    assert ids(shown.sites) == ["baikonur", "kant", "vostochny"]
    assert ids(shown.events) == ["kant-opening", "moscow-2013", "proton-crash-2013", "vostochny-construction"]
    assert shown.counts == {"sites": 3, "events": 4, "leases": 2}  # Baikonur's 2004 extension and Kant's


def test_country_keeps_its_sites_their_events_and_its_own_summits(mini):
    shown = view(mini, countries=("KAZ",))
    assert ids(shown.sites) == ["baikonur"]
    # The Proton crash at Baikonur, and the Moscow meeting Kazakhstan took part in (no site).
    assert ids(shown.events) == ["moscow-2013", "proton-crash-2013"]
    assert set(shown.leases["site_id"]) == {"baikonur"} and len(shown.leases) == 2
    assert list(shown.in_force.index) == ["baikonur"]
    assert list(shown.areas["site_id"]) == ["baikonur"]
    assert view(mini, countries=("KGZ",)).areas.empty


def test_kind_filter_drops_events_away_from_any_site(mini):
    shown = view(mini, kinds=("cosmodrome",))
    assert ids(shown.sites) == ["baikonur", "vostochny"]
    assert ids(shown.events) == ["proton-crash-2013", "vostochny-construction"]  # no Moscow meeting


@pytest.mark.parametrize(
    ("day", "status", "expected"),
    [
        (date(1993, 1, 1), "joint", ["baikonur"]),
        (date(1993, 1, 1), "host", ["kant"]),
        (date(2000, 1, 1), "russian_lease", ["baikonur"]),
        (date(2005, 1, 1), "russian_lease", ["baikonur", "kant"]),
        (date(2013, 1, 1), "russian", ["vostochny"]),
        (date(2005, 1, 1), "russian", []),  # Vostochny has no status before 2012
    ],
)
def test_status_is_read_on_the_as_of_date(mini, day, status, expected):
    shown = view(mini, asof=day, statuses=(status,))
    assert ids(shown.sites) == expected
    assert set(shown.status["status"]) <= {status}


def test_leases_in_force_follow_the_as_of_date(mini):
    assert view(mini, asof=date(1993, 6, 1)).counts["leases"] == 0
    assert sorted(view(mini, asof=date(2000, 1, 1)).in_force.index) == ["baikonur"]
    assert sorted(view(mini, asof=date(2010, 1, 1)).in_force.index) == ["baikonur", "kant"]


def test_event_period_is_inclusive_of_both_years(mini):
    assert ids(view(mini, year_from=2013, year_to=2013).events) == ["moscow-2013", "proton-crash-2013"]
    assert ids(view(mini, year_from=2003, year_to=2012).events) == ["kant-opening", "vostochny-construction"]
    assert view(mini, year_from=1991, year_to=2002).events.empty


@pytest.mark.parametrize(
    ("q", "sites", "events"),
    [
        ("байконур", ["baikonur"], ["proton-crash-2013"]),  # Russian name, any case
        ("KANT", ["kant"], ["kant-opening"]),
        ("tsiolkovsky", ["vostochny"], ["vostochny-construction"]),  # the place
        ("Moscow", [], ["moscow-2013"]),  # an event title alone
        ("nothing like this", [], []),
    ],
)
def test_search_finds_names_places_and_event_titles(mini, q, sites, events):
    shown = view(mini, q=q)
    assert ids(shown.sites) == sites
    assert ids(shown.events) == events


def test_search_text_is_literal_not_a_pattern(mini):
    assert view(mini, q=".*").sites.empty
    assert view(mini, q="(").sites.empty


def test_filters_combine(mini):
    shown = view(mini, countries=("KAZ", "KGZ"), kinds=("air_base",), asof=date(2010, 1, 1))
    assert ids(shown.sites) == ["kant"]
    assert ids(shown.events) == ["kant-opening"]


def test_sites_table_says_status_since_when_and_years_left(mini):
    shown = view(mini, asof=date(2014, 12, 10))
    table = tables.sites_table(mini, shown).set_index("id")
    assert table.loc["baikonur", "status"] == "Leased to Russia"
    assert table.loc["baikonur", "since"] == "1994-12-10"
    assert table.loc["baikonur", "lessee"] == "Russia"
    assert table.loc["baikonur", "lease_end"] == "2050"
    assert table.loc["baikonur", "years_left"] == pytest.approx(35.1, abs=0.1)
    assert table.loc["kant", "lease_end"] == "ongoing" and pd.isna(table.loc["kant", "years_left"])
    assert table.loc["baikonur", "source"] == "https://en.wikipedia.org/wiki/Baikonur_Cosmodrome"


def test_sites_geojson_holds_exactly_the_rows_shown(mini):
    shown = view(mini, countries=("KAZ", "KGZ"))
    table = tables.sites_table(mini, shown)
    collection = json.loads(tables.sites_geojson(shown.sites, table))
    assert [f["properties"]["id"] for f in collection["features"]] == list(table["id"])
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Point"}
    baikonur = next(f for f in collection["features"] if f["properties"]["id"] == "baikonur")
    assert baikonur["properties"]["status"] == "Leased to Russia"
    assert baikonur["geometry"]["coordinates"] == pytest.approx([shown.sites.set_index("id").geometry["baikonur"].x, shown.sites.set_index("id").geometry["baikonur"].y])


def test_events_geojson_places_events_away_from_sites_at_their_own_point(mini):
    shown = view(mini, year_from=2013, year_to=2013)
    collection = json.loads(tables.events_geojson(shown.events, tables.events_table(mini, shown.events)))
    moscow = next(f for f in collection["features"] if f["properties"]["id"] == "moscow-2013")
    assert moscow["geometry"]["coordinates"] == pytest.approx([37.6173, 55.7558])
    assert moscow["properties"]["countries"] == "Kazakhstan, Russia"


@pytest.mark.parametrize(
    ("filters", "what", "ext", "expected"),
    [
        (Filters(countries=("KAZ", "KGZ"), asof=date(2014, 1, 1)), "sites", "geojson", "sites_KAZ-KGZ_asof-2014-01-01.geojson"),
        (Filters(asof=date(2014, 1, 1)), "sites", "csv", "sites_all_asof-2014-01-01.csv"),
        (Filters(year_from=2013, year_to=2015), "events", "csv", "events_all_2013-2015.csv"),
        (Filters(kinds=("air_base",), q="Kant / base?", asof=date(2020, 5, 1)), "leases", "csv", "leases_all_air_base_q-Kant-base_asof-2020-05-01.csv"),
        (Filters(q="Байконур", asof=date(2020, 5, 1)), "sites", "csv", "sites_all_q-search_asof-2020-05-01.csv"),
    ],
)
def test_download_names_say_what_the_file_holds(filters, what, ext, expected):
    assert tables.download_name(what, filters, ext) == expected
