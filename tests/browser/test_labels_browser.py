"""The site labels layer in a real browser, at 1440×900 and on a 390×844 phone: each site's name
beside its marker where the marker is drawn, no two names on one another and none on another
site's marker, at the first view and after zooming in; on by default, off when a link's layers=
leaves it out, switched in the layer control, in Russian with lang=ru, and in the standalone
HTML file too. The names are decoration: hidden from screen readers, and a click goes through
them to the map."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS, MAP_FRAME, layer_input, wait_for_map_at_rest, wait_for_page_at_rest

from strategic_sites.map.layer_kinds.labels import short_name
from strategic_sites.view import language

DESKTOP, PHONE = (1440, 900), (390, 844)
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
NEAR = 10  # px: the most a label lies from its own marker's edge

# The labels shown (their text and box), the markers (their box where drawn) and the map's box,
# in the map document's pixels; ``state``: how many labels the map placed, and at which zoom.
DRAWN = """(doc) => {
    const box = r => ({x: r.left, y: r.top, w: r.width, h: r.height});
    const map = doc.querySelector('.leaflet-container');
    const labels = [...doc.querySelectorAll('.ssa-labels .ssa-label')];
    return {
        map: box(map.getBoundingClientRect()),
        shown: labels.filter(l => getComputedStyle(l).visibility === 'visible')
            .map(l => ({site: l.dataset.label, text: l.textContent, ...box(l.getBoundingClientRect())})),
        texts: labels.map(l => l.textContent),
        markers: [...doc.querySelectorAll('.ssa-site')].map(s => ({site: s.dataset.site, ...box(s.parentNode.getBoundingClientRect())})),
        hidden: [...doc.querySelectorAll('.ssa-labels')].every(b => b.getAttribute('aria-hidden') === 'true'),
        pointer: labels.every(l => getComputedStyle(l).pointerEvents === 'none'),
        // What a click at the middle of each label shown reaches: never the label.
        through: labels.filter(l => getComputedStyle(l).visibility === 'visible').every(l => {
            const r = l.getBoundingClientRect(), hit = doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return !hit || !hit.closest('.ssa-label');
        }),
        colours: labels.map(l => [getComputedStyle(l).color, getComputedStyle(l).backgroundColor]),
        state: map.getAttribute('data-ssa-labels'),
    };
}"""

# In the map's own window: the labels placed for the zoom the map is at now.
PLACED = """(win) => {
    const box = win && win.document.querySelector('.leaflet-container');
    let map = win && win.map;
    if (!(map && win.L && map instanceof win.L.Map)) map = Object.keys(win || {}).filter(k => k.startsWith('map_')).map(k => win[k]).find(v => v instanceof win.L.Map);
    const state = box && box.getAttribute('data-ssa-labels');
    return !!(map && state && state.endsWith('@' + map.getZoom()));
}"""


def in_map(page):
    return page.locator(MAP_FRAME).element_handle().content_frame()


def drawn(target) -> dict:
    """What the labels layer shows now, read in the map's document (``target``: its frame or page)."""
    return target.evaluate(f"() => ({DRAWN})(document)")


def overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def gap(a: dict, b: dict) -> float:
    """How far apart two boxes are (0 when they touch or overlap)."""
    dx = max(0.0, b["x"] - (a["x"] + a["w"]), a["x"] - (b["x"] + b["w"]))
    dy = max(0.0, b["y"] - (a["y"] + a["h"]), a["y"] - (b["y"] + b["h"]))
    return max(dx, dy)


def channels(css: str) -> list[float]:
    """An rgb() or rgba() colour as [r, g, b, alpha] (0-255, alpha 0-1)."""
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return values + [1.0] * (4 - len(values))


