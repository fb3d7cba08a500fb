"""The shipped dataset: coverage, sourcing, geography and the turning points users look up.

Only what :func:`strategic_sites.load_atlas` does not already refuse is checked here: the loader
rejects invalid rows, unknown ids, overlapping periods, Soviet periods after 1991, events with no
place, invalid areas and sites outside their host country, so a test of those could not fail.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from strategic_sites.data.schema import split_list
from strategic_sites.view.timeline import events_in_period, events_in_years, events_of_site, leases_in_force, status_as_of

GEODATA = Path(__file__).resolve().parents[1] / "geodata"

SEED_SITES = [
    "baikonur", "baikonur-city", "sary-shagan", "priozersk", "vostochny", "tsiolkovsky", "kant",
    "issyk-kul-test-base", "mailuu-suu", "chaldovar", "osh",
    "karaganda-pharma", "kamaz-kostanay", "eurochem-zhanatas", "tatneft-saran",
]
OTHER_SITES = ["dushanbe-201st-base", "bokhtar-201st-garrison", "kulob-201st-garrison", "okno-nurek", "balkhash-radar", "emba", "kapustin-yar-kz"]


def test_the_dataset_is_as_large_as_promised(atlas):
    assert len(atlas.sites) >= 20
    assert len(atlas.control) >= 40
    assert len(atlas.leases) >= 8
    assert len(atlas.events) >= 60


@pytest.mark.parametrize("site_id", SEED_SITES + OTHER_SITES)
def test_every_expected_site_is_there_with_a_history(atlas, site_id):
    assert atlas.site(site_id) is not None, site_id
    assert (atlas.control["site_id"] == site_id).any(), f"{site_id} has no control history"


@pytest.mark.parametrize(
    "date, place, kind, words",
    [
        ("2013-02-08", None, "meeting", "Moscow"),
        ("2013-07-02", "baikonur", "accident", "Proton-M"),
        ("2013-11", None, "agreement", "Good-Neighbourliness"),
        ("2013-12-24", "baikonur", "agreement", "Roadmap"),
        ("2014", "sary-shagan", "statement", "unconfirmed"),
        ("2016-04-28", "vostochny", "launch", "First launch"),
        ("2019-02", None, "meeting", "Sochi"),
        ("2019-03-28", None, "agreement", "Kant"),
        ("2020-11-10", None, "meeting", "Intergovernmental Commission"),
        ("2021-04-07", None, "meeting", "Lavrov"),
        ("2021-04-08", None, "meeting", "Lavrov"),
        ("2014-05-29", None, "agreement", "Eurasian Economic Union"),
        ("2020-12-21", "karaganda-pharma", "economic", "Sputnik V"),
        ("2020-09-27", "kamaz-kostanay", "construction", "KAMAZ"),
        ("2022-12-13", "tatneft-saran", "economic", "tyre"),
    ],
)
def test_the_seed_articles_events_are_there(atlas, date, place, kind, words):
    events = atlas.events[atlas.events["date"].str.startswith(date) & (atlas.events["kind"] == kind)]
    if place:
        events = events[events["site_id"] == place]
    text = events["title"] + " " + events["summary"]
    assert text.str.contains(words, case=False).any(), f"no {kind} on {date} mentioning {words!r}"


def test_the_unconfirmed_sary_shagan_claim_is_an_event_not_a_status(atlas):
    claim = atlas.events[(atlas.events["site_id"] == "sary-shagan") & atlas.events["title"].str.contains("joint", case=False)]
    assert len(claim) == 1
    assert claim.iloc[0]["source_ids"] == ["seed-000"]
    assert "unconfirmed" in claim.iloc[0]["title"].lower()
    assert "joint" not in set(atlas.control.loc[atlas.control["site_id"] == "sary-shagan", "status"])


def test_osh_was_only_ever_proposed(atlas):
    assert set(atlas.control.loc[atlas.control["site_id"] == "osh", "status"]) == {"proposed"}


def test_every_seed_article_is_cited_by_some_fact(atlas):
    cited = {s for column in (atlas.sites["source_ids"], atlas.control["source_ids"], atlas.leases["source_ids"], atlas.events["source_ids"]) for ids in column for s in ids}
    for seed in ("seed-000", "seed-001", "seed-002", "seed-003", "seed-004"):
        assert seed in cited, f"no fact cites {seed}"


def test_every_listed_source_is_cited_by_some_fact(atlas):
    cited = {s for frame in (atlas.sites, atlas.control, atlas.leases, atlas.events, atlas.areas) for ids in frame["source_ids"] for s in ids}
    cited |= {s for frame in (atlas.control, atlas.leases, atlas.events) for cell in frame["dispute_source_id"] for s in split_list(str(cell))}
    orphans = set(atlas.sources["id"]) - cited
    assert not orphans, f"sources nobody cites: {sorted(orphans)}"


def test_a_source_without_a_url_says_why(atlas):
    blank = atlas.sources[atlas.sources["url"] == ""]
    assert (blank["note"].str.len() > 0).all(), list(blank["id"])


def test_approximate_locations_are_explained(atlas):
    approximate = atlas.sites[atlas.sites["location_precision"] == "approximate"]
    assert len(approximate) > 0
    assert (approximate["note"].str.len() > 0).all(), list(approximate[approximate["note"] == ""]["id"])


def test_the_baikonur_lease_area_contains_the_cosmodrome(atlas):
    area = atlas.areas[atlas.areas["site_id"] == "baikonur"]
    assert area.geometry.iloc[0].contains(atlas.site("baikonur").geometry)


def test_every_area_says_how_it_was_drawn_and_is_no_larger_than_its_sources_say(atlas):
    """A published outline, or a circle of the stated area clipped at the border: the shape on
    the map never claims more ground than the sources give."""
    assert (atlas.areas["drawn_as"].str.len() > 10).all()  # a description, not a word
    drawn = atlas.areas.to_crs("ESRI:54009").area / 1e6  # km², on an equal-area projection (Mollweide)
    stated = atlas.areas["area_km2"]
    larger = atlas.areas.loc[stated.notna() & (drawn > stated * 1.05), "site_id"]
    assert larger.empty, f"drawn larger than stated: {list(larger)}"


# --- turning points --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "site_id, day, expected",
    [
        ("baikonur", "1990-06-01", "soviet"),
        ("baikonur", "1993-01-01", "russian"),  # Kazakh-owned, Russian-run, before the lease
        ("baikonur", "2000-01-01", "russian_lease"),
        ("baikonur", "2025-01-01", "russian_lease"),
        ("kant", "1990-01-01", "soviet"),
        ("kant", "2002-06-01", "host"),
        ("kant", "2004-01-01", "russian_lease"),
        ("kant", "2020-01-01", "russian_lease"),
        ("vostochny", "2005-01-01", None),  # before the decree and construction
        ("vostochny", "2017-01-01", "russian"),
        ("sary-shagan", "1995-01-01", "russian"),
        ("sary-shagan", "2014-02-10", "russian_lease"),  # the seed's claim changes nothing
        ("emba", "2010-01-01", "russian_lease"),
        ("emba", "2018-01-01", "host"),  # returned on 1 Jan 2017
        ("balkhash-radar", "2021-01-01", "closed"),
        ("kulob-201st-garrison", "2010-01-01", "russian_lease"),
        ("kulob-201st-garrison", "2016-06-01", "host"),
        ("osh", "2010-01-01", "proposed"),
    ],
)
def test_status_at_known_turning_points(atlas, site_id, day, expected):
    in_force = status_as_of(atlas.control, day)
    assert (in_force.loc[site_id, "status"] if site_id in in_force.index else None) == expected


def test_the_soviet_years_are_covered(atlas):
    assert (status_as_of(atlas.control, "1990-01-01")["status"] == "soviet").sum() >= 10


def test_leases_in_force_with_years_remaining(atlas):
    on_2014 = leases_in_force(atlas.leases, "2014-01-01")
    baikonur = on_2014.loc["baikonur"]
    assert baikonur["end"].startswith("2050")
    assert baikonur["annual_rent_usd"] == 115_000_000
    assert baikonur["years_remaining"] == pytest.approx(36.0, abs=0.01)

    on_2020 = leases_in_force(atlas.leases, "2020-01-01")
    assert on_2020.loc["kant", "end"] == "2032"
    assert on_2020.loc["kant", "years_remaining"] == pytest.approx(12.0, abs=0.01)
    assert "emba" not in on_2020.index  # ended 1 Jan 2017
    assert {"sary-shagan", "dushanbe-201st-base", "issyk-kul-test-base"} <= set(on_2020.index)

    assert "kant" not in leases_in_force(atlas.leases, "2002-01-01").index

    # The 2018 protocol (ratified 2021) restates only the term; the rent stays that of the 2004 agreement.
    on_2025 = leases_in_force(atlas.leases, "2025-01-01").loc["baikonur"]
    assert on_2025["signed"] == "2018-11-09" and on_2025["end"] == "2050"
    assert on_2025["annual_rent_usd"] == 115_000_000


def test_events_in_a_period_with_each_date_precision(atlas):
    in_2013 = set(events_in_years(atlas.events, 2013, 2013)["id"])
    assert "2013-07-02-proton-m-crash" in in_2013  # day precision
    assert not any(i.startswith("2012") or i.startswith("2014") for i in in_2013)

    feb_2014 = set(events_in_period(atlas.events, "2014-02-01", "2014-02-28")["id"])
    assert "2014-seed000-joint-claim" in feb_2014  # year precision: may fall in any month of 2014

    month_events = atlas.events[atlas.events["date_precision"] == "month"]
    sample = month_events.iloc[0]
    year, month = int(sample["date"][:4]), int(sample["date"][5:7])
    last = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    assert sample["id"] in set(events_in_period(atlas.events, last.date(), last.date())["id"])
    assert sample["id"] not in set(events_in_period(atlas.events, last.date() + pd.Timedelta(days=1), None)["id"])


def test_events_away_from_sites_are_placed_where_they_happened(atlas):
    away = atlas.events[atlas.events["site_id"] == ""]
    assert len(away) > 0
    moscow = away[away["id"] == "2013-02-08-moscow-nazarbayev-putin"].iloc[0]
    assert (round(moscow["lat"], 1), round(moscow["lon"], 1)) == (55.8, 37.6)


def test_list_cells_split_cleanly():
    assert split_list(" KAZ; RUS ;;") == ["KAZ", "RUS"]


def test_a_site_has_the_events_at_it_and_those_concerning_it(atlas):
    kant = events_of_site(atlas.events, "kant")
    signed_in_moscow = kant[kant["id"] == "2003-09-22-kant-agreement"].iloc[0]
    assert signed_in_moscow["site_id"] == "" and round(signed_in_moscow["lat"], 1) == 55.8
    assert "kant-2003-10-23-opening" in set(kant["id"])
    assert list(kant["date_first"]) == sorted(kant["date_first"])
    assert "2013-07-02-proton-m-crash" not in set(kant["id"])


@pytest.mark.parametrize("name", ["control.csv", "leases.csv", "events.csv"])
def test_every_fact_is_graded_in_the_file_itself(name):
    """The shipped files grade every row themselves (a folder without the column would read as
    all 'reported'), and each disputed row names the other value's column, value and source."""
    import csv

    with (GEODATA / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(row["confidence"] in ("confirmed", "reported", "disputed", "unconfirmed") for row in rows)
    disputed = [row for row in rows if row["confidence"] == "disputed"]
    assert disputed and all(row["dispute_field"] and row["dispute_value"] and row["dispute_source_id"] for row in disputed)


def test_the_one_article_claims_are_graded_unconfirmed(atlas):
    """The 2014 Sary-Shagan "joint operation" rests on one article (seed-000) alone."""
    claim = atlas.events[atlas.events["id"] == "2014-seed000-joint-claim"].iloc[0]
    assert claim["confidence"] == "unconfirmed"
    kant = atlas.leases[(atlas.leases["site_id"] == "kant") & (atlas.leases["signed"] == "2003-09-22")].iloc[0]
    assert kant["confidence"] == "disputed" and kant["dispute_field"] == "annual_rent_usd" and float(kant["dispute_value"]) == 4_500_000
