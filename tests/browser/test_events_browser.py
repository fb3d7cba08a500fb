"""The events layer in a real browser: every event of the view drawn exactly once (clusters
and single markers together), a filter change redrawing it, and popups built in the browser
that show their sources with the text escaped. Every non-local request is aborted."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
from conftest import ARTIFACTS, MAP_FRAME, choose_country, map_window, set_view, wait_for_layer_drawn, wait_for_map_at_rest, wait_for_markers

from datafiles import edit_row, first_row
from strategic_sites import load_atlas
from strategic_sites.map import mapdata
from strategic_sites.view.filters import Filters, apply
from strategic_sites.ui import DATA_ENV

HOSTILE = '<img src=x onerror="alert(1)">`${alert(2)}`</script>'


def wait_for_events_drawn(page, count: int, timeout: float = 60_000) -> None:
    """Until the events layer reports ``count`` events in the view, all of them drawn."""
    wait_for_layer_drawn(page, "events", count, timeout)


def wait_for_events_layer(page, timeout: float = 60_000) -> None:
    """Until the events layer has its data and has drawn once."""
    page.wait_for_function(
        """(selector) => {
            const frame = document.querySelector(selector);
            const box = frame && frame.contentDocument && frame.contentDocument.querySelector('#map_div');
            return box && box.hasAttribute('data-ssa-events-drawn');
        }""",
        arg=MAP_FRAME,
        timeout=timeout,
    )


def whole_world(page) -> None:
    set_view(page, 30, 60, 2)


def positions(atlas, view) -> list[int]:
    """The view's events as numbers in the atlas's event order (as the browser numbers them)."""
    return sorted(int(i) for i in atlas.events.index.get_indexer(view.events.index))


def test_every_event_in_the_view_is_drawn_exactly_once(server, open_page, atlas):
    watched = open_page(server.url + "/?asof=2014-01-01")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    view = apply(atlas, Filters(asof=date(2014, 1, 1)))
    whole_world(page)
    wait_for_events_drawn(page, len(view.events))
    drawn = map_window(page).evaluate("SSA.drawnEvents()")
    assert len(drawn) == len(set(drawn)) == len(view.events)  # none twice
    assert sorted(drawn) == positions(atlas, view)  # and none missing or extra
    # Zoomed in on Baikonur, clusters split; what is drawn there is still each event once.
    set_view(page, 45.965, 63.305, 9)  # and redrawn for this view, no move pending that would undo it
    assert map_window(page).evaluate("window.map.getZoom()") == 9
    near = map_window(page).evaluate("SSA.drawnEvents()")
    assert len(near) == len(set(near)) and set(near) <= set(drawn)

    # A filter change redraws the layer with the new view's events, without a reload.
    choose_country(page, "Kyrgyzstan (KGZ)")
    kyrgyz = apply(atlas, Filters(countries=("KGZ",), asof=date(2014, 1, 1)))
    wait_for_markers(page, len(kyrgyz.sites))
    whole_world(page)
    wait_for_events_drawn(page, len(kyrgyz.events))
    assert sorted(map_window(page).evaluate("SSA.drawnEvents()")) == positions(atlas, kyrgyz)
    page.screenshot(path=str(ARTIFACTS / "events-kyrgyzstan.png"))
    assert not watched.errors, watched.errors
    assert not watched.failed_local, watched.failed_local


def test_event_popups_show_their_sources_and_never_run_text(start_server, open_page, atlas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-events") / "geodata"
    shutil.copytree(atlas.folder, folder)
    # One event on its own point in the Aral Sea (a single marker), one at Baikonur (in a cluster).
    alone = first_row(folder, "events.csv", site_id="kant")
    edit_row(folder, "events.csv", alone, site_id="", lat="45.0", lon="60.0", date="2014-03-01", date_precision="day", title=HOSTILE, summary="Summary " + HOSTILE)
    source_row = first_row(folder, "sources.csv", id=load_atlas(folder).events.set_index("title").loc[HOSTILE, "source_ids"][0])
    edit_row(folder, "sources.csv", source_row, title="Source " + HOSTILE)
    server = start_server(env={DATA_ENV: str(folder)})
    watched = open_page(server.url + "/?asof=2014-06-01")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    wait_for_events_layer(page)
    frame = map_window(page)
    set_view(page, 45.0, 60.0, 8)  # the single marker drawn where the click goes, and staying there
    # Click the single marker where a user would: at its point on the map's canvas.
    point = frame.evaluate("(() => { const p = window.map.latLngToContainerPoint([45.0, 60.0]); const r = document.querySelector('#map_div').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; })()")
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    popup = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content [data-event]")
    popup.wait_for(timeout=30_000)
    text = popup.inner_text()
    assert HOSTILE in text  # shown as written
    assert "Source " + HOSTILE in text  # its source, by title, with its publisher
    links = popup.locator("a[href^='http']")
    assert links.count() >= 1 and links.first.get_attribute("rel") == "noopener noreferrer"
    assert popup.locator("img").count() == 0 and popup.locator("script").count() == 0
    page.screenshot(path=str(ARTIFACTS / "event-popup.png"))

    # Events at one place: the cluster lists them, and each opens its own popup.
    site = atlas.site("baikonur")
    set_view(page, site.geometry.y, site.geometry.x, 12)  # the popup closed, the clusters of this view drawn
    found = frame.evaluate(
        """() => {
            const layer = SSA._events, max = layer.index.options.maxZoom;
            const here = layer.drawn.getLayers().filter(l => l.options.ssaCluster !== undefined
                && layer.index.getClusterExpansionZoom(l.options.ssaCluster) > max);
            if (!here.length) return 0;
            here[0]._icon.setAttribute('data-test-target', 'yes');
            return here[0].options.icon.options.iconSize[0];
        }"""
    )
    assert found, frame.evaluate("""() => [window.map.getZoom(), window.map.getCenter(), SSA._events && SSA._events.drawn.getLayers().length,
        SSA._events && SSA._events.drawn.getLayers().map(l => l.options.ssaCluster !== undefined ? SSA._events.index.getClusterExpansionZoom(l.options.ssaCluster) : 's')]""")
    # Click its ring, beside the site's marker that sits on top of it.
    page.frame_locator(MAP_FRAME).locator("[data-test-target]").click(position={"x": found - 3, "y": found / 2}, force=True)
    listing = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content .ssa-list button")
    listing.first.wait_for(timeout=30_000)
    assert listing.count() >= 2
    listing.first.click()
    event = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content [data-event]")
    event.wait_for(timeout=30_000)
    wait_for_map_at_rest(page)  # the popup's pan into view finished
    assert event.locator("img").count() == 0 and event.locator("script").count() == 0
    assert watched.dialogs == []
    assert not watched.errors, watched.errors


def test_a_large_event_file_draws_in_the_browser(start_server, open_page, atlas, tmp_path_factory):
    """10,000 events: the page gets compact data and clusters it itself."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from synthetic import generate

    folder = generate(tmp_path_factory.mktemp("ten-thousand") / "geodata", 10_000, seed=3)
    big = load_atlas(folder)
    view = apply(big, Filters())
    server = start_server(env={DATA_ENV: str(folder)})
    watched = open_page(server.url + "/")
    received = []
    watched.page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))))
    watched.page.reload()
    wait_for_markers(watched.page, len(big.sites))
    whole_world(watched.page)
    wait_for_events_drawn(watched.page, len(view.events))
    drawn = np.array(map_window(watched.page).evaluate("SSA.drawnEvents()"))
    assert len(drawn) == len(np.unique(drawn)) == len(view.events)
    assert sum(received) < 1_500_000  # the events come as a file, not in the page's messages
    assert not watched.errors, watched.errors


