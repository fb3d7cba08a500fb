"""Every page in a real browser: deep links to a site, the timeline's click, a screenshot each."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ARTIFACTS, share_link, wait_for_markers, wait_for_page_at_rest
from test_links_browser import query, wait_for_query

from strategic_sites.map.style import STATUS_COLOURS

PAGES = {"sites": "Sites", "timeline": "Timeline", "events": "Events", "sources": "Sources", "about": "About the atlas"}


def settle(page, heading: str) -> None:
    """Wait until the page is drawn: its heading, then no run in progress, no placeholder left,
    tables, charts and maps drawn (see conftest.wait_for_page_at_rest)."""
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    wait_for_page_at_rest(page)


@pytest.mark.parametrize("path", ["/sites?site=baikonur", "/?site=baikonur"])
def test_a_deep_link_opens_the_site_with_its_lease_end(server, open_page, atlas, path):
    watched = open_page(server.url + path)
    page = watched.page
    detail = page.locator(".st-key-site-detail")
    detail.wait_for(timeout=60_000)
    lease = detail.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("Lease: Kazakhstan → Russia", exact=True))
    lease.get_by_text("to 2050").wait_for(timeout=30_000)  # the lease in force ends in 2050
    assert "Kazakhstan → Russia" in lease.inner_text()
    assert "Baikonur Cosmodrome" in detail.inner_text()
    assert query(page) == {"site": ["baikonur"]}
    if path.startswith("/sites"):
        detail.locator("iframe").first.wait_for()
        settle(page, "Sites")
        page.screenshot(path=str(ARTIFACTS / "page-sites-baikonur.png"), full_page=True)
    else:
        wait_for_markers(page, len(atlas.sites))
    assert not watched.errors, watched.errors


@pytest.mark.parametrize("slug", list(PAGES))
def test_each_page_renders_and_keeps_the_filters_in_its_link(server, open_page, slug, atlas):
    watched = open_page(f"{server.url}/{slug}?country=KAZ&from=2010&to=2020")
    page = watched.page
    settle(page, PAGES[slug])
    assert query(page) == {"country": ["KAZ"], "from": ["2010"], "to": ["2020"]}
    share = share_link(page)
    assert share.endswith(f"/{slug}?country=KAZ&asof={date.today():%Y-%m-%d}&from=2010&to=2020&data={atlas.data_version.code}")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / f"page-{slug}.png"), full_page=True)
    assert not watched.errors, watched.errors


def test_clicking_a_bar_on_the_timeline_selects_its_site(server, open_page, atlas):
    watched = open_page(server.url + "/timeline?country=TJK")
    page = watched.page
    settle(page, "Timeline")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    # A control bar of the Soviet period (drawn by Vega as SVG paths in the map's colours).
    chart.locator(f'.mark-rect path[fill="{STATUS_COLOURS["soviet"]}"]').first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('site')", timeout=30_000)
    site = query(page)["site"][0]
    assert site in set(atlas.sites.loc[atlas.sites["country"] == "TJK", "id"])
    page.locator(".st-key-site-detail").wait_for(timeout=30_000)
    wait_for_page_at_rest(page)  # the site's panel drawn below the chart
    page.screenshot(path=str(ARTIFACTS / "page-timeline-selected.png"), full_page=True)
    assert not watched.errors, watched.errors


def test_russian_names_in_the_link(server, open_page):
    watched = open_page(server.url + "/sites?lang=ru&site=baikonur")
    page = watched.page
    detail = page.locator(".st-key-site-detail")
    detail.wait_for(timeout=60_000)
    assert "Космодром «Байконур»" in detail.inner_text()
    page.get_by_text("English", exact=True).click()
    wait_for_query(page, {"site": ["baikonur"]})
    page.get_by_role("heading", name="Baikonur Cosmodrome").wait_for(timeout=30_000)
    assert not watched.errors, watched.errors
