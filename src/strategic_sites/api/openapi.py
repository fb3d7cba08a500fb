"""The OpenAPI 3.1 document of the data API (``/api/v1/openapi.json``), built from the
registries: the endpoints (:data:`.endpoints.ENDPOINTS`), the whole-view files
(:data:`.endpoints.FILES`), the link's parameters
(``urlstate.PARAMS``) and the filters' values (``view.filters.CHOICES``), and the columns of
each endpoint's table as the table functions build them for the loaded atlas."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pandas as pd

from strategic_sites.api.endpoints import DEFAULT_LIMIT, ENDPOINTS, FILES, MAX_LIMIT, MEDIA, PREFIX, Endpoint, ViewFile
from strategic_sites.data.atlas import Atlas
from strategic_sites.data.changelog import CODE_LENGTH
from strategic_sites.view import urlstate
from strategic_sites.view.filters import CHOICES, FIRST_YEAR, LAYERS, apply
from strategic_sites.view.language import LANGUAGES
from strategic_sites.view.urlstate import MAX_QUERY_LENGTH, MAX_VALUE_LENGTH, MAX_VALUES, Known

# The view's frame (the parameters that are not a filter's choices): what each means.
FRAME = {
    "asof": ("The as-of date (ISO, {first}-01-01 to today): control status and lease terms on this day. Default: today.", {"type": "string", "format": "date"}),
    "vs": ("Compare the as-of date with this date (ISO): the changes endpoint lists what differs. Default: no comparison.", {"type": "string", "format": "date"}),
    "from": ("First year of the event period ({first_year} to this year). Default: {first}.", {"type": "integer"}),
    "to": ("Last year of the event period. Default: this year.", {"type": "integer"}),
    "q": (f"Search text: any name of a site (folded to Latin letters, near spellings tried) and event titles; at most {MAX_QUERY_LENGTH} characters.", {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
    "site": ("The selected site's id, as in a share link: checked, and part of the link, but it narrows no rows.", {"type": "string"}),
    "layers": ("The map's visible layers, as in a share link: checked, but no rows depend on it.", {"type": "array", "items": {"type": "string", "enum": list(LAYERS)}}),
    "lang": ("Site and country names in English (en, the default) or Russian (ru).", {"type": "string", "enum": list(LANGUAGES)}),
    "map": ("The map's centre and zoom (lat,lon,zoom), as in a share link: checked, but no rows depend on it.", {"type": "string"}),
    "data": ("The data version the link was made with (8 hex digits): when the data has changed since, the answer says what changed (data_changed, X-Atlas-Data-Changes).", {"type": "string", "pattern": f"^[0-9a-f]{{{CODE_LENGTH}}}$"}),
}
HEADERS = {
    "ETag": {"description": "The data version, the endpoint and the canonical parameters: send it back as If-None-Match for a 304.", "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age=…", "schema": {"type": "string"}},
    "X-Atlas-Data-Version": {"description": "The version of the data the answer is from.", "schema": {"type": "string"}},
    "X-Atlas-Data-Requested": {"description": "The version data= named, when it is not the one served.", "schema": {"type": "string"}},
    "X-Atlas-Data-Changes": {"description": "With data= naming an older version: the changes since, as 'version date' pairs (none; unrecorded: a version the changelog does not record).", "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "*", "schema": {"type": "string"}},
}
_lock = threading.Lock()
_made: dict[tuple, dict] = {}


def parameters(known: Known) -> dict[str, dict]:
    """Every query parameter, as a components/parameters entry."""
    found: dict[str, dict] = {}
    for choice in CHOICES:
        found[choice.param] = {
            "name": choice.param,
            "in": "query",
            "description": f"{choice.meaning[:1].upper()}{choice.meaning[1:]}: repeat it or separate values with commas (at most {MAX_VALUES}). "
            f"A value that is not a known {choice.noun} is refused with a 400. Default: all.",
            "style": "form",
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "enum": list(choice.values(known))}, "maxItems": MAX_VALUES},
        }
    for name in urlstate.PARAMS:
        if name in FRAME:
            text, schema = FRAME[name]
            if name == "site":
                schema = {**schema, "enum": sorted(known.sites)}
            found[name] = {
                "name": name,
                "in": "query",
                "description": text.format(first=FIRST_YEAR, first_year=known.first_year) + f" At most {MAX_VALUE_LENGTH} characters.",
                "schema": schema,
                **({"style": "form", "explode": False} if schema["type"] == "array" else {}),
            }
    found["limit"] = {
        "name": "limit",
        "in": "query",
        "description": f"Events in one answer, 1 to {MAX_LIMIT:,} (default {DEFAULT_LIMIT:,} in GeoJSON; every event in CSV).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    }
    found["offset"] = {"name": "offset", "in": "query", "description": "Events skipped before this answer's first (default 0).", "schema": {"type": "integer", "minimum": 0}}
    return found


def _column(series: pd.Series) -> dict:
    if series.empty:
        return {}  # nothing to tell its type by
    if pd.api.types.is_bool_dtype(series):
        return {"type": ["boolean", "null"]}
    if pd.api.types.is_numeric_dtype(series):
        return {"type": ["number", "null"]}
    return {"type": ["string", "null"]}


def columns(atlas: Atlas, endpoint: Endpoint) -> dict[str, dict]:
    """The endpoint's columns and their JSON types, from its table of today's whole view
    (compared with the first day of the atlas's period, so that the changes have rows)."""
    view = apply(atlas, replace(Known.of(atlas).defaults(), vs=date(FIRST_YEAR, 1, 1)))
    table = endpoint.table(atlas, view, view.events.iloc[:DEFAULT_LIMIT])
    return {name: _column(table[name]) for name in table.columns}


def _schemas(atlas: Atlas) -> dict[str, dict]:
    schemas: dict[str, dict] = {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "invalid-params": {
                    "type": "array",
                    "description": "Each parameter and value refused; message is the page's link warning.",
                    "items": {
                        "type": "object",
                        "required": ["name", "value", "reason", "message"],
                        "properties": {k: {"type": "string"} for k in ("name", "value", "reason", "message")},
                    },
                },
                "problems": {"type": "array", "items": {"type": "string"}, "description": "503: the data folder's problems."},
            },
        },
        "DataChanged": {
            "type": "object",
            "description": "The data version data= named, and the changes since (oldest first).",
            "properties": {
                "requested": {"type": "string"},
                "current": {"type": "string"},
                "recorded": {"type": "boolean"},
                "changes": {"type": "array", "items": {"type": "object", "properties": {k: {"type": "string"} for k in ("day", "version", "what", "why")}}},
                "message": {"type": "string"},
            },
        },
    }
    common = {
        "data_version": {"type": "string"},
        "parameters": {"type": "object", "description": "The view's canonical parameters, as a share link writes them.", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "data_changed": {"$ref": "#/components/schemas/DataChanged"},
        "data_problem": {"type": "array", "items": {"type": "string"}, "description": "The data folder no longer loads: the answer is from the last data that did."},
    }
    paging = {
        "numberMatched": {"type": "integer"},
        "numberReturned": {"type": "integer"},
        "offset": {"type": "integer"},
        "limit": {"type": ["integer", "null"]},
        "next": {"type": ["string", "null"], "description": "The next page's URL (null: the last page)."},
        "links": {"type": "array", "items": {"type": "object", "properties": {"rel": {"type": "string"}, "href": {"type": "string"}, "type": {"type": "string"}}}},
    }
    for endpoint in ENDPOINTS:
        row = {"type": "object", "properties": columns(atlas, endpoint)}
        name = endpoint.name.capitalize()
        extra = paging if endpoint.paged else {}
        if endpoint.ext == "geojson":
            props = dict(row["properties"])
            if endpoint.paged:  # the events' features carry their summary and date precision too (tables.events_geojson)
                props.update({"summary": {"type": ["string", "null"]}, "date_precision": {"type": ["string", "null"]}})
            schemas[name] = {
                "type": "object",
                "required": ["type", "features", "data_version"],
                "properties": {
                    "type": {"const": "FeatureCollection"},
                    "features": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "type": {"const": "Feature"},
                                "geometry": {"type": "object"},
                                "properties": {"type": "object", "properties": props},
                            },
                        },
                    },
                    **common,
                    **extra,
                },
            }
        else:
            schemas[name] = {
                "type": "object",
                "required": ["data_version", "count", "rows"],
                "properties": {**common, **extra, "count": {"type": "integer"}, "rows": {"type": "array", "items": row}},
            }
    return schemas


