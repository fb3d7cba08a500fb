"""The map as the one composer builds it (``layers.compose``), in pure Python: what each
layer holds, escaping, and assets served by the app itself. The browser side is tested in
tests/browser/test_map_browser.py."""

from __future__ import annotations

import base64
import json
import re
import sys
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pytest

from datafiles import edit_feature, edit_row, feature_index, first_row
from strategic_sites.map import assets, layers, mapdata
from strategic_sites import load_atlas
from strategic_sites.view.filters import Filters, apply
from strategic_sites.map.style import NO_STATUS_COLOUR, STATUS_COLOURS
from strategic_sites.core.vocab import EVENT_KINDS, STATUSES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic import HOSTILE, generate  # noqa: E402


def page_of(atlas, view) -> str:
    """The whole map of a view as one HTML page, its data inline."""
    return layers.compose(atlas, view).html()


def events_in(data: dict, total: int) -> list[int]:
    """The event numbers a view's bitmap selects."""
    bits = np.unpackbits(np.frombuffer(base64.b64decode(data["events"]["bits"]), dtype=np.uint8), bitorder="little")
    return list(np.flatnonzero(bits[:total]))


@pytest.fixture(scope="module")
def view_2014(atlas):
    return apply(atlas, Filters(asof=date(2014, 1, 1)))


@pytest.fixture(scope="module")
def rendered(atlas, view_2014):
    return page_of(atlas, view_2014)


def test_no_script_or_stylesheet_comes_from_the_internet(rendered):
    scripts = re.findall(r"<script[^>]*\ssrc=[\"']([^\"']+)", rendered)
    sheets = re.findall(r"<link[^>]*rel=[\"']stylesheet[\"'][^>]*href=[\"']([^\"']+)", rendered)
    assert scripts and sheets
    remote = [u for u in scripts + sheets if re.match(r"(https?:)?//", u)]
    assert not remote, remote
    for url in scripts + sheets:
        assert assets.static_path(url).is_file(), f"{url} is not served from static/"
    assert any("supercluster" in u for u in scripts) and any("atlas-map.js?v=" in u for u in scripts)


def test_every_vendored_asset_ships_with_its_licence():
    for relative in assets.VENDORED.values():
        assert (assets.VENDOR_DIR / relative).is_file(), relative
        package = (assets.VENDOR_DIR / relative).parent
        assert any(p.name.upper().startswith(("LICENSE", "MIT-LICENCE")) for p in package.iterdir()), package


def test_an_unvendored_plugin_is_refused():
    fmap = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(fmap)
    with pytest.raises(assets.UnvendoredAsset, match="Draw needs https://"):
        assets.localize(fmap)


def test_one_marker_per_site_coloured_by_status(atlas):
    data = mapdata.view_data(atlas, apply(atlas, Filters(asof=date(1995, 1, 1))))
    sites = {s["id"]: s for s in data["status"]["sites"]}
    assert set(sites) == set(atlas.sites["id"])
    # Vostochny did not exist in 1995: drawn faded, in the no-status colour.
    assert sites["vostochny"]["faded"] and sites["vostochny"]["colour"] == NO_STATUS_COLOUR
    assert not sites["baikonur"]["faded"] and sites["baikonur"]["colour"] == STATUS_COLOURS["russian_lease"]
    assert sites["baikonur"]["tooltip"].startswith("<b>Baikonur Cosmodrome</b>")


def test_site_popup_has_status_lease_events_and_sources(atlas, view_2014):
    data = mapdata.view_data(atlas, view_2014)
    kant = next(s for s in data["status"]["sites"] if s["id"] == "kant")
    top, bottom = mapdata.site_bundle(atlas)["popups"]["kant"]
    popup = top + kant["now"] + bottom
    for expected in ("Air base", "Kyrgyzstan (KGZ)", "On 01 Jan 2014", STATUSES["russian_lease"], "Kyrgyzstan → Russia", "Latest events", "Sources", "href="):
        assert expected in popup, expected
    # A filter change sends the date's part only: the rest of the popup is not in the view's data.
    assert "Latest events" not in json.dumps(data)


def test_lease_layer_shades_areas_and_rings_leased_sites_without_one(atlas, view_2014):
    leases = mapdata.view_data(atlas, view_2014)["leases"]
    assert len(leases["areas"]) == len(atlas.areas)
    assert len(leases["rings"]) >= 5  # Kant and the other Kyrgyz sites, the 201st garrisons, Okno
    text = json.dumps(leases, ensure_ascii=False)
    assert "Kazakhstan → Russia" in text and "years left" in text and "drawn as" in text
    outlines = mapdata.site_bundle(atlas)["areas"]
    assert all(outlines[a["area"]]["type"] in ("Polygon", "MultiPolygon") for a in leases["areas"])


