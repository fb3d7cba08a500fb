"""OGC API – Features at /ogc: the same views as the share links and the data API, as GeoJSON
features QGIS, ArcGIS, GDAL and OWSLib read; bbox, datetime (the as-of date, or the events'
dates) and paging; HTML pages for a browser; ETags, CORS; every failure a problem, never a
traceback; the OpenAPI 3.0 document.

Requests go straight to the ASGI routes (:mod:`asgiclient`); the real clients are in
tests/browser/test_ogc_clients_browser.py."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jsonschema
import pytest
import shapely
from geojson_pydantic import Feature, FeatureCollection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from asgiclient import Client
from strategic_sites.api import routes as served_routes
from strategic_sites.api.loading import DATA_ENV
from strategic_sites.api.ogc.collections import area_ids
from strategic_sites.api.ogc.query import MAX_LIMIT
from strategic_sites.map.layer_kinds.leases import NO_LEASE
from strategic_sites.outputs import tables
from strategic_sites.view import urlstate
from strategic_sites.view.filters import apply
from strategic_sites.view.timeline import events_in_period
from strategic_sites.view.urlstate import Known

OPENAPI_30_SCHEMA = Path(__file__).parent / "vendor" / "openapi-3.0" / "schema.json"  # OAI's schema of OpenAPI 3.0 documents
PROBLEM = "application/problem+json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
COLLECTIONS = ("sites", "events", "leases")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def client():
    """The server's routes as serve.py mounts them (the data API and the OGC API)."""
    return Client(Starlette(routes=served_routes))


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)


