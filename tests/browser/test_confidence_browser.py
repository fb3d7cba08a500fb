"""How sure each fact is, and what changed between two dates, as a user sees them in Chromium."""

from __future__ import annotations

from conftest import ARTIFACTS, map_frame, map_window, wait_for_markers, wait_for_page_at_rest


def test_a_search_for_a_transliteration_selects_the_site_on_the_map(server, open_page):
    """?q=Baykonur (no site is named so) shows Baikonur, and its tooltip says which name matched."""
    watched = open_page(server.url + "/?q=Baykonur")
    page = watched.page
    wait_for_markers(page, 2)  # the cosmodrome and its city (Baikonur, formerly Leninsk)
    frame = map_frame(page)
    shown = sorted(frame.locator("[data-site]").evaluate_all("nodes => nodes.map(n => n.getAttribute('data-site'))"))
    assert shown == ["baikonur", "baikonur-city"]
    frame.locator('[data-site="baikonur"]').hover()
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=30_000)
    assert "Baikonur Cosmodrome" in tooltip.inner_text()
    assert not watched.errors, watched.errors


def test_a_disputed_lease_shows_both_values_and_both_sources_in_its_popup(server, open_page, atlas):
    """Kant on 1 Jan 2010: the 2003 agreement charged no rent (CACI) against US$4.5 m (RFE/RL)."""
    watched = open_page(server.url + "/?country=KGZ&asof=2010-01-01")
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KGZ").sum()))
    frame = map_frame(page)
    marker = frame.locator('[data-site="kant"]')
    assert marker.get_attribute("data-conf") in ("confirmed", "reported", "disputed", "unconfirmed")
    marker.click()
    popup = frame.locator(".leaflet-popup-content .ssa-dispute")
    popup.wait_for(timeout=30_000)
    text = popup.inner_text()
    assert "Sources disagree on annual rent usd" in text
    kept, other = text.split("Kept", 1)[1].split("Other", 1)
    assert "4500000" in other and "4500000" not in kept
    sides = popup.locator(".ssa-dispute-sides > div")
    assert sides.nth(0).locator("a[href*='cacianalyst']").count() == 1  # the kept value's source, linked
    assert sides.nth(0).locator("a[href*='rferl']").count() == 0
    assert sides.nth(1).locator("a[href*='rferl']").count() == 1  # the other value's source, linked
    assert frame.locator(".leaflet-popup-content .ssa-conf-disputed").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "disputed-popup.png"))
    # The site panel shows the two values side by side too.
    detail = page.locator(".st-key-site-detail")
    detail.get_by_text("Sources disagree on the lease's annual rent usd").wait_for(timeout=30_000)
    assert not watched.errors, watched.errors


def test_compare_rings_the_changed_sites_and_lists_the_changes(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KAZ&asof=2024-01-01&vs=2013-01-01")
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KAZ").sum()))
    frame = map_frame(page)
    ringed = set(frame.locator(".ssa-changed").evaluate_all("nodes => nodes.map(n => n.getAttribute('data-site'))"))
    assert {"balkhash-radar", "emba"} <= ringed
    assert "glits-929-kz" not in ringed and "sary-shagan" in ringed
    # The radar's marker sits under the legend at this zoom: its tooltip is opened as a hover would.
    map_window(page).evaluate("() => SSA._siteMarkers['balkhash-radar'].openTooltip()")
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=30_000)
    assert "Changed 01 Jan 2013 → 01 Jan 2024" in tooltip.inner_text() and "Closed" in tooltip.inner_text()
    box = tooltip.bounding_box()
    assert box["width"] <= 340  # wrapped, not one line running off the map
    page.screenshot(path=str(ARTIFACTS / "compare-tooltip.png"))
    changes = page.locator(".st-key-changes-table")
    changes.get_by_text("What changed, 01 Jan 2013 → 01 Jan 2024").wait_for(timeout=30_000)
    wait_for_page_at_rest(page)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    assert not watched.errors, watched.errors
