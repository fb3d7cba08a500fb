"""The data API (/api/v1/): the same link gives the same rows as the page's tables and
downloads; versions, paging, ETags, CORS; every bad parameter a 400 problem in the page's words.

Requests go straight to the ASGI routes (:mod:`asgiclient`)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import asdict
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from asgiclient import Client
from strategic_sites.api import endpoints, routes as api_routes
from strategic_sites.api.endpoints import DEFAULT_LIMIT, ENDPOINTS, MAX_LIMIT
from strategic_sites.api.loading import DATA_ENV
from strategic_sites.api.service import SOURCE
from strategic_sites.outputs import tables
from strategic_sites.view import language, urlstate
from strategic_sites.view.filters import CHOICES, apply
from strategic_sites.view.urlstate import Known

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client():
    return Client(Starlette(routes=api_routes))


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)


def page_view(atlas, query: str):
    """The atlas and view a page builds for a link (ui/loading.view_of): its parser, its language, its filter."""
    filters, warnings = urlstate.parse(parse_qs(query, keep_blank_values=True), Known.of(atlas))
    assert warnings == []
    shown = language.localise(atlas, filters.lang) if filters.lang != atlas.lang else atlas
    return shown, apply(shown, filters)


def records(table) -> list[dict]:
    return json.loads(table.to_json(orient="records", force_ascii=False))


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


LINKS = [
    "",
    "country=KGZ",
    "country=KAZ,TJK&lang=ru",
    "kind=air_base",
    "operator=roscosmos&asof=2024-01-01",
    "asof=2013-06-01",
    "asof=2024-01-01&vs=2013-01-01",
    "q=Baikonur",
    "q=Tyuratam&from=2013&to=2015",
    "lang=ru",
    "conf=confirmed,reported&status=russian_lease",
]


# --- the same rows as the page's tables and downloads ------------------------------------------


@pytest.mark.parametrize("query", LINKS)
def test_every_endpoint_gives_the_page_tables_rows(client, atlas, query):
    shown, view = page_view(atlas, query)
    expected = {
        "sites": tables.sites_table(shown, view),
        "leases": tables.leases_table(shown, view.leases),
        "sources": tables.bibliography(shown, set(view.sites["id"]), set(view.events["id"])),
        "changes": tables.changes_table(shown, view),
        "control": endpoints.control_table(shown, view),
    }
    suffix = "?" + query if query else ""
    for name in ("leases", "sources", "changes", "control"):
        reply = client.get(f"/api/v1/{name}.json{suffix}")
        assert reply.status == 200, reply.text
        assert reply.headers["content-type"].startswith("application/json")
        body = reply.json()
        assert body["rows"] == records(expected[name]), name
        assert body["count"] == len(expected[name])
        assert body["data_version"] == atlas.data_version.code
    # The sites: the page's GeoJSON download, and its table.
    sites = client.get(f"/api/v1/sites.geojson{suffix}").json()
    page_geojson = json.loads(tables.sites_geojson(view.sites, expected["sites"]))
    assert sites["features"] == page_geojson["features"]
    assert [f["properties"]["id"] for f in sites["features"]] == list(view.sites["id"])
    # The events: the page's table (its first 1,000 rows) and its GeoJSON download.
    events = client.get(f"/api/v1/events.geojson{suffix}").json()
    shown_events = view.events.head(DEFAULT_LIMIT)
    page_events = json.loads(tables.events_geojson(shown_events, tables.events_table(shown, shown_events)))
    assert events["features"] == page_events["features"]
    assert events["numberMatched"] == len(view.events)


@pytest.mark.parametrize("query", LINKS)
def test_every_csv_is_the_page_download_with_its_ids(client, atlas, query):
    shown, view = page_view(atlas, query)
    suffix = "?" + query if query else ""
    sites = tables.sites_table(shown, view)
    downloads = {
        "sites": (sites, "id"),
        "events": (tables.events_table(shown, view.events), None),
        "leases": (tables.leases_table(shown, view.leases), "site_id"),
        "sources": (tables.bibliography(shown, set(view.sites["id"]), set(view.events["id"])), None),
        "changes": (tables.changes_table(shown, view), "site_id"),
    }
    for name, (table, dropped) in downloads.items():
        reply = client.get(f"/api/v1/{name}.csv{suffix}")
        assert reply.status == 200, reply.text
        assert reply.headers["content-type"].startswith("text/csv")
        assert reply.text == tables.to_csv(table), name  # formula-safe, as every download
        page_download = tables.to_csv(table.drop(columns=[dropped]) if dropped else table)
        api_rows = [{k: v for k, v in row.items() if k != dropped} for row in csv_rows(reply.text)]
        assert api_rows == csv_rows(page_download), name
        assert tables.download_name(name, view.filters, "csv") in reply.headers["content-disposition"]


def test_a_formula_in_the_data_reaches_the_csv_inert(client, shipped_copy, monkeypatch):
    from datafiles import edit_row, first_row

    edit_row(shipped_copy, "events.csv", first_row(shipped_copy, "events.csv", id="2013-07-02-proton-m-crash"), title='=HYPERLINK("http://evil.example","x")')
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    reply = client.get("/api/v1/events.csv?from=2013&to=2013")
    assert reply.status == 200
    titles = [row["title"] for row in csv_rows(reply.text)]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in titles


def test_the_events_csv_is_streamed_in_pieces_that_make_the_whole_table(client, atlas, monkeypatch):
    monkeypatch.setattr(endpoints, "CSV_CHUNK", 7)
    shown, view = page_view(atlas, "")
    reply = client.get("/api/v1/events.csv")
    assert reply.pieces > 1
    assert reply.text == tables.to_csv(tables.events_table(shown, view.events))


# --- paging -------------------------------------------------------------------------------------


def test_events_come_a_page_at_a_time_with_next_links(client, atlas):
    _, view = page_view(atlas, "country=KAZ")
    url = "/api/v1/events.geojson?country=KAZ&limit=40"
    seen = []
    pages = 0
    while url:
        reply = client.get(url)
        assert reply.status == 200
        body = reply.json()
        seen += [f["properties"]["id"] for f in body["features"]]
        assert body["numberMatched"] == len(view.events) and body["numberReturned"] == len(body["features"]) <= 40
        following = body["next"]
        if following:
            assert reply.headers["link"] == f'<{following}>; rel="next"'
            assert body["links"] == [{"rel": "next", "href": following, "type": "application/geo+json"}]
            query = parse_qs(urlsplit(following).query)
            assert query["country"] == ["KAZ"] and query["limit"] == ["40"]
            url = following.replace("http://testserver", "")
        else:
            assert "link" not in reply.headers
            url = None
        pages += 1
    assert seen == list(view.events["id"])
    assert pages == -(-len(view.events) // 40)


def test_the_csv_pages_too_when_asked(client, atlas):
    shown, view = page_view(atlas, "")
    reply = client.get("/api/v1/events.csv?offset=10&limit=5")
    assert [row["id"] for row in csv_rows(reply.text)] == list(view.events["id"].iloc[10:15])
    assert "offset=15" in reply.headers["link"]


def test_an_offset_past_the_end_is_an_empty_last_page(client):
    body = client.get("/api/v1/events.geojson?offset=100000").json()
    assert body["features"] == [] and body["next"] is None


@pytest.mark.parametrize(
    "query, name, reason",
    [
        ("limit=0", "limit", f"not a whole number from 1 to {MAX_LIMIT}"),
        (f"limit={MAX_LIMIT + 1}", "limit", f"not a whole number from 1 to {MAX_LIMIT}"),
        ("limit=ten", "limit", f"not a whole number from 1 to {MAX_LIMIT}"),
        ("offset=-1", "offset", "not a whole number from 0 up"),
        ("limit=5&limit=6", "limit", "given more than once"),
    ],
)
def test_a_page_that_is_none_is_refused(client, query, name, reason):
    reply = client.get("/api/v1/events.geojson?" + query)
    assert reply.status == 400 and reply.headers["content-type"] == PROBLEM
    [invalid] = reply.json()["invalid-params"]
    assert (invalid["name"], invalid["reason"]) == (name, reason)
    assert invalid["message"].startswith(f"Ignored {name}=")


def test_only_the_events_take_a_page(client):
    reply = client.get("/api/v1/sites.geojson?limit=5")
    assert reply.status == 400
    assert reply.json()["invalid-params"][0]["name"] == "limit"


# --- versions, ETags, caching, CORS --------------------------------------------------------------


def test_every_answer_says_its_data_version(client, atlas):
    code = atlas.data_version.code
    for endpoint in ENDPOINTS:
        for path in endpoint.paths:
            reply = client.get(f"/api/v1/{path}")
            assert reply.status == 200, path
            assert reply.headers["x-atlas-data-version"] == code
            assert reply.headers["cache-control"].startswith("public, max-age=")
            if not path.endswith(".csv"):
                assert reply.json()["data_version"] == code
                assert "data_changed" not in reply.json()


def test_an_older_data_version_gets_the_changes_since(client, atlas):
    version = atlas.data_version
    # The latest recorded version before today's (several lines may share one version: changes made together).
    older = next(c.version for c in reversed(version.changes) if c.version != version.code)
    reply = client.get(f"/api/v1/sites.geojson?country=KGZ&data={older}")
    assert reply.status == 200
    changed = reply.json()["data_changed"]
    assert changed["requested"] == older and changed["current"] == version.code and changed["recorded"]
    assert changed["changes"] == [asdict(change) for change in version.since(older)]
    assert changed["changes"]  # the changelog's later lines
    assert reply.headers["x-atlas-data-requested"] == older
    assert reply.headers["x-atlas-data-changes"] == ", ".join(f"{c.version} {c.day}" for c in version.since(older))
    csv_reply = client.get(f"/api/v1/sites.csv?data={older}")
    assert csv_reply.headers["x-atlas-data-changes"] == reply.headers["x-atlas-data-changes"]
    # The rows are today's, as the page's: the version changes what is said, not what is shown.
    assert reply.json()["features"] == client.get("/api/v1/sites.geojson?country=KGZ").json()["features"]


def test_a_version_the_changelog_does_not_record_is_said_so(client, atlas):
    reply = client.get("/api/v1/leases.json?data=00000000")
    changed = reply.json()["data_changed"]
    assert changed["recorded"] is False and changed["changes"] == []
    assert reply.headers["x-atlas-data-changes"] == "unrecorded"
    same = client.get(f"/api/v1/leases.json?data={atlas.data_version.code}")
    assert "data_changed" not in same.json() and "x-atlas-data-changes" not in same.headers


def test_etags_follow_the_canonical_view_and_answer_304(client):
    first = client.get("/api/v1/sites.geojson?country=KGZ,KAZ&kind=air_base")
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', tag)
    # The same view written otherwise (order, repetition, case): the same ETag.
    same = client.get("/api/v1/sites.geojson?kind=AIR_BASE&country=kaz&country=KGZ")
    assert same.headers["etag"] == tag
    assert client.get("/api/v1/sites.geojson?country=KGZ").headers["etag"] != tag
    assert client.get("/api/v1/sites.csv?country=KGZ,KAZ&kind=air_base").headers["etag"] != tag
    for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        reply = client.get("/api/v1/sites.geojson?country=KAZ,KGZ&kind=air_base", headers={"If-None-Match": sent})
        assert reply.status == 304 and reply.body == b"", sent
        assert reply.headers["etag"] == tag and reply.headers["access-control-allow-origin"] == "*"
    assert client.get("/api/v1/sites.geojson?country=KGZ", headers={"If-None-Match": tag}).status == 200


def test_pages_of_events_have_their_own_etags(client):
    a = client.get("/api/v1/events.geojson?limit=10").headers["etag"]
    b = client.get("/api/v1/events.geojson?limit=10&offset=10").headers["etag"]
    assert a != b


def test_any_origin_may_get_the_data(client):
    for path in ("/api/v1/sites.geojson", "/api/v1/events.csv", "/api/v1/nowhere", "/api/v1/sites.geojson?country=XYZ"):
        reply = client.get(path)
        assert reply.headers["access-control-allow-origin"] == "*", path
    assert "ETag" in client.get("/api/v1/sites.geojson").headers["access-control-expose-headers"]
    preflight = client.request(
        "OPTIONS", "/api/v1/sites.geojson", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"}
    )
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "if-none-match"


# --- bad input: 400 in the page's words, 404, 405, 503, 500 --------------------------------------

BAD = [
    "country=XYZ",
    "country=KAZ,ZZZ",
    "kind=spaceport",
    "status=rented",
    "operator=nasa",
    "conf=sure",
    "asof=2013-13-01",
    "asof=1980-01-01",
    "asof=2013-06-01&vs=2013-06-01",
    "vs=yesterday",
    "from=1800",
    "from=2015&to=2013",
    "to=20x5",
    "q=" + "x" * 101,
    "site=nowhere",
    "lang=fr",
    "data=latest",
    "layers=status,heat",
    "map=0,0,99",
    "asof=2013-06-01&asof=2014-06-01",
    "country=" + ",".join(["KAZ"] * 51),
    "kind=" + "a" * 201,
    "country=XYZ&kind=spaceport&lang=fr",
]


@pytest.mark.parametrize("query", BAD)
def test_a_bad_parameter_is_a_400_problem_in_the_page_words(client, atlas, query):
    _, warnings = urlstate.parse(parse_qs(query, keep_blank_values=True), Known.of(atlas))
    assert warnings  # the page would warn
    reply = client.get("/api/v1/sites.geojson?" + query)
    assert reply.status == 400
    assert reply.headers["content-type"] == PROBLEM
    body = reply.json()
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Bad Request", 400)
    assert [p["message"] for p in body["invalid-params"]] == warnings  # exactly the page's link warnings
    for problem, warning in zip(body["invalid-params"], warnings):
        assert warning == f"Ignored {problem['name']}={problem['value']}: {problem['reason']}."
        assert problem["name"] in query
        assert warning in body["detail"]
    assert "Traceback" not in reply.text


def test_an_unknown_parameter_is_named(client):
    reply = client.get("/api/v1/leases.json?country=KAZ&colour=red&sort=name")
    assert reply.status == 400
    invalid = reply.json()["invalid-params"]
    assert [(p["name"], p["value"]) for p in invalid] == [("colour", "red"), ("sort", "name")]
    assert invalid[0]["message"].startswith("Ignored colour=red: not a parameter of this endpoint (country, kind,")


def test_the_share_link_parameters_that_only_draw_are_taken(client):
    """A share link's whole query works: layers and map are checked, and change no row."""
    plain = client.get("/api/v1/sites.geojson?country=KGZ")
    linked = client.get("/api/v1/sites.geojson?country=KGZ&layers=status,events&map=42.5,74.6,7&site=kant")
    assert linked.status == 200
    assert linked.json()["features"] == plain.json()["features"]


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/sites.xml", "/api/v1/sites.geojson/more", "/api/v1/openapi.yaml", "/api/v2/sites.geojson"])
def test_an_unknown_path_is_a_404_problem(client, path):
    reply = client.get(path)
    assert reply.status == 404
    if path.startswith("/api/v1/"):
        assert reply.headers["content-type"] == PROBLEM
        body = reply.json()
        assert body["status"] == 404 and "sites.geojson" in body["detail"]


