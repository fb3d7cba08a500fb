"""The OGC API – Features requests and answers, under ``/ogc``.

``/ogc`` (the landing page), ``/ogc/conformance``, ``/ogc/api`` (the OpenAPI 3.0 document; HTML
with ``f=html``), ``/ogc/collections``, ``/ogc/collections/{id}``, ``/ogc/collections/{id}/items``
and ``/ogc/collections/{id}/items/{featureId}``, each as JSON (GeoJSON for features) or, for a
browser or with ``f=html``, as an HTML page styled by ``/ogc/style.css`` alone (no script, no inline
style). Answers are the data API's in every other way: the same atlas (``api.service.SOURCE``, the
last good one kept with ``X-Atlas-Data-Problem``), the data's version, an ``ETag`` answering 304,
``Cache-Control``, ``Access-Control-Allow-Origin: *``, and every failure a problem
(``application/problem+json``, :mod:`..problems`) that also carries OGC's ``code`` and
``description``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urlencode

import geopandas as gpd
import pandas as pd
import shapely
from geojson_pydantic import Feature, FeatureCollection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from strategic_sites.api.loading import Loaded
from strategic_sites.api.problems import CORS, Refused, problem
from strategic_sites.api.service import MAX_AGE, METHODS, SOURCE, data_changed, load, not_modified, preflight, version_headers
from strategic_sites.api.ogc import html, openapi
from strategic_sites.api.ogc.collections import BY_ID, COLLECTIONS, CRS84, Collection, geometry
from strategic_sites.api.ogc.query import Query, read
from strategic_sites.data.atlas import Atlas, AtlasError
from strategic_sites.view.timeline import events_in_period
from strategic_sites.view.urlstate import Known

PREFIX = "/ogc"
LOG = logging.getLogger(__name__)
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html; charset=utf-8"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)
# The pages load nothing but the one stylesheet; links and the JSON alternates are plain navigation.
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
# OGC's exception codes (OGC API – Features, "HTTP status codes"), beside RFC 9457's members.
CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable", 500: "ServerError", 503: "ServiceUnavailable"}
TITLE = "Strategic Sites Atlas"
CONTENT_CRS = {"Content-Crs": f"<{CRS84}>"}  # OGC API – Features Part 2: the features' coordinates are CRS84


def ogc_problem(refused: Refused) -> Response:
    """A problem as the data API writes it, with OGC's ``code`` and ``description``."""
    extra = {"code": CODES.get(refused.status, "ServerError"), "description": refused.detail, **refused.extra}
    return problem(refused.status, refused.detail, refused.invalid, refused.headers, extra)


@dataclass(frozen=True)
class Base:
    """Where the API is, as the client asked for it (its links point there)."""

    root: str  # http://host/ogc

    def url(self, path: str = "", **params: str) -> str:
        return self.root + path + ("?" + urlencode(params) if params else "")


def _stamp() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- what each path answers --------------------------------------------------------------------


