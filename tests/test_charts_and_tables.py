"""What the Timeline, Sites and Sources pages draw: the charts' frames, the tables and the names in the chosen language (mini dataset, by hand)."""

from __future__ import annotations

from datetime import date

from dataclasses import replace

import pandas as pd
import pytest

from strategic_sites.outputs import charts, tables
from strategic_sites.view import language
from strategic_sites.map import mapdata
from strategic_sites.view.filters import Filters, apply
from strategic_sites.map.style import EVENT_COLOURS, LEASE_NONE_COLOUR, STATUS_COLOURS, lease_colour

TODAY = date(2026, 11, 24)


def shown(atlas, ids, day):
    """The view of ``ids`` on ``day`` (events of every year)."""
    everything = apply(atlas, Filters(asof=day, year_from=1900, year_to=day.year))
    return replace(everything, sites=everything.sites[everything.sites["id"].isin(ids)])


def test_periods_frame_has_a_bar_per_control_period_and_lease_coloured_as_on_the_map(mini):
    bars = charts.periods_frame(mini, shown(mini, ["baikonur"], date(2013, 6, 1)), TODAY)
    control = bars[bars["row"] == "Control"]
    assert list(control["label"]) == ["Soviet (USSR, to 1991)", "Joint with the host country", "Leased to Russia"]
    assert list(control["colour"]) == [STATUS_COLOURS["soviet"], STATUS_COLOURS["joint"], STATUS_COLOURS["russian_lease"]]
    assert control["end"].iloc[-1] == pd.Timestamp(TODAY)  # the open period runs to today
    assert control["period"].iloc[-1] == "1994-12-10 – ongoing"
    leases = bars[bars["row"] == "Lease"].set_index("period")
    # On 1 Jun 2013 the 1994 agreement still ran, but the 2004 extension (in force 2010) governs.
    assert leases.loc["1994-12-10 – 2014-12-10", "colour"] == LEASE_NONE_COLOUR
    assert leases.loc["2010-06-07 – 2050", "colour"] == lease_colour(36.6)[0]
    assert leases.loc["2010-06-07 – 2050", "detail"] == "signed 2004-01-09; rent US$115 m a year; 30 years or more left"


def test_a_site_with_no_dated_start_still_gets_its_bar(mini):
    bars = charts.periods_frame(mini, shown(mini, ["vostochny"], TODAY), TODAY)
    assert list(bars["label"]) == ["Russian (owned or run without a lease)"]
    assert bars["start"].iloc[0] == pd.Timestamp(2012, 1, 1)


def test_event_points_sit_on_their_sites_row_and_skip_events_away_from_sites(mini):
    points = charts.event_points(mini, shown(mini, ["baikonur", "kant", "vostochny"], TODAY))
    assert sorted(points["site_id"]) == ["baikonur", "kant", "vostochny"]  # not the Moscow meeting
    crash = points.set_index("title").loc["Proton-M crash"]
    assert crash["site"] == "Baikonur Cosmodrome" and crash["colour"] == EVENT_COLOURS["accident"]


def test_rows_are_ordered_by_first_period(mini):
    bars = charts.periods_frame(mini, shown(mini, ["vostochny", "kant", "baikonur"], TODAY), TODAY)
    names = dict(zip(mini.sites["id"], mini.sites["name"]))
    assert charts.site_order(bars, ["vostochny", "kant", "baikonur"], names) == ["Baikonur Cosmodrome", "Kant Air Base", "Vostochny Cosmodrome"]


def test_timeline_chart_marks_the_as_of_date_and_lets_a_click_pick_a_site(mini):
    view = shown(mini, ["baikonur", "kant"], date(2013, 6, 1))
    bars = charts.periods_frame(mini, view, TODAY)
    spec = charts.timeline_chart(bars, charts.event_points(mini, view), ["Baikonur Cosmodrome", "Kant Air Base"], date(2013, 6, 1)).to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    assert any(p.get("name") == charts.PICK and p["select"]["fields"] == ["site_id"] and p["select"]["on"] == "click" for p in params)
    text = str(spec)
    assert "as of 01 Jun 2013" in text
    assert STATUS_COLOURS["russian_lease"] in text