def test_other_methods_are_a_405_problem(client):
    reply = client.request("POST", "/api/v1/sites.geojson")
    assert reply.status == 405 and reply.headers["content-type"] == PROBLEM
    assert "GET" in reply.headers["allow"]


def test_a_head_request_has_the_headers(client):
    reply = client.request("HEAD", "/api/v1/sites.geojson")
    assert reply.status == 200 and reply.headers["etag"]


def test_a_data_folder_that_never_loaded_is_a_503_naming_the_problem(client, mini_folder, monkeypatch):
    (mini_folder / "sites.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(mini_folder))
    reply = client.get("/api/v1/sites.geojson")
    assert reply.status == 503 and reply.headers["content-type"] == PROBLEM
    body = reply.json()
    assert "sites.geojson" in body["detail"] and body["problems"]
    assert "problem" in body["detail"]


def test_a_data_folder_broken_later_keeps_the_last_good_atlas(client, mini_folder, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(mini_folder))
    good = client.get("/api/v1/sites.geojson")
    assert good.status == 200
    (mini_folder / "sites.geojson").write_text("{broken now", encoding="utf-8")
    kept = client.get("/api/v1/sites.geojson")
    assert kept.status == 200
    assert kept.json()["features"] == good.json()["features"]
    assert "sites.geojson" in " ".join(kept.json()["data_problem"])
    assert "problem" in kept.headers["x-atlas-data-problem"]


def test_an_error_in_the_atlas_is_a_500_problem_logged_never_a_traceback(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tables, "leases_table", broken)
    with caplog.at_level(logging.ERROR):
        reply = client.get("/api/v1/leases.json?country=KAZ")
    assert reply.status == 500 and reply.headers["content-type"] == PROBLEM
    assert "a bug" not in reply.text and "Traceback" not in reply.text
    assert "a bug" in caplog.text


NAMES = st.sampled_from([*urlstate.PARAMS, "limit", "offset", "foo", "Country", ""])
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["KAZ", "kgz", "air_base", "2013-06-01", "2013", "1991", "ru", "baikonur", "10", "0", "-1", "99999", "7d4b3242", ",", "%", "&", "43,74,7"]),
)
PATHS = st.sampled_from([p for e in ENDPOINTS for p in e.paths])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS, pairs=st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_any_parameters_get_an_answer_or_a_400_never_a_500(client, path, pairs):
    reply = client.get(f"/api/v1/{path}?" + urlencode(pairs))
    assert reply.status in (200, 400), reply.text
    if reply.status == 400:
        assert reply.headers["content-type"] == PROBLEM and reply.json()["invalid-params"]


