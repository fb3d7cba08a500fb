"""The data API's requests and answers: ``/api/v1/<table>.<json|geojson|csv>?<a share link's parameters>``,
and the whole-view files, ``/api/v1/view.<gpkg|kml|kmz>?<the same parameters>`` (:data:`.endpoints.FILES`).

Every answer: the data's version (``X-Atlas-Data-Version``, and ``data_version`` in a JSON
body), an ``ETag`` made of that version, the endpoint and the view's canonical parameters
(``urlstate.serialise`` of the parsed filters, with the page of events), ``Cache-Control``,
and ``Access-Control-Allow-Origin: *``. A request naming an older version (``data=``) is told
the changes since (``data_changed`` in the body, ``X-Atlas-Data-Changes`` in the headers).
Every failure is a problem (:mod:`.problems`): a bad parameter 400, an unknown path 404, a
method other than GET, HEAD and OPTIONS 405, data that does not load 503, a bug 500 (logged).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from strategic_sites.api import openapi
from strategic_sites.api.endpoints import (
    BY_PATH,
    DEFAULT_LIMIT,
    ENDPOINTS,
    FILE_BY_PATH,
    FILES,
    MAX_LIMIT,
    MEDIA,
    PREFIX,
    Endpoint,
    Page,
    ViewFile,
)
from strategic_sites.api.loading import Loaded, Source
from strategic_sites.api.problems import CORS, Refused, bad_parameters, invalid_param, problem, refused_param
from strategic_sites.data.atlas import Atlas, AtlasError
from strategic_sites.outputs import tables
from strategic_sites.outputs.cite import CiteError
from strategic_sites.view import urlstate
from strategic_sites.view.filters import LAYERS, Filters
from strategic_sites.view.links import Links
from strategic_sites.view.urlstate import Known

MAX_AGE = 300  # seconds a cache may keep an answer (the data changes with a deploy, the default date daily)
PAGING = ("limit", "offset")
METHODS = ("GET", "HEAD", "OPTIONS")
LOG = logging.getLogger(__name__)
SOURCE = Source()  # the data folder of the served app: $STRATEGIC_SITES_DATA, else geodata/
BASE_PATH = os.environ.get("STREAMLIT_SERVER_BASE_URL_PATH", "")  # the pages' server.baseUrlPath, for the view's link in a file


@dataclass(frozen=True)
class Asked:
    """What one request asks of one endpoint, read and checked."""

    endpoint: Endpoint | ViewFile
    fmt: str  # "geojson", "json" or "csv"; a file's extension
    filters: Filters
    page: Page
    made_with: str | None  # the data version the request names (data=)
    known: Known
    options: tuple[tuple[str, str], ...] = ()  # a file's own parameters (ViewFile.options), as given

    @property
    def canonical(self) -> dict[str, list[str]]:
        """The view's parameters as a share link writes them, without the map's display (layers, map)."""
        return urlstate.serialise(replace(self.filters, at=None, layers=LAYERS), self.known)


def read_request(endpoint: Endpoint | ViewFile, fmt: str, query: list[tuple[str, str]], known: Known) -> Asked:
    """The request's filters (``urlstate.parse``, the pages' parser) and page; a
    :class:`Refused` 400 naming every parameter that cannot be used."""
    own = [name for name, _ in getattr(endpoint, "options", ())]
    allowed = list(urlstate.PARAMS) + (list(PAGING) if endpoint.paged else []) + own
    params: dict[str, list[str]] = {}
    for name, value in query:
        params.setdefault(name, []).append(value)
    invalid = [
        refused_param(name, ",".join(values), f"not a parameter of this endpoint ({', '.join(allowed)})")
        for name, values in params.items()
        if name not in allowed
    ]
    filters, warnings = urlstate.parse({k: v for k, v in params.items() if k in urlstate.PARAMS}, known)
    invalid += [invalid_param(message) for message in warnings]
    page = Page(0, None if fmt == "csv" else DEFAULT_LIMIT) if endpoint.paged else Page()
    if endpoint.paged:
        page = _page(params, page, invalid)
    options = []
    for name in own:
        values = params.get(name, [])
        if len(values) > 1:
            invalid.append(refused_param(name, ",".join(values), "given more than once"))
        elif values:
            options.append((name, values[0]))
    if invalid:
        raise bad_parameters(invalid)
    return Asked(endpoint, fmt, filters, page, urlstate.data_version(params), known, tuple(options))


def _page(params: dict[str, list[str]], page: Page, invalid: list[dict]) -> Page:
    """``limit`` (1 to 10,000) and ``offset`` (0 up) of a paged endpoint."""
    got = {}
    for name, pattern, low, high in (("limit", r"[0-9]{1,5}", 1, MAX_LIMIT), ("offset", r"[0-9]{1,9}", 0, None)):
        values = params.get(name)
        if not values:
            continue
        value = values[0].strip()
        if len(values) > 1:
            invalid.append(refused_param(name, ",".join(values), "given more than once"))
        elif not re.fullmatch(pattern, value) or int(value) < low or (high is not None and int(value) > high):
            limits = f"from {low} to {high}" if high is not None else f"from {low} up"
            invalid.append(refused_param(name, value, f"not a whole number {limits}"))
        else:
            got[name] = int(value)
    return Page(got.get("offset", page.offset), got.get("limit", page.limit))


def version_code(atlas: Atlas) -> str:
    return atlas.data_version.code if atlas.data_version is not None else atlas.version[:8]


def data_changed(atlas: Atlas, made_with: str | None) -> dict | None:
    """When the request names another data version (``data=``): which, and the changes since
    (``recorded`` false: a version the changelog does not record). None: it names none, or this one."""
    current = version_code(atlas)
    if made_with is None or made_with == current:
        return None
    since = atlas.data_version.since(made_with) if atlas.data_version is not None else None
    if since is None:
        message = (
            f"The request names data version {made_with}, which this atlas's changelog does not record; "
            f"the answer is from the data served now, version {current}."
        )
    else:
        message = (
            f"The request names data version {made_with}; the data has changed since (now {current}): "
            f"{len(since)} change{'s' if len(since) != 1 else ''}. The answer is from the data served now."
        )
    return {
        "requested": made_with,
        "current": current,
        "recorded": since is not None,
        "changes": [asdict(change) for change in since or []],
        "message": message,
    }


def version_headers(loaded: Loaded, changed: dict | None) -> dict[str, str]:
    headers = {"X-Atlas-Data-Version": version_code(loaded.atlas)}
    if changed is not None:
        headers["X-Atlas-Data-Requested"] = changed["requested"]
        headers["X-Atlas-Data-Changes"] = (
            ", ".join(f"{c['version']} {c['day']}" for c in changed["changes"]) or "none" if changed["recorded"] else "unrecorded"
        )
    if loaded.problem is not None:
        headers["X-Atlas-Data-Problem"] = _ascii(loaded.problem.headline() + " Answering from the last data that loaded.")
    return headers


def _ascii(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii").replace("\r", " ").replace("\n", " ")


def etag(atlas: Atlas, asked: Asked) -> str:
    """A strong validator: the data version, the endpoint and format, the canonical parameters,
    the page, the version asked for, and today (the default as-of date and period end)."""
    basis = [
        atlas.version,
        asked.endpoint.name,
        asked.fmt,
        asked.canonical,
        asked.page.offset,
        asked.page.limit,
        asked.made_with,
        asked.known.today.isoformat(),
        list(asked.options),
    ]
    return '"' + hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weakly compared, as RFC 9110 says for it) or is ``*``."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or tag in [t[2:] if t.startswith("W/") else t for t in tags]


def next_url(request: Request, asked: Asked, total: int) -> str | None:
    page = asked.page
    if not page.has_more(total):
        return None
    return str(request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit))


def answer(request: Request, loaded: Loaded, asked: Asked) -> Response:
    """The endpoint's rows for the request, as JSON, GeoJSON or CSV (built in a worker thread)."""
    atlas = loaded.atlas
    shown, view = SOURCE.view(atlas, asked.filters)
    endpoint, page = asked.endpoint, asked.page
    changed = data_changed(atlas, asked.made_with)
    total = endpoint.total(view)
    following = next_url(request, asked, total) if total is not None else None
    headers = {**CORS, **version_headers(loaded, changed), "ETag": etag(atlas, asked), "Cache-Control": f"public, max-age={MAX_AGE}"}
    if following:
        headers["Link"] = f'<{following}>; rel="next"'
    if asked.fmt == "csv":
        name = tables.download_name(endpoint.name, asked.filters, "csv")
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        pieces = endpoint.csv_pieces(shown, view, page)
        if endpoint.paged:
            return StreamingResponse(_logged(pieces), media_type=MEDIA["csv"], headers=headers)
        return Response("".join(pieces), media_type=MEDIA["csv"], headers=headers)
    members = {"data_version": version_code(atlas), "parameters": asked.canonical}
    if changed is not None:
        members["data_changed"] = changed
    if loaded.problem is not None:
        members["data_problem"] = [loaded.problem.headline(), *loaded.problem.items()]
    events = page.rows(view.events) if endpoint.paged else None
    table = endpoint.table(shown, view, events)
    if total is not None:
        members.update({"numberMatched": total, "numberReturned": len(table), "offset": page.offset, "limit": page.limit})
        members["next"] = following
        members["links"] = [{"rel": "next", "href": following, "type": MEDIA[asked.fmt]}] if following else []
    if asked.fmt == "geojson":
        body = json.loads(endpoint.geojson(view, table, events))
        body.update(members)
    else:
        body = {**members, "count": len(table), "rows": json.loads(table.to_json(orient="records", force_ascii=False))}
    return Response(json.dumps(body, ensure_ascii=False), media_type=MEDIA[asked.fmt], headers=headers)


