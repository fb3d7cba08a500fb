"""The map in the hand, as a new user meets it at 1440×900 and on a 390×844 phone: the first
click on a marker opens that site and selects it, overlapping sites can each be aimed at, a
popup opens whole and clear of the map's controls, the view fits what is shown and travels
with the link, and the map works by keyboard alone."""

from __future__ import annotations

import re

import pytest

from conftest import ARTIFACTS, MAP_FRAME, choose_country, map_window, wait_for_map_at_rest, wait_for_page_at_rest

DESKTOP, PHONE = (1440, 900), (390, 844)
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])

# Where a marker, the open popup and the map's visible controls are, in the page's pixels.
RECTS = """(siteId) => {
    const frame = document.querySelector(%r);
    const doc = frame.contentDocument, off = frame.getBoundingClientRect();
    const box = r => ({x: r.left + off.left, y: r.top + off.top, w: r.width, h: r.height});
    const marker = siteId && doc.querySelector('.ssa-site[data-site="' + siteId + '"]');
    const popup = doc.querySelector('.leaflet-popup');
    const corners = doc.querySelectorAll('#map_div > .leaflet-control-container .leaflet-control');
    return {
        frame: box(frame.getBoundingClientRect()),
        map: box(doc.querySelector('#map_div').getBoundingClientRect()),
        marker: marker ? box(marker.parentNode.getBoundingClientRect()) : null,
        popup: popup ? box(popup.getBoundingClientRect()) : null,
        popupSite: popup && popup.querySelector('.ssa-popup') ? popup.querySelector('.ssa-popup').dataset.site : null,
        controls: [...corners].filter(c => c.offsetParent !== null).map(c => box(c.getBoundingClientRect())),
    };
}""" % MAP_FRAME


def rects(page, site_id: str | None = None) -> dict:
    return page.evaluate(RECTS, site_id)


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack
    )


def overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def open_map(open_page, server, size, query: str = ""):
    """The map page as a visitor opens it; returns once the site markers are drawn with their
    glyphs (the rest of the page may still be arriving)."""
    watched = open_page(server.url + "/" + query, viewport=size)
    page = watched.page
    page.wait_for_function(
        """(selector) => {
            const f = document.querySelector(selector), doc = f && f.contentDocument;
            const sites = doc ? [...doc.querySelectorAll('.ssa-site')] : [];
            return sites.length > 0 && sites.every(s => s.querySelector('svg + svg'));
        }""",
        arg=MAP_FRAME,
        timeout=60_000,
    )
    return watched


def click_site(page, site_id: str) -> dict:
    """A click where the site's marker is drawn, as a user aims it (the mouse, not a script)."""
    box = rects(page, site_id)["marker"]
    assert box is not None, f"{site_id} has no marker"
    page.mouse.click(box["x"] + box["w"] / 2, box["y"] + box["h"] / 2)
    return box


def wait_for_site_popup(page, site_id: str, timeout: float = 15_000) -> None:
    """Until a site's popup is open with its text; fails naming the popup open instead, if any."""
    try:
        page.wait_for_function(
            """([selector, site]) => {
                const doc = document.querySelector(selector).contentDocument;
                return !!doc.querySelector('.leaflet-popup .ssa-popup[data-site="' + site + '"]');
            }""",
            arg=[MAP_FRAME, site_id],
            timeout=timeout,
        )
    except Exception:  # noqa: BLE001 - said as what the user sees
        pytest.fail(f"a click on {site_id} opened {rects(page)['popupSite'] or 'no popup'}")


def assert_popup_whole(page, site_id: str, where: str) -> None:
    r = rects(page)
    assert r["popup"] is not None, f"{where}: no popup open"
    assert r["popupSite"] == site_id, f"{where}: the popup is {r['popupSite']}'s, not {site_id}'s"
    assert inside(r["popup"], r["map"]), f"{where}: the popup {r['popup']} is cut off by the map {r['map']}"
    covered = [c for c in r["controls"] if overlap(c, r["popup"]) > 0]
    assert not covered, f"{where}: the map's controls {covered} lie on the popup {r['popup']}"


FIRST_CLICKS = ["baikonur", "kant", "sary-shagan", "vostochny", "dushanbe-201st-base", "emba"]


