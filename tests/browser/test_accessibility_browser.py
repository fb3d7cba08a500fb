"""Accessibility in a real browser: axe-core (tests/vendor/, WCAG 2.2 AA) on every page of the atlas,
at a desktop's and a phone's size, on the page and inside the map's frame; and the page's own
focus ring and reduced motion (src/strategic_sites/ui/page.css). docs/accessibility.md says what
this covers and lists what remains.

A page fails on every serious or critical finding that the floor page does not also have. The
floor (tests/fixtures/floor_a11y_app.py) is a bare Streamlit page with an st_folium map, so what
it has is what Streamlit and streamlit-folium bring. A finding is excused only when the floor has
the same rule on an element of the same origin (tests/browser/axe.py: the Streamlit data-testid
ancestry on the page, the Leaflet classes in the map), at the same size: the same rule elsewhere
on the floor excuses nothing.

Each page is saved to tests/artifacts/a11y-<page>-<size>.png, with everything axe found there
(every impact) in a11y-<page>-<size>.txt.
"""

from __future__ import annotations

import pytest
from axe import AXE_VERSION, TAGS, Finding, Node, not_in, run_page, serious, summary
from conftest import ARTIFACTS, MAP_FRAME, Watched, _wait_until_still, wait_for_page_at_rest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

FLOOR_SCRIPT = "tests/fixtures/floor_a11y_app.py"
FLOOR_MARKERS = 3

# Every page, by the path app.py gives it (st.navigation's url_path; the map is the default
# page at /), the site page of a deep link (its small map), and the embedded map that "Embed this
# view" writes (ui/publish.py: embed=true).
PAGES = {
    "map": "/",
    "sites": "/sites",
    "site": "/sites?site=baikonur",
    "timeline": "/timeline",
    "events": "/events",
    "sources": "/sources",
    "data-api": "/data-api",
    "about": "/about",
    "embed": "/?embed=true",
}
SIZES = {"1440x900": (1440, 900), "390x844": (390, 844)}

# The floor page drawn and still: the run over, Leaflet's map loaded with its three markers, every
# tile asked for answered (offline: refused).
FLOOR_AT_REST = """() => {
    if (document.readyState !== 'complete' || document.fonts.status !== 'loaded') return null;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED') return null;
    const frame = document.querySelector(%(frame)s);
    const win = frame && frame.contentWindow, doc = win && win.document;
    if (!doc || doc.readyState !== 'complete' || !win.L || !(win.map instanceof win.L.Map) || !win.map._loaded) return null;
    if (win.map._animatingZoom) return null;
    const markers = doc.querySelectorAll('.leaflet-marker-icon');
    if (markers.length !== %(markers)d || [...markers].some(img => !img.complete)) return null;
    if ([...doc.querySelectorAll('img.leaflet-tile')].some(img => !img.complete)) return null;
    return [markers.length, doc.querySelectorAll('img.leaflet-tile').length, win.map.getZoom()].join();
}""" % {"frame": repr(MAP_FRAME), "markers": FLOOR_MARKERS}


def open_at(browser, url: str, size: tuple[int, int]) -> Watched:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    watched = Watched(context)
    watched.page.goto(url, wait_until="domcontentloaded")
    return watched


def settle(page, name: str) -> None:
    """Until the whole page is drawn and still. On the map page the filters, tables and footer
    follow the map (ui/speed.py), asked for by the drawn map; should it not ask within 60 s
    (test_map_browser tests that it does), the sidebar's button asks, as a reader would. The
    timeouts are long for a machine busy with other tests."""
    if name == "embed":
        page.locator(MAP_FRAME).wait_for(timeout=90_000)
    else:
        filters = page.locator(".st-key-f_country")
        try:
            filters.wait_for(state="attached", timeout=60_000 if name == "map" else 90_000)
        except PlaywrightTimeout:
            if name != "map":
                raise
            page.get_by_role("button", name="Show the filters now").click(timeout=30_000)
            filters.wait_for(state="attached", timeout=60_000)
    wait_for_page_at_rest(page, timeout=90_000)