def luminance(rgb: list[float]) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def worst_contrast(text: str, ground: str) -> float:
    """The contrast of a label's text on its own ground laid over the darkest basemap there is
    (black): what a reader gets over any map, tiles, areas or land (WCAG 1.4.3)."""
    fg, bg = channels(text), channels(ground)
    over_black = [c * bg[3] for c in bg[:3]]
    light, dark = sorted((luminance(fg), luminance(over_black)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_placed(seen: dict, where: str, markers: bool = True) -> None:
    """Labels are shown, none on another, none on another site's marker, each whole in the map
    and beside its own marker where that marker is drawn."""
    shown = seen["shown"]
    assert shown, f"{where}: no site label shown ({seen['state']})"
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert overlap(a, b) == 0, f"{where}: the labels {a['text']!r} and {b['text']!r} overlap"
        m = seen["map"]
        whole = a["x"] >= m["x"] and a["y"] >= m["y"] and a["x"] + a["w"] <= m["x"] + m["w"] and a["y"] + a["h"] <= m["y"] + m["h"]
        assert whole, f"{where}: {a['text']!r} is cut off by the map's edge"
    for text, ground in seen["colours"]:
        assert worst_contrast(text, ground) >= 4.5, f"{where}: a label reads at {worst_contrast(text, ground):.1f}:1 over a dark map"
    if not markers:
        return
    by_site = {marker["site"]: marker for marker in seen["markers"]}
    for label in shown:
        covered = [marker["site"] for marker in seen["markers"] if marker["site"] != label["site"] and overlap(label, marker) > 0]
        assert not covered, f"{where}: the label {label['text']!r} lies on the markers of {covered}"
        own = by_site[label["site"]]
        assert gap(label, own) <= NEAR, f"{where}: {label['text']!r} is {gap(label, own):.0f} px from its marker where it is drawn"
    assert seen["hidden"] and seen["pointer"] and seen["through"], "labels must be hidden from screen readers and let clicks through"


def wait_for_layers(page, layers: list[str]) -> None:
    """Until the page's link names these layers (``layers=``, once for each)."""
    page.wait_for_function(
        "(want) => JSON.stringify(new URLSearchParams(location.search).getAll('layers')) === JSON.stringify(want)", arg=layers, timeout=30_000
    )


def open_map(open_page, server, size, query: str = "", labelled: bool = True):
    """The map page of ``query``, drawn and still, its labels placed (when ``labelled``)."""
    watched = open_page(server.url + "/" + query, viewport=size)
    wait_for_page_at_rest(watched.page)
    wait_for_map_at_rest(watched.page)
    if labelled:
        watched.page.wait_for_function(f"(s) => ({PLACED})(document.querySelector(s).contentWindow)", arg=MAP_FRAME, timeout=30_000)
    return watched


@SIZES
def test_labels_are_drawn_apart_at_the_first_view_and_after_zooming_in(server, open_page, size, atlas):
    watched = open_map(open_page, server, size)
    page = watched.page
    first = drawn(in_map(page))
    check_placed(first, f"first view at {size}")
    names = {short_name(name) for name in atlas.sites["name"]}
    assert set(first["texts"]) == names  # every site has its label; those with no room are hidden
    page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / f"labels-first-view-{size[0]}x{size[1]}.png"))
    # Zoomed in twice, as a user does: the labels are placed anew for the new zoom.
    zoom_in = page.frame_locator(MAP_FRAME).get_by_role("button", name="Zoom in", exact=True)
    for _ in range(2):
        zoom_in.click()
        wait_for_map_at_rest(page)
    page.wait_for_function(f"(s) => ({PLACED})(document.querySelector(s).contentWindow)", arg=MAP_FRAME, timeout=30_000)
    zoomed = drawn(in_map(page))
    assert zoomed["state"] != first["state"]
    check_placed(zoomed, f"zoomed in at {size}")
    page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / f"labels-zoomed-{size[0]}x{size[1]}.png"))
    assert not watched.errors, watched.errors


