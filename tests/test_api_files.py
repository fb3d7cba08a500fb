"""The data API's whole-view files (/api/v1/view.gpkg, .kml, .kmz, and the citations cite.bib, .ris,
.json, .txt): the same file as the map page's "Download for GIS" (or "Cite") for the same link, with the API's headers, 304s, CORS and problems;
and the page's popover that offers them.

Requests go straight to the ASGI routes (:mod:`asgiclient`)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pyogrio
import pytest
from lxml import etree
from starlette.applications import Starlette

from asgiclient import Client
from strategic_sites import load_atlas
from strategic_sites.api import routes as api_routes
from strategic_sites.api import service
from strategic_sites.api.endpoints import FILES, ViewFile
from strategic_sites.api.loading import DATA_ENV, Source
from strategic_sites.outputs import cite, gis, tables
from strategic_sites.view import language, urlstate
from strategic_sites.view.filters import apply
from strategic_sites.view.links import Links
from strategic_sites.view.urlstate import Known

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = "application/problem+json"
KML = "{http://www.opengis.net/kml/2.2}"
LINKS = ["", "country=KGZ", "asof=2013-06-01", "q=Baikonur", "q=zzzqqqxxx", "lang=ru&country=TJK", "kind=air_base&from=2010&to=2015"]


@pytest.fixture(scope="module")
def client():
    return Client(Starlette(routes=api_routes))


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A copy of the shipped data, served and compared with: the API's answers and the page's
    files are then of one version of it."""
    folder = tmp_path_factory.mktemp("served") / "geodata"
    shutil.copytree(ROOT / "geodata", folder)
    return folder


@pytest.fixture(scope="module")
def atlas(data_folder):
    return load_atlas(data_folder)


@pytest.fixture(autouse=True)
def served(monkeypatch, data_folder):
    """The API and the pages serve the copy."""
    monkeypatch.setattr(service, "SOURCE", Source(data_folder))
    monkeypatch.setenv(DATA_ENV, str(data_folder))


def page_view(atlas, query: str):
    """The filters, atlas and view a page builds for a link (its parser, language and filter)."""
    filters, warnings = urlstate.parse(parse_qs(query, keep_blank_values=True), Known.of(atlas))
    assert warnings == []
    shown = language.localise(atlas, filters.lang) if filters.lang != atlas.lang else atlas
    return filters, shown, apply(shown, filters)


def page_link(atlas, filters) -> str:
    """The share link the map page writes for this view, served at the test server's root."""
    return Links.served_at("http://testserver/", "").view(filters, Known.of(atlas))


def test_the_registry_serves_each_file_once():
    assert [f.path for f in FILES] == ["view.gpkg", "view.kml", "view.kmz", "cite.bib", "cite.ris", "cite.json", "cite.txt"]
    assert all(isinstance(f, ViewFile) for f in FILES)
    assert all(f.media == gis.FORMATS[f.ext].media for f in FILES if f.name == "view")
    by_ext = {made.extension: made.media_type for made in cite.FORMATS.values()}
    assert all(f.media == by_ext[f.ext] for f in FILES if f.name == "cite")


@pytest.mark.parametrize(
    "query, scope",
    [("country=KGZ", ""), ("", "site:kant"), ("", "event:2014-mn300-crash"), ("lang=ru", "site:baikonur")],
)
@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "text"])
def test_a_citation_is_the_pages_citation(client, atlas, query, scope, fmt):
    """The API cites the view, a site or one fact as the page's Cite buttons do, for the same link."""
    filters, shown, view = page_view(atlas, query)
    ext = cite.FORMATS[fmt].extension
    reply = client.get(f"/api/v1/cite.{ext}?" + "&".join(p for p in (query, f"scope={scope}" if scope else "") if p))
    assert reply.status == 200, reply.text
    page = cite.citation(shown, view, page_link(atlas, filters), fmt, scope or "view")
    assert reply.text == page.text
    assert reply.headers["content-type"] == page.media_type