def test_the_events_of_a_view_are_selected_once_each_from_the_bundle(atlas):
    view = apply(atlas, Filters(asof=date(2020, 1, 1), year_from=2013, year_to=2013))
    data = mapdata.view_data(atlas, view)
    chosen = events_in(data, len(atlas.events))
    assert sorted(atlas.events["id"].iloc[chosen]) == sorted(view.events["id"])
    assert data["events"]["count"] == len(view.events) > 5
    texts = [row for chunk in mapdata.event_texts(atlas) for row in chunk]
    titles = {texts[i][3] for i in chosen}
    assert any("Proton-M with three GLONASS-M crashes" in t for t in titles)
    assert any("Nazarbayev" in t for t in titles)  # an event away from any site, in Moscow


def test_events_are_compact_columns_and_every_text_chunk_is_complete(atlas):
    texts = mapdata.event_texts(atlas)
    bundle = mapdata.bundle(atlas, texts)
    events = bundle["events"]
    assert events["n"] == len(atlas.events) == sum(len(chunk) for chunk in texts)
    assert len(events["lat"]) == len(events["lon"]) == len(events["kind"]) == len(events["site"]) == events["n"]
    first = atlas.events.iloc[0]
    assert abs(events["lat"][0] / events["scale"] - first["lat"]) < 1e-4
    assert bundle["kinds"][events["kind"][0]][0] == EVENT_KINDS[first["kind"]]
    assert texts[0][0][0] == first["id"]
    # Sources are cited by number: the popup looks them up in the bundle's table.
    source = bundle["sources"][texts[0][0][6][0]]
    assert source[0] == atlas.sources.set_index("id").loc[first["source_ids"][0], "title"]


def test_a_filter_change_sends_kilobytes_not_the_data(atlas):
    everything = mapdata.to_json(mapdata.view_data(atlas, apply(atlas, Filters())))
    kyrgyz = mapdata.to_json(mapdata.view_data(atlas, apply(atlas, Filters(countries=("KGZ",)))))
    # About 1.6 KB a site today (its status, tooltip, the popup's dated part, its label): well
    # under 2 KB a site, and far under the data itself (the events' texts, below).
    assert len(kyrgyz) < len(everything) < 2_000 * len(atlas.sites)
    assert len(mapdata.to_json(mapdata.bundle(atlas, mapdata.event_texts(atlas)))) > len(everything)


def test_map_has_controls_basemaps_and_a_legend(rendered):
    for control in ("SSA.minimap", "L.control.fullscreen", "L.Control.Measure", "ssa-legend", "SSA.land", "SSA.countries"):
        assert control in rendered, control
    for base in ("OpenStreetMap", "Light (CARTO)", "Natural Earth (offline)"):
        assert base in rendered, base
    for label in list(STATUSES.values()) + list(EVENT_KINDS.values()):
        assert label in rendered, label


def test_hidden_layers_start_hidden(atlas):
    page = page_of(atlas, apply(atlas, Filters(layers=("status", "countries"))))
    hidden = re.findall(r"SSA\.hideOverlays\([^,]+, (\[[^\]]*\])\)", page)
    assert len(hidden) == 1 and sorted(json.loads(hidden[0])) == ["Events", "Lease terms", "Site labels"]
    everything = page_of(atlas, apply(atlas, Filters()))
    assert "SSA.hideOverlays(" not in everything  # every layer on: none hidden