def view_link(request: Request, asked: Asked) -> str:
    """The share link of the asked view on the atlas's map page, as the server that answers
    serves it (the view's parameters, dated and versioned, without the map's display)."""
    filters = replace(asked.filters, at=None, layers=LAYERS)
    return Links.served_at(str(request.base_url), BASE_PATH).view(filters, asked.known)


def answer_file(request: Request, loaded: Loaded, asked: Asked) -> Response:
    """A whole-view file (a GeoPackage, KML, KMZ…) for the request, saved under the name the
    page's download of it has."""
    atlas = loaded.atlas
    shown, view = SOURCE.view(atlas, asked.filters)
    file: ViewFile = asked.endpoint
    changed = data_changed(atlas, asked.made_with)
    try:
        body = file.build(shown, view, view_link(request, asked), dict(asked.options))
    except CiteError as exc:  # a scope that names no site or fact: the request's fault
        name = file.options[0][0] if file.options else "scope"
        raise bad_parameters([refused_param(name, dict(asked.options).get(name, ""), str(exc).rstrip("."))]) from exc
    headers = {
        **CORS,
        **version_headers(loaded, changed),
        "ETag": etag(atlas, asked),
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Content-Disposition": f'attachment; filename="{file.file_name(asked.filters)}"',
    }
    return Response(body, media_type=file.media, headers=headers)