def test_a_citation_of_a_fact_that_does_not_exist_is_a_400_naming_scope(client):
    reply = client.get("/api/v1/cite.bib?scope=event:no-such-event")
    assert reply.status == 400 and reply.headers["content-type"] == PROBLEM
    [refused] = reply.json()["invalid-params"]
    assert refused["name"] == "scope" and refused["value"] == "event:no-such-event" and "no-such-event" in refused["reason"]
    assert client.get("/api/v1/view.kml?scope=site:kant").status == 400  # a GIS file takes no scope


@pytest.mark.parametrize("query", LINKS)
def test_the_kml_is_the_pages_kml(client, atlas, query):
    """The same link gives byte for byte the KML the page's button builds."""
    filters, shown, view = page_view(atlas, query)
    reply = client.get("/api/v1/view.kml?" + query)
    assert reply.status == 200, reply.text
    assert reply.body == gis.kml(shown, view, page_link(atlas, filters))
    tree = etree.fromstring(reply.body)
    events = [p for f in tree.iter(KML + "Folder") if f.findtext(KML + "name") == "Events" for p in f.iter(KML + "Placemark")]
    assert len(events) == len(view.events)


@pytest.mark.parametrize("query", LINKS)
def test_the_geopackage_has_the_pages_rows(client, atlas, query, tmp_path):
    filters, shown, view = page_view(atlas, query)
    reply = client.get("/api/v1/view.gpkg?" + query)
    assert reply.status == 200, reply.text
    path = tmp_path / "view.gpkg"
    path.write_bytes(reply.body)
    page = {
        "sites": tables.sites_table(shown, view),
        "events": tables.events_table(shown, view.events),
        "leases": tables.leases_table(shown, view.leases),
        "sources": tables.bibliography(shown, set(view.sites["id"]), set(view.events["id"])),
    }
    for layer, table in page.items():
        read = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        assert len(read) == len(table), (query, layer)
        assert read["id" if layer != "leases" else "site_id"].fillna("").tolist() == table["id" if layer != "leases" else "site_id"].tolist()
    if not view.sites.empty:
        assert set(pyogrio.read_dataframe(path, layer="sites", read_geometry=False)["name"]) == set(view.sites["name"])
    about = dict(pyogrio.read_dataframe(path, layer="about", read_geometry=False)[["key", "value"]].itertuples(index=False))
    assert about["link"] == page_link(atlas, filters)