def record(name: str, size: str, found: list[Finding], page) -> None:
    """The page's screenshot and everything axe found there, for people to look at."""
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{size}.png"))
    text = summary(found) if found else "  nothing"
    (ARTIFACTS / f"a11y-{name}-{size}.txt").write_text(f"axe-core {AXE_VERSION}, {', '.join(TAGS)}: {name} at {size}\n{text}\n")


@pytest.fixture(scope="module")
def floor(start_server, browser) -> dict[str, list[Finding]]:
    """What axe finds on the floor page at each size (every impact)."""
    server = start_server(script=FLOOR_SCRIPT)
    found = {}
    for size, viewport in SIZES.items():
        watched = open_at(browser, server.url + "/", viewport)
        try:
            _wait_until_still(watched.page, FLOOR_AT_REST, 90_000)
            found[size] = run_page(watched.page)
            record("floor", size, found[size], watched.page)
            assert not watched.errors, watched.errors
        finally:
            watched.context.close()
    return found


def test_only_the_same_rule_on_an_element_of_the_same_origin_is_excused():
    """The comparison with the floor is strict: the same rule elsewhere on the floor excuses nothing."""
    def finding(rule, origin, where="page"):
        return Finding(rule, "serious", where, Node(target="x", html="<p>", impact="serious", origin=origin))

    caption = "stApp > stAppViewContainer > stMain > stMainBlockContainer > stMarkdown > stCaptionContainer > p"
    floor = [finding("color-contrast", "stApp > stHeader > stToolbar > button")]
    ours = [finding("color-contrast", caption), finding("color-contrast", "stApp > stHeader > stToolbar > button")]
    assert not_in(ours, floor) == ours[:1]
    assert not_in([finding("color-contrast", caption, where="map")], [finding("color-contrast", caption)])  # page ≠ map
    assert not_in([finding("target-size", caption)], [finding("color-contrast", caption)])  # another rule


def test_the_floor_page_is_checked(floor):
    """The floor is drawn (its map with Leaflet and three markers) and checked at both sizes. Its
    findings excuse the same findings of the atlas; they are listed in docs/accessibility.md."""
    assert set(floor) == set(SIZES)
    for size, found in floor.items():
        print(f"floor at {size}:\n{summary(found, every=False) or '  nothing'}")


# The map's controls (zoom, layers, full screen, legend…) that something of the page lies over: the
# element of the page at the middle of each control, in the window, is not the map's frame. axe
# runs in one document at a time and cannot see this (WCAG 2.4.11, a focused control not hidden).
COVERED_CONTROLS = """(selector) => {
    const covered = [];
    for (const frame of document.querySelectorAll(selector)) {
        const doc = frame.contentDocument, box = frame.getBoundingClientRect();
        if (!doc) continue;
        const controls = doc.querySelectorAll('.leaflet-control-container :is(a, button, input, summary, [role="button"], [tabindex="0"])');
        for (const control of controls) {
            const r = control.getBoundingClientRect();
            if (!r.width || !r.height || !control.checkVisibility()) continue;
            const x = box.left + r.left + r.width / 2, y = box.top + r.top + r.height / 2;
            if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;  // out of the window, not covered
            const top = document.elementFromPoint(x, y);
            if (top !== frame) {
                const ids = [];
                for (let e = top; e && ids.length < 3; e = e.parentElement) if (e.dataset && e.dataset.testid) ids.push(e.dataset.testid);
                covered.push(`${control.outerHTML.slice(0, 120)} at (${Math.round(x)}, ${Math.round(y)}) under <${top.tagName.toLowerCase()}> in ${ids.join(' < ')}`);
            }
        }
    }
    return covered;
}"""