def _logged(pieces):
    """A streamed CSV's pieces; an error half-way is logged (the status line has gone)."""
    try:
        yield from pieces
    except Exception:  # noqa: BLE001 - the client sees a cut file; the log says why
        LOG.exception("Strategic Sites Atlas API: a streamed CSV failed")
        raise


def index(request: Request, loaded: Loaded | None) -> Response:
    """``/api/v1/``: every endpoint, the OpenAPI document, and the data version."""
    base = str(request.base_url).rstrip("/") + PREFIX + "/"
    body = {
        "title": "Strategic Sites Atlas data API",
        "openapi": base + "openapi.json",
        "parameters": "those of the atlas's share links: " + ", ".join(urlstate.PARAMS) + "; events also take limit and offset",
        "endpoints": [
            {"name": e.name, "summary": e.summary, "json": base + e.paths[0], "csv": base + e.paths[1]} for e in ENDPOINTS
        ],
        "files": [{"name": f.path, "summary": f.summary, "type": f.media, "href": base + f.path} for f in FILES],
    }
    headers = dict(CORS)
    if loaded is not None:
        body["data_version"] = version_code(loaded.atlas)
        headers.update(version_headers(loaded, None))
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=headers)


def preflight(request: Request) -> Response:
    """CORS preflight: any origin may GET (and HEAD), with any request header it asks for."""
    asked = request.headers.get("access-control-request-headers", "")
    return Response(
        status_code=204,
        headers={
            **CORS,
            "Access-Control-Allow-Methods": ", ".join(METHODS),
            "Access-Control-Allow-Headers": asked or "If-None-Match",
            "Access-Control-Max-Age": "86400",
            "Allow": ", ".join(METHODS),
        },
    )


