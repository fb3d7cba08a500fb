"""OGC API – Features on the served app (serve.py, as deployed), read by real clients: GDAL's
OAPIF driver through pyogrio (what QGIS and ogr2ogr use), OWSLib, and Chromium for the HTML pages
(axe-core finding nothing serious, the stylesheet applied under the served Content-Security-Policy).
Marked ``browser`` by this folder's conftest (it starts a server)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlsplit

import pyogrio
import pytest
from axe import run, serious, summary
from conftest import ROOT, Watched
from owslib.ogcapi.features import Features

from strategic_sites import load_atlas
from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known

BOX = (68.0, 36.0, 76.0, 43.5)  # Kyrgyzstan and Tajikistan


def get_json(url: str) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(ROOT / "geodata")


@pytest.fixture
def gdal_requests(capfd):
    """The URLs GDAL fetches while the test runs (GDAL's own debug lines, ``HTTP: Fetch(…)``)."""
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON"})
    capfd.readouterr()

    def fetched() -> list[str]:
        return re.findall(r"HTTP: Fetch\((\S+?)\)\n", capfd.readouterr().err)

    yield fetched
    pyogrio.set_gdal_config_options({"CPL_DEBUG": None})


# --- GDAL (OAPIF) through pyogrio ----------------------------------------------------------------


def test_gdal_lists_the_three_collections(server):
    layers = pyogrio.list_layers(f"OAPIF:{server.url}/ogc")
    assert [tuple(layer) for layer in layers] == [("sites", "Point"), ("events", "Point"), ("leases", "Polygon")]


def test_gdal_reads_the_sites_of_the_default_view(server, atlas):
    frame = pyogrio.read_dataframe(f"OAPIF:{server.url}/ogc", layer="sites")
    assert frame["id"].tolist() == apply(atlas, Known.of(atlas).defaults()).sites["id"].tolist()
    served = get_json(f"{server.url}/ogc/collections/sites/items")
    kant = next(f for f in served["features"] if f["id"] == "kant")
    row = frame[frame["id"] == "kant"].iloc[0]
    assert (row["name"], row["status"], row["country"]) == (kant["properties"]["name"], kant["properties"]["status"], kant["properties"]["country"])
    assert (round(row.geometry.x, 5), round(row.geometry.y, 5)) == tuple(kant["geometry"]["coordinates"])
    assert frame.crs.to_string() == "OGC:CRS84"


def test_gdal_sends_its_bbox_to_the_server_and_gets_the_servers_rows(server, gdal_requests):
    frame = pyogrio.read_dataframe(f"OAPIF:{server.url}/ogc", layer="sites", bbox=BOX)
    asked = [url for url in gdal_requests() if "/collections/sites/items" in url and "bbox=" in url]
    assert asked, "GDAL filtered on its side only"
    params = dict(parse_qsl(urlsplit(asked[-1]).query))
    assert [float(v) for v in params["bbox"].split(",")] == list(BOX)
    served = get_json(f"{server.url}/ogc/collections/sites/items?bbox=" + ",".join(map(str, BOX)))
    assert frame["id"].tolist() == [f["id"] for f in served["features"]]
    assert "kant" in frame["id"].tolist() and "baikonur" not in frame["id"].tolist()


def test_gdal_pages_through_every_event(server, gdal_requests):
    frame = pyogrio.read_dataframe(f"OAPIF:{server.url}/ogc", layer="events", PAGE_SIZE=25)
    served = get_json(f"{server.url}/ogc/collections/events/items?limit=10000")
    assert served["numberMatched"] > 100
    assert frame["id"].tolist() == [f["id"] for f in served["features"]]  # every event, once, in order
    pages = [url for url in gdal_requests() if "/collections/events/items" in url and "offset=" in url]
    assert len(pages) >= served["numberMatched"] // 25  # it followed the next links


def test_gdal_reads_the_lease_areas_as_polygons(server):
    frame = pyogrio.read_dataframe(f"OAPIF:{server.url}/ogc", layer="leases")
    assert "baikonur" in frame["id"].tolist()
    assert set(frame.geometry.geom_type) <= {"Polygon", "MultiPolygon"} and frame.geometry.is_valid.all()


# --- OWSLib --------------------------------------------------------------------------------------


def test_owslib_lists_the_collections(server):
    api = Features(f"{server.url}/ogc")
    assert [c["id"] for c in api.collections()["collections"]] == ["sites", "events", "leases"]
    assert api.collection("leases")["itemType"] == "feature"
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]


