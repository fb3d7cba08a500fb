"""A user's own points, as a user adds them: a CSV and a GeoJSON with hostile text uploaded in
the sidebar show as their own clustered layer and table, filtered with the view; a bad file
is explained and loses nothing; no script runs and no dialog opens."""

from __future__ import annotations

import json

from conftest import ARTIFACTS, choose_country, map_window, set_view, wait_for_layer_drawn, wait_for_markers

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script> **bold** $x^2$'
CSV = f'''name,lat,lon,date,url,source
Bishkek office,42.87,74.59,2015-03,https://example.org/a,Field notes
"{HOSTILE.replace('"', '""')}",43.24,76.89,2010,javascript:alert(3),Someone
Tashkent,41.3,69.28,,,
'''.encode()
GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"title": HOSTILE, "url": "javascript:alert(4)"}, "geometry": {"type": "Point", "coordinates": [74.6, 42.9]}},
            {"type": "Feature", "properties": {"title": "Osh", "date": "2020-05-01"}, "geometry": {"type": "Point", "coordinates": [72.8, 40.5]}},
        ],
    }
).encode()


def points_on_map(page, count: int, timeout: float = 60_000) -> None:
    """Until the map's "Your points" layer reports ``count`` points in the view, all drawn."""
    wait_for_layer_drawn(page, "points", count, timeout)


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.locator(".st-key-points-upload input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": data})


def test_uploaded_points_show_on_the_map_and_in_a_table_and_stay_text(server, open_page, atlas):
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))

    upload(page, "mine.csv", CSV, "text/csv")
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    points_on_map(page, 3)
    frame = map_window(page)
    set_view(page, 42.0, 72.0, 5)
    drawn = frame.evaluate("SSA.drawnPoints()")
    assert sorted(drawn) == [0, 1, 2]
    # The hostile name, in its popup, is text.
    text = frame.evaluate(
        """() => new Promise(resolve => {
            SSA._points.openEvent(1, window.map.getCenter());
            const wait = () => { const box = document.querySelector('.leaflet-popup-content [data-event]');
                if (box) resolve(box.textContent); else setTimeout(wait, 100); };
            wait();
        })"""
    )
    assert HOSTILE in text
    assert frame.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
    assert frame.locator(".leaflet-popup-content a[href^='javascript']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "points-uploaded.png"))
    # The share link says honestly that the points are not part of it.
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Share this view").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.filter(has_text="Your own points are not part of the link").wait_for(timeout=30_000)
    page.keyboard.press("Escape")

    # A filter applies to them: Kyrgyzstan keeps the Bishkek point only.
    choose_country(page, "Kyrgyzstan (KGZ)")
    page.get_by_role("tab", name="Your points (1)").wait_for(timeout=60_000)
    points_on_map(page, 1)

    # A bad file is explained, and the points already added stay.
    upload(page, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "text/csv")
    page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(has_text="PNG").wait_for(timeout=60_000)
    assert "still shown" in page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').first.inner_text()
    page.get_by_role("tab", name="Your points (1)").wait_for(timeout=60_000)

    # A GeoJSON replaces them.
    upload(page, "mine.geojson", GEOJSON, "application/geo+json")
    page.get_by_role("tab", name="Your points (2)").wait_for(timeout=60_000)
    points_on_map(page, 2)
    page.screenshot(path=str(ARTIFACTS / "points-geojson.png"))
    # Removed on request: the layer and the tab go.
    page.locator(".st-key-remove-points button").click()
    page.get_by_role("tab", name="Your points (2)").wait_for(state="detached", timeout=60_000)
    assert watched.dialogs == []
    assert not watched.errors, watched.errors
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_geoparquet_file_gives_its_points(server, open_page, atlas):
    import io

    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"name": [HOSTILE, "Osh", "a road"]},
        geometry=[shapely.Point(74.6, 42.9), shapely.Point(72.8, 40.5), shapely.LineString([(70, 40), (71, 41)])],
        crs="EPSG:4326",
    )
    data = io.BytesIO()
    frame.to_parquet(data)
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    upload(page, "mine.parquet", data.getvalue(), "application/vnd.apache.parquet")
    page.get_by_role("tab", name="Your points (2)").wait_for(timeout=60_000)
    points_on_map(page, 2)
    assert page.get_by_text("1 row is not a Point: row 3").count() == 1
    assert not watched.dialogs and not watched.errors, (watched.dialogs, watched.errors)