def local(url: str) -> str:
    """A link of an answer as a path the test client can ask for."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path + ("?" + parts.query if parts.query else "")


def link(body: dict, rel: str, media: str | None = None) -> dict:
    found = [ln for ln in body["links"] if ln["rel"] == rel and (media is None or ln.get("type") == media)]
    assert found, f"no {rel} link in {body['links']}"
    return found[0]


def every_page(client, url: str) -> tuple[list[dict], int]:
    """The features of every page, following the next links; and how many pages."""
    found, pages = [], 0
    while url:
        reply = client.get(url)
        assert reply.status == 200, reply.text
        body = reply.json()
        found += body["features"]
        pages += 1
        nexts = [ln for ln in body["links"] if ln["rel"] == "next"]
        url = local(nexts[0]["href"]) if nexts else None
    return found, pages


# --- the landing page, the conformance classes, the collections ---------------------------------


def test_the_landing_page_links_the_definition_the_conformance_and_the_collections(client):
    body = client.get("/ogc").json()
    assert link(body, "self")["href"] == "http://testserver/ogc"
    assert link(body, "alternate", "text/html")["href"] == "http://testserver/ogc?f=html"
    definition = link(body, "service-desc")
    assert (definition["href"], definition["type"]) == ("http://testserver/ogc/api", OPENAPI)
    assert link(body, "service-doc")["type"] == "text/html"
    assert link(body, "conformance")["href"] == "http://testserver/ogc/conformance"
    assert link(body, "data")["href"] == "http://testserver/ogc/collections"
    for each in body["links"]:  # every link leads somewhere, in the format it says
        reply = client.get(local(each["href"]))
        assert reply.status == 200, each
        assert reply.headers["content-type"].split(";")[0] == each["type"].split(";")[0], each
    assert client.get("/ogc/").json() == body


def test_the_conformance_classes_are_core_geojson_html_and_openapi_30(client):
    body = client.get("/ogc/conformance").json()
    assert set(body["conformsTo"]) == {
        f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" for name in ("core", "geojson", "html", "oas30")
    }


def test_the_collections_are_the_sites_the_events_and_the_lease_areas_with_their_extents(client, atlas):
    body = client.get("/ogc/collections").json()
    assert [c["id"] for c in body["collections"]] == list(COLLECTIONS)
    for described in body["collections"]:
        assert described == client.get(f"/ogc/collections/{described['id']}").json()
        assert described["itemType"] == "feature" and described["crs"] == [CRS84]
        assert link(described, "items", GEOJSON)["href"] == f"http://testserver/ogc/collections/{described['id']}/items"
        frame = {"sites": atlas.sites, "events": atlas.events, "leases": atlas.areas}[described["id"]]
        west, south, east, north = described["extent"]["spatial"]["bbox"][0]
        box = shapely.box(west - 1e-5, south - 1e-5, east + 1e-5, north + 1e-5)
        assert all(box.covers(shape) for shape in frame.geometry), described["id"]  # every feature inside
        assert described["extent"]["spatial"]["crs"] == CRS84
    start = {c["id"]: c["extent"]["temporal"]["interval"][0][0] for c in body["collections"]}
    assert start["events"] == atlas.events["date_first"].min().strftime("%Y-%m-%dT00:00:00Z")
    assert start["sites"] == atlas.control["start_date"].min().strftime("%Y-%m-%dT00:00:00Z")
    assert start["leases"] == atlas.leases[atlas.leases["site_id"].isin(set(atlas.areas["site_id"]))]["start_date"].min().strftime("%Y-%m-%dT00:00:00Z")


def test_an_unknown_collection_or_path_is_a_404_problem_with_ogc_code(client):
    for path in ("/ogc/collections/bases", "/ogc/collections/bases/items", "/ogc/nowhere", "/ogc/collections/sites/items/kant/more"):
        reply = client.get(path)
        assert reply.status == 404 and reply.headers["content-type"] == PROBLEM, path
        body = reply.json()
        assert body["code"] == "NotFound" and body["description"] == body["detail"]
    assert "sites, events, leases" in client.get("/ogc/collections/bases").json()["detail"]


# --- the features: the same views as the share links -------------------------------------------

LINKS = ["", "country=KGZ", "country=KAZ,TJK&lang=ru", "kind=air_base", "asof=2013-06-01", "q=Baikonur", "status=russian_lease&conf=confirmed,reported"]


@pytest.mark.parametrize("query", LINKS)
def test_the_sites_are_the_data_api_sites_of_the_same_link(client, query):
    ogc = client.get(f"/ogc/collections/sites/items?limit={MAX_LIMIT}&{query}")
    assert ogc.status == 200 and ogc.headers["content-type"] == GEOJSON
    body = ogc.json()
    FeatureCollection.model_validate(body)  # GeoJSON, as geojson-pydantic reads it
    data = client.get(f"/api/v1/sites.geojson?{query}").json()
    assert [(f["properties"], f["geometry"]) for f in body["features"]] == [(f["properties"], f["geometry"]) for f in data["features"]]
    assert [f["id"] for f in body["features"]] == [f["properties"]["id"] for f in data["features"]]
    assert body["numberMatched"] == body["numberReturned"] == len(data["features"])


def test_the_events_and_lease_areas_are_those_of_the_view(client, atlas):
    filters, _ = urlstate.parse({"country": ["KAZ"]}, Known.of(atlas))
    view = apply(atlas, filters)
    events = client.get(f"/ogc/collections/events/items?country=KAZ&limit={MAX_LIMIT}").json()
    assert [f["id"] for f in events["features"]] == view.events["id"].tolist()
    expected = tables.events_table(atlas, view.events)
    assert [f["properties"]["title"] for f in events["features"]] == expected["title"].tolist()
    assert all(f["properties"]["summary"] for f in events["features"])
    areas = client.get("/ogc/collections/leases/items?country=KAZ").json()
    assert [f["id"] for f in areas["features"]] == area_ids(atlas.areas).loc[view.areas.index].tolist()
    for feature in areas["features"]:
        Feature.model_validate(feature)
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert feature["properties"]["site_id"] in set(view.sites["id"])


def test_a_lease_area_says_the_lease_in_force_on_the_as_of_date(client):
    """Baikonur's lease began on 10 December 1994: on 1 June 1994 its area has no lease in force."""
    before = client.get("/ogc/collections/leases/items/baikonur?datetime=1994-06-01").json()["properties"]
    during = client.get("/ogc/collections/leases/items/baikonur?datetime=2013-06-01").json()["properties"]
    assert before["lease_terms"] == NO_LEASE and before["parties"] == ""
    assert during["lease_terms"] != NO_LEASE
    assert "Russia" in during["parties"] and during["lease_start"] <= "2013-06-01" and during["years_left"] > 0


