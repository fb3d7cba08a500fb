"""Finding a site under any of its names, in a real browser: "Go to site" and the search box."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from conftest import ARTIFACTS, map_frame, wait_for_markers, wait_for_page_at_rest


def test_go_to_site_opens_the_page_of_a_site_typed_under_another_name(server, open_page, atlas):
    watched = open_page(server.url + "/?country=KGZ")  # the site need not pass the filters
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KGZ").sum()))
    box = page.locator(".st-key-go-to-site input")
    box.fill("Тюратам")
    box.press("Enter")
    page.wait_for_function(
        "() => location.pathname.endsWith('/sites') && new URLSearchParams(location.search).get('site') === 'baikonur'", timeout=30_000
    )
    page.get_by_role("heading", name="Sites", exact=True).wait_for(timeout=30_000)
    page.locator(".st-key-site-detail").get_by_text("Baikonur Cosmodrome").first.wait_for(timeout=30_000)
    wait_for_page_at_rest(page)
    params = parse_qs(urlparse(page.url).query)
    assert params["site"] == ["baikonur"] and params["country"] == ["KGZ"]
    assert box.input_value() == ""
    page.screenshot(path=str(ARTIFACTS / "go-to-site.png"))
    box.fill("Atlantis")
    box.press("Enter")
    page.get_by_text("No site is called “Atlantis”").wait_for(timeout=30_000)
    assert "site=baikonur" in page.url  # nothing lost
    assert not watched.errors, watched.errors


def test_a_search_by_former_name_shows_the_site_and_says_which_name_matched(server, open_page):
    watched = open_page(server.url + "/?q=Zvezdograd")
    page = watched.page
    wait_for_markers(page, 1)
    marker = map_frame(page).locator('[data-site="baikonur-city"]')
    marker.hover()
    tooltip = map_frame(page).locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=30_000)
    assert "found as “Zvezdograd”" in tooltip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "search-former-name.png"))
    assert not watched.errors, watched.errors