@SIZES
def test_the_first_click_on_each_marker_opens_and_selects_its_site(server, open_page, size):
    """Right after the map appears (the rest of the page still arriving), one click on each of
    six markers opens that site's popup, whole and clear of the controls, and selects the
    site (the link names it); the popup stays whole once the page has answered the click."""
    for site_id in FIRST_CLICKS:
        watched = open_map(open_page, server, size)
        page = watched.page
        click_site(page, site_id)
        wait_for_site_popup(page, site_id)
        wait_for_map_at_rest(page)  # the map makes room for the popup (a quarter-second pan)
        assert_popup_whole(page, site_id, f"{site_id} at {size}, just opened")
        page.wait_for_url(re.compile(rf"[?&]site={re.escape(site_id)}(&|$)"), timeout=30_000)
        wait_for_page_at_rest(page)
        assert_popup_whole(page, site_id, f"{site_id} at {size}, once selected")
        assert not watched.errors, watched.errors
        if site_id == FIRST_CLICKS[0]:
            page.screenshot(path=str(ARTIFACTS / f"map-popup-{size[0]}x{size[1]}.png"))
        watched.context.close()


SITE_BOXES = """(selector) => {
    const frame = document.querySelector(selector), off = frame.getBoundingClientRect();
    return Object.fromEntries([...frame.contentDocument.querySelectorAll('.ssa-site')].map(s => {
        const r = s.parentNode.getBoundingClientRect();
        return [s.dataset.site, [Math.round(r.left + off.left), Math.round(r.top + off.top)]];
    }));
}"""


@SIZES
def test_a_site_stays_where_it_is_drawn_while_the_page_finishes(server, open_page, size):
    """From the moment the site markers appear until the page has drawn everything (the event
    clusters arrive later, the page's follow-up run answers the map), no site marker moves: a
    marker a user aims at is still under the pointer when the click comes."""
    watched = open_map(open_page, server, size)
    page = watched.page
    first = page.evaluate(SITE_BOXES, MAP_FRAME)
    wait_for_page_at_rest(page)
    wait_for_map_at_rest(page)
    last = page.evaluate(SITE_BOXES, MAP_FRAME)
    moved = {
        site: (first[site], last.get(site))
        for site in first
        if last.get(site) is None or max(abs(a - b) for a, b in zip(first[site], last[site])) > 1
    }
    assert not moved, f"at {size}, site markers moved after they were drawn (before, after): {moved}"
    watched.context.close()


OVERLAPPING = [
    ("baikonur", "baikonur-city"),
    ("vostochny", "tsiolkovsky"),
    ("dushanbe-201st-base", "ayni", "okno-nurek", "bokhtar-201st-garrison", "kulob-201st-garrison"),
]


@SIZES
def test_sites_that_overlap_can_each_be_aimed_at(server, open_page, size):
    """Sites a few kilometres apart (Baikonur's cosmodrome and town, Vostochny and Tsiolkovsky,
    the bases around Dushanbe) are drawn apart at the first view, at least 24 px each and not
    on one another, and a click on each opens that site, never its neighbour."""
    for group in OVERLAPPING:
        watched = open_map(open_page, server, size)
        page = watched.page
        wait_for_map_at_rest(page)
        boxes = {site_id: rects(page, site_id)["marker"] for site_id in group}
        for site_id, box in boxes.items():
            assert box["w"] >= 24 and box["h"] >= 24, f"{site_id}'s marker is {box['w']}×{box['h']} px"
        for a in group:
            for b in group:
                if a < b:
                    assert overlap(boxes[a], boxes[b]) == 0, f"{a} and {b} are drawn on one another at {size}"
        if group is OVERLAPPING[0]:
            page.screenshot(path=str(ARTIFACTS / f"map-first-view-{size[0]}x{size[1]}.png"))
        watched.context.close()
        for site_id in group:  # each aimed at on the first view (an open popup moves the map)
            watched = open_map(open_page, server, size)
            wait_for_map_at_rest(watched.page)
            click_site(watched.page, site_id)
            wait_for_site_popup(watched.page, site_id)
            watched.context.close()


def frame_of(page) -> tuple[float, float, float]:
    win = map_window(page)
    return tuple(win.evaluate("() => { const c = map.getCenter(); return [c.lat, c.lng, map.getZoom()]; }"))


def test_a_moved_map_travels_with_the_link(server, open_page, browser):
    """The user zooms in on Kyrgyzstan: the link gains map= once the map stops, and the same
    link in a new browser opens the same centre and zoom. A plain link (no move) stays short."""
    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    wait_for_page_at_rest(page)
    assert "map=" not in page.url, f"a fitted map writes no frame: {page.url}"
    win = map_window(page)
    win.evaluate("() => { map.setView([42.5, 74.6], 7); }")  # as a user's zoom and drag would end
    page.wait_for_url(re.compile(r"[?&]map=42\.5(000)?%2C74\.6"), timeout=30_000)
    wait_for_page_at_rest(page)
    moved = frame_of(page)
    link = page.url
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    try:
        other = context.new_page()
        other.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        other.goto(link)
        wait_for_page_at_rest(other)
        opened = frame_of(other)
        assert opened[2] == moved[2], f"zoom {opened[2]} where the link's map was at {moved[2]}"
        pixel = 360 / (256 * 2 ** moved[2])  # degrees of longitude a pixel spans at this zoom
        assert abs(opened[0] - moved[0]) < 1.5 * pixel and abs(opened[1] - moved[1]) < 1.5 * pixel, f"{opened} against {moved}"
        assert "map=" in other.url
    finally:
        context.close()