# --- the OpenAPI document and the index ------------------------------------------------------------


@pytest.fixture(scope="module")
def document(client):
    reply = client.get("/api/v1/openapi.json")
    assert reply.status == 200
    return reply.json()


def test_the_openapi_document_describes_every_endpoint_and_parameter(document, atlas):
    assert document["openapi"] == "3.1.0"
    known = Known.of(atlas)
    for endpoint in ENDPOINTS:
        for path in endpoint.paths:
            operation = document["paths"][f"/api/v1/{path}"]["get"]
            named = [p["$ref"].rsplit("/", 1)[1] for p in operation["parameters"]]
            assert named == list(urlstate.PARAMS) + (["limit", "offset"] if endpoint.paged else [])
            assert {"200", "304", "400", "503"} <= set(operation["responses"])
    parameters = document["components"]["parameters"]
    for choice in CHOICES:
        assert parameters[choice.param]["schema"]["items"]["enum"] == list(choice.values(known))
    assert set(urlstate.PARAMS) <= set(parameters)


@pytest.mark.parametrize("query", ["", "country=KGZ&lang=ru", "asof=2024-01-01&vs=2013-01-01", "data=00000000"])
def test_every_json_answer_meets_its_schema(client, document, query):
    for endpoint in ENDPOINTS:
        body = client.get(f"/api/v1/{endpoint.paths[0]}?{query}").json()
        schema = {"$ref": f"#/components/schemas/{endpoint.name.capitalize()}", "components": document["components"]}
        jsonschema.Draft202012Validator(schema).validate(body)
    problem = client.get("/api/v1/sites.geojson?country=XYZ").json()
    jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Problem", "components": document["components"]}).validate(problem)