# --- datetime ----------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["sites", "leases"])
def test_datetime_of_sites_and_lease_areas_is_the_as_of_date(client, collection):
    for day in ("2010-01-01", "1995-06-01"):
        by_datetime = client.get(f"/ogc/collections/{collection}/items?datetime={day}").json()
        by_asof = client.get(f"/ogc/collections/{collection}/items?asof={day}").json()
        assert by_datetime["features"] == by_asof["features"]
        stamped = client.get(f"/ogc/collections/{collection}/items?datetime={day}T12:30:00Z").json()
        assert stamped["features"] == by_datetime["features"]
    today = client.get(f"/ogc/collections/{collection}/items").json()["features"]
    assert client.get(f"/ogc/collections/{collection}/items?datetime=1995-06-01").json()["features"] != today


def test_on_an_earlier_date_each_site_has_its_status_of_that_date_as_on_the_pages(client):
    """The aircraft plant in Almaty is recorded from 2019: on 1 January 2010 the pages list it
    with no record on that date, and so do the features."""
    now = client.get("/ogc/collections/sites/items/almaty-aircraft-plant-405").json()["properties"]
    then = client.get("/ogc/collections/sites/items/almaty-aircraft-plant-405?datetime=2010-01-01").json()["properties"]
    assert now["since"] == "2019-08-28" and now["operator"]
    assert then["status"] == "No record on this date" and then["since"] == "" and then["operator"] == ""
    listed = client.get("/ogc/collections/sites/items?datetime=2010-01-01").json()["features"]
    assert next(f["properties"] for f in listed if f["id"] == "almaty-aircraft-plant-405") == then


@pytest.mark.parametrize("collection", ["sites", "leases"])
@pytest.mark.parametrize("value", ["2010-01-01/2012-01-01", "../2012-01-01", "2010-01-01/.."])
def test_an_interval_for_sites_or_lease_areas_is_a_400_asking_for_one_instant(client, collection, value):
    reply = client.get(f"/ogc/collections/{collection}/items?datetime={value}")
    assert reply.status == 400 and reply.headers["content-type"] == PROBLEM
    body = reply.json()
    assert body["code"] == "InvalidParameterValue"
    assert [p["name"] for p in body["invalid-params"]] == ["datetime"]
    assert "one instant" in body["detail"]


@pytest.mark.parametrize(
    "value, start, end",
    [
        ("2013-01-01/2015-12-31", date(2013, 1, 1), date(2015, 12, 31)),
        ("../1995-12-31", None, date(1995, 12, 31)),
        ("2020-01-01/..", date(2020, 1, 1), None),
        ("2014-03-18", date(2014, 3, 18), date(2014, 3, 18)),
        ("1960-01-01T00:00:00Z/1969-12-31T23:59:59Z", date(1960, 1, 1), date(1969, 12, 31)),
    ],
)
def test_datetime_of_events_is_the_interval_their_dates_fall_in(client, atlas, value, start, end):
    features, _ = every_page(client, f"/ogc/collections/events/items?limit=1000&datetime={value}")
    expected = events_in_period(atlas.events, start, end).sort_values(["date_first", "id"])
    assert sorted(f["id"] for f in features) == sorted(expected["id"])
    assert features, "the shipped data has events in each of these periods"


def test_events_without_datetime_are_those_of_the_default_view(client, atlas):
    body = client.get(f"/ogc/collections/events/items?limit={MAX_LIMIT}").json()
    assert [f["id"] for f in body["features"]] == apply(atlas, Known.of(atlas).defaults()).events["id"].tolist()


@pytest.mark.parametrize("value", ["yesterday", "2013-13-01", "2013-06-01/2012-01-01", "../..", "2013/2014", "2013-06-01/2014-01-01/2015-01-01", ""])
def test_a_datetime_that_is_none_is_a_400_naming_it(client, value):
    reply = client.get("/ogc/collections/events/items?" + urlencode({"datetime": value}))
    assert reply.status == 400, value
    assert [p["name"] for p in reply.json()["invalid-params"]] == ["datetime"]


# --- bbox, limit, offset -----------------------------------------------------------------------