def test_a_filter_change_fits_the_result_unless_the_user_moved_the_map(server, open_page):
    """Choosing Kyrgyzstan zooms the map to its five sites (all of them in the map, clear of the
    map's edges); after the user moves the map, a filter change leaves it there and "Zoom to the
    results" fits the map to the result."""
    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    wait_for_page_at_rest(page)
    before = frame_of(page)
    choose_country(page, "Kyrgyzstan (KGZ)")
    page.wait_for_url(re.compile(r"country=KGZ"), timeout=30_000)
    page.wait_for_function(
        "(s) => document.querySelector(s).contentDocument.querySelectorAll('.ssa-site').length === 5", arg=MAP_FRAME, timeout=30_000
    )
    wait_for_map_at_rest(page)
    after = frame_of(page)
    assert after[2] >= before[2] + 2, f"the map stayed at zoom {after[2]} (was {before[2]}) for five sites in one country"
    r = rects(page)
    for site_id in ("kant", "osh", "mailuu-suu", "chaldovar", "issyk-kul-test-base"):
        assert inside(rects(page, site_id)["marker"], r["map"]), f"{site_id} is outside the fitted map"
    assert "map=" not in page.url
    # The user moves the map; the next filter change keeps it.
    map_window(page).evaluate("() => { map.setView([48, 60], 4); }")
    page.wait_for_url(re.compile(r"map=48"), timeout=30_000)
    wait_for_page_at_rest(page)
    choose_country(page, "Kyrgyzstan (KGZ)")  # off again: every site
    page.wait_for_function(
        "(s) => document.querySelector(s).contentDocument.querySelectorAll('.ssa-site').length === 25", arg=MAP_FRAME, timeout=30_000
    )
    wait_for_map_at_rest(page)
    assert frame_of(page)[2] == 4
    button = page.frame_locator(MAP_FRAME).get_by_role("button", name=re.compile("Zoom to the results"))
    button.click()
    wait_for_map_at_rest(page)
    assert frame_of(page)[2] < 4
    page.wait_for_function("() => !location.search.includes('map=')", timeout=30_000)


@SIZES
def test_the_map_is_in_sight_and_its_keys_cover_little_of_it(server, open_page, size):
    """At 1440×900 the whole map is above the fold (so a click never scrolls the page under the
    pointer), and on the phone its top is; by default the legend and the layer control cover
    at most 10% of the map."""
    watched = open_map(open_page, server, size)
    page = watched.page
    wait_for_page_at_rest(page)
    r = rects(page)
    visible = min(r["map"]["y"] + r["map"]["h"], size[1]) - r["map"]["y"]
    assert visible >= (500 if size == DESKTOP else 400), f"{visible:.0f} px of the map in sight at {size}"
    if size == DESKTOP:
        assert r["map"]["y"] + r["map"]["h"] <= size[1], f"the map's foot is below the fold: {r['map']}"
    keys = page.evaluate(
        """(s) => {
            const doc = document.querySelector(s).contentDocument;
            return ['.ssa-legend', '.leaflet-control-layers'].map(k => {
                const r = doc.querySelector('#map_div > .leaflet-control-container ' + k).getBoundingClientRect();
                return r.width * r.height;
            });
        }""",
        MAP_FRAME,
    )
    share = sum(keys) / (r["map"]["w"] * r["map"]["h"])
    assert share <= 0.10, f"the legend and layer control cover {share:.0%} of the map at {size}"
    page.screenshot(path=str(ARTIFACTS / f"map-page-{size[0]}x{size[1]}.png"))