def test_events_per_year_counts_each_kind(mini):
    counts = charts.events_per_year(mini.events)
    assert counts.to_dict("records") == [
        {"year": 2003, "kind": "Status change", "events": 1},
        {"year": 2012, "kind": "Construction", "events": 1},
        {"year": 2013, "kind": "Accident", "events": 1},
        {"year": 2013, "kind": "Meeting", "events": 1},
    ]


def test_russian_names_replace_english_ones_and_fall_back_when_missing(mini):
    sites = mini.sites.copy()
    sites.loc[sites["id"] == "kant", "name_ru"] = ""
    atlas = replace(mini, sites=sites)
    ru = language.localise(atlas, "ru")
    names = dict(zip(ru.sites["id"], ru.sites["name"]))
    assert names["baikonur"] == "Космодром Байконур"
    assert names["kant"] == "Kant Air Base"  # no Russian name: the English one
    assert dict(zip(ru.sites["id"], ru.sites["name_ru"]))["baikonur"] == "Baikonur Cosmodrome"  # the other name
    assert ru.lang == "ru" and ru.original is atlas
    assert language.localise(ru, "en") is atlas  # back to the atlas as loaded
    assert atlas.sites["name"].tolist() == mini.sites["name"].tolist()  # the loaded atlas is untouched


def test_tables_speak_the_chosen_language(mini):
    ru = language.localise(mini, "ru")
    view = apply(ru, Filters(asof=TODAY))
    table = tables.sites_table(ru, view).set_index("id")
    assert table.loc["baikonur", "name"] == "Космодром Байконур"
    assert table.loc["baikonur", "country"] == "Казахстан (KAZ)"
    assert table.loc["baikonur", "lessee"] == "Россия"
    # Lease parties are named, not coded, in the chosen language: the tables, the site's
    # facts, the map's lease tooltips, the site popups and the events' country names.
    assert set(tables.leases_table(ru, view.leases)["parties"]) == {"Казахстан → Россия", "Киргизия → Россия"}
    assert "Казахстан → Россия" in " ".join(tables.site_facts(ru, "baikonur")["what"])
    leases = mapdata.lease_data(ru, view)
    assert any("Казахстан → Россия" in item["tooltip"] for item in leases["areas"] + leases["rings"])
    assert "Казахстан" in mapdata.site_bundle(ru)["popups"]["baikonur"][0]
    assert "Казахстан → Россия" in {s["id"]: s["now"] for s in mapdata.status_data(ru, view)["sites"]}["baikonur"]
    assert set(mapdata.bundle(ru, [])["countries"].values()) >= {"Россия"}
    english = apply(mini, Filters(asof=TODAY))
    assert set(tables.leases_table(mini, english.leases)["parties"]) == {"Kazakhstan → Russia", "Kyrgyzstan → Russia"}


def test_site_facts_list_each_fact_with_its_source(mini):
    facts = tables.site_facts(mini, "baikonur")
    assert set(facts["fact"]) == {"Site", "Control", "Lease", "Area", "Event"}
    lease = facts[facts["fact"] == "Lease"]
    assert len(lease) == 2 and set(lease["url"]) == {"https://en.wikipedia.org/wiki/Baikonur_Cosmodrome"}
    assert "Proton-M crash" in " ".join(facts.loc[facts["fact"] == "Event", "what"])
    assert tables.site_facts(mini, "nowhere").empty


def test_bibliography_names_the_sites_and_counts_the_events_citing_each_source(mini):
    everything = tables.bibliography(mini).set_index("id")
    assert len(everything) == len(mini.sources)
    assert everything.loc["wiki-kant", "sites"] == "Kant Air Base"
    assert everything.loc["wiki-kant", "events"] == 1
    assert everything.loc["seed-001", "events"] == 2  # Vostochny construction and the Moscow meeting
    kant_only = tables.bibliography(mini, {"kant"}, {"kant-opening"})
    assert list(kant_only["id"]) == ["wiki-kant"]