def test_bbox_gives_the_features_in_the_box(client, atlas):
    box = (68.0, 36.0, 76.0, 43.5)  # Kyrgyzstan and Tajikistan
    body = client.get("/ogc/collections/sites/items?bbox=" + ",".join(map(str, box))).json()
    shape = shapely.box(*box)
    every = client.get("/ogc/collections/sites/items").json()["features"]
    inside = [f["id"] for f in every if shape.intersects(shapely.geometry.shape(f["geometry"]))]
    assert [f["id"] for f in body["features"]] == inside
    assert 0 < len(inside) < len(every) and "kant" in inside and "baikonur" not in inside
    with_heights = client.get("/ogc/collections/sites/items?bbox=68,36,-100,76,43.5,9000").json()
    assert with_heights["features"] == body["features"]
    areas = client.get("/ogc/collections/leases/items?bbox=63,45.5,64,46.5").json()  # part of Baikonur's area
    assert [f["id"] for f in areas["features"]] == ["baikonur"]


@pytest.mark.parametrize("value", ["1,2,3", "a,b,c,d", "1,2,3,4,5", "0,50,10,40", "0,-100,10,0", "190,0,200,10", "nan,0,1,1", "1,2,3,4&bbox=1,2,3,4", ""])
def test_a_bbox_that_is_none_is_a_400_naming_it(client, value):
    reply = client.get("/ogc/collections/sites/items?bbox=" + value)
    assert reply.status == 400 and reply.headers["content-type"] == PROBLEM, value
    assert [p["name"] for p in reply.json()["invalid-params"]] == ["bbox"]


