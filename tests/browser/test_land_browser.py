"""No land band across the Arctic or the antimeridian, as Leaflet draws the land, the country
outlines and the minimap's land: on the served map, wide and narrow, at zoom 2, 3 and 4, and in
a downloaded standalone map. A polygon whose bounds span more than 180° of longitude is drawn
as a band across the world (tests/test_land.py checks the data each of them is drawn from)."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, MAP_FRAME, map_window, set_view, wait_for_map_at_rest, wait_for_markers, wait_for_page_at_rest

from strategic_sites.map import mapdata

SIZES = {"1440x900": (1440, 900), "390x844": (390, 844)}
ZOOMS = (2, 3, 4)
CENTRE = (64.0, 170.0)  # Chukotka: the Arctic Ocean to the north, the antimeridian in the middle

# Every L.Polygon of the land layer (its pane), the country outlines (SSA._outlines) and the
# minimap's land (on mini._miniMap): its bounds, and the widest of its rings, in degrees.
POLYGONS = """() => {
    const L = window.L, SSA = window.SSA;
    let map = window.map;  // a downloaded map has only folium's map_<id>
    if (!(map instanceof L.Map)) map = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(v => v instanceof L.Map);
    const mini = ((map._events && map._events.moveend) || []).map(h => h.ctx).find(c => c && c._miniMap);
    const rings = (latlngs) => L.LineUtil.isFlat(latlngs) ? [latlngs] : latlngs.flatMap(rings);
    const measure = (layer) => {
        const b = layer.getBounds();
        const widest = Math.max(...rings(layer.getLatLngs()).map(ring => {
            const lngs = ring.map(p => p.lng);
            return Math.max(...lngs) - Math.min(...lngs);
        }));
        return {iso3: layer.feature ? layer.feature.properties.iso3 : '', west: b.getWest(), east: b.getEast(), span: b.getEast() - b.getWest(), widest: widest};
    };
    const polygons = (group) => {
        const found = [];
        group.eachLayer(function walk(layer) {
            if (layer instanceof L.Polygon) found.push(measure(layer));
            else if (layer.eachLayer) layer.eachLayer(walk);
        });
        return found;
    };
    const drawn = {land: [], countries: [], minimap: [], zoom: map.getZoom()};
    map.eachLayer(layer => {
        if (!(layer instanceof L.GeoJSON)) return;
        if (layer.options.pane === 'ssa-land') drawn.land.push(...polygons(layer));
        else if (layer === SSA._outlines) drawn.countries.push(...polygons(layer));
    });
    if (mini) mini._miniMap.eachLayer(layer => { if (layer instanceof L.GeoJSON) drawn.minimap.push(...polygons(layer)); });
    return drawn;
}"""


def check_drawn(drawn: dict, features: int, where: str) -> None:
    for layer in ("land", "countries", "minimap"):
        polygons = drawn[layer]
        assert len(polygons) == features, (where, layer, len(polygons))  # every feature drawn, each once
        wide = [p for p in polygons if p["span"] > 180 or p["widest"] > 180 or p["west"] < -180 or p["east"] > 180]
        assert not wide, (where, layer, wide)


@pytest.mark.parametrize("size", SIZES)
def test_no_land_band_on_the_served_map_at_any_zoom(size, server, open_page, atlas):
    watched = open_page(server.url + "/", viewport=SIZES[size])
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    wait_for_map_at_rest(page)
    features = len(mapdata.outlines(atlas)["features"])
    for zoom in ZOOMS:
        set_view(page, *CENTRE, zoom)
        drawn = map_window(page).evaluate(POLYGONS)
        assert drawn["zoom"] == zoom
        check_drawn(drawn, features, f"{size} zoom {zoom}")
        if zoom == 3:
            wait_for_page_at_rest(page)
            page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / f"land-{size}.png"))
    assert not watched.failed_local, watched.failed_local
    assert not watched.errors, watched.errors


def test_no_land_band_in_a_downloaded_map(server, browser, open_page, atlas, tmp_path):
    watched = open_page(server.url + "/", viewport=SIZES["1440x900"])
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    wait_for_page_at_rest(page)  # the download's file is registered by the run that drew the page
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download map (HTML)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file://", "data:")) else route.abort())
    offline = context.new_page()
    errors: list[str] = []
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        offline.goto(saved.as_uri())
        offline.wait_for_function(f"() => document.querySelectorAll('.ssa-site').length === {len(atlas.sites)}", timeout=30_000)
        wait_for_map_at_rest(offline, frame=None)
        features = len(mapdata.outlines(atlas)["features"])
        for zoom in ZOOMS:
            offline.evaluate(
                """([lat, lon, zoom]) => {
                    const map = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(v => v instanceof L.Map);
                    map.setView([lat, lon], zoom, {animate: false});
                }""",
                [*CENTRE, zoom],
            )
            wait_for_map_at_rest(offline, frame=None)
            drawn = offline.evaluate(POLYGONS)
            assert drawn["zoom"] == zoom
            check_drawn(drawn, features, f"downloaded map, zoom {zoom}")
            if zoom == 3:
                offline.screenshot(path=str(ARTIFACTS / "land-export.png"))
        assert not errors, errors
    finally:
        context.close()
    assert not watched.errors, watched.errors
