"""The server's security headers (src/strategic_sites/api/headers.py): every answer of the atlas, a
page, a static file, the map's frame, the data API's JSON, an OGC page, a 404, leaves with its
Content-Security-Policy and the headers beside it; the embed may be framed by the sites of
``$STRATEGIC_SITES_FRAME_ANCESTORS``, and a setting that is not one is refused with one log line.

Requests go straight to the ASGI app (:mod:`asgiclient`); Chromium checks in
tests/browser/test_csp_browser.py that the app satisfies the policy."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
import streamlit
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from asgiclient import Client
from strategic_sites.api import routes as served_routes
from strategic_sites.api.headers import (
    API,
    FRAME_ANCESTORS_ENV,
    FrameAncestorsError,
    Headers,
    SecurityHeaders,
    frame_ancestors_from,
    inline_script_hashes,
    parse_frame_ancestors,
)
from strategic_sites.api.loading import DATA_ENV

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT_STATIC = Path(streamlit.__file__).resolve().parent / "static"
PAGE_HTML = (STREAMLIT_STATIC / "index.html").read_text(encoding="utf-8")
EVERY_ANSWER = ("x-content-type-options", "referrer-policy", "permissions-policy", "cross-origin-opener-policy", "content-security-policy")


def directives(value: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header, directive by directive."""
    parsed: dict[str, list[str]] = {}
    for part in value.split(";"):
        if part.strip():
            name, *sources = part.split()
            assert name not in parsed, f"{name} given twice in {value!r}"
            parsed[name] = sources
    return parsed


def served(headers: Headers, base: str = "") -> Client:
    """Streamlit's page and files (its own static folder), a component's frame, the data API and
    the OGC API, under the middleware as serve.py installs it."""

    async def page(_request):
        return PlainTextResponse(PAGE_HTML, media_type="text/html")

    routes = [
        *served_routes,
        Route(f"{base}/", page),
        Route(f"{base}/sites", page),
        Mount(f"{base}/component/streamlit_folium.st_folium", app=StaticFiles(directory=STREAMLIT_STATIC)),
        Mount(f"{base}/static", app=StaticFiles(directory=STREAMLIT_STATIC / "static")),
    ]
    return Client(Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, headers=headers)]))


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.delenv(FRAME_ANCESTORS_ENV, raising=False)


@pytest.fixture(scope="module")
def client():
    return served(Headers(page_scripts=inline_script_hashes(PAGE_HTML)))


def a_static_file() -> str:
    return "/static/js/" + next((STREAMLIT_STATIC / "static" / "js").glob("index.*.js")).name


@pytest.mark.parametrize(
    "url",
    ["/", "/sites?country=KGZ", "/?embed=true", a_static_file(), "/component/streamlit_folium.st_folium/index.html",
     "/api/v1/sites.geojson?country=KGZ", "/api/v1/nothing-here", "/ogc", "/no-such-page"],
)
def test_every_kind_of_answer_carries_the_security_headers(client, url):
    reply = client.get(url)
    assert reply.status in (200, 404), (url, reply.status)
    for name in EVERY_ANSWER:
        assert reply.headers.get(name), f"{url} ({reply.status}) has no {name}"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in reply.headers["permissions-policy"] and "camera=()" in reply.headers["permissions-policy"]
    assert "x-frame-options" not in reply.headers  # frame-ancestors says who may frame; the two would disagree
    policy = directives(reply.headers["content-security-policy"])
    assert policy["frame-ancestors"] and policy["object-src" if "object-src" in policy else "default-src"] == ["'none'"]


def test_the_pages_allow_streamlits_own_script_and_nothing_inline_else(client):
    reply = client.get("/")
    policy = directives(reply.headers["content-security-policy"])
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    # The hash of the page's one inline script, as the browser computes it, and no other.
    hashes = [source for source in scripts if source.startswith("'sha256-")]
    assert hashes == list(inline_script_hashes(reply.text)) and len(hashes) == 1
    assert policy["connect-src"] == ["'self'"]  # the websocket and fetches go to the atlas alone
    assert policy["frame-ancestors"] == ["'self'"]  # a full page is never framed by another site


def test_a_changed_inline_script_is_no_longer_allowed():
    """The hash follows the script's text: a page whose script changed (an injected one, or a
    Streamlit upgrade not rebuilt) is refused its script by the browser, not allowed silently."""
    (original,) = inline_script_hashes("<html><script>window.a = 1</script><script src='x.js'></script></html>")
    (changed,) = inline_script_hashes("<html><script>window.a = 2</script></html>")
    assert original != changed
    # The browser's own example value (CSP Level 3, "hash-source"): sha256 of "alert('Hello, world.');".
    assert inline_script_hashes("<script>alert('Hello, world.');</script>") == ("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='",)


