"""A filter of the registry (filters.CHOICES) as a user meets it in Chromium: the operator filter
chosen in the sidebar narrows the map, the tables and their downloads (named by it), the image's
title, and the link."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from conftest import ARTIFACTS, map_frame, wait_for_markers, wait_for_page_at_rest

from strategic_sites.view.timeline import status_as_of

DAY = "2024-01-01"


def run_by(atlas, group: str) -> set[str]:
    status = status_as_of(atlas.control, date.fromisoformat(DAY))
    return set(status.loc[status["operator_group"] == group, "site_id"])


def choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar list as a user does: open the list, click the option. (A rerun
    that redraws the sidebar meanwhile closes the list: then opened again, at most three times.)"""
    for _ in range(3):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - the list closed under the pointer: again
            page.keyboard.press("Escape")
    raise AssertionError(f"the list {label!r} never offered {option!r}")


def test_the_operator_filter_narrows_map_tables_downloads_image_and_link(server, open_page, atlas):
    expected = run_by(atlas, "russian_military")
    watched = open_page(server.url + f"/?asof={DAY}", viewport=(1440, 900))
    page = watched.page
    wait_for_markers(page, len(atlas.sites))
    wait_for_page_at_rest(page)
    # Chosen as a user does: the sidebar's "Operator on the as-of date" list.
    choose(page, "Operator on the as-of date", "Russian armed forces")
    page.keyboard.press("Escape")
    wait_for_markers(page, len(expected))
    drawn = set(map_frame(page).locator(".ssa-site").evaluate_all("els => els.map(e => e.dataset.site)"))
    assert drawn == expected
    page.wait_for_url(re.compile(r"[?&]operator=russian_military(&|$)"), timeout=30_000)
    wait_for_page_at_rest(page)
    page.screenshot(path=str(ARTIFACTS / "filter-operator.png"), full_page=True)
    # The Sites table and its download: the same sites, named by the filter.
    page.get_by_role("tab", name=f"Sites ({len(expected)})").click()
    with page.expect_download() as download:
        page.locator(".st-key-sites-table-csv button").click()
    assert download.value.suggested_filename == f"sites_all_russian_military_asof-{DAY}.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert {row["name"] for row in rows} == set(atlas.sites.loc[atlas.sites["id"].isin(expected), "name"])
    assert all(row["operator"] for row in rows)  # who ran each, as the sources name them
    # The image says which operator it shows (SVG keeps its text as text).
    page.get_by_role("button", name="Download image").click()
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name=re.compile(r"^SVG")).click()
    assert started.value.suggested_filename.startswith("map_all_russian_military_")
    svg = open(started.value.path(), encoding="utf-8").read()
    assert "Operator: Russian armed forces" in svg
    assert not watched.errors, watched.errors
