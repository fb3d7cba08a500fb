"""The OpenAPI 3.0 document of the OGC API (``/ogc/api``, ``application/vnd.oai.openapi+json;version=3.0``),
built from the collections (:data:`.collections.COLLECTIONS`), OGC's own parameters (:mod:`.query`)
and the share link's parameters as the data API describes them (``api.openapi.parameters``: one
description of each), with each collection's properties as its table builds them for the loaded atlas.
"""

from __future__ import annotations

import threading
from datetime import date

from strategic_sites.api import openapi as data_api
from strategic_sites.api.ogc.collections import COLLECTIONS, Collection
from strategic_sites.api.ogc.query import CRS84, DEFAULT_LIMIT, MAX_LIMIT
from strategic_sites.data.atlas import Atlas
from strategic_sites.view import urlstate
from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known

VERSION = "3.0.3"
GEOJSON = "application/geo+json"
_lock = threading.Lock()
_made: dict[tuple, dict] = {}

OWN_PARAMETERS = {
    "f": {
        "name": "f",
        "in": "query",
        "description": "The format: json (GeoJSON for features) or html. Without it, HTML when the Accept header prefers text/html, else JSON.",
        "required": False,
        "schema": {"type": "string", "enum": ["json", "html"]},
    },
    "bbox": {
        "name": "bbox",
        "in": "query",
        "description": "Only features that meet this box: minimum longitude, minimum latitude, maximum longitude, maximum latitude "
        "in CRS84 degrees (6 numbers: the heights are ignored). A box whose west edge is east of its east edge crosses the antimeridian.",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "description": f"Features in one page, 1 to {MAX_LIMIT:,} (default {DEFAULT_LIMIT}); a larger number is refused. Follow the next links for the rest.",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "description": "Features skipped before this page's first (default 0); the next and prev links carry it.",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
    "crs": {
        "name": "crs",
        "in": "query",
        "description": "The coordinate reference system of the answer: CRS84 (longitude, latitude in WGS 84), the only one.",
        "required": False,
        "schema": {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84},
    },
    "bbox-crs": {
        "name": "bbox-crs",
        "in": "query",
        "description": "The coordinate reference system of bbox: CRS84, the only one.",
        "required": False,
        "schema": {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84},
    },
    "collectionId": {"name": "collectionId", "in": "path", "required": True, "description": "A collection's id.", "schema": {"type": "string", "enum": [c.id for c in COLLECTIONS]}},
    "featureId": {"name": "featureId", "in": "path", "required": True, "description": "A feature's stable id: a site's id, an event's id, a lease area's id.", "schema": {"type": "string"}},
}


def _datetime(collection: Collection) -> dict:
    return {"name": "datetime", "in": "query", "required": False, "description": collection.datetime_help, "schema": {"type": "string"}}


def _link() -> dict:
    return {
        "type": "object",
        "required": ["href"],
        "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}},
    }


def _value(values: list) -> dict:
    """A property's schema from its values in today's view."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        kind = "boolean"
    elif present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        kind = "number"
    else:
        kind = "string"
    return {"type": kind, "nullable": True}


def _properties(atlas: Atlas, collection: Collection) -> dict:
    view = apply(atlas, Known.of(atlas).defaults())
    rows = collection.rows(atlas, view).iloc[:200]
    found = collection.properties(atlas, view, rows) if len(rows) else []
    names = list(found[0]) if found else []
    return {"type": "object", "properties": {name: _value([f.get(name) for f in found]) for name in names}}


def _schemas(atlas: Atlas) -> dict:
    link = {"$ref": "#/components/schemas/Link"}
    schemas = {
        "Link": _link(),
        "Exception": {
            "type": "object",
            "description": "An RFC 9457 problem with OGC's code and description.",
            "required": ["type", "title", "status", "detail", "code"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "description": {"type": "string"},
                "invalid-params": {"type": "array", "items": {"type": "object", "properties": {k: {"type": "string"} for k in ("name", "value", "reason", "message")}}},
            },
        },
        "LandingPage": {"type": "object", "required": ["links"], "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": link}}},
        "Conformance": {"type": "object", "required": ["conformsTo"], "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}, "links": {"type": "array", "items": link}}},
        "Collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}},
                "storageCrs": {"type": "string"},
                "extent": {"type": "object"},
                "links": {"type": "array", "items": link},
            },
        },
        "Collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {"links": {"type": "array", "items": link}, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}}},
        },
    }
    for collection in COLLECTIONS:
        name = collection.id.capitalize()
        feature = {
            "type": "object",
            "required": ["type", "geometry", "properties", "id"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {"type": "object", "properties": {"type": {"type": "string", "enum": [collection.geometry, "Multi" + collection.geometry]}, "coordinates": {"type": "array", "items": {}}}},
                "properties": _properties(atlas, collection),
                "links": {"type": "array", "items": link},
            },
        }
        schemas[f"{name}Feature"] = feature
        schemas[f"{name}Collection"] = {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Feature"}},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": {"type": "array", "items": link},
            },
        }
    return schemas


def _responses(media: str, schema: str, extra: tuple[str, ...] = ()) -> dict:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Exception"}}}
    found = {
        "200": {
            "description": "The answer: JSON, or HTML with f=html or for a browser. Headers: ETag, Cache-Control, X-Atlas-Data-Version, Access-Control-Allow-Origin.",
            "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}, "text/html": {"schema": {"type": "string"}}},
        },
        "304": {"description": "Not modified: If-None-Match named this answer's ETag."},
        "400": {"description": "A parameter that cannot be used, named in invalid-params.", "content": problem},
        "503": {"description": "The data folder does not load and none loaded before.", "content": problem},
        "500": {"description": "An error in the atlas (logged on the server).", "content": problem},
    }
    for status in extra:
        found[status] = {"description": "No such collection or feature.", "content": problem}
    return found


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def build(atlas: Atlas, root: str) -> dict:
    known = Known.of(atlas)
    shared = {name: p for name, p in data_api.parameters(known).items() if name in urlstate.PARAMS}
    components = {**OWN_PARAMETERS, **{f"datetime-{c.id}": _datetime(c) for c in COLLECTIONS}, **shared}
    paths: dict[str, dict] = {
        "/": {"get": {"operationId": "getLandingPage", "summary": "The landing page: links to the API definition, the conformance classes and the collections.", "tags": ["Capabilities"], "parameters": [_ref("f")], "responses": _responses("application/json", "LandingPage")}},
        "/conformance": {"get": {"operationId": "getConformance", "summary": "The conformance classes this API implements.", "tags": ["Capabilities"], "parameters": [_ref("f")], "responses": _responses("application/json", "Conformance")}},
        "/api": {"get": {"operationId": "getAPI", "summary": "This document (OpenAPI 3.0); its HTML documentation with f=html.", "tags": ["Capabilities"], "parameters": [_ref("f")], "responses": {"200": {"description": "The API definition.", "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}}}},
        "/collections": {"get": {"operationId": "getCollections", "summary": "The collections: sites, events and lease areas, with their extents.", "tags": ["Capabilities"], "parameters": [_ref("f")], "responses": _responses("application/json", "Collections")}},
    }
    share = [_ref(name) for name in urlstate.PARAMS]
    for collection in COLLECTIONS:
        name = collection.id.capitalize()
        base = f"/collections/{collection.id}"
        paths[base] = {"get": {"operationId": f"describe{name}", "summary": f"{collection.title}: {collection.description}", "tags": [collection.title], "parameters": [_ref("f")], "responses": _responses("application/json", "Collection", ("404",))}}
        paths[base + "/items"] = {
            "get": {
                "operationId": f"get{name}Features",
                "summary": f"The features of {collection.title}, a page at a time; a share link's parameters choose the view.",
                "tags": [collection.title],
                "parameters": [_ref("f"), _ref("bbox"), _ref("bbox-crs"), _ref(f"datetime-{collection.id}"), _ref("limit"), _ref("offset"), _ref("crs"), *share],
                "responses": _responses(GEOJSON, f"{name}Collection", ("404",)),
            }
        }
        paths[base + "/items/{featureId}"] = {
            "get": {
                "operationId": f"get{name}Feature",
                "summary": f"One feature of {collection.title} by its stable id, on the as-of date.",
                "tags": [collection.title],
                "parameters": [_ref("featureId"), _ref("f"), _ref(f"datetime-{collection.id}"), _ref("crs"), *share],
                "responses": _responses(GEOJSON, f"{name}Feature", ("404",)),
            }
        }
    return {
        "openapi": VERSION,
        "info": {
            "title": "Strategic Sites Atlas: OGC API – Features",
            "version": atlas.data_version.code if atlas.data_version is not None else atlas.version[:8],
            "description": "Russia's strategic sites in and around Central Asia as OGC API – Features (Part 1, Core; GeoJSON; HTML; "
            "OpenAPI 3.0): the sites, the events and the lease areas of the atlas's views. datetime is the as-of date for the "
            "sites and the lease areas, and the events' dates for the events; a share link's parameters (country, kind, status, "
            "operator, conf, asof, from, to, q, lang…) choose the view as they do on the pages.",
            "license": {"name": "See the atlas's sources", "url": root.rsplit("/ogc", 1)[0] + "/"},
        },
        "servers": [{"url": root, "description": "This atlas"}],
        "tags": [{"name": "Capabilities"}, *({"name": c.title, "description": c.description} for c in COLLECTIONS)],
        "paths": paths,
        "components": {"parameters": components, "schemas": _schemas(atlas)},
    }


def document(atlas: Atlas, root: str) -> dict:
    """The document for the atlas at ``root`` (the API's address as the client asked for it), made once a day."""
    key = (atlas.version, root, date.today())
    with _lock:
        found = _made.get(key)
    if found is None:
        found = build(atlas, root)
        with _lock:
            if len(_made) > 16:
                _made.clear()
            _made[key] = found
    return found
