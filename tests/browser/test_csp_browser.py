"""The atlas under its own Content-Security-Policy in Chromium (src/strategic_sites/api/headers.py):
every page, the map's frame (a popup, a layer toggled, the minimap, the measuring tool, the other
basemap), a chart, the Data API page,
the OGC pages and the embed, framed by a page of another site, load with no violation of the
policy, and the served pages carry the headers.

Every frame reports each violation the browser finds (a ``securitypolicyviolation`` listener that
Playwright adds to each document before its scripts run) and Chromium's console line for it;
one test checks that a violation is caught, so that "none" means none."""

from __future__ import annotations

import json
import urllib.request

import pytest
from conftest import ARTIFACTS, MAP_FRAME, Watched, layer_input, map_frame, map_window, wait_for_markers, wait_for_page_at_rest

from strategic_sites.api.headers import FRAME_ANCESTORS_ENV
from strategic_sites.view.links import PAGES

REPORTED = "csp-violation "
# Added to every document (pages, the map's frame, the embed's frames) before its own scripts.
LISTENER = """document.addEventListener('securitypolicyviolation', (e) => {
    console.error(%r + JSON.stringify({page: location.href, directive: e.effectiveDirective,
                                       blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber}));
});""" % REPORTED


class Checked(Watched):
    """A page whose every frame reports the policy's violations (:attr:`violations`), with the
    answer to its first request (:attr:`response`)."""

    def __init__(self, context):
        context.add_init_script(LISTENER)
        super().__init__(context)
        self.violations: list[str] = []
        self.response = None
        self.page.on("console", self._violation)

    def _violation(self, message):
        text = message.text
        if text.startswith(REPORTED) or "Content Security Policy" in text:
            self.violations.append(text)

    def goto(self, url: str):
        self.response = self.page.goto(url, wait_until="domcontentloaded")
        return self


@pytest.fixture
def checked_page(browser):
    contexts = []

    def open_(url: str, viewport=(1400, 1000)) -> Checked:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        return Checked(context).goto(url)

    yield open_
    for context in contexts:
        context.close()


def reported(checked: Checked, count: int, containing: str = REPORTED) -> None:
    """Until ``count`` violations (those whose report holds ``containing``; by default, those the
    listeners report) are in: the browser reports each in a task of its own, after the action
    that caused it. For at most ten seconds."""
    for _ in range(100):
        if sum(containing in v for v in checked.violations) >= count:
            return
        checked.page.wait_for_timeout(100)


def csp(headers: dict[str, str]) -> dict[str, list[str]]:
    policy = {}
    for part in headers["content-security-policy"].split(";"):
        if part.strip():
            name, *sources = part.split()
            policy[name] = sources
    return policy


def test_a_violation_is_caught_in_the_page_and_in_the_map_frame(server, checked_page, atlas):
    """The listener is no blind spot: a script, an image of another site and an inline script
    refused by the policy, in the page and in the map's frame, are each reported."""
    checked = checked_page(server.url + "/")
    wait_for_markers(checked.page, len(atlas.sites))
    checked.page.evaluate("() => { const i = new Image(); i.src = 'https://elsewhere.example.org/x.png'; }")
    frame = checked.page.locator(MAP_FRAME).element_handle().content_frame()
    frame.evaluate("() => { const s = document.createElement('script'); s.src = 'https://elsewhere.example.org/x.js'; document.head.append(s); }")
    checked.page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.head.append(s); }")
    reported(checked, 3)
    joined = "\n".join(checked.violations)
    assert '"directive":"img-src"' in joined and "elsewhere.example.org/x.png" in joined
    assert '"directive":"script-src-elem"' in joined and "x.js" in joined
    assert '"blocked":"inline"' in joined
    assert checked.page.evaluate("() => window.ran") is None  # the injected inline script did not run


@pytest.mark.parametrize("path", [page.path for page in PAGES])
def test_every_page_loads_with_no_violation_and_its_headers(server, checked_page, path):
    checked = checked_page(f"{server.url}/{path}")
    wait_for_page_at_rest(checked.page, timeout=90_000)
    headers = checked.response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "x-frame-options" not in headers
    policy = csp(headers)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert checked.violations == []
    assert not checked.errors, checked.errors