def test_a_spread_marker_is_labelled_where_it_is_drawn(server, open_page):
    """Zoomed on Dushanbe, the bases a few kilometres apart are spread apart, each on a line to
    its place: each label shown lies beside its marker as drawn, not at the site's place."""
    watched = open_map(open_page, server, DESKTOP, "?map=38.56,68.9,8")
    seen = drawn(in_map(watched.page))
    spread = in_map(watched.page).evaluate("() => [...document.querySelectorAll('.ssa-site-icon.ssa-spread, .ssa-spread')].length")
    assert spread >= 2, "the bases round Dushanbe are not spread apart at this zoom"
    check_placed(seen, "Dushanbe at zoom 8")
    assert {"dushanbe-201st-base", "ayni"} & {label["site"] for label in seen["shown"]}
    watched.page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / "labels-spread-1440x900.png"))
    assert not watched.errors, watched.errors


def test_labels_are_on_by_default_off_when_the_link_leaves_them_out_and_switched_in_the_layer_control(server, open_page):
    watched = open_map(open_page, server, DESKTOP, "?layers=status,events", labelled=False)
    page = watched.page
    assert drawn(in_map(page))["shown"] == []  # markers and events, no names
    assert not layer_input(page, "Site labels").is_checked()
    watched.context.close()

    watched = open_map(open_page, server, DESKTOP)
    page = watched.page
    assert layer_input(page, "Site labels").is_checked()
    assert drawn(in_map(page))["shown"]
    layer_input(page, "Site labels").uncheck()
    wait_for_layers(page, ["status", "leases", "events", "countries"])  # the link says so
    wait_for_page_at_rest(page)
    assert in_map(page).evaluate("() => [...document.querySelectorAll('.ssa-label')].every(l => !l.checkVisibility())")
    layer_input(page, "Site labels").check()
    wait_for_layers(page, [])  # every layer on: the link leaves layers= out
    wait_for_page_at_rest(page)
    page.wait_for_function(f"(s) => ({PLACED})(document.querySelector(s).contentWindow)", arg=MAP_FRAME, timeout=30_000)
    check_placed(drawn(in_map(page)), "labels ticked on again")
    assert not watched.errors, watched.errors


def test_labels_follow_the_language_of_the_link(server, open_page, atlas):
    """With lang=ru every label is the site's Russian name: at the first view, and round
    Baikonur, where the cosmodrome and its town are both labelled."""
    russian = {short_name(name) for name in language.localise(atlas, "ru").sites["name"]}
    for query, where in (("?lang=ru", "first view"), ("?lang=ru&map=45.8,63.5,8", "Baikonur")):
        watched = open_map(open_page, server, DESKTOP, query)
        seen = drawn(in_map(watched.page))
        assert set(seen["texts"]) == russian
        check_placed(seen, f"lang=ru, {where}")
        if where == "Baikonur":
            assert {"Космодром «Байконур»", "Байконур"} <= {label["text"] for label in seen["shown"]}
        watched.page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / f"labels-russian-{where.replace(' ', '-').lower()}-1440x900.png"))
        assert not watched.errors, watched.errors
        watched.context.close()


def test_the_standalone_file_shows_the_labels(browser, atlas, tmp_path):
    """The downloaded map (built from the same composed map) draws the labels, offline."""
    from datetime import date

    from strategic_sites.outputs import export
    from strategic_sites.view.filters import Filters, apply

    saved = tmp_path / "map.html"
    saved.write_text(export.export_view(atlas, apply(atlas, Filters(countries=("KGZ", "TJK"), asof=date(2024, 1, 1))), "https://atlas.example/"), encoding="utf-8")
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file://", "data:")) else route.abort())
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(saved.as_uri())
        wait_for_map_at_rest(page, frame=None)
        page.wait_for_function(f"() => ({PLACED})(window)", timeout=30_000)
        seen = drawn(page)
        check_placed(seen, "the standalone file")
        assert "Kant Air Base" in {label["text"] for label in seen["shown"]}
        page.screenshot(path=str(ARTIFACTS / "labels-export-1440x900.png"))
        assert not errors, errors
    finally:
        context.close()
