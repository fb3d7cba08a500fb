"""The tables in a real browser, on a desktop (1440×900, sidebar open) and a phone (390×844): the
columns a reader needs are in view without scrolling sideways, and site names are drawn in full
contrast.

Streamlit's dataframe is a glide-data-grid canvas. Its accessibility table (``role="columnheader"``
cells inside the canvas) names the columns it draws, in order, but as fallback content of a canvas
they have no layout box; so each column's box is read from the drawing: the grid draws a one-pixel
vertical rule at the right edge of every column, down the whole header row. The n-th column named
by the accessibility table lies between the n-th and (n+1)-th rules (after the row-checkbox column
of a selectable table); the last one drawn, when the grid is wider than its frame, runs past the
frame's edge (cut off).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pytest
from conftest import ARTIFACTS, wait_for_page_at_rest
from PIL import Image

DESKTOP, PHONE = (1440, 900), (390, 844)
COMPARE = "/?asof=2020-01-01&vs=1995-01-01"  # the map page comparing two dates: every table under the map

# What each table must show without scrolling sideways: the headers, as labelled.
NEEDED = {
    "changes": {DESKTOP: ["Site", "What", "On 01 Jan 1995", "On 01 Jan 2020"], PHONE: ["Site", "What"]},
    "sites": {DESKTOP: ["Site", "Status", "Lessee", "Lease ends"], PHONE: ["Site", "Status"]},
    "events": {DESKTOP: ["Date", "Event", "Site"], PHONE: ["Date", "Event"]},
    "leases": {DESKTOP: ["Site", "Lessor → lessee", "From", "Ends", "Rent (US$/yr)"], PHONE: ["Site", "Lessor → lessee"]},
}
NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "<NA>"}  # what a missing value must never read as (a missing one: the table's placeholder)
GRID_RULE = np.array([232, 229, 226])  # the grid's rule colour (the light theme's border colour)


@dataclass
class Column:
    label: str
    left: float  # page x of the column's left edge
    right: float | None  # page x of its right edge; None: past the frame's edge (cut off)


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def columns_drawn(frame, selectable: bool) -> tuple[list[Column], np.ndarray, dict]:
    """The columns a table (a ``stDataFrame`` locator) draws in its frame, left to right, with
    where each is; the frame's pixels; and the frame's box on the page."""
    frame.locator('[role="columnheader"]').first.wait_for(state="attached", timeout=30_000)
    labels = frame.locator('[role="columnheader"]').all_inner_texts()
    box = frame.bounding_box()
    pixels = np.asarray(Image.open(io.BytesIO(frame.screenshot())).convert("RGB")).astype(int)
    header = pixels[6:28]  # inside the header row (35 px high), clear of its top and bottom rules
    rules = np.flatnonzero((np.abs(header - GRID_RULE).max(axis=2) <= 8).all(axis=0))
    width = pixels.shape[1]
    edges = [0] + [int(x) for x in rules if 1 < x < width - 2] + [width - 1]  # the frame's own border at each end
    spans = list(zip(edges, edges[1:]))
    overflows = frame.locator(".dvn-scroller").evaluate("e => e.scrollWidth > e.clientWidth + 1")
    if selectable:
        spans = spans[1:]  # the row checkboxes
    if not overflows and len(spans) == len(labels) + 1:
        spans = spans[:-1]  # blank space after the last column
    assert len(spans) == len(labels), f"{len(spans)} columns drawn, {len(labels)} named: {labels} {edges}"
    columns = [
        Column(label, box["x"] + left, None if (last and overflows) else box["x"] + right)
        for (label, (left, right)), last in zip(zip(labels, spans), [False] * (len(spans) - 1) + [True])
    ]
    return columns, pixels, box


def check_table(page, frame, name: str, size: tuple[int, int], selectable: bool = False) -> list[Column]:
    """The table's needed columns lie whole inside its visible frame, which lies inside the
    window; a screenshot of it is saved as ``tables-<name>-<size>.png``."""
    frame.scroll_into_view_if_needed()
    wait_for_page_at_rest(page)
    frame.screenshot(path=str(ARTIFACTS / f"tables-{name}-{size_name(size)}.png"))
    columns, pixels, box = columns_drawn(frame, selectable)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 0.5, f"{name}: the table runs off the window: {box}"
    by_label = {c.label: c for c in columns}
    table = kind_of(name)
    for label in NEEDED[table][size]:
        assert label in by_label, f"{name} at {size_name(size)}: “{label}” is not in view; the columns in view: {list(by_label)}"
        column = by_label[label]
        assert column.right is not None, f"{name} at {size_name(size)}: “{label}” is cut off at the frame's right edge"
        assert box["x"] - 0.5 <= column.left and column.right <= box["x"] + box["width"] + 0.5, (name, label, column, box)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    cells = set(frame.locator('[role="gridcell"]').all_inner_texts())  # the cells drawn, as the data holds them
    assert cells and not cells & NOT_A_VALUE, f"{name}: {cells & NOT_A_VALUE}"
    if "Site" in by_label and "Status" in by_label or name == "changes" and "What" in by_label:
        site_names_in_full_contrast(pixels, box, by_label, "Status" if "Status" in by_label else "What")
    return columns


def kind_of(name: str) -> str:
    return "sites" if name.startswith("sites") else name


def darkest(pixels: np.ndarray, box: dict, column: Column) -> int:
    """The darkest grey level of the text in a column's cells (below the header row)."""
    left, right = int(column.left - box["x"]) + 2, int((column.right or box["x"] + box["width"]) - box["x"]) - 2
    return int(pixels[40:-2, left:right].min(axis=2).min())