def load() -> Loaded:
    """The loaded atlas, or a 503 problem naming why the data folder never loaded (the OGC API's too)."""
    try:
        return SOURCE.get()
    except AtlasError as exc:
        raise Refused(
            503,
            exc.headline() + " " + " ".join(exc.items()),
            headers={"Retry-After": "60"},
            extra={"problems": exc.items()},
        ) from exc


async def _handle(request: Request) -> Response:
    path = request.path_params.get("path", "")
    if request.method == "OPTIONS":
        return preflight(request)
    if request.method not in METHODS:
        raise Refused(405, f"{request.method} is not a method of this API: it answers {', '.join(METHODS)}.", headers={"Allow": ", ".join(METHODS)})
    if path == "":
        try:
            loaded = await run_in_threadpool(load)
        except Refused:
            loaded = None
        return index(request, loaded)
    if path == "openapi.json":
        loaded = await run_in_threadpool(load)
        document = await run_in_threadpool(openapi.document, loaded.atlas)
        return Response(json.dumps(document, ensure_ascii=False), media_type="application/json", headers={**CORS, "Cache-Control": f"public, max-age={MAX_AGE}"})
    found = BY_PATH.get(path)
    if found is None and path in FILE_BY_PATH:
        found = FILE_BY_PATH[path], FILE_BY_PATH[path].ext
    if found is None:
        listed = ", ".join([*(p for e in ENDPOINTS for p in e.paths), *(f.path for f in FILES)])
        raise Refused(404, f"No endpoint {PREFIX}/{path[:100]}; the endpoints are {listed} and openapi.json, under {PREFIX}/.")
    endpoint, fmt = found
    loaded = await run_in_threadpool(load)
    asked = read_request(endpoint, fmt, request.query_params.multi_items(), Known.of(loaded.atlas))
    tag = etag(loaded.atlas, asked)
    if not_modified(request, tag):
        changed = data_changed(loaded.atlas, asked.made_with)
        return Response(status_code=304, headers={**CORS, **version_headers(loaded, changed), "ETag": tag, "Cache-Control": f"public, max-age={MAX_AGE}"})
    if isinstance(endpoint, ViewFile):
        return await run_in_threadpool(answer_file, request, loaded, asked)
    return await run_in_threadpool(answer, request, loaded, asked)


async def api(request: Request) -> Response:
    """Every request under ``/api/v1``: an answer or a problem, never a traceback."""
    try:
        return await _handle(request)
    except Refused as refused:
        return refused.response()
    except Exception:  # noqa: BLE001 - a bug: logged, and the client told so in the API's own form
        LOG.exception("Strategic Sites Atlas API: %s %s failed", request.method, request.url.path)
        return problem(500, "The atlas failed to answer this request; the error is logged on the server.")


ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
routes = [
    Route(PREFIX, api, methods=ALL_METHODS, name="api-root"),
    Route(PREFIX + "/{path:path}", api, methods=ALL_METHODS, name="api"),
]
