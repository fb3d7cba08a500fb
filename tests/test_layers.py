"""The map as pure Python: layers, escaping, and assets served by the app itself."""

from __future__ import annotations

import re
from datetime import date

import folium
import pytest

from datafiles import edit_feature, feature_index
from strategic_sites import assets, layers, load_atlas
from strategic_sites.filters import Filters, apply
from strategic_sites.style import STATUS_COLOURS
from strategic_sites.vocab import EVENT_KINDS, STATUSES


def full_map(atlas, day: date, prefix: str = assets.STREAMLIT_PREFIX) -> str:
    view = apply(atlas, Filters(asof=day))
    fmap = layers.base_map(atlas.countries, layers.bounds_of(view.sites))
    for group in (
        layers.status_layer(view.sites, atlas.control, view.leases, atlas.events, atlas.sources, day),
        layers.lease_layer(view.areas, view.leases, view.sites, day),
        layers.events_layer(view.events, view.sites, atlas.sources),
        layers.countries_layer(atlas.countries),
    ):
        group.add_to(fmap)
    folium.LayerControl().add_to(fmap)
    assets.localize(fmap, prefix)
    return fmap.get_root().render()


@pytest.fixture(scope="module")
def rendered(atlas):
    return full_map(atlas, date(2014, 1, 1))


def test_no_script_or_stylesheet_comes_from_the_internet(rendered):
    scripts = re.findall(r"<script[^>]*\ssrc=[\"']([^\"']+)", rendered)
    sheets = re.findall(r"<link[^>]*rel=[\"']stylesheet[\"'][^>]*href=[\"']([^\"']+)", rendered)
    sheets += re.findall(r"<link[^>]*href=[\"']([^\"']+)[\"'][^>]*rel=[\"']stylesheet", rendered)
    assert scripts and sheets
    remote = [u for u in scripts + sheets if re.match(r"(https?:)?//", u)]
    assert not remote, remote
    for url in scripts + sheets:
        assert assets.vendored_path(url).is_file(), f"{url} is not in static/vendor/"


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
    day = date(1995, 1, 1)
    group = layers.status_layer(atlas.sites, atlas.control, atlas.leases, atlas.events, atlas.sources, day)
    markers = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    assert len(markers) == len(atlas.sites)
    html = {m.icon.options.get("html", "") if hasattr(m.icon, "options") else "" for m in markers}
    rendered = folium.Map(tiles=None).add_child(group).get_root().render()
    # Vostochny did not exist in 1995, and Osh was not yet proposed: both drawn faded.
    assert len(re.findall(r'ssa-site ssa-faded\\?" style=\\?"background:#bdbdbd\\?" data-site=\\?"', rendered)) >= 2
    assert re.search(r'ssa-faded[^>]*data-site=\\?"vostochny', rendered)
    assert re.search(rf'background:{STATUS_COLOURS["russian_lease"]}[^>]*data-site=\\?"baikonur\\?"', rendered)
    assert html is not None


def test_site_tooltip_starts_with_the_name_and_popup_has_status_lease_events_and_sources(atlas, rendered):
    assert re.search(r"bindTooltip\(\s*`<div>\s*<b>Baikonur Cosmodrome</b>", rendered)
    start = rendered.index('data-site="kant"><h3>')
    text = rendered[start : rendered.index("</div>`", start) if "</div>`" in rendered[start:] else start + 4000]
    for expected in ("Air base", "Kyrgyzstan (KGZ)", "On 01 Jan 2014", STATUSES["russian_lease"], "Kyrgyzstan → Russia", "Latest events", "Sources", "href="):
        assert expected in text, expected


def test_lease_layer_shades_areas_and_rings_leased_sites_without_one(atlas):
    day = date(2014, 1, 1)
    group = layers.lease_layer(atlas.areas, atlas.leases, atlas.sites, day)
    shapes = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    rings = [c for c in group._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(shapes) == len(atlas.areas)
    assert len(rings) >= 5  # Kant and the other Kyrgyz sites, the 201st garrisons, Okno
    html = folium.Map(tiles=None).add_child(group).get_root().render()
    assert "Kazakhstan → Russia" in html and "years left" in html and "drawn as" in html


def test_events_layer_has_one_clustered_marker_per_event(atlas):
    view = apply(atlas, Filters(asof=date(2020, 1, 1), year_from=2013, year_to=2013))
    group = layers.events_layer(view.events, view.sites, atlas.sources)
    cluster = next(iter(group._children.values()))
    assert isinstance(cluster, folium.plugins.MarkerCluster)
    assert len(cluster._children) == len(view.events) > 5
    html = folium.Map(tiles=None, max_zoom=18).add_child(group).get_root().render()
    assert "Proton-M with three GLONASS-M crashes" in html
    assert "Nazarbayev" in html  # an event away from any site, in Moscow


def test_map_has_controls_basemaps_and_a_legend(rendered):
    for control in ("L.Control.MiniMap", "L.control.fullscreen", "L.Control.Measure", "ssa-legend"):
        assert control in rendered, control
    for base in ("OpenStreetMap", "Light (CARTO)", "Natural Earth (offline)"):
        assert base in rendered, base
    for label in list(STATUSES.values()) + list(EVENT_KINDS.values()):
        assert label in rendered, label


@pytest.mark.parametrize(
    "hostile, forbidden",
    [
        ("`);alert(1);(`", "`);alert(1)"),  # breaking out of folium's template literals
        ("${alert(document.domain)}", "${alert"),
        ("\\u003cimg src=x onerror=alert(1)\\u003e", "\\u003cimg src=x onerror"),
    ],
)
def test_script_in_the_data_cannot_break_out_of_the_map_script(shipped_copy, hostile, forbidden):
    index = feature_index(shipped_copy, "sites.geojson", id="kant")
    edit_feature(shipped_copy, "sites.geojson", index, name=hostile, summary=hostile)
    html = full_map(load_atlas(shipped_copy), date(2014, 1, 1))
    assert forbidden not in html


@pytest.mark.parametrize("field", ["name", "summary", "place"])
def test_markup_in_the_data_is_shown_as_text_never_run(shipped_copy, field):
    hostile = '<img src=x onerror="alert(1)">'
    index = feature_index(shipped_copy, "sites.geojson", id="kant")
    edit_feature(shipped_copy, "sites.geojson", index, **{field: hostile})
    html = full_map(load_atlas(shipped_copy), date(2014, 1, 1))
    assert "<img src=x" not in html
    assert "\\u003cimg src=x" not in html  # not smuggled through a JSON string either
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html or "\\u0026lt;img src=x" in html


def test_a_click_selects_the_site_by_tooltip_or_position(atlas):
    kant = atlas.site("kant")
    assert layers.site_at(atlas.sites, f"{kant['name']}\nLeased to Russia", None) == "kant"
    # Baikonur city's name starts like the cosmodrome's: the longest matching name wins.
    city = atlas.site("baikonur-city")
    assert layers.site_at(atlas.sites, f"{city['name']} Leased to Russia", None) == "baikonur-city"
    assert layers.site_at(atlas.sites, None, {"lat": kant.geometry.y, "lng": kant.geometry.x}) == "kant"
    assert layers.site_at(atlas.sites, "2013-07-02 — Proton-M crash", {"lat": 0.0, "lng": 0.0}) is None