@pytest.mark.parametrize("what", ["sources"])
def test_sources_download_name_says_dates_and_years(what):
    from strategic_sites.view.filters import Filters

    assert tables.download_name(what, Filters(countries=("KGZ",), asof=date(2020, 1, 1), year_from=2001, year_to=2010), "csv") == "sources_KGZ_asof-2020-01-01_2001-2010.csv"


@pytest.mark.parametrize(
    ("n", "args", "said"),
    [
        (0, ("site",), "0 sites"),
        (1, ("site",), "1 site"),
        (2, ("site",), "2 sites"),
        (1_204, ("event",), "1,204 events"),
        (1, ("country", "countries"), "1 country"),
        (3, ("country", "countries"), "3 countries"),
    ],
)
def test_a_count_and_its_noun_agree(n, args, said):
    from strategic_sites.core.text import plural

    assert plural(n, *args) == said


def test_counts_in_the_words_of_the_pages_agree_with_their_nouns(mini):
    """A view of one site, one event and one lease says so in the singular (the export's description,
    read under the map and on the downloaded map)."""
    from strategic_sites.outputs.export import describe

    view = apply(mini, Filters(asof=date(2013, 6, 1), q="Kant", year_from=2003, year_to=2003))
    assert len(view.sites) == 1 and len(view.events) == 1 and len(view.in_force) == 1
    assert "1 site, 1 event, 1 lease in force" in describe(mini, view)


def test_site_sources_name_each_source_once_with_every_fact_it_supports(mini):
    facts = tables.site_facts(mini, "baikonur")  # a row per fact and source
    merged = tables.site_sources(mini, "baikonur")
    assert list(merged.columns) == tables.SOURCE_COLUMNS
    assert not merged.duplicated(["source", "publisher", "url"]).any()
    assert len(merged) < len(facts)
    per_source = facts.groupby(["source", "publisher", "url"]).size()
    assert dict(zip(zip(merged["source"], merged["publisher"], merged["url"]), merged["facts"])) == per_source.to_dict()
    wiki = merged.set_index("url").loc["https://en.wikipedia.org/wiki/Baikonur_Cosmodrome"]
    assert wiki["supports"].startswith("Control: ") and "Lease: Kazakhstan → Russia" in wiki["supports"]
    assert wiki["supports"].endswith("Site: location, names and kind")  # the record most sources back, last
    assert tables.site_sources(mini, "nowhere").empty


def test_a_source_cited_by_many_events_names_the_first_few_and_counts_the_rest(mini):
    events = pd.concat([mini.events] * 3, ignore_index=True)  # 12 events, all at Baikonur, all citing one source
    events["id"] = [f"event-{n}" for n in range(len(events))]
    events["title"] = [f"Event {n}" for n in range(len(events))]
    events["source_ids"] = [["wiki-baikonur"]] * len(events)
    events["site_id"] = "baikonur"
    atlas = replace(mini, events=events)
    sources = tables.site_sources(atlas, "baikonur")
    wiki = sources.set_index("url").loc["https://en.wikipedia.org/wiki/Baikonur_Cosmodrome"]
    assert f"{len(events)} events: " in wiki["supports"]
    assert wiki["supports"].count("Event ") == tables.EVENTS_LISTED
    assert f"; and {len(events) - tables.EVENTS_LISTED} more · Site: " in wiki["supports"]
    assert wiki["facts"] >= len(events) and sources["facts"].iloc[0] == wiki["facts"]  # the source behind most facts first


def test_tables_leave_missing_figures_missing_never_as_text(mini):
    """A lease with no rent or area keeps the cell empty (the page shows its placeholder), never "None" or "nan"."""
    view = apply(mini, Filters(asof=TODAY))
    shown = (
        tables.sites_table(mini, view),
        tables.leases_table(mini, view.leases),
        tables.events_table(mini, view.events),
        tables.site_sources(mini, "baikonur"),
        tables.history_table(mini, "kant"),
    )
    for table in shown:
        cells = {cell for cell in table.to_numpy().ravel() if isinstance(cell, str)}
        assert not cells & {"None", "nan", "NaN", "NaT", "<NA>"}, cells
