"""Shareable links in a real browser: the URL opens exactly the view, and follows every change."""

from __future__ import annotations

from datetime import date

from urllib.parse import parse_qs, urlparse

from conftest import ARTIFACTS, choose_country, layer_input, map_frame, share_link, wait_for_markers, wait_for_page_at_rest


def markers(page) -> set[str]:
    return set(map_frame(page).locator(".ssa-site").evaluate_all("els => els.map(e => e.dataset.site)"))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query, keep_blank_values=True)


def wait_for_query(page, expected: dict[str, list[str]], timeout: float = 30_000) -> None:
    page.wait_for_function(
        """(expected) => {
            const got = {};
            for (const [k, v] of new URLSearchParams(location.search)) (got[k] = got[k] || []).push(v);
            return JSON.stringify(got) === JSON.stringify(expected);
        }""",
        arg=expected,
        timeout=timeout,
    )


def sites_csv(page) -> str:
    """The Sites table as the user downloads it: exactly the rows shown (once the page's last
    rerun has drawn them)."""
    wait_for_page_at_rest(page)
    page.get_by_role("tab", name="Sites").click()
    with page.expect_download() as download:
        page.locator(".st-key-sites-table-csv button").click()
    return open(download.value.path(), encoding="utf-8").read()


def test_a_country_link_shows_only_that_countrys_sites(server, open_page, atlas):
    kyrgyz = set(atlas.sites.loc[atlas.sites["country"] == "KGZ", "id"])
    watched = open_page(server.url + "/?country=KGZ")
    wait_for_markers(watched.page, len(kyrgyz))
    assert markers(watched.page) == kyrgyz
    # The tables follow the map (the run its drawing asks for), with the link's view.
    watched.page.get_by_role("tab", name=f"Sites ({len(kyrgyz)})").wait_for(timeout=30_000)
    share = share_link(watched.page)
    assert share.endswith(f"/?country=KGZ&asof={date.today():%Y-%m-%d}&data={atlas.data_version.code}")  # it pins the date and the data
    wait_for_page_at_rest(watched.page)
    watched.page.screenshot(path=str(ARTIFACTS / "link-country-KGZ.png"), full_page=True)
    assert not watched.errors, watched.errors


def test_changing_filters_updates_the_url_and_the_link_reopens_the_same_view(server, open_page, atlas):
    watched = open_page(server.url + "/")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))

    choose_country(page, "Tajikistan (TJK)")
    tajik = set(atlas.sites.loc[atlas.sites["country"] == "TJK", "id"])
    wait_for_query(page, {"country": ["TJK"]})
    wait_for_markers(page, len(tajik))
    assert markers(page) == tajik

    page.get_by_role("textbox", name="As of").fill("2003-06-01")
    page.keyboard.press("Enter")  # Enter applies a typed date
    page.wait_for_function("() => new URLSearchParams(location.search).get('asof')?.startsWith('2003-')", timeout=30_000)
    shown = markers(page)
    table = sites_csv(page)
    link = page.url

    fresh = open_page(link)  # a colleague opening the copied link: a new browser context
    wait_for_markers(fresh.page, len(shown))
    assert markers(fresh.page) == shown
    assert sites_csv(fresh.page) == table
    assert query(fresh.page) == query(page)
    assert "Okno" in table or "201st" in table
    assert not watched.errors and not fresh.errors, watched.errors + fresh.errors


def test_a_malformed_link_shows_one_warning_and_a_working_page(server, open_page, atlas):
    watched = open_page(server.url + "/?country=XXX&asof=13-06-2013&from=2020&to=1999&site=%3Cb%3Enope%3C%2Fb%3E")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))  # every parameter fell back: the whole atlas
    warning = page.get_by_text("The link had parts this atlas cannot show")
    warning.wait_for()
    text = page.locator('[data-testid="stAlert"]').filter(has_text="cannot show").inner_text()
    for ignored in ("country=XXX", "asof=13-06-2013", "from=2020", "site=<b>nope</b>"):
        assert ignored in text
    assert page.locator('[data-testid="stAlert"] b').count() == 0  # shown as text, not markup
    page.screenshot(path=str(ARTIFACTS / "link-malformed.png"), full_page=True)
    wait_for_query(page, {})  # the URL now says what is shown (written at the end of the run the warning came in)

    choose_country(page, "Kazakhstan (KAZ)")
    wait_for_query(page, {"country": ["KAZ"]})
    wait_for_markers(page, int((atlas.sites["country"] == "KAZ").sum()))
    warning.wait_for(state="detached")
    assert not watched.errors, watched.errors


def test_layers_and_selected_site_travel_in_the_link(server, open_page, atlas):
    watched = open_page(server.url + "/?layers=status,countries&site=baikonur")
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    frame = map_frame(page)
    overlays = frame.locator(".leaflet-control-layers-overlays label")
    assert overlays.filter(has_text="Events").locator("input").is_checked() is False
    assert overlays.filter(has_text="Control status").locator("input").is_checked()
    assert frame.locator(".ssa-cluster").count() == 0
    detail = page.locator(".st-key-site-detail")
    detail.wait_for(timeout=30_000)
    assert "Baikonur Cosmodrome" in detail.inner_text()

    layer_input(page, "Events").check()
    wait_for_query(page, {"site": ["baikonur"], "layers": ["status", "events", "countries"]})
    page.locator(".st-key-close-site button").click()
    wait_for_query(page, {"layers": ["status", "events", "countries"]})
    layer_input(page, "Lease terms").check()
    wait_for_query(page, {"layers": ["status", "leases", "events", "countries"]})
    layer_input(page, "Site labels").check()
    wait_for_query(page, {})  # every layer on: the default, left out
    layer_input(page, "Lease terms").uncheck()
    wait_for_query(page, {"layers": ["status", "labels", "events", "countries"]})  # the same toggle again still counts
    assert layer_input(page, "Events").is_checked()
    assert not watched.errors, watched.errors


def test_selecting_a_table_row_selects_the_site_and_links_to_it(server, open_page, atlas):
    watched = open_page(server.url + "/?country=TJK&q=Okno&asof=2015-06-01")
    page = watched.page
    wait_for_markers(page, 1)
    grid = page.locator("[data-testid='stTabs'] [data-testid='stDataFrame']").first  # the Sites tab's table
    grid.wait_for(state="visible", timeout=90_000)  # the tables come after the map
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The first row's selection box: left edge of the grid, below the header row.
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_for_query(page, {"country": ["TJK"], "asof": ["2015-06-01"], "q": ["Okno"], "site": ["okno-nurek"]})
    detail = page.locator(".st-key-site-detail")
    detail.wait_for(timeout=30_000)
    assert "Okno" in detail.inner_text()
    wait_for_page_at_rest(page)  # the rerun for the selection finished, the tables redrawn
    page.locator("[data-testid='stTabs']").last.screenshot(path=str(ARTIFACTS / "tables.png"))
    assert not watched.errors, watched.errors
