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


UPLOADER = ".st-key-points-upload input[type=file]"


def upload(page, name: str, data: bytes, mime: str) -> None:
    """Give the sidebar's uploader a file, once the uploader of the run before (emptied after each file) is gone."""
    page.wait_for_function(f"() => document.querySelectorAll({UPLOADER!r}).length === 1", timeout=60_000)
    page.locator(UPLOADER).set_input_files({"name": name, "mimeType": mime, "buffer": data})


def test_uploaded_points_show_on_the_map_and_in_a_table_and_stay_text(server, open_page, atlas):
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))

    upload(page, "mine.csv", CSV, "text/csv")
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    points_on_map(page, 3)
    # The file, once read, is let go: the uploader is empty for the next file, and what the file gave stays said.
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("3 points read.").wait_for(timeout=60_000)
    # The rerun that lets the file go may arrive just after the count: wait for it, bounded.
    sidebar.locator('[data-testid="stFileChip"]').first.wait_for(state="detached", timeout=30_000)
    assert sidebar.locator('[data-testid="stFileChip"]').count() == 0
    sidebar.locator(".st-key-points-upload").screenshot(path=str(ARTIFACTS / "points-uploader-after.png"))
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


def server_memory(server, field: str = "VmHWM") -> int:
    """The server process's resident memory (its high-water mark by default), in bytes."""
    with open(f"/proc/{server.process.pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":"))


def test_a_geoparquet_bomb_is_refused_at_once_and_the_server_stays_small(server, open_page, atlas):
    # The hostile-input probe's file: 8 KB that decode to 540 MB of text (the server reached 12 GB).
    import io

    import geopandas as gpd

    buffer = io.BytesIO()
    gpd.GeoDataFrame({"name": ["A" * 6000] * 90000}, geometry=gpd.points_from_xy([76] * 90000, [43] * 90000), crs=4326).to_parquet(buffer, compression="zstd")
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    upload(page, "mine.csv", CSV, "text/csv")
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    before = server_memory(server)
    upload(page, "bomb.parquet", buffer.getvalue(), "application/vnd.apache.parquet")
    alert = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(has_text="once decompressed")
    alert.wait_for(timeout=60_000)
    assert "The file holds over 50 MiB of data once decompressed; the limit is 50 MiB." in alert.inner_text()
    assert "Your earlier points (3 from mine.csv) are still shown." in alert.inner_text()
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    alert.scroll_into_view_if_needed()
    alert.screenshot(path=str(ARTIFACTS / "points-bomb-refused.png"))
    grown = server_memory(server) - before
    assert grown < 300 * 2**20, f"the server's peak memory grew by {grown / 2**20:.0f} MiB"
    assert not watched.dialogs and not watched.errors, (watched.dialogs, watched.errors)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_an_upload_past_the_server_s_budget_is_refused_and_the_points_held_stay(start_server, open_page, atlas):
    # A server with 1 MiB for every session's points: a 300 KB file would take 1.2 MB to read.
    small = start_server(env={"STRATEGIC_SITES_UPLOADS_MIB": "1"})
    watched = open_page(small.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    upload(page, "mine.csv", CSV, "text/csv")
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    rows = "".join(f"Point {i},{40 + i % 10}.5,{70 + i % 10}.5,2020,,\n" for i in range(12_000))
    large = ("name,lat,lon,date,url,source\n" + rows).encode()
    assert 300_000 < len(large) < 2**20
    upload(page, "large.csv", large, "text/csv")
    alert = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(has_text="busy")
    alert.wait_for(timeout=60_000)
    assert "The server is busy with other readers' uploads" in alert.inner_text()
    alert.scroll_into_view_if_needed()
    alert.screenshot(path=str(ARTIFACTS / "points-server-busy.png"))
    assert "Your earlier points (3 from mine.csv) are still shown." in alert.inner_text()
    page.get_by_role("tab", name="Your points (3)").wait_for(timeout=60_000)
    assert not watched.errors and page.locator('[data-testid="stException"]').count() == 0