def test_the_api_answers_have_the_strict_policy_and_keep_their_cors_headers(client):
    reply = client.get("/api/v1/sites.geojson?country=KGZ")
    assert reply.status == 200
    assert directives(reply.headers["content-security-policy"]) == {name: list(sources) for name, sources in API.items()}
    assert reply.headers["access-control-allow-origin"] == "*"  # the API's own headers untouched
    missing = client.get("/api/v1/nothing-here")
    assert missing.status == 404 and missing.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_ogc_pages_may_load_their_style_sheet_from_the_atlas_and_nothing_else(client):
    reply = client.get("/ogc", headers={"Accept": "text/html"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    policy = directives(reply.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"] and policy["style-src"] == ["'self'"] and "script-src" not in policy
    assert policy["frame-ancestors"] == ["'none'"]


def test_a_header_of_the_same_name_is_replaced_not_sent_twice():
    async def own_headers(_request):
        return PlainTextResponse("x", headers={"X-Content-Type-Options": "other", "Content-Security-Policy": "default-src *"})

    app = Starlette(routes=[Route("/x", own_headers)], middleware=[Middleware(SecurityHeaders, headers=Headers())])
    sent: list[bytes] = []

    async def recording(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                sent.extend(name for name, _ in message["headers"])
            await send(message)

        await app(scope, receive, sending)

    reply = Client(recording).get("/x")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "default-src *" not in reply.headers["content-security-policy"]
    assert sent.count(b"content-security-policy") == 1 and sent.count(b"x-content-type-options") == 1


def test_by_default_any_site_may_frame_the_embed_and_the_map_frame(client):
    embed = directives(client.get("/?embed=true").headers["content-security-policy"])
    frame = directives(client.get("/component/streamlit_folium.st_folium/index.html").headers["content-security-policy"])
    assert embed["frame-ancestors"] == ["*"] and frame["frame-ancestors"] == ["*"]
    assert directives(client.get("/?embed=false").headers["content-security-policy"])["frame-ancestors"] == ["'self'"]


def test_the_setting_names_the_sites_that_may_frame_the_embed(monkeypatch):
    monkeypatch.setenv(FRAME_ANCESTORS_ENV, "https://news.example.org  https://*.example.com")
    client = served(Headers(frame_ancestors=frame_ancestors_from()))
    for url in ("/?country=KGZ&embed=true", "/component/streamlit_folium.st_folium/index.html"):
        policy = directives(client.get(url).headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'self'", "https://news.example.org", "https://*.example.com"], url
    assert directives(client.get("/").headers["content-security-policy"])["frame-ancestors"] == ["'self'"]
    monkeypatch.setenv(FRAME_ANCESTORS_ENV, "'none'")
    client = served(Headers(frame_ancestors=frame_ancestors_from()))
    # No other site; the atlas itself still holds its map's frame.
    assert directives(client.get("/?embed=true").headers["content-security-policy"])["frame-ancestors"] == ["'self'"]


def test_the_settings_under_a_base_path_are_those_of_the_same_answers_at_the_root():
    client = served(Headers(base_path="atlas"), base="/atlas")
    frame = client.get("/atlas/component/streamlit_folium.st_folium/index.html")
    assert frame.status == 200 and "'unsafe-eval'" in directives(frame.headers["content-security-policy"])["script-src"]
    page = client.get("/atlas/sites")
    assert page.status == 200 and "'unsafe-eval'" not in directives(page.headers["content-security-policy"])["script-src"]
    assert client.get("/api/v1/sites.geojson").headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("https://a.example.org,https://b.example.org", "separated by spaces"),
        ("'none' https://a.example.org", "'none' cannot stand"),
        ("'unsafe-inline'", "'unsafe-inline'"),
        ("https://", "'https://'"),
        ("https://a.example.org; script-src *", "'https://a.example.org;'"),
    ],
)
def test_a_setting_that_is_not_a_list_of_sources_is_refused_with_one_clear_line(value, named, caplog):
    with pytest.raises(FrameAncestorsError, match=named.replace("(", r"\(")):
        parse_frame_ancestors(value)
    with caplog.at_level(logging.ERROR, logger="strategic_sites.api.headers"):
        assert frame_ancestors_from({FRAME_ANCESTORS_ENV: value}) == ("*",)  # the default: the embed still works
    (record,) = caplog.records
    line = record.getMessage()
    assert FRAME_ANCESTORS_ENV in line and repr(value) in line and "\n" not in line
    assert record.exc_info is None  # a message, never a traceback


@pytest.mark.parametrize(
    "value",
    ["*", "'self'", "https:", "https://news.example.org", "https://*.example.com:8443", "http://localhost:8501/path/", "https://[::1]:9"],
)
def test_the_sources_a_site_would_write_are_accepted(value):
    assert parse_frame_ancestors(value) == (value,)


def test_an_unset_or_blank_setting_is_the_default_silently(caplog):
    with caplog.at_level(logging.WARNING):
        assert frame_ancestors_from({}) == ("*",)
        assert frame_ancestors_from({FRAME_ANCESTORS_ENV: "  "}) == ("*",)
    assert not caplog.records


def test_serve_py_sends_the_headers_with_the_hash_of_the_page_streamlit_serves(monkeypatch, caplog):
    """serve.py builds the headers from the Streamlit installed (its index.html's script) and the
    setting, refusing a bad one in its log when the server starts."""
    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("serve", None)
    import serve

    built = serve.security_headers()
    assert built.page_scripts == inline_script_hashes(PAGE_HTML)
    monkeypatch.setenv(FRAME_ANCESTORS_ENV, "example.org,example.com")
    with caplog.at_level(logging.ERROR, logger="strategic_sites.api.headers"):
        assert serve.security_headers().frame_ancestors == ("*",)
    assert any(FRAME_ANCESTORS_ENV in r.getMessage() and "example.org,example.com" in r.getMessage() for r in caplog.records)