def test_every_event_comes_a_page_at_a_time_through_next_links(client, atlas):
    first = client.get("/ogc/collections/events/items?limit=40").json()
    assert first["numberReturned"] == 40 and first["numberMatched"] > 40
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["timeStamp"])
    following = link(first, "next")
    assert following["type"] == GEOJSON
    assert parse_qs(urlsplit(following["href"]).query) == {"limit": ["40"], "offset": ["40"]}
    second = client.get(local(following["href"])).json()
    assert parse_qs(urlsplit(link(second, "prev")["href"]).query)["offset"] == ["0"]
    assert not [ln for ln in first["links"] if ln["rel"] == "prev"]
    features, pages = every_page(client, "/ogc/collections/events/items?limit=40")
    whole = client.get(f"/ogc/collections/events/items?limit={MAX_LIMIT}").json()
    assert [f["id"] for f in features] == [f["id"] for f in whole["features"]]
    assert pages == -(-whole["numberMatched"] // 40) and len(set(f["id"] for f in features)) == whole["numberMatched"]


def test_a_page_past_the_end_is_empty(client):
    body = client.get("/ogc/collections/sites/items?offset=5000").json()
    assert body["features"] == [] and body["numberReturned"] == 0 and body["numberMatched"] > 0
    assert not [ln for ln in body["links"] if ln["rel"] == "next"]


def test_the_default_page_holds_a_hundred(client):
    body = client.get("/ogc/collections/events/items").json()
    assert body["numberReturned"] == 100 < body["numberMatched"]


@pytest.mark.parametrize("query", [f"limit={MAX_LIMIT + 1}", "limit=0", "limit=-5", "limit=ten", "offset=-1", "offset=1.5", "limit=10&limit=20"])
def test_a_page_that_is_none_is_a_400_naming_it(client, query):
    reply = client.get("/ogc/collections/events/items?" + query)
    assert reply.status == 400
    assert [p["name"] for p in reply.json()["invalid-params"]] == [query.split("=")[0]]


# --- the share link's parameters and unknown ones ------------------------------------------------


def test_a_share_link_parameter_chooses_the_view(client):
    kgz = client.get("/ogc/collections/sites/items?country=KGZ").json()
    assert kgz["features"] and all("KGZ" in f["properties"]["country"] for f in kgz["features"])
    linked = client.get("/ogc/collections/sites/items?country=KGZ&layers=status,events&map=42.5,74.6,7").json()
    assert linked["features"] == kgz["features"]


@pytest.mark.parametrize("query", ["country=XYZ", "kind=spaceport", "lang=fr", "asof=2013-13-01", "from=2015&to=2013"])
def test_a_bad_share_link_parameter_is_a_400_in_the_page_words(client, atlas, query):
    _, warnings = urlstate.parse(parse_qs(query, keep_blank_values=True), Known.of(atlas))
    reply = client.get("/ogc/collections/sites/items?" + query)
    assert reply.status == 400
    body = reply.json()
    assert [p["message"] for p in body["invalid-params"]] == warnings and body["code"] == "InvalidParameterValue"


def test_an_unknown_parameter_is_a_400_naming_it(client):
    reply = client.get("/ogc/collections/sites/items?country=KAZ&colour=red&sortby=name")
    assert reply.status == 400
    assert [(p["name"], p["value"]) for p in reply.json()["invalid-params"]] == [("colour", "red"), ("sortby", "name")]
    assert client.get("/ogc/collections?country=KAZ").status == 400  # the collections take no view


def test_crs84_is_the_one_coordinate_reference_system(client):
    """GDAL asks for crs=CRS84 (Part 2) when a collection lists it: the same features, said so in Content-Crs."""
    plain = client.get("/ogc/collections/sites/items?bbox=68,36,76,43.5")
    asked = client.get(f"/ogc/collections/sites/items?bbox=68,36,76,43.5&crs={CRS84}&bbox-crs={CRS84}")
    assert asked.status == 200 and asked.json()["features"] == plain.json()["features"]
    assert asked.headers["content-crs"] == f"<{CRS84}>"
    assert client.get(f"/ogc/collections/sites/items/kant?crs={CRS84}").status == 200
    other = client.get("/ogc/collections/sites/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857&bbox-crs=EPSG:4326")
    assert other.status == 400 and [p["name"] for p in other.json()["invalid-params"]] == ["crs", "bbox-crs"]


def test_datetime_with_asof_is_a_400(client):
    reply = client.get("/ogc/collections/sites/items?datetime=2013-06-01&asof=2013-06-01")
    assert reply.status == 400 and "asof" in reply.json()["detail"]


# --- one feature by its id ---------------------------------------------------------------------


def test_one_feature_by_its_stable_id(client, atlas):
    for collection in COLLECTIONS:
        listed = client.get(f"/ogc/collections/{collection}/items?datetime=2013-06-01" if collection != "events" else f"/ogc/collections/{collection}/items").json()
        feature = listed["features"][0]
        params = "?datetime=2013-06-01" if collection != "events" else ""
        reply = client.get(f"/ogc/collections/{collection}/items/{feature['id']}{params}")
        assert reply.status == 200 and reply.headers["content-type"] == GEOJSON
        alone = reply.json()
        Feature.model_validate(alone)
        assert (alone["id"], alone["geometry"], alone["properties"]) == (feature["id"], feature["geometry"], feature["properties"])
        assert link(alone, "collection")["href"] == f"http://testserver/ogc/collections/{collection}"


def test_a_feature_outside_the_view_is_found_by_id_all_the_same(client):
    assert client.get("/ogc/collections/sites/items/kant?country=KAZ").json()["id"] == "kant"


def test_an_unknown_feature_is_a_404_problem(client):
    for collection in COLLECTIONS:
        reply = client.get(f"/ogc/collections/{collection}/items/nowhere-<b>")
        assert reply.status == 404 and reply.headers["content-type"] == PROBLEM
        body = reply.json()
        assert body["code"] == "NotFound" and f"/ogc/collections/{collection}/items" in body["detail"]


# --- formats and the HTML pages ----------------------------------------------------------------


class Page(HTMLParser):
    """An HTML page's elements, checked as a browser's validator would: balanced, no script, no style."""

    VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "source", "wbr"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()
        if self.open:
            self.problems.append(f"unclosed {self.open}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("script", "style") or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.problems.append(f"<{tag} {attrs}>")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:]}")
        else:
            self.open.pop()

    def handle_data(self, data):
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)


HTML_PATHS = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/sites",
    "/ogc/collections/sites/items?country=KGZ",
    "/ogc/collections/events/items?limit=10&offset=10",
    "/ogc/collections/leases/items",
    "/ogc/collections/sites/items/kant",
    "/ogc/collections/leases/items/baikonur",
    "/ogc/collections/events/items/kant-1941-pilot-school",
]


