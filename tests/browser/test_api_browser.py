"""The data API on the served app (serve.py, as deployed): a plain HTTP client reads a view's
sites from /api/v1 beside the pages. Marked ``browser`` by this folder's conftest (it starts a server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from strategic_sites import load_atlas
from strategic_sites.outputs import tables
from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known, parse
from conftest import ROOT


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_served_app_answers_the_data_api(server):
    atlas = load_atlas(ROOT / "geodata")
    filters, _ = parse({"country": ["KGZ"]}, Known.of(atlas))
    view = apply(atlas, filters)
    status, headers, body = get(server.url + "/api/v1/sites.geojson?country=KGZ")
    assert status == 200
    assert headers["Content-Type"].startswith("application/geo+json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Atlas-Data-Version"] == atlas.data_version.code
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["properties"]["id"] for f in features] == list(view.sites["id"])
    assert {f["properties"]["country"] for f in features} == {"Kyrgyzstan (KGZ)"}
    assert all(f["geometry"]["type"] == "Point" for f in features)
    assert features == json.loads(tables.sites_geojson(view.sites, tables.sites_table(atlas, view)))["features"]
    # Its ETag answers 304, and a bad parameter is a problem, on the served app too.
    assert get(server.url + "/api/v1/sites.geojson?country=KGZ", {"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, body = get(server.url + "/api/v1/sites.geojson?country=XYZ")
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["invalid-params"][0]["name"] == "country"
    # The pages are still served beside it.
    assert get(server.url + "/_stcore/health")[0] == 200
    assert get(server.url + "/")[0] == 200


@pytest.mark.parametrize("path", ["/api/v1/events.csv?country=KAZ", "/api/v1/openapi.json"])
def test_the_served_app_streams_csv_and_serves_its_openapi(server, path):
    status, headers, body = get(server.url + path)
    assert status == 200
    assert body