def test_owslib_reads_sites_in_a_box_on_an_as_of_date(server):
    api = Features(f"{server.url}/ogc")
    found = api.collection_items("sites", bbox=list(BOX), datetime_="2010-01-01", limit=3)
    served = get_json(f"{server.url}/ogc/collections/sites/items?asof=2010-01-01&limit=3&bbox=" + ",".join(map(str, BOX)))
    assert found["features"] == served["features"] and found["numberReturned"] == 3
    assert found["numberMatched"] == served["numberMatched"] > 3
    then = api.collection_item("sites", "kant")
    assert then["id"] == "kant" and then["properties"]["country"].startswith("Kyrgyzstan")


def test_owslib_pages_through_the_next_links(server):
    api = Features(f"{server.url}/ogc")
    page = api.collection_items("events", limit=30, datetime_="2000-01-01/..")
    ids, pages = [], 0
    while True:
        ids += [f["id"] for f in page["features"]]
        pages += 1
        following = [ln["href"] for ln in page["links"] if ln["rel"] == "next"]
        if not following:
            break
        assert following[0].startswith(f"{server.url}/ogc/collections/events/items")
        page = api.collection_items("events", **dict(parse_qsl(urlsplit(following[0]).query)))
    assert len(ids) == len(set(ids)) == page["numberMatched"] and pages > 1
    everything = get_json(f"{server.url}/ogc/collections/events/items?limit=10000&datetime=2000-01-01/..")
    assert ids == [f["id"] for f in everything["features"]]


def test_owslib_is_told_what_is_wrong(server):
    api = Features(f"{server.url}/ogc")
    with pytest.raises(RuntimeError, match="datetime=2010-01-01/2012-01-01: an interval; this collection takes one instant"):
        api.collection_items("sites", datetime_="2010-01-01/2012-01-01")


# --- the HTML pages in Chromium ------------------------------------------------------------------

PAGES = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/leases",
    "/ogc/collections/sites/items?country=KGZ",
    "/ogc/collections/events/items?limit=20&offset=20",
    "/ogc/collections/leases/items/baikonur",
]


def test_the_html_pages_have_nothing_serious_for_axe(server, browser):
    # axe is injected as a script, which the pages' Content-Security-Policy rightly refuses: this
    # context alone lets it in (the next test checks the pages under their policy).
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        found = []
        for path in PAGES:
            page = Watched(context).page
            page.goto(server.url + path, wait_until="load")
            assert page.locator("h1").count() == 1, path
            found += [f for f in serious(run(page, path))]
            page.close()
        assert found == [], summary(found)
    finally:
        context.close()


def test_the_html_pages_are_styled_keyboard_usable_and_keep_to_their_policy(server, open_page):
    watched = open_page(server.url + "/ogc/collections/events/items?limit=10")
    page = watched.page
    page.wait_for_load_state("load")
    assert page.evaluate("() => getComputedStyle(document.querySelector('table')).borderCollapse") == "collapse"  # the stylesheet applied
    assert page.locator("table caption").first.inner_text().startswith("Events: features 1–10 of")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "A"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is seen
    page.get_by_role("link", name="Next page").first.click()
    page.wait_for_url(re.compile(r"offset=10"))
    assert page.locator("table caption").first.inner_text().startswith("Events: features 11–20 of")
    geojson = page.get_by_role("link", name="GeoJSON").first.get_attribute("href")
    assert get_json(geojson)["numberReturned"] == 10 and "offset=10" in geojson and "f=json" in geojson
    assert watched.errors == [] and watched.failed_local == [] and watched.blocked == []
    with urllib.request.urlopen(urllib.request.Request(server.url + "/ogc/collections", headers={"Accept": "text/html"}), timeout=60) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "style-src 'self'" in policy