# The text of the charts' axes and legends (SVG text, which axe's color-contrast leaves out) whose
# colour is under 4.5:1 against the chart's background (the page's, laid over white).
CHART_TEXT = """() => {
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    // rgb(), rgba(), or color(srgb r g b / a) with r, g, b from 0 to 1 (what color-mix() computes to)
    const parse = (c) => {
        const m = c.match(/[\\d.]+/g).map(Number), scale = c.startsWith('color(') ? 255 : 1;
        return [m[0] * scale, m[1] * scale, m[2] * scale, m.length > 3 ? m[3] : 1];
    };
    const low = [];
    for (const t of document.querySelectorAll('[data-testid="stVegaLiteChart"] :is(.role-axis-label, .role-axis-title, .role-legend-label, .role-legend-title, .role-title-text) text')) {
        if (!t.textContent.trim() || !t.checkVisibility({opacityProperty: true}) || parseFloat(getComputedStyle(t).opacity) === 0 || t.getAttribute('opacity') === '0') continue;
        const [r, g, b, a] = parse(getComputedStyle(t).fill);
        let bg = [255, 255, 255];
        for (let e = t.closest('[data-testid="stVegaLiteChart"]'); e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c[3] > 0) { bg = c.slice(0, 3); break; }
        }
        const seen = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
        const [hi, lo] = [lum(seen), lum(bg)].sort((x, y) => y - x);
        const ratio = (hi + 0.05) / (lo + 0.05);
        if (ratio < 4.5) low.push(`"${t.textContent.trim().slice(0, 40)}" ${getComputedStyle(t).fill} at ${ratio.toFixed(2)}:1`);
    }
    return low;
}"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_finding_of_our_own(server, browser, floor, name, size):
    watched = open_at(browser, server.url + PAGES[name], SIZES[size])
    try:
        page = watched.page
        settle(page, name)
        found = run_page(page)
        record(name, size, found, page)
        problems = []
        ours = not_in(serious(found), floor[size])
        if ours:
            problems.append(
                f"{len(ours)} serious or critical accessibility finding(s) on {PAGES[name]} at {size} that the floor page "
                f"has not (axe-core {AXE_VERSION}):\n" + summary(ours)
            )
        if name in ("map", "embed", "site"):  # a page with a map: it was checked inside the frame too
            assert page.locator(MAP_FRAME).count() >= 1
            covered = page.evaluate(COVERED_CONTROLS, MAP_FRAME)
            if covered:
                problems.append(f"the page lies over {len(covered)} of the map's controls:\n" + "\n".join(f"  - {c}" for c in covered))
        faint = page.evaluate(CHART_TEXT)
        if faint:
            problems.append(f"{len(faint)} chart label(s) under 4.5:1:\n" + "\n".join(f"  - {text}" for text in faint[:20]))
        assert not problems, "\n".join(problems)
        assert not watched.errors, watched.errors
    finally:
        watched.context.close()


# --- the page's own rules (page.css): a visible focus, less motion -----------------------------

# Where the keyboard's focus is, and the ring that shows it, once what the focus set moving (a
# fade-in) has finished: the focused element or the nearest of its ancestors (a text field's box, a
# radio option) with an outline of 2 px or more; the ring's colour, faded by the opacity of the
# ring and its ancestors, against what is around it (the background behind the element's parent
# for a ring outside it, the element's own for one inside), semi-transparent layers laid over white.
FOCUS_RING = """async () => {
    const finite = document.getAnimations().filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map(a => a.finished.catch(() => null)));
    let active = document.activeElement;
    while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
    if (!active || active === document.body) return null;
    if (active.tagName === 'IFRAME') return {iframe: active.title};
    const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (element) => {
        const layers = [];
        for (let e = element; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c[3] > 0) layers.push(c);
            if (c[3] >= 1) break;
        }
        let rgb = [255, 255, 255];
        for (const [r, g, b, a] of layers.reverse()) rgb = [r * a + rgb[0] * (1 - a), g * a + rgb[1] * (1 - a), b * a + rgb[2] * (1 - a)];
        return rgb;
    };
    let ring = null;
    for (let e = active, up = 0; e && up <= 5; e = e.parentElement, up++) {
        const s = getComputedStyle(e);
        if (s.outlineStyle !== 'none' && s.outlineStyle !== 'hidden' && parseFloat(s.outlineWidth) >= 2) { ring = e; break; }
    }
    let t = active, ids = [];
    for (; t && ids.length < 3; t = t.parentElement) if (t.dataset && t.dataset.testid) ids.push(t.dataset.testid);
    const name = (active.getAttribute('aria-label') || active.innerText || active.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    const what = `${active.tagName.toLowerCase()}${active.getAttribute('role') ? '[role=' + active.getAttribute('role') + ']' : ''} "${name}" in ${ids.join(' < ')}`;
    if (!ring) return {what, width: 0, contrast: 0};
    const s = getComputedStyle(ring);
    const colour = parse(s.outlineColor);
    for (let e = ring; e; e = e.parentElement) colour[3] *= parseFloat(getComputedStyle(e).opacity);
    const behind = parseFloat(s.outlineOffset) >= 0 ? background(ring.parentElement) : background(ring);
    const seen = colour.slice(0, 3).map((v, i) => v * colour[3] + behind[i] * (1 - colour[3]));
    const [hi, lo] = [lum(seen), lum(behind)].sort((a, b) => b - a);
    return {what, width: parseFloat(s.outlineWidth), contrast: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100,
            colour: `${s.outlineColor} at ${Math.round(colour[3] * 100)} %`, behind: behind.map(Math.round).join(',')};
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_the_keyboard_focus_is_always_visible(server, open_page, name):
    """Tab round the page (on the map page: the sidebar's links, fields and pills, the map's
    neighbours, the buttons, tabs and tables under it): every stop has a ring of at least 2 px at 3:1
    or more against what is around it. (Inside the map's frame, the map's own: not checked here.)"""
    watched = open_page(server.url + PAGES[name], viewport=SIZES["1440x900"])
    page = watched.page
    settle(page, name)
    stops, first = [], None
    for _ in range(250):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_RING)
        if stop is None or "iframe" in stop:
            continue
        if stop["what"] == first:
            break  # round the page once
        first = first or stop["what"]
        stops.append(stop)
    assert stops, "the keyboard reached nothing"
    if name == "map":
        kinds = {stop["what"].split(" ", 1)[0] for stop in stops}
        assert {"a", "button", "input", "div[role=tab]"} <= kinds, kinds  # links, buttons, fields, tabs reached
        assert any("stButtonGroup" in stop["what"] for stop in stops), "the sidebar's pills were not reached"
    weak = [stop for stop in stops if stop["width"] < 2 or stop["contrast"] < 3]
    assert not weak, f"focus not visible enough (2 px, 3:1) on {PAGES[name]} at:\n" + "\n".join(
        f"  {stop['what']}: {stop['width']} px, {stop['contrast']}:1 ({stop.get('colour')} on {stop.get('behind')})" for stop in weak
    )
    assert not watched.errors, watched.errors