def site_names_in_full_contrast(pixels, box, by_label, other: str) -> None:
    """Site names are drawn as dark as the text beside them: not faded as a pinned column is."""
    names, beside = darkest(pixels, box, by_label["Site"]), darkest(pixels, box, by_label[other])
    assert names <= beside + 25 and names < 90, f"site names drawn faded: darkest grey {names}, beside them {beside}"


def open_map_tables(open_page, server, size):
    watched = open_page(server.url + COMPARE, viewport=size)
    page = watched.page
    page.locator('[data-testid="stTabs"] [data-testid="stDataFrame"]').first.wait_for(timeout=90_000)
    wait_for_page_at_rest(page)
    return watched, page


def open_tab(page, label: str, column: str):
    """Open a tab of the tables under the map, as a click does; its table (the one with a column
    labelled ``column``) once drawn."""
    page.get_by_role("tab", name=re.compile(rf"^{label} \(")).click()
    header = page.locator('[role="columnheader"]', has_text=re.compile(rf"^{re.escape(column)}$"))
    frame = page.locator('[data-testid="stTabs"] [data-testid="stDataFrame"]').filter(has=header).first
    frame.wait_for(timeout=60_000)
    wait_for_page_at_rest(page)
    return frame


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=size_name)
def test_the_map_pages_tables_show_the_columns_that_matter_without_scrolling(server, open_page, size):
    watched, page = open_map_tables(open_page, server, size)
    checked = {}
    checked["changes"] = check_table(page, page.locator('.st-key-changes-table [data-testid="stDataFrame"]'), "changes", size)
    checked["sites"] = check_table(page, page.locator('[class*="st-key-sites-table-"] [data-testid="stDataFrame"]').first, "sites", size, selectable=True)
    checked["events"] = check_table(page, open_tab(page, "Events", "Date"), "events", size)
    checked["leases"] = check_table(page, open_tab(page, "Leases", "Lessor → lessee"), "leases", size)
    if size == DESKTOP:  # the first columns, in the order a reader needs them
        for name, columns in checked.items():
            needed = NEEDED[name][DESKTOP]
            assert [c.label for c in columns[: len(needed)]] == needed, (name, [c.label for c in columns])
    assert not watched.errors, watched.errors


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=size_name)
def test_the_sites_pages_table_shows_name_and_status_without_scrolling(server, open_page, size):
    watched = open_page(server.url + "/sites?asof=2020-01-01", viewport=size)
    page = watched.page
    frame = page.locator('[class*="st-key-sites-table-"] [data-testid="stDataFrame"]').first
    frame.wait_for(timeout=90_000)
    wait_for_page_at_rest(page)
    check_table(page, frame, "sites-page", size, selectable=True)
    assert not watched.errors, watched.errors