def test_the_map_frame_popups_layers_and_minimap_raise_no_violation(server, checked_page, atlas):
    checked = checked_page(server.url + "/")
    page = checked.page
    wait_for_markers(page, len(atlas.sites))
    frame = map_frame(page)
    # The measuring tool: its panel and its results are drawn from templates (compiled at run time).
    frame.locator(".leaflet-control-measure").hover()  # it opens under the pointer
    frame.locator(".leaflet-control-measure .js-start").click()
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # a point measured
    frame.locator(".leaflet-control-measure .js-results").filter(has_text="Last point").wait_for(timeout=10_000)
    frame.locator(".leaflet-control-measure .js-cancel").click()
    frame.locator('[data-site="kant"]').click()  # the site's popup and its detail panel
    frame.locator(".leaflet-popup-content").wait_for(timeout=30_000)
    page.locator(".st-key-site-detail").get_by_text("Control history").wait_for(timeout=30_000)  # with its chart
    layer_input(page, "Events").uncheck()  # a layer toggled: the rerun draws the map anew
    frame.locator(".ssa-cluster").first.wait_for(state="detached", timeout=30_000)
    wait_for_page_at_rest(page)
    layer_input(page, "Events").check()
    frame.locator(".ssa-cluster").first.wait_for(timeout=60_000)
    toggle = frame.locator(".leaflet-control-minimap-toggle-display")  # the minimap folded, and open again
    minimap = frame.locator(".leaflet-control-minimap")
    toggle.click()
    page.wait_for_function("m => m.style.width === '19px'", arg=minimap.element_handle(), timeout=10_000)
    toggle.click()
    page.wait_for_function("m => m.style.width === '150px'", arg=minimap.element_handle(), timeout=10_000)
    window = map_window(page)
    zoom = window.evaluate("() => window.map.getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()  # new tiles asked for, the labels redrawn
    window.wait_for_function("z => window.map.getZoom() > z && !window.map._animatingZoom", arg=zoom, timeout=10_000)
    wait_for_markers(page, len(atlas.sites))
    # The other basemap: its tiles asked of CARTO's servers (refused offline, but allowed by the policy).
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-base label", has_text="Light (CARTO)").locator("input").check()
    window.wait_for_function(
        "() => [...document.querySelectorAll('img.leaflet-tile')].some(t => t.src.includes('basemaps.cartocdn.com'))", timeout=10_000
    )
    assert page.locator(MAP_FRAME).count() == 1
    assert checked.violations == []
    assert not checked.errors, checked.errors


def test_a_chart_draws_and_zooms_with_no_violation(server, checked_page):
    checked = checked_page(server.url + "/timeline")
    page = checked.page
    wait_for_page_at_rest(page, timeout=90_000)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    marks = chart.locator(".marks")
    assert marks.count() == 1 and marks.evaluate("svg => svg.querySelectorAll('path, rect').length") > 10
    chart.hover()
    page.mouse.wheel(0, -200)  # the chart's zoom (interactive, bound to x): Vega's expressions at work
    wait_for_page_at_rest(page)
    assert checked.violations == []
    assert not checked.errors, checked.errors


def test_the_embed_framed_by_another_site_shows_its_map_with_no_violation(server, checked_page, atlas):
    snippet = f'<iframe src="{server.url}/?country=TJK&embed=true" title="Strategic Sites Atlas" width="900" height="560"></iframe>'
    article = f"<!doctype html><html lang='en'><title>An article</title><body><h1>An article</h1>{snippet}</body></html>"
    checked = checked_page("about:blank", viewport=(1000, 800))
    host = checked.page
    host.route("**/article.html", lambda route: route.fulfill(body=article, content_type="text/html"))
    checked.goto("http://localhost:9/article.html")  # another site than the atlas's 127.0.0.1
    tajik = int((atlas.sites["country"] == "TJK").sum())
    inner = host.frame_locator("iframe").first.frame_locator(MAP_FRAME)
    inner.locator(".ssa-site").first.wait_for(timeout=90_000)
    for _ in range(120):  # the atlas's frame is another origin: counted from here
        if inner.locator(".ssa-site").count() == tajik:
            break
        host.wait_for_timeout(500)
    assert inner.locator(".ssa-site").count() == tajik
    inner.locator(".ssa-site").first.click()
    inner.locator(".leaflet-popup-content").wait_for(timeout=30_000)
    host.wait_for_timeout(1000)
    host.screenshot(path=str(ARTIFACTS / "csp-embed.png"))
    assert checked.violations == []
    assert not checked.errors, checked.errors
    # The atlas's frames (another site than the article's) report to this page too: one caught.
    embed = next(f for f in host.frames if "embed=true" in f.url)
    embed.evaluate("() => { const i = new Image(); i.src = 'https://elsewhere.example.org/in-embed.png'; }")
    reported(checked, 1)
    assert any(v.startswith(REPORTED) and "in-embed.png" in v for v in checked.violations), checked.violations
    assert all("in-embed.png" in v for v in checked.violations), checked.violations


def test_only_the_sites_of_the_setting_may_frame_the_embed(start_server, checked_page, atlas):
    served = start_server(env={FRAME_ANCESTORS_ENV: "http://localhost:9"})
    snippet = f'<iframe src="{served.url}/?country=KGZ&embed=true" title="Strategic Sites Atlas" width="900" height="560"></iframe>'
    article = f"<!doctype html><html lang='en'><title>An article</title><body>{snippet}</body></html>"
    kyrgyz = int((atlas.sites["country"] == "KGZ").sum())

    allowed = checked_page("about:blank", viewport=(1000, 800))
    allowed.page.route("**/article.html", lambda route: route.fulfill(body=article, content_type="text/html"))
    allowed.goto("http://localhost:9/article.html")
    inner = allowed.page.frame_locator("iframe").first.frame_locator(MAP_FRAME)
    inner.locator(".ssa-site").first.wait_for(timeout=90_000)
    assert inner.locator(".ssa-site").count() >= 1 and kyrgyz >= 1
    assert allowed.violations == []

    refused = checked_page("about:blank", viewport=(1000, 800))
    refused.page.route("**/article.html", lambda route: route.fulfill(body=article, content_type="text/html"))
    refused.goto("http://localhost:8/article.html")  # a site the setting does not name
    reported(refused, 1, "frame-ancestors")  # Chromium's console line, in the article's frame
    assert any("frame-ancestors" in v and "localhost:9" in v for v in refused.violations), refused.violations
    assert refused.page.frame_locator("iframe").first.locator("[data-testid='stApp']").count() == 0
    with urllib.request.urlopen(served.url + "/?embed=true", timeout=60) as answer:
        assert csp({k.lower(): v for k, v in answer.headers.items()})["frame-ancestors"] == ["'self'", "http://localhost:9"]


def test_under_a_base_path_the_map_draws_with_no_violation(start_server, checked_page, atlas):
    """Behind a proxy at /atlas/ (docs/deploy.md): the map's frame, at /atlas/component/…, gets
    its own policy there too, or its scripts would be refused and no site drawn."""
    served = start_server(args=("--server.baseUrlPath", "atlas"), base_path="atlas")
    checked = checked_page(served.url + "/atlas/")
    wait_for_markers(checked.page, len(atlas.sites))
    wait_for_page_at_rest(checked.page)
    assert csp(checked.response.headers)["frame-ancestors"] == ["'self'"]
    assert checked.violations == []
    assert not checked.errors, checked.errors


def test_a_setting_that_is_no_list_of_sites_is_refused_in_one_log_line_and_the_embed_still_works(start_server):
    value = "https://a.example.org,https://b.example.org"
    served = start_server(env={FRAME_ANCESTORS_ENV: value})
    with urllib.request.urlopen(served.url + "/?embed=true", timeout=60) as answer:
        assert csp({k.lower(): v for k, v in answer.headers.items()})["frame-ancestors"] == ["*"]
    lines = [line for line in served.log_text().splitlines() if FRAME_ANCESTORS_ENV in line]
    assert len(lines) == 1 and repr(value) in lines[0] and "separated by spaces" in lines[0], lines
    assert "Traceback" not in served.log_text()


def test_the_api_and_the_ogc_pages_load_with_their_strict_policy_and_no_violation(server, checked_page):
    with urllib.request.urlopen(server.url + "/api/v1/sites.geojson?country=KGZ", timeout=60) as answer:
        headers = {name.lower(): value for name, value in answer.headers.items()}
        json.loads(answer.read())
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    for url in ("/api/v1/sites.geojson?country=KGZ", "/ogc", "/ogc/collections", "/ogc/collections/sites/items?country=KGZ"):
        checked = checked_page(server.url + url)
        checked.page.wait_for_load_state("load")
        if url.startswith("/ogc"):
            # The page's style sheet (from the atlas) applied: the table has its borders' style.
            assert checked.page.locator("link[rel=stylesheet]").count() == 1
            assert checked.page.evaluate("() => document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 0")
        checked.page.wait_for_timeout(300)
        assert checked.violations == [], url
        assert not checked.errors, (url, checked.errors)