# Every element's CSS transitions and animations: the longest duration of each, in ms.
LONGEST_MOTION = """() => {
    const ms = (value) => Math.max(...value.split(',').map(v => parseFloat(v) * (v.trim().endsWith('ms') ? 1 : 1000)));
    let longest = {ms: 0, what: ''};
    for (const e of document.querySelectorAll('*')) {
        const s = getComputedStyle(e);
        const moving = Math.max(s.transitionProperty === 'none' ? 0 : ms(s.transitionDuration), s.animationName === 'none' ? 0 : ms(s.animationDuration));
        if (moving > longest.ms) longest = {ms: moving, what: e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '')};
    }
    return longest;
}"""


def test_reduced_motion_turns_off_the_pages_transitions(server, open_page):
    watched = open_page(server.url + "/", viewport=SIZES["1440x900"])
    page = watched.page
    settle(page, "map")
    moving = page.evaluate(LONGEST_MOTION)
    assert moving["ms"] >= 100, moving  # Streamlit's widgets move by default: the check below means something
    page.emulate_media(reduced_motion="reduce")
    still = page.evaluate(LONGEST_MOTION)
    assert still["ms"] <= 0.01, f"with reduced motion asked for, {still['what']} still moves for {still['ms']} ms"
    assert not watched.errors, watched.errors