def _operation(endpoint: Endpoint, fmt: str) -> dict:
    names = list(urlstate.PARAMS) + (["limit", "offset"] if endpoint.paged else [])
    media = MEDIA[fmt]
    if fmt == "csv":
        content = {media: {"schema": {"type": "string"}}}
        what = "CSV (formula-safe, as the page's downloads), a row per " + ("event, streamed" if endpoint.paged else "row") + "."
    else:
        content = {media: {"schema": {"$ref": f"#/components/schemas/{endpoint.name.capitalize()}"}}}
        what = "GeoJSON FeatureCollection." if fmt == "geojson" else "JSON: the rows and the view's parameters."
    headers = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    if endpoint.paged:
        headers["Link"] = {"description": 'The next page: <url>; rel="next".', "schema": {"type": "string"}}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "operationId": f"{endpoint.name}_{fmt}",
        "summary": f"{endpoint.summary} ({fmt.upper()})",
        "description": endpoint.description + " " + what,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in names],
        "responses": {
            "200": {"description": what, "headers": headers, "content": content},
            "304": {"description": "Not modified: If-None-Match named this answer's ETag.", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}},
            "400": {"description": "A parameter this atlas cannot use: each named in invalid-params, in the page's words.", "content": problem},
            "503": {"description": "The data folder does not load, and no earlier data did.", "content": problem},
            "500": {"description": "An error in the atlas (logged).", "content": problem},
        },
    }


