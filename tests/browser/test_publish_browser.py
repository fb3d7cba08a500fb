"""Publishing a view, as a journalist would in Chromium: an image, an embed in a web page,
a printout, and the map on a phone."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

from conftest import ARTIFACTS, MAP_FRAME, map_frame, wait_for_markers, wait_for_page_at_rest
from PIL import Image

from strategic_sites.view.filters import Filters, apply


def test_the_view_downloads_as_an_image_with_its_date_in_the_title(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KGZ&asof=2024-01-01")
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KGZ").sum()))
    page.get_by_role("button", name="Download image").click()
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name=re.compile(r"^PNG \(2400 × 1600 px\)")).click()
    assert started.value.suggested_filename == "map_KGZ_asof-2024-01-01_1991-2026.png"
    saved = ARTIFACTS / "image-export.png"
    started.value.save_as(saved)
    picture = Image.open(saved)
    assert picture.size == (2400, 1600) and "01 January 2024" in picture.info["Title"]
    assert not watched.errors, watched.errors


def test_an_embedded_view_shows_the_filtered_map_alone_with_a_link_to_the_atlas(server, open_page, browser, atlas):
    watched = open_page(server.url + "/?country=TJK&asof=2020-01-01")
    page = watched.page
    tajik = int((atlas.sites["country"] == "TJK").sum())
    wait_for_markers(page, tajik)
    page.get_by_role("button", name="Embed this view").click()
    code = page.locator("[data-testid='stPopoverBody'] code, [data-testid='stPopoverBody'] pre").first
    code.wait_for(timeout=30_000)
    snippet = code.inner_text().strip()
    assert snippet.startswith("<iframe src=") and "embed=true" in snippet and "country=TJK" in snippet
    # A web page of someone else's that holds the snippet (served here at a made-up path).
    article = f"<!doctype html><html><body><h1>An article</h1><p>Russia's bases in Tajikistan:</p>{snippet}</body></html>"
    hosting = open_page("about:blank", viewport=(1000, 800))
    host = hosting.page
    host.route("**/article.html", lambda route: route.fulfill(body=article, content_type="text/html"))
    host.goto("http://localhost:9/article.html")
    app = host.frame_locator("iframe").first
    inner = app.frame_locator(MAP_FRAME)
    inner.locator(".ssa-site").first.wait_for(timeout=90_000)
    for _ in range(120):  # the app's frame is another origin: counted from here
        if inner.locator(".ssa-site").count() == tajik:
            break
        host.wait_for_timeout(500)
    shown = set(inner.locator(".ssa-site").evaluate_all("nodes => nodes.map(n => n.dataset.site)"))
    assert shown == set(apply(atlas, Filters(countries=("TJK",), asof=__import__("datetime").date(2020, 1, 1))).sites["id"])
    assert app.locator("[data-testid='stSidebar']").count() == 0 or not app.locator("[data-testid='stSidebar']").is_visible()
    link = app.get_by_role("link", name=re.compile("Open in the atlas"))
    href = link.get_attribute("href")
    params = parse_qs(urlparse(href).query)
    assert params["country"] == ["TJK"] and params["asof"] == ["2020-01-01"] and "embed" not in params
    host.screenshot(path=str(ARTIFACTS / "embed.png"))
    assert not watched.errors, watched.errors


def test_printing_the_map_page_gives_the_map_and_title_first_without_the_sidebar(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KAZ&asof=2024-01-01", viewport=(1100, 1400))
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KAZ").sum()))
    wait_for_page_at_rest(page)
    page.emulate_media(media="print")
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert page.get_by_role("button", name="Download map (HTML)").count() == 0 or not page.get_by_role("button", name="Download map (HTML)").is_visible()
    title = page.get_by_role("heading", name="Strategic Sites Atlas").bounding_box()
    described = page.locator(".st-key-view-description")
    assert described.is_visible() and "As of 01 January 2024" in described.inner_text()
    frame = page.locator(MAP_FRAME).bounding_box()
    # A4 at 96 px to the inch, less Chromium's default margins: about 1,050 px of page height.
    assert title["y"] < frame["y"] and frame["y"] + frame["height"] < 1050
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
    page.emulate_media(media="screen")
    assert not watched.errors, watched.errors


def uncovered_share(page) -> float:
    """The share of the map's area that no control (zoom, layers, legend, minimap...) covers."""
    return map_frame(page).locator("#map_div, .folium-map").first.evaluate(
        """map => {
            const box = map.getBoundingClientRect(), step = 6;
            const controls = [...map.querySelectorAll('.leaflet-control')].map(c => c.getBoundingClientRect()).filter(r => r.width && r.height);
            let all = 0, covered = 0;
            for (let x = box.left; x < box.right; x += step) for (let y = box.top; y < box.bottom; y += step) {
                all += 1;
                if (controls.some(r => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom)) covered += 1;
            }
            return 1 - covered / all;
        }"""
    )


def test_on_a_phone_the_map_comes_first_and_every_site_can_be_tapped(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KAZ", viewport=(390, 844))
    page = watched.page
    sites = int((atlas.sites["country"] == "KAZ").sum())
    wait_for_markers(page, sites)
    wait_for_page_at_rest(page)
    frame = page.locator(MAP_FRAME).bounding_box()
    visible = min(frame["y"] + frame["height"], 844) - max(frame["y"], 0)
    assert visible >= 0.5 * 844, frame  # most of the first screen
    inside = map_frame(page)
    assert uncovered_share(page) >= 0.8
    assert inside.locator(".leaflet-control-layers-expanded").count() == 0  # folded to its button
    assert "ssa-folded" in inside.locator(".ssa-legend").get_attribute("class")
    page.screenshot(path=str(ARTIFACTS / "phone.png"))
    # Every marker takes a tap: what is at its centre is a site marker (never a control).
    hits = inside.locator(".ssa-site-icon").evaluate_all(
        """icons => icons.map(icon => {
            const r = icon.getBoundingClientRect(), at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return at && at.closest('.ssa-site-icon') ? 'marker' : (at ? at.className : 'nothing');
        })"""
    )
    assert hits and all(hit == "marker" for hit in hits), hits
    # A tapped site's popup fits the screen; the legend unfolds on a tap.
    inside.locator('[data-site="baikonur"]').click(force=True)
    popup = inside.locator(".leaflet-popup")
    popup.wait_for(timeout=30_000)
    box = popup.bounding_box()
    assert box["width"] <= 390 - 20
    page.wait_for_timeout(600)  # the map pans the popup into view
    page.screenshot(path=str(ARTIFACTS / "phone-popup.png"))
    inside.locator(".ssa-legend-title").click()
    assert "ssa-folded" not in inside.locator(".ssa-legend").get_attribute("class")
    # The tables scroll inside their frame; the page itself never scrolls sideways.
    wide = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert wide
    assert not watched.errors, watched.errors


def test_on_a_desktop_the_legend_starts_open_and_the_layer_control_folded(server, open_page, atlas):
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    inside = map_frame(page)
    assert inside.locator(".leaflet-control-layers-expanded").count() == 0  # its button: it opens under the pointer
    assert "ssa-folded" not in inside.locator(".ssa-legend").get_attribute("class")
    assert inside.locator(".ssa-legend-status li").count() == 8  # the statuses, and "no status"
    page.screenshot(path=str(ARTIFACTS / "desktop.png"))
    assert not watched.errors, watched.errors