def test_the_index_lists_the_endpoints(client, atlas):
    for path in ("/api/v1", "/api/v1/"):
        body = client.get(path).json()
        assert body["data_version"] == atlas.data_version.code
        assert [e["name"] for e in body["endpoints"]] == [e.name for e in ENDPOINTS]
        assert body["openapi"] == "http://testserver/api/v1/openapi.json"


def test_only_serve_py_mounts_the_api_and_the_pages_read_only_its_list_of_endpoints():
    importers = []
    for path in [*(ROOT / "src").rglob("*.py"), ROOT / "app.py", *(ROOT / "app_pages").glob("*.py")]:
        if "strategic_sites/api" in path.as_posix():
            continue
        for found in re.findall(r"(?:from|import)\s+(strategic_sites\.api\S*)", path.read_text()):
            if found != "strategic_sites.api.endpoints":  # the Data API page lists them
                importers.append(f"{path.name}: {found}")
    assert importers == []
    assert "from strategic_sites.api import routes" in (ROOT / "serve.py").read_text()


def test_the_views_are_cached_and_shared(atlas):
    filters, _ = urlstate.parse({"country": ["KGZ"]}, Known.of(atlas))
    shown, first = SOURCE.view(atlas, filters)
    assert SOURCE.view(atlas, filters)[1] is first
