"""Russian names everywhere they are promised (lang=ru): a site's popup, a lease tooltip,
an event's popup and the leases table name countries in Russian."""

from __future__ import annotations

import csv
import io

from conftest import ARTIFACTS, MAP_FRAME, map_frame, map_window, set_view, wait_for_markers, wait_for_page_at_rest


def test_russian_link_names_countries_in_russian_in_popups_tooltips_and_tables(server, open_page, atlas):
    watched = open_page(server.url + "/?lang=ru&asof=2014-01-01")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    frame = map_frame(page)

    # A site's popup: its host country (zoomed in: Baikonur's town sits beside the cosmodrome).
    site = atlas.site("baikonur")
    set_view(page, site.geometry.y, site.geometry.x, 9)
    # A click where the marker is drawn, as a user's.
    box = frame.locator('.ssa-site[data-site="baikonur"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = frame.locator('.leaflet-popup-content [data-site="baikonur"]')
    popup.wait_for(timeout=30_000)
    page.wait_for_function(
        "(selector) => !document.querySelector(selector).contentDocument.querySelector('.leaflet-popup-content').textContent.includes('\u2026')",
        arg=MAP_FRAME,
    )  # filled in from the sites' file
    text = popup.inner_text()
    assert "Космодром «Байконур»" in text and "Казахстан (KAZ)" in text and "Kazakhstan (KAZ)" not in text
    assert "Казахстан → Россия" in text  # the lease in force on the date
    page.screenshot(path=str(ARTIFACTS / "russian-site-popup.png"))

    # The lease shading's tooltips (Leaflet's public API: every layer's tooltip).
    tooltips = map_window(page).evaluate(
        """() => { const out = []; window.map.eachLayer(l => { const t = l.getTooltip && l.getTooltip();
            if (t && typeof t.getContent() === 'string') out.push(t.getContent()); }); return out; }"""
    )
    leases = [t for t in tooltips if "→" in t]
    assert leases and all("Россия" in t for t in leases) and not any("Russia" in t for t in leases)

    # An event's popup, as the events layer opens it: its countries.
    first = next(i for i, codes in enumerate(atlas.events["country_list"]) if "RUS" in codes)
    event = map_window(page).evaluate(
        f"""() => new Promise(resolve => {{
            const poll = () => {{
                if (!SSA._events || !SSA._events.index) return setTimeout(poll, 100);
                SSA._events.openEvent({first}, window.map.getCenter());
                const wait = () => {{ const box = document.querySelector('.leaflet-popup-content [data-event]');
                    if (box && box.textContent.includes('Россия')) resolve(box.textContent); else setTimeout(wait, 100); }};
                wait();
            }};
            poll();
        }})"""
    )
    assert "Россия" in event and "Russia" not in event

    # The leases table, as its download holds it: parties named, in Russian.
    page.keyboard.press("Escape")
    wait_for_page_at_rest(page)  # the run the site's click asked for, done
    page.get_by_role("tab", name="Leases").click()
    wait_for_page_at_rest(page)  # the run the tab asks for: its table and its download button
    with page.expect_download() as download:
        page.locator(".st-key-leases-table-csv button").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    parties = {row["parties"] for row in rows}
    assert "Казахстан → Россия" in parties and not any("KAZ" in p or "Kazakhstan" in p for p in parties)
    assert not watched.errors, watched.errors