def outside_strings(page: str) -> str:
    """The page with every double-quoted string literal of its inline scripts blanked out,
    and the HTML between scripts kept: what is left is code and markup."""
    parts = re.split(r"(<script>.*?</script>)", page, flags=re.S)
    return "".join(re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', part) if part.startswith("<script>") else part for part in parts)


@pytest.mark.parametrize(
    "hostile",
    [
        "`);alert(1);(`",  # breaking out of a template literal
        "${alert(document.domain)}",
        '");alert(1);("',  # breaking out of a string
        "</script><script>alert(1)</script>",
        "\\u003cimg src=x onerror=alert(1)\\u003e",
    ],
)
def test_script_in_the_data_cannot_break_out_of_the_map_script(shipped_copy, hostile):
    index = feature_index(shipped_copy, "sites.geojson", id="kant")
    edit_feature(shipped_copy, "sites.geojson", index, name=hostile, summary=hostile)
    atlas = load_atlas(shipped_copy)
    page = layers.compose(atlas, apply(atlas, Filters(asof=date(2014, 1, 1)))).html()
    assert "alert" in page  # the text is there, as data
    assert "alert" not in outside_strings(page)  # and only inside string literals
    assert "</script><script>" not in page


@pytest.mark.parametrize("field", ["name", "summary", "place"])
def test_markup_in_the_data_is_shown_as_text_never_run(shipped_copy, field):
    hostile = '<img src=x onerror="alert(1)">'
    index = feature_index(shipped_copy, "sites.geojson", id="kant")
    edit_feature(shipped_copy, "sites.geojson", index, **{field: hostile})
    atlas = load_atlas(shipped_copy)
    view = apply(atlas, Filters(asof=date(2014, 1, 1)))
    page = page_of(atlas, view)
    assert "<img src=x" not in page
    # Every piece of HTML the browser inserts holds the text escaped...
    kant = next(s for s in mapdata.view_data(atlas, view)["status"]["sites"] if s["id"] == "kant")
    html = " ".join([kant["tooltip"], kant["now"], *mapdata.site_bundle(atlas)["popups"]["kant"]])
    assert "<img" not in html
    if field != "place" or "place" in html:
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    # ...and elsewhere it is plain text in a JSON string, which the browser sets as text.
    assert "alert" not in outside_strings(page)


def test_event_text_goes_to_the_browser_as_data_never_as_markup(shipped_copy):
    """Event popups are built in the browser with textContent; the page holds the text only
    as JSON strings, with every < and > escaped."""
    row = first_row(shipped_copy, "events.csv", site_id="kant")
    edit_row(shipped_copy, "events.csv", row, title='<img src=x onerror="alert(1)">', summary="</script><script>alert(2)</script>")
    atlas = load_atlas(shipped_copy)
    page = page_of(atlas, apply(atlas, Filters()))
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert '\\u003cimg src=x onerror=\\"alert(1)\\"\\u003e' in page


def test_a_click_selects_the_site_by_the_id_its_layer_carries():
    # streamlit-folium returns the clicked layer's GeoJSON; site markers and lease areas
    # carry their site's id, whatever their tooltip says (Baikonur city's name starts like
    # the cosmodrome's; a Russian tooltip names neither in English).
    marker = {"type": "Feature", "properties": {"site": "baikonur-city"}, "geometry": {"type": "Point", "coordinates": [63.3, 45.6]}}
    assert layers.clicked_site(marker) == "baikonur-city"
    event = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [63.3, 45.6]}}
    assert layers.clicked_site(event) is None  # an event or a cluster selects no site
    for junk in (None, "kant", {"properties": None}, {"properties": {"site": 7}}, {"properties": {"site": ""}}):
        assert layers.clicked_site(junk) is None


def test_the_site_page_map_shows_one_site_without_events(atlas):
    page = layers.site_map(atlas, "kant", date(2014, 1, 1)).get_root().render()
    assert '"id":"kant"' in page and '"id":"baikonur"' not in page
    assert "SSA.events" not in page and "SSA.sites" in page and "SSA.leases" in page


# --- the smoke test of the issue: the generator and the composer at 1,000 events ------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = generate(tmp_path_factory.mktemp("synthetic") / "geodata", 1_000, seed=7, hostile_every=50)
    return load_atlas(folder)


def test_synthetic_atlas_composes_with_every_event_once_and_text_escaped(synthetic):
    atlas = synthetic
    assert len(atlas.events) == 1_000
    view = apply(atlas, Filters(year_from=1991))
    page = page_of(atlas, view)
    data = {"events": json.loads(re.search(r"SSA\.events\(feature_group_\w+, (\{.*?\})\);", page).group(1))}
    chosen = events_in(data, len(atlas.events))
    assert sorted(atlas.events["id"].iloc[chosen]) == sorted(view.events["id"])  # each once, no other
    assert len(set(chosen)) == len(chosen) == len(view.events) > 900
    # The hostile titles are in the page only as escaped JSON text.
    assert HOSTILE not in page and "<img src=x" not in page and "</script>`" not in page
    assert page.count("\\u003cimg src=x onerror=") >= 2 * (1_000 - 215) // 50 - 2