def _file_operation(file: ViewFile) -> dict:
    """A whole-view file's GET: the share link's parameters, the file, its download name."""
    headers = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    headers["Content-Disposition"] = {
        "description": "attachment; filename=… : the name the page's download of this view has.",
        "schema": {"type": "string"},
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "operationId": f"{file.name}_{file.ext}",
        "summary": file.summary,
        "description": file.description + " The same file as the page's download of the view.",
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in urlstate.PARAMS]
        + [{"name": name, "in": "query", "required": False, "description": said, "schema": {"type": "string"}} for name, said in file.options],
        "responses": {
            "200": {"description": f"The file ({file.media}).", "headers": headers, "content": {file.media: {"schema": {"type": "string", "format": "binary"}}}},
            "304": {"description": "Not modified: If-None-Match named this answer's ETag.", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}},
            "400": {"description": "A parameter this atlas cannot use: each named in invalid-params, in the page's words.", "content": problem},
            "503": {"description": "The data folder does not load, and no earlier data did.", "content": problem},
            "500": {"description": "An error in the atlas (logged).", "content": problem},
        },
    }


def document(atlas: Atlas) -> dict:
    """The OpenAPI 3.1 document for the loaded atlas (its countries and sites), made once a day per data version."""
    key = (atlas.version, date.today())
    with _lock:
        if key in _made:
            return _made[key]
    known = Known.of(atlas)
    paths: dict[str, dict] = {}
    for endpoint in ENDPOINTS:
        for path in endpoint.paths:
            paths[f"{PREFIX}/{path}"] = {"get": _operation(endpoint, path.rsplit(".", 1)[1])}
    for file in FILES:
        paths[f"{PREFIX}/{file.path}"] = {"get": _file_operation(file)}
    paths[f"{PREFIX}/openapi.json"] = {"get": {"operationId": "openapi", "summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}}
    made = {
        "openapi": "3.1.0",
        "info": {
            "title": "Strategic Sites Atlas data API",
            "version": "1",
            "description": "Every table of the atlas's views as JSON, GeoJSON and CSV, and each whole view as a file "
            "(GeoPackage, KML, KMZ), and citations (BibTeX, RIS, CSL-JSON, text). The parameters are the share link's, read by the "
            "same code as the pages: the same link gives the same rows as the page's tables and downloads. Data version "
            f"{known.version}. Any other parameter, and any value the page would ignore with a warning, is refused with a 400.",
            "license": {"name": "Data CC BY 4.0, code MIT", "identifier": "CC-BY-4.0"},
        },
        "paths": paths,
        "components": {
            "parameters": parameters(known),
            "schemas": _schemas(atlas),
            "headers": HEADERS,
        },
    }
    with _lock:
        _made.clear()
        _made[key] = made
    return made