@pytest.mark.parametrize("path", HTML_PATHS)
def test_a_browser_gets_an_html_page_with_no_script_or_inline_style(client, path):
    reply = client.get(path, headers=BROWSER)
    assert reply.status == 200 and reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    page = Page(reply.text)
    assert page.problems == []
    assert page.count("h1") == 1 and page.count("table") == page.count("caption") >= 1
    assert ("link", {"rel": "stylesheet", "href": "http://testserver/ogc/style.css"}) in page.tags
    alternate = next(a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "alternate")
    assert any(t == "a" and a.get("href") == alternate for t, a in page.tags)  # a visible link to the JSON too
    assert client.get(local(alternate), headers=BROWSER).headers["content-type"] != "text/html; charset=utf-8"
    assert "script-src" not in reply.headers["content-security-policy"] and "unsafe-inline" not in reply.headers["content-security-policy"]
    assert client.get(path, headers={"Accept": "application/json"}).headers["content-type"] != "text/html; charset=utf-8"


def test_f_chooses_the_format_whatever_the_accept_header(client):
    assert client.get("/ogc/collections/sites/items?f=json", headers=BROWSER).headers["content-type"] == GEOJSON
    assert client.get("/ogc/collections?f=html").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/ogc/collections").headers["content-type"] == "application/json"  # no Accept: JSON
    reply = client.get("/ogc/collections?f=xml")
    assert reply.status == 400 and reply.json()["invalid-params"][0]["name"] == "f"


def test_the_stylesheet_is_served(client):
    reply = client.get("/ogc/style.css")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/css") and "body" in reply.text


def test_the_html_pages_link_to_the_next_page_and_show_the_rows(client):
    text = client.get("/ogc/collections/events/items?f=html&limit=10").text
    page = Page(text)
    nexts = [a["href"] for t, a in page.tags if t == "a" and a.get("rel") == "next"]
    assert nexts and "offset=10" in nexts[0] and "f=html" in nexts[0]
    assert page.count("tr") == 11  # the header row and ten events
    assert "Kant" in "".join(page.text)


def test_text_from_the_data_is_escaped_in_the_pages(client, shipped_copy, monkeypatch):
    path = shipped_copy / "sites.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["id"] == "kant":
            feature["properties"]["name"] = 'Kant <script>alert("x")</script> & <img src=x onerror=alert(1)>'
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    for url in ("/ogc/collections/sites/items?f=html&country=KGZ", "/ogc/collections/sites/items/kant?f=html"):
        reply = client.get(url)
        assert reply.status == 200, reply.text
        assert "<script" not in reply.text and "<img" not in reply.text
        assert "Kant &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in reply.text
        assert Page(reply.text).problems == []
    assert client.get("/ogc/collections/sites/items/kant").json()["properties"]["name"].startswith("Kant <script>")


# --- ETags, caching, CORS ----------------------------------------------------------------------


def test_etags_answer_304_and_follow_the_request(client):
    first = client.get("/ogc/collections/sites/items?country=KGZ")
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/ogc/collections/sites/items?country=KGZ", headers={"If-None-Match": tag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == tag
    others = {
        client.get(path).headers["etag"]
        for path in (
            "/ogc/collections/sites/items?country=KAZ",
            "/ogc/collections/sites/items?country=KGZ&f=html",
            "/ogc/collections/sites/items?country=KGZ&limit=2",
            "/ogc/collections/sites/items?country=KGZ&bbox=70,40,80,45",
            "/ogc/collections/sites/items?country=KGZ&datetime=2013-06-01",
            "/ogc/collections/leases/items?country=KGZ",
        )
    }
    assert tag not in others and len(others) == 6
    assert client.get("/ogc/collections/sites/items?kind=&country=KGZ").headers["etag"] == tag  # the same view