def test_the_kmz_is_the_pages_kmz(client, atlas):
    filters, shown, view = page_view(atlas, "country=KGZ")
    reply = client.get("/api/v1/view.kmz?country=KGZ")
    assert reply.status == 200
    with zipfile.ZipFile(io.BytesIO(reply.body)) as got, zipfile.ZipFile(io.BytesIO(gis.kmz(shown, view, page_link(atlas, filters)))) as page:
        assert got.namelist() == page.namelist()
        assert got.read("doc.kml") == page.read("doc.kml")


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.path)
def test_a_file_has_the_apis_headers_and_the_pages_name(client, atlas, file):
    query = "country=KAZ,TJK&asof=2014-01-01&q=Baikonur"
    reply = client.get(f"/api/v1/{file.path}?{query}")
    assert reply.status == 200
    filters, _, _ = page_view(atlas, query)
    assert reply.headers["content-type"].split(";")[0] == file.media.split(";")[0]
    assert reply.headers["content-disposition"] == f'attachment; filename="{tables.download_name(file.download, filters, file.ext)}"'
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["x-atlas-data-version"] == atlas.data_version.code
    assert reply.headers["cache-control"].startswith("public, max-age=")
    tag = reply.headers["etag"]
    again = client.get(f"/api/v1/{file.path}?{query}", headers={"If-None-Match": tag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == tag
    # The same view written another way is the same file; another view is not.
    assert client.get(f"/api/v1/{file.path}?q=Baikonur&asof=2014-01-01&country=TJK&country=KAZ").headers["etag"] == tag
    assert client.get(f"/api/v1/{file.path}?country=KAZ").headers["etag"] != tag
    head = client.request("HEAD", f"/api/v1/{file.path}?{query}")
    assert head.status == 200 and head.headers["etag"] == tag


@pytest.mark.parametrize(
    "query, named",
    [
        ("country=XYZ", "country"),
        ("asof=yesterday", "asof"),
        ("limit=10", "limit"),  # the events' paging is not the file's
        ("format=kml", "format"),
    ],
)
@pytest.mark.parametrize("path", [f.path for f in FILES])
def test_a_bad_parameter_is_a_400_problem_naming_it(client, path, query, named):
    reply = client.get(f"/api/v1/{path}?{query}")
    assert reply.status == 400
    assert reply.headers["content-type"] == PROBLEM
    assert reply.headers["access-control-allow-origin"] == "*"
    body = reply.json()
    assert [p["name"] for p in body["invalid-params"]] == [named]
    assert "content-disposition" not in reply.headers


def test_an_older_data_version_is_told_the_changes(client, atlas):
    reply = client.get("/api/v1/view.kml?" + urlencode({"data": "00000000"}))
    assert reply.status == 200
    assert reply.headers["x-atlas-data-requested"] == "00000000"
    assert reply.headers["x-atlas-data-changes"] == "unrecorded"


def test_an_unknown_file_lists_the_files(client):
    reply = client.get("/api/v1/view.shp")
    assert reply.status == 404
    assert all(f.path in reply.json()["detail"] for f in FILES)


def test_the_openapi_document_and_the_index_list_the_files(client):
    document = client.get("/api/v1/openapi.json").json()
    for file in FILES:
        operation = document["paths"][f"/api/v1/{file.path}"]["get"]
        assert [p["$ref"].rsplit("/", 1)[1] if "$ref" in p else p["name"] for p in operation["parameters"]] == [*urlstate.PARAMS, *(n for n, _ in file.options)]
        assert list(operation["responses"]["200"]["content"]) == [file.media]
        assert "Content-Disposition" in operation["responses"]["200"]["headers"]
        assert {"200", "304", "400", "503"} <= set(operation["responses"])
    index = client.get("/api/v1/").json()
    assert [f["href"] for f in index["files"]] == [f"http://testserver/api/v1/{f.path}" for f in FILES]


# --- the pages ---------------------------------------------------------------------------------------


def blocks(node):
    """Every block and element of an AppTest tree, depth first."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from blocks(child)


def test_the_map_page_offers_the_gis_files(atlas):
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.element_tree import Block

    from strategic_sites.ui import state

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["country"] = "KGZ"
    app.run()
    app.run()  # the first paint, then the rest (ui/speed.py)
    assert not app.exception, app.exception
    popovers = [b for b in blocks(app._tree) if type(b) is Block and b.proto is not None and b.proto.WhichOneof("type") == "popover"]
    labels = {b.proto.popover.label: b for b in popovers}
    assert "Download image" in labels and "Download for GIS" in labels
    menu = labels["Download for GIS"]
    buttons = [e for e in blocks(menu) if getattr(e, "type", None) == "download_button"]
    assert [b.label for b in buttons] == ["GeoPackage", "KML", "KMZ"]
    assert [b.key for b in buttons] == [state.download(state.GIS_MENU, fmt) for fmt in ("gpkg", "kml", "kmz")]
    assert all(b.help for b in buttons)  # each says what it is for
    caption = " ".join(e.value for e in blocks(menu) if getattr(e, "type", None) == "caption")
    assert "QGIS" in caption and "Google Earth" in caption and "time slider" in caption


def test_the_data_api_page_lists_the_files_with_live_links(atlas):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["country"] = "KGZ"
    app.run()
    app.switch_page("app_pages/data_api.py").run()
    app.run()
    assert not app.exception, app.exception
    text = "\n".join(m.value for m in app.markdown)
    codes = "\n".join(c.value for c in app.code)
    for file in FILES:
        assert f"/api/v1/{file.path}" in text.replace("\\", "")
        assert f"/api/v1/{file.path}?country=KGZ" in codes.replace("\\", "")
        assert "curl -s -o 'map_KGZ_asof-" in codes