def landing(base: Base) -> dict:
    return {
        "title": f"{TITLE}: OGC API – Features",
        "description": "Russia's strategic sites in and around Central Asia, their events and their lease areas, "
        "as OGC API – Features collections: the views of the atlas's share links, with bbox, datetime (the as-of date) and paging.",
        "links": [
            {"rel": "self", "type": JSON, "title": "This document", "href": base.url("")},
            {"rel": "alternate", "type": "text/html", "title": "This document as HTML", "href": base.url("", f="html")},
            {"rel": "service-desc", "type": OPENAPI, "title": "The API definition (OpenAPI 3.0)", "href": base.url("/api")},
            {"rel": "service-doc", "type": "text/html", "title": "The API documentation", "href": base.url("/api", f="html")},
            {"rel": "conformance", "type": JSON, "title": "Conformance classes", "href": base.url("/conformance")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/conformance", "type": JSON, "title": "Conformance classes", "href": base.url("/conformance")},
            {"rel": "data", "type": JSON, "title": "The collections", "href": base.url("/collections")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/data", "type": JSON, "title": "The collections", "href": base.url("/collections")},
        ],
    }


def conformance(base: Base) -> dict:
    return {
        "conformsTo": list(CONFORMANCE),
        "links": [
            {"rel": "self", "type": JSON, "title": "This document", "href": base.url("/conformance")},
            {"rel": "alternate", "type": "text/html", "title": "This document as HTML", "href": base.url("/conformance", f="html")},
        ],
    }


def describe(collection: Collection, atlas: Atlas, base: Base) -> dict:
    path = f"/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": collection.extent(atlas),
        "links": [
            {"rel": "self", "type": JSON, "title": "This collection", "href": base.url(path)},
            {"rel": "alternate", "type": "text/html", "title": "This collection as HTML", "href": base.url(path, f="html")},
            {"rel": "items", "type": GEOJSON, "title": f"{collection.title} (GeoJSON)", "href": base.url(path + "/items")},
            {"rel": "items", "type": "text/html", "title": f"{collection.title} (HTML)", "href": base.url(path + "/items", f="html")},
        ],
    }


def collections(atlas: Atlas, base: Base) -> dict:
    return {
        "links": [
            {"rel": "self", "type": JSON, "title": "The collections", "href": base.url("/collections")},
            {"rel": "alternate", "type": "text/html", "title": "The collections as HTML", "href": base.url("/collections", f="html")},
        ],
        "collections": [describe(collection, atlas, base) for collection in COLLECTIONS],
    }


def in_box(rows: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The rows whose geometry meets the box (edges included; a box across the antimeridian is two)."""
    west, south, east, north = box
    boxes = [shapely.box(west, south, east, north)] if west <= east else [shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
    geometries = rows.geometry.values
    keep = pd.Series(False, index=rows.index)
    for shape in boxes:
        keep |= pd.Series(shapely.intersects(geometries, shape), index=rows.index)
    return rows[keep.to_numpy()]


def matched(collection: Collection, atlas: Atlas, query: Query) -> tuple[Atlas, object, gpd.GeoDataFrame]:
    """The shown atlas, the view, and every feature of the collection the query asks for."""
    shown, view = SOURCE.view(atlas, query.filters)
    rows = collection.rows(shown, view)
    if query.period is not None and not collection.instant:
        rows = events_in_period(rows, *query.period)
    if query.bbox is not None:
        rows = in_box(rows, query.bbox)
    return shown, view, rows


def features(collection: Collection, shown: Atlas, view, rows: pd.DataFrame) -> list[dict]:
    """The rows as GeoJSON features, each built and checked by geojson-pydantic's ``Feature``."""
    if rows.empty:
        return []
    properties = collection.properties(shown, view, rows)
    return [
        Feature.model_validate({"type": "Feature", "id": fid, "geometry": geometry(shape), "properties": props}).model_dump(mode="json", exclude_none=False)
        for fid, shape, props in zip(rows["fid"].tolist(), rows.geometry.tolist(), properties)
    ]


def _with(request: Request, **params) -> str:
    return str(request.url.include_query_params(**params))


def items(request: Request, collection: Collection, atlas: Atlas, query: Query, base: Base) -> dict:
    """One page of the collection's features as an OGC FeatureCollection: the features, how many
    match, how many are here, and links to this page (JSON and HTML), the next and the previous."""
    shown, view, rows = matched(collection, atlas, query)
    page = rows.iloc[query.offset : query.offset + query.limit]
    body = FeatureCollection.model_validate({"type": "FeatureCollection", "features": features(collection, shown, view, page)}).model_dump(mode="json")
    links = [
        {"rel": "self", "type": GEOJSON, "title": "This page", "href": _with(request, f="json") if "f" in request.query_params else str(request.url)},
        {"rel": "alternate", "type": "text/html", "title": "This page as HTML", "href": _with(request, f="html")},
        {"rel": "collection", "type": JSON, "title": collection.title, "href": base.url(f"/collections/{collection.id}")},
    ]
    if query.offset + query.limit < len(rows):
        links.append({"rel": "next", "type": GEOJSON, "title": "The next page", "href": _with(request, offset=query.offset + query.limit, limit=query.limit)})
    if query.offset > 0:
        links.append({"rel": "prev", "type": GEOJSON, "title": "The previous page", "href": _with(request, offset=max(0, query.offset - query.limit), limit=query.limit)})
    body.update({"numberMatched": len(rows), "numberReturned": len(page), "timeStamp": _stamp(), "links": links})
    return body


def item(request: Request, collection: Collection, atlas: Atlas, query: Query, fid: str, base: Base) -> dict:
    """One feature by its stable id, on the query's as-of date, whatever the filters; a 404 when no feature has it."""
    shown = SOURCE.localised(atlas, query.filters.lang)
    found = collection.alone(shown, query.filters, fid)
    if found is None:
        raise Refused(404, f"No feature of the collection {collection.id} has the id {fid[:100]!r}; {base.url(f'/collections/{collection.id}/items')} lists them.")
    view, rows = found
    body = features(collection, shown, view, rows)[0]
    path = f"/collections/{collection.id}/items"
    body["links"] = [
        {"rel": "self", "type": GEOJSON, "title": "This feature", "href": str(request.url)},
        {"rel": "alternate", "type": "text/html", "title": "This feature as HTML", "href": _with(request, f="html")},
        {"rel": "collection", "type": JSON, "title": collection.title, "href": base.url(f"/collections/{collection.id}")},
        {"rel": "items", "type": GEOJSON, "title": f"Every feature of {collection.title}", "href": base.url(path)},
    ]
    return body


# --- the requests ------------------------------------------------------------------------------


def etag(loaded: Loaded | None, request: Request, query: Query) -> str:
    """The data version, the path and the address it answers at, the format, the canonical view,
    the box, period and page, and today (the default as-of date)."""
    basis = [
        loaded.atlas.version if loaded is not None else "",
        str(request.base_url),
        request.url.path,
        query.fmt,
        query.canonical,
        query.bbox,
        [d.isoformat() if d else None for d in query.period] if query.period else None,
        query.limit,
        query.offset,
        query.made_with,
        query.known.today.isoformat(),
        html.VERSION,
    ]
    return '"' + hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:24] + '"'


def _headers(loaded: Loaded | None, query: Query) -> dict[str, str]:
    headers = {**CORS, "Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Accept"}
    if loaded is not None:
        headers.update(version_headers(loaded, data_changed(loaded.atlas, query.made_with)))
    return headers


def _answer(request: Request, fmt: str, body: dict, page, media: str, headers: dict[str, str]) -> Response:
    if fmt == "html":
        return Response(page(), media_type=HTML, headers={**headers, "Content-Security-Policy": CSP})
    return Response(json.dumps(body, ensure_ascii=False), media_type=media, headers=headers)


async def _handle(request: Request) -> Response:
    if request.method == "OPTIONS":
        return preflight(request)
    if request.method not in METHODS:
        raise Refused(405, f"{request.method} is not a method of this API: it answers {', '.join(METHODS)}.", headers={"Allow": ", ".join(METHODS)})
    path = request.path_params.get("path", "").strip("/")
    parts = path.split("/") if path else []
    base = Base(str(request.base_url).rstrip("/") + PREFIX)
    pairs = request.query_params.multi_items()
    accept = request.headers.get("accept", "")
    if parts == ["style.css"]:
        return Response(html.STYLE, media_type="text/css; charset=utf-8", headers={**CORS, "Cache-Control": f"public, max-age={MAX_AGE}"})
    if parts[:1] == ["collections"] and len(parts) > 1 and parts[1] not in BY_ID:
        raise Refused(404, f"No collection {parts[1][:100]!r}; the collections are {', '.join(BY_ID)}, listed at {base.url('/collections')}.")
    route = _route(parts)
    if route is None:
        raise Refused(404, f"No path {PREFIX}/{path[:100]}; the API's paths are listed at {base.url('')} and described at {base.url('/api')}.")
    needs_data = route not in ("landing", "conformance")
    loaded = await run_in_threadpool(load) if needs_data else None
    known = Known.of(loaded.atlas) if loaded is not None else None
    collection = BY_ID.get(parts[1]) if len(parts) > 1 else None
    if known is None:
        query = read(pairs, accept, _no_data_known(), share_link=False)
    elif route in ("items", "item"):
        query = read(pairs, accept, known, items=route == "items", instant=collection.instant)
    else:
        query = read(pairs, accept, known, share_link=False)
    tag = etag(loaded, request, query)
    headers = {**_headers(loaded, query), "ETag": tag}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    return await run_in_threadpool(_build, request, route, parts, query, loaded, base, headers)


def _no_data_known() -> Known:
    """What a request reads against when it needs no data (the landing page, the conformance classes)."""
    return Known(frozenset(), frozenset(), 1991, date.today())


def _route(parts: list[str]) -> str | None:
    if not parts:
        return "landing"
    if parts == ["conformance"]:
        return "conformance"
    if parts == ["api"]:
        return "api"
    if parts == ["collections"]:
        return "collections"
    if parts[0] == "collections" and len(parts) == 2:
        return "collection"
    if parts[0] == "collections" and len(parts) == 3 and parts[2] == "items":
        return "items"
    if parts[0] == "collections" and len(parts) == 4 and parts[2] == "items" and parts[3]:
        return "item"
    return None


def _build(request: Request, route: str, parts: list[str], query: Query, loaded: Loaded | None, base: Base, headers: dict) -> Response:
    fmt = query.fmt
    problem_note = [loaded.problem.headline(), *loaded.problem.items()] if loaded is not None and loaded.problem is not None else []
    if route == "landing":
        body = landing(base)
        return _answer(request, fmt, body, lambda: html.landing(body, base), JSON, headers)
    if route == "conformance":
        body = conformance(base)
        return _answer(request, fmt, body, lambda: html.conformance(body, base), JSON, headers)
    atlas = loaded.atlas
    if route == "api":
        document = openapi.document(atlas, base.root)
        return _answer(request, fmt, document, lambda: html.api(document, base), OPENAPI, headers)
    if route == "collections":
        body = collections(atlas, base)
        return _answer(request, fmt, body, lambda: html.collections(body, base, problem_note), JSON, headers)
    collection = BY_ID[parts[1]]
    if route == "collection":
        body = describe(collection, atlas, base)
        return _answer(request, fmt, body, lambda: html.collection(body, collection, base), JSON, headers)
    if route == "items":
        body = items(request, collection, atlas, query, base)
        return _answer(request, fmt, body, lambda: html.items(body, collection, query, base, problem_note), GEOJSON, {**headers, **CONTENT_CRS})
    body = item(request, collection, atlas, query, parts[3], base)
    return _answer(request, fmt, body, lambda: html.item(body, collection, query, base), GEOJSON, {**headers, **CONTENT_CRS})


async def ogc(request: Request) -> Response:
    """Every request under ``/ogc``: an answer or a problem, never a traceback."""
    try:
        return await _handle(request)
    except Refused as refused:
        return ogc_problem(refused)
    except Exception:  # noqa: BLE001 - a bug: logged, and the client told so in the API's own form
        LOG.exception("Strategic Sites Atlas OGC API: %s %s failed", request.method, request.url.path)
        return ogc_problem(Refused(500, "The atlas failed to answer this request; the error is logged on the server."))


ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
routes = [
    Route(PREFIX, ogc, methods=ALL_METHODS, name="ogc-root"),
    Route(PREFIX + "/{path:path}", ogc, methods=ALL_METHODS, name="ogc"),
]