def test_any_origin_may_get_the_features(client):
    for path in ("/ogc", "/ogc/collections/sites/items", "/ogc/nowhere", "/ogc/collections/sites/items?bbox=1"):
        assert client.get(path).headers["access-control-allow-origin"] == "*", path
    preflight = client.request("OPTIONS", "/ogc/collections/sites/items", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_the_answers_say_their_data_version(client, atlas):
    assert client.get("/ogc/collections/sites/items").headers["x-atlas-data-version"] == atlas.data_version.code


# --- failures: 405, 503, the last good data, 500 ------------------------------------------------


def test_other_methods_are_a_405_problem(client):
    reply = client.request("POST", "/ogc/collections/sites/items")
    assert reply.status == 405 and reply.headers["content-type"] == PROBLEM
    assert "GET" in reply.headers["allow"] and reply.json()["code"] == "MethodNotAllowed"


def test_a_head_request_has_the_headers(client):
    reply = client.request("HEAD", "/ogc/collections/sites/items")
    assert reply.status == 200 and reply.headers["etag"]


def test_a_data_folder_that_never_loaded_is_a_503_naming_the_problem(client, mini_folder, monkeypatch):
    (mini_folder / "sites.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(mini_folder))
    reply = client.get("/ogc/collections/sites/items")
    assert reply.status == 503 and reply.headers["content-type"] == PROBLEM
    body = reply.json()
    assert "sites.geojson" in body["detail"] and body["code"] == "ServiceUnavailable" and reply.headers["retry-after"]
    assert client.get("/ogc").status == 200  # the landing page needs no data


def test_a_data_folder_broken_later_keeps_the_last_good_atlas(client, mini_folder, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(mini_folder))
    good = client.get("/ogc/collections/sites/items")
    assert good.status == 200 and good.json()["features"]
    (mini_folder / "sites.geojson").write_text("{broken now", encoding="utf-8")
    kept = client.get("/ogc/collections/sites/items")
    assert kept.status == 200 and kept.json()["features"] == good.json()["features"]
    assert "problem" in kept.headers["x-atlas-data-problem"]
    assert "sites.geojson" in client.get("/ogc/collections/sites/items?f=html").text


def test_an_error_in_the_atlas_is_a_500_problem_logged_never_a_traceback(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tables, "sites_table", broken)
    with caplog.at_level(logging.ERROR):
        reply = client.get("/ogc/collections/sites/items?country=TJK")
    assert reply.status == 500 and reply.headers["content-type"] == PROBLEM
    assert reply.json()["code"] == "ServerError"
    assert "a bug" not in reply.text and "Traceback" not in reply.text
    assert "a bug" in caplog.text


NAMES = st.sampled_from([*urlstate.PARAMS, "f", "bbox", "datetime", "limit", "offset", "crs", "bbox-crs", "foo", "Country", ""])
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(
        ["KAZ", "air_base", "2013-06-01", "2013-06-01T00:00:00Z", "2013-01-01/..", "../2013-01-01", "..", "/", "html", "json",
         "10", "0", "-1", "99999", "1e400", "60,40,80,50", "60,40,80", "170,-10,-170,10", "0,0,0,0,0,0", "nan", ",", "%", "&"]
    ),
)
PATHS = st.sampled_from(
    ["", "/conformance", "/api", "/collections", "/style.css",
     *(p for c in COLLECTIONS for p in (f"/collections/{c}", f"/collections/{c}/items")),
     "/collections/sites/items/kant", "/collections/events/items/kant-1941-pilot-school", "/collections/leases/items/baikonur", "/collections/sites/items/%00"]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS, pairs=st.lists(st.tuples(NAMES, VALUES), max_size=5), html=st.booleans())
def test_any_parameters_get_an_answer_or_a_problem_never_a_500(client, path, pairs, html):
    reply = client.get(f"/ogc{path}?" + urlencode(pairs), headers=BROWSER if html else None)
    assert reply.status in (200, 400, 404), reply.text
    if reply.status != 200:
        body = reply.json()
        assert reply.headers["content-type"] == PROBLEM and body["code"] and body["description"]
        if reply.status == 400:
            assert body["invalid-params"]


# --- the OpenAPI 3.0 document ------------------------------------------------------------------


@pytest.fixture(scope="module")
def document(client):
    reply = client.get("/ogc/api")
    assert reply.status == 200 and reply.headers["content-type"] == OPENAPI
    return reply.json()


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    found = document
    for part in ref[2:].split("/"):
        found = found[part]
    return found


def refs(value) -> list[str]:
    if isinstance(value, dict):
        return ([value["$ref"]] if "$ref" in value else []) + [r for v in value.values() for r in refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in refs(v)]
    return []


def test_the_openapi_document_is_openapi_30_and_describes_every_path(document):
    assert re.fullmatch(r"3\.0\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"] and document["servers"][0]["url"] == "http://testserver/ogc"
    for ref in refs(document):
        resolve(document, ref)  # every reference resolves
    expected = {"/", "/conformance", "/api", "/collections", *(p for c in COLLECTIONS for p in (f"/collections/{c}", f"/collections/{c}/items", f"/collections/{c}/items/{{featureId}}"))}
    assert set(document["paths"]) == expected
    operation_ids = []
    for path, item in document["paths"].items():
        assert set(item) == {"get"}
        operation = item["get"]
        operation_ids.append(operation["operationId"])
        assert "200" in operation["responses"] and all(r["description"] for r in operation["responses"].values())
        parameters = [resolve(document, p["$ref"]) if "$ref" in p else p for p in operation.get("parameters", [])]
        for parameter in parameters:
            assert parameter["in"] in ("query", "path", "header", "cookie") and parameter["name"] and "schema" in parameter
            assert parameter["in"] != "path" or parameter["required"] is True
        assert {p["name"] for p in parameters if p["in"] == "path"} == set(re.findall(r"\{(\w+)\}", path))
        if path.endswith("/items"):
            assert {"bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "f", *urlstate.PARAMS} == {p["name"] for p in parameters}
            limit = next(p for p in parameters if p["name"] == "limit")
            assert limit["schema"]["maximum"] == MAX_LIMIT
    assert len(operation_ids) == len(set(operation_ids))
    jsonschema.Draft4Validator.check_schema({"definitions": openapi_as_json_schema(document["components"]["schemas"])})


def test_the_openapi_document_meets_the_openapi_30_schema(document):
    schema = json.loads(OPENAPI_30_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message[:200]}" for e in errors] == []


def openapi_as_json_schema(value):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` is a type that also allows null."""
    if isinstance(value, dict):
        value = {k: openapi_as_json_schema(v) for k, v in value.items() if k != "nullable" or not v}
        if isinstance(value.get("$ref"), str):
            value["$ref"] = value["$ref"].replace("#/components/schemas/", "#/definitions/")
        return value
    if isinstance(value, list):
        return [openapi_as_json_schema(v) for v in value]
    return value


def nullable(value):
    if isinstance(value, dict):
        found = {k: nullable(v) for k, v in value.items() if k != "nullable"}
        if value.get("nullable") and isinstance(found.get("type"), str):
            found["type"] = [found["type"], "null"]
        return found
    if isinstance(value, list):
        return [nullable(v) for v in value]
    return value


@pytest.mark.parametrize("query", ["", "?country=KGZ&lang=ru", "?datetime=2013-06-01&limit=5"])
def test_every_answer_meets_its_schema_in_the_document(client, document, query):
    definitions = {k: v for k, v in nullable(document["components"]["schemas"]).items()}
    definitions = json.loads(json.dumps(definitions).replace("#/components/schemas/", "#/definitions/"))

    def check(body, name):
        jsonschema.Draft4Validator({"$ref": f"#/definitions/{name}", "definitions": definitions}).validate(body)

    check(client.get("/ogc").json(), "LandingPage")
    check(client.get("/ogc/conformance").json(), "Conformance")
    check(client.get("/ogc/collections").json(), "Collections")
    for collection in ("sites", "leases"):
        body = client.get(f"/ogc/collections/{collection}/items{query}").json()
        assert body["features"] or collection == "leases"  # Kyrgyzstan's sites have no lease areas
        check(body, f"{collection.capitalize()}Collection")
    check(client.get("/ogc/collections/events/items?limit=50").json(), "EventsCollection")
    check(client.get("/ogc/collections/sites/items?bbox=1").json(), "Exception")


def test_the_html_documentation_lists_every_path(client, document):
    text = client.get("/ogc/api?f=html").text
    assert Page(text).problems == []
    for path in document["paths"]:
        assert f"<code>{path.replace('{', '{').replace('}', '}')}</code>" in text


def test_the_served_routes_hold_the_ogc_api():
    paths = [route.path for route in served_routes]
    assert "/ogc" in paths and "/ogc/{path:path}" in paths and "/api/v1/{path:path}" in paths
