"""The map page in a real browser, with every non-local request aborted."""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlparse

from conftest import ARTIFACTS, MAP_FRAME, ROOT, layer_input, map_frame, set_view, wait_for_map_at_rest, wait_for_markers, wait_for_page_at_rest

from datafiles import edit_feature, feature_index
from strategic_sites.ui import DATA_ENV


def test_map_shows_one_marker_per_site_offline(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    frame = map_frame(watched.page)
    # Legend, controls and the Natural Earth land are there without any network.
    assert frame.locator(".ssa-legend").is_visible()
    assert frame.locator(".leaflet-control-layers").is_visible()
    assert frame.locator(".leaflet-control-minimap").count() == 1
    assert frame.locator(".leaflet-control-zoom-fullscreen, .leaflet-control-fullscreen a").count() >= 1
    assert frame.locator(".leaflet-control-measure").count() == 1
    wait_for_page_at_rest(watched.page)  # land, glyphs, events, tiles answered, tables and fonts drawn
    watched.page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)
    if os.environ.get("SCREENSHOT_DOCS"):  # `make screenshot`: the README's picture
        shutil.copy(ARTIFACTS / "map.png", ROOT / "docs" / "screenshot.png")
    assert not watched.failed_local, watched.failed_local
    assert not watched.errors, watched.errors
    assert not any("/vendor/" in url for url in watched.blocked)


def test_toggling_a_layer_hides_its_markers(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    frame = map_frame(watched.page)
    layer_input(watched.page, "Control status").uncheck()
    wait_for_markers(watched.page, 0)
    layer_input(watched.page, "Control status").check()
    wait_for_markers(watched.page, len(atlas.sites))
    clusters = frame.locator(".ssa-cluster")
    clusters.first.wait_for(timeout=60_000)  # the events are drawn once their file has come, after the sites
    layer_input(watched.page, "Events").uncheck()
    frame.locator(".ssa-cluster").first.wait_for(state="detached")
    wait_for_page_at_rest(watched.page)  # the rerun the untick asks for, with the layer hidden, done
    assert clusters.count() == 0
    assert not watched.errors, watched.errors


def test_clicking_a_site_shows_its_detail_panel(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    map_frame(watched.page).locator('[data-site="kant"]').click()
    detail = watched.page.locator(".st-key-site-detail")
    detail.get_by_text("Control history").wait_for(timeout=30_000)  # the panel drawn, not only its box
    assert "Kant Air Base" in detail.inner_text()
    wait_for_page_at_rest(watched.page)  # the panel's tables and the site's popup on the map drawn
    watched.page.screenshot(path=str(ARTIFACTS / "map-site-selected.png"), full_page=True)
    assert not watched.errors, watched.errors


def test_hostile_names_are_shown_never_run(start_server, open_page, atlas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "geodata"
    shutil.copytree(atlas.folder, folder)
    index = feature_index(folder, "sites.geojson", id="kant")
    edit_feature(folder, "sites.geojson", index, name='<img src=x onerror="alert(1)">`${alert(2)}`', summary="<script>alert(3)</script>")
    server = start_server(env={DATA_ENV: str(folder)})
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    frame = map_frame(watched.page)
    marker = frame.locator('[data-site="kant"]')
    marker.hover()
    marker.click()
    # The popup opens at once with "…", and its text once the sites' file is in (SSA.sites).
    popup = frame.locator(".leaflet-popup-content", has_text='<img src=x onerror="alert(1)">')
    popup.wait_for(timeout=30_000)
    watched.page.locator(".st-key-site-detail").wait_for(timeout=30_000)
    wait_for_page_at_rest(watched.page)  # the name is in the popup, the tooltip and the panel
    # Markup that got through would be an element (found at once, before its image fails to load).
    assert frame.locator('img[src="x"]').count() == 0
    assert watched.page.locator('img[src="x"]').count() == 0
    assert not [url for url in watched.requested if urlparse(url).path.endswith("/x")]
    assert watched.dialogs == []
    assert not watched.errors, watched.errors


def test_a_filter_change_updates_markers_without_resetting_the_view(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    # The map's first fitBounds is an animated zoom, which the minimap then follows; a user's
    # first pan comes after that (a pan during it is undone when the animation ends).
    wait_for_map_at_rest(watched.page)
    frame = watched.page.locator(MAP_FRAME).element_handle().content_frame()
    frame.evaluate("window.__probe = 'first mount'")
    canvases = "document.querySelectorAll('#map_div .leaflet-overlay-pane canvas').length"
    drawn_on = frame.evaluate(canvases)  # the map's own canvas, and the events'
    set_view(watched.page, 42.9, 74.8, 7)
    vostochny = map_frame(watched.page).locator('[data-site="vostochny"]')
    assert "ssa-faded" not in vostochny.get_attribute("class")

    watched.page.get_by_role("textbox", name="As of").fill("2000-06-01")
    watched.page.get_by_role("textbox", name="As of").blur()  # leaving the field applies it too
    watched.page.get_by_text(re.compile(r"Leases in force on \d\d \w\w\w 2000")).wait_for(timeout=30_000)
    map_frame(watched.page).locator('[data-site="vostochny"].ssa-faded').wait_for(timeout=30_000)  # not built in 2000

    frame = watched.page.locator(MAP_FRAME).element_handle().content_frame()
    assert frame.evaluate("window.__probe") == "first mount"  # the map was not remounted
    # The events of the view before went with their canvas: no canvas left behind to redraw on every pan.
    assert frame.evaluate(canvases) == drawn_on
    assert frame.evaluate("window.map.getZoom()") == 7
    center = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    assert abs(center[0] - 42.9) < 0.01 and abs(center[1] - 74.8) < 0.01
    assert not watched.errors, watched.errors



def test_a_visitor_sees_the_map_first_and_the_filters_and_tables_follow_unasked(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KGZ")
    page = watched.page
    kgz = int((atlas.sites["country"] == "KGZ").sum())
    wait_for_markers(page, kgz)
    # The filters and the table follow without the user doing anything, with the link's view.
    chosen = page.locator('.st-key-f_country button[aria-pressed="true"]')
    chosen.wait_for(timeout=30_000)
    assert chosen.all_inner_texts() == ["Kyrgyzstan (KGZ)"]
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    assert page.get_by_text("filters appear once the map has drawn").count() == 0
    assert map_frame(page).locator(".ssa-site").count() == kgz
    assert "country=KGZ" in page.url
    assert not watched.errors, watched.errors


def test_when_the_map_cannot_draw_the_filters_are_a_click_away(server, open_page):
    """The map's scripts fail: it never asks for the rest of the page, and the button does."""
    watched = open_page("about:blank")
    watched.context.route("**/vendor/leaflet@*/leaflet.js", lambda route: route.abort())
    watched.page.goto(server.url + "/", wait_until="domcontentloaded")
    button = watched.page.get_by_role("button", name="Show the filters now")
    button.wait_for(timeout=30_000)
    watched.page.screenshot(path=str(ARTIFACTS / "first-paint-no-map.png"))
    button.click()
    watched.page.locator(".st-key-f_country").get_by_role("button", name="Kyrgyzstan (KGZ)").wait_for(timeout=30_000)
    watched.page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