def test_data_files_not_written_yet_are_fetched_again(server, open_page, atlas):
    """The first visit after a deploy: the server writes the map's files in the background, so
    the map may ask for one before it is there (404); it asks again and draws everything."""
    watched = open_page("about:blank")
    refused: dict[str, int] = {}

    def not_yet(route):
        kind = route.request.url.rsplit("/", 1)[1].split("-")[0]  # outlines, sites, events
        if refused.get(kind, 0) < 2:
            refused[kind] = refused.get(kind, 0) + 1
            route.fulfill(status=404, body="not yet")
        else:
            route.continue_()

    watched.context.route("**/generated/*.json", not_yet)
    page = watched.page
    page.goto(server.url + "/", wait_until="domcontentloaded")
    wait_for_markers(page, len(atlas.sites))
    whole_world(page)
    view = apply(atlas, Filters())
    wait_for_events_drawn(page, len(view.events))
    assert refused == {"outlines": 2, "sites": 2, "events": 2}
    frame = map_window(page)
    assert frame.evaluate("document.querySelectorAll('.ssa-site svg + svg').length") == len(atlas.sites)  # shapes and glyphs from the sites' file
    outlines = frame.evaluate("SSA.get('outlines').then((data) => data.features.length)")  # the land and the outlines
    assert outlines == len(mapdata.outlines(atlas)["features"])
