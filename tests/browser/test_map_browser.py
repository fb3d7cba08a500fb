"""The map page in a real browser, with every non-local request aborted."""

from __future__ import annotations

import shutil

from conftest import ARTIFACTS, map_frame, wait_for_markers

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
    watched.page.wait_for_timeout(1500)  # let late assets and tiles settle
    watched.page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)
    assert not watched.failed_local, watched.failed_local
    assert not watched.errors, watched.errors
    assert not any("/vendor/" in url for url in watched.blocked)


def test_toggling_a_layer_hides_its_markers(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    frame = map_frame(watched.page)
    status = frame.locator(".leaflet-control-layers-overlays label", has_text="Control status").locator("input")
    status.uncheck()
    wait_for_markers(watched.page, 0)
    status.check()
    wait_for_markers(watched.page, len(atlas.sites))
    events = frame.locator(".leaflet-control-layers-overlays label", has_text="Events").locator("input")
    clusters = frame.locator(".ssa-cluster")
    assert clusters.count() > 0
    events.uncheck()
    frame.locator(".ssa-cluster").first.wait_for(state="detached")
    assert clusters.count() == 0
    assert not watched.errors, watched.errors


def test_clicking_a_site_shows_its_detail_panel(server, open_page, atlas):
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    map_frame(watched.page).locator('[data-site="kant"]').click()
    detail = watched.page.locator(".st-key-site-detail")
    detail.wait_for(timeout=30_000)
    assert "Kant Air Base" in detail.inner_text()
    assert "Control history" in detail.inner_text()
    watched.page.wait_for_timeout(500)
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
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert '<img src=x onerror="alert(1)">' in popup.inner_text()
    watched.page.locator(".st-key-site-detail").wait_for(timeout=30_000)
    watched.page.wait_for_timeout(1000)
    assert watched.dialogs == []
    assert not watched.errors, watched.errors