def test_the_map_by_keyboard_alone(server, open_page):
    """Tab reaches a site marker, which is named as a sighted reader sees it; Enter opens its
    popup and selects the site; Escape closes the popup and returns to the marker; further Tabs
    leave the map for the controls and the tables below (no trap)."""
    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    wait_for_page_at_rest(page)
    in_map = """(s) => {
        const doc = document.querySelector(s).contentDocument, a = doc.activeElement;
        return document.activeElement === document.querySelector(s) && a ? (a.getAttribute('aria-label') || a.className || a.tagName) : null;
    }"""
    # From "Skip to the map" (the sidebar's first link), Tab goes into the map.
    page.get_by_role("link", name="Skip to the map").focus()
    page.keyboard.press("Enter")
    name = None
    for _ in range(30):
        page.keyboard.press("Tab")
        name = page.evaluate(in_map, MAP_FRAME)
        if name and "ssa-site-icon" not in str(name) and re.search(r", [^:]+: ", str(name)):
            break
    assert name and re.search(r", [^:]+: ", name), f"no named site marker reached by Tab (last: {name})"
    site = page.evaluate(
        "(s) => document.querySelector(s).contentDocument.activeElement.querySelector('.ssa-site').dataset.site", MAP_FRAME
    )
    page.keyboard.press("Enter")
    wait_for_site_popup(page, site)
    page.wait_for_url(re.compile(rf"[?&]site={re.escape(site)}(&|$)"), timeout=30_000)
    wait_for_page_at_rest(page)
    page.keyboard.press("Escape")
    page.wait_for_function(
        "(s) => !document.querySelector(s).contentDocument.querySelector('.leaflet-popup')", arg=MAP_FRAME, timeout=10_000
    )
    back = page.evaluate(
        "(s) => { const a = document.querySelector(s).contentDocument.activeElement; const m = a && a.querySelector('.ssa-site'); return m ? m.dataset.site : null; }",
        MAP_FRAME,
    )
    assert back == site, f"Escape left the focus on {back}, not the marker of {site}"
    # On through the map and out of it: the downloads and the tables are reached.
    left = None
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== document.querySelector(s)", MAP_FRAME):
            left = page.evaluate("() => (document.activeElement.innerText || document.activeElement.getAttribute('aria-label') || '').trim()")
            break
    assert left is not None, "150 Tabs never left the map"
    assert "Download" in left, f"after the map, Tab reached {left!r}, not the map's downloads"


def test_less_motion_when_the_reader_asks_for_it(server, browser):
    """With the system's "reduce motion" on, the map zooms at once: right after a click on
    "Zoom in" it is at the new zoom, with no animation under way."""
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        page.goto(server.url + "/")
        wait_for_page_at_rest(page)
        before = frame_of(page)[2]
        page.frame_locator(MAP_FRAME).get_by_role("button", name="Zoom in", exact=True).click()
        zoom, animating = map_window(page).evaluate("() => [map.getZoom(), !!map._animatingZoom || !!(map._panAnim && map._panAnim._inProgress)]")
        assert zoom == before + 1 and not animating, (before, zoom, animating)
    finally:
        context.close()


def test_share_this_view_is_at_the_top_with_its_copy_button_in_sight(server, open_page):
    """"Share this view" is among the sidebar's first controls, above the filters, and its link's
    copy button shows without the pointer on it (not only under a hover)."""
    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    wait_for_page_at_rest(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    share = sidebar.get_by_role("button", name="Share this view")
    filters = sidebar.get_by_role("heading", name="Filters")
    assert share.bounding_box()["y"] < filters.bounding_box()["y"] < DESKTOP[1]
    share.click()
    copy = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"] button[aria-label="Copy to clipboard"]')
    copy.wait_for(state="attached", timeout=10_000)
    page.mouse.move(DESKTOP[0] - 20, DESKTOP[1] - 20)  # the pointer away from the link
    shown = copy.evaluate(
        """b => {
            let opacity = 1;
            for (let e = b; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
            return b.checkVisibility({visibilityProperty: true}) && opacity > 0.99;
        }"""
    )
    assert shown, "the copy button shows only under the pointer"


def test_the_minimap_moves_the_map_only_when_the_reader_moves_it(server, open_page):
    """Dragging the overview map moves the map; the overview map moving on its own (following the
    map late, or resized when folded) never moves the map back under the reader: that jump cut
    popups off on the phone."""
    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    wait_for_map_at_rest(page)
    before = frame_of(page)
    win = map_window(page)
    win.evaluate("() => { const mini = SSA._minimap; mini._miniMap.panBy([40, 0], {animate: false}); }")
    wait_for_map_at_rest(page)
    assert frame_of(page) == before, "the overview map moved by code moved the map"
    box = page.locator(MAP_FRAME).bounding_box()
    mini = map_window(page).evaluate(
        "() => { const r = SSA._minimap._miniMap.getContainer().getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
    )
    x, y = box["x"] + mini[0] + mini[2] / 2, box["y"] + mini[1] + mini[3] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 3 * step, y, steps=2)
    page.mouse.up()
    wait_for_map_at_rest(page)
    after = frame_of(page)
    assert after[1] < before[1] - 1, f"dragging the overview map east did not move the map west: {before} → {after}"
    watched.context.close()
