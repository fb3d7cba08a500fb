"""The OGC API's HTML pages: what a browser gets at every path (or any client with ``f=html``).

Plain, valid HTML5 in English: a heading per page and per part, tables with captions and header
cells, a link to the same answer as JSON, and every text from the data escaped
(:func:`html.escape`). No script and no inline style: the one stylesheet is :data:`STYLE`, served
at ``/ogc/style.css``, so the pages keep working under a Content-Security-Policy without
``'unsafe-inline'``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit

VERSION = "2"  # of the pages' markup: part of every ETag, so a changed page is never answered 304

# Dark text on white (16:1), links #1a4f8b (8.6:1), visible focus; no colour carries meaning alone.
STYLE = """\
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 1px solid #767676; }
nav ol { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: .5rem 0; margin: 0; }
nav li + li::before { content: "/"; margin-right: .5rem; color: #595959; }
a { color: #1a4f8b; text-decoration: underline; }
a:focus-visible { outline: 3px solid #1a4f8b; outline-offset: 2px; }
h1 { font-size: 1.75rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
.scroll { overflow-x: auto; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #767676; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
tbody th { background: #f7f7f7; font-weight: 600; }
code { font-size: .95em; }
.formats { margin: .5rem 0; }
footer { border-top: 1px solid #767676; margin-top: 2rem; padding: .5rem 1rem; color: #444; }
"""


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _safe_href(url: str) -> str | None:
    """A link from the data, when it is http(s) (anything else is shown as text)."""
    return url if isinstance(url, str) and urlsplit(url).scheme in ("http", "https") else None


def _cell(value) -> str:
    href = _safe_href(value) if isinstance(value, str) else None
    if href:
        return f'<a href="{_e(href)}">{_e(value)}</a>'
    if isinstance(value, float) and value.is_integer():
        return _e(f"{value:,.0f}") if abs(value) >= 1000 else _e(f"{value:g}")
    return _e(value)


def _as(url: str, fmt: str) -> str:
    """The same address with ``f=<fmt>`` in place of any ``f``."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "f"] + [("f", fmt)]
    return parts._replace(query=urlencode(pairs)).geturl()


def page(title: str, base, crumbs: list[tuple[str, str | None]], body: str, json_url: str, json_label: str = "JSON") -> str:
    """A whole page: the breadcrumb trail, the heading, the body, and the link to its JSON."""
    trail = "".join(
        f'<li><a href="{_e(href)}">{_e(label)}</a></li>' if href else f'<li><span aria-current="page">{_e(label)}</span></li>'
        for label, href in crumbs
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} – Strategic Sites Atlas OGC API</title>\n"
        f'<link rel="stylesheet" href="{_e(base.url("/style.css"))}">\n'
        f'<link rel="alternate" type="application/json" href="{_e(json_url)}">\n'
        "</head>\n<body>\n"
        f'<header><nav aria-label="Breadcrumb"><ol>{trail}</ol></nav></header>\n'
        f"<main>\n<h1>{_e(title)}</h1>\n"
        f'<p class="formats">This page as <a href="{_e(json_url)}">{_e(json_label)}</a>.</p>\n'
        f"{body}\n</main>\n"
        '<footer><p>Strategic Sites Atlas: OGC API – Features (Part 1, Core). '
        "Coordinates are longitude, latitude in WGS 84 (CRS84).</p></footer>\n"
        "</body>\n</html>\n"
    )


def _table(caption: str, head: list[str], rows: list[list[str]], row_headers: bool = False) -> str:
    """A table of ready-made cells (already escaped); with ``row_headers`` the first cell of each row heads it."""
    thead = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    body = ""
    for cells in rows:
        first, rest = (f'<th scope="row">{cells[0]}</th>', cells[1:]) if row_headers else ("", cells)
        body += "<tr>" + first + "".join(f"<td>{c}</td>" for c in rest) + "</tr>\n"
    return f'<div class="scroll"><table>\n<caption>{_e(caption)}</caption>\n<thead><tr>{thead}</tr></thead>\n<tbody>\n{body}</tbody>\n</table></div>'


def _home(base) -> tuple[str, str]:
    return ("OGC API", base.url(""))


def landing(body: dict, base) -> str:
    rows = [[f'<a href="{_e(link["href"])}">{_e(link["title"])}</a>', _e(link["rel"]), _e(link["type"])] for link in body["links"]]
    text = f"<p>{_e(body['description'])}</p>\n" + _table("What this API offers", ["Link", "Relation", "Media type"], rows)
    return page(body["title"], base, [("OGC API", None)], text, base.url("", f="json"))


def conformance(body: dict, base) -> str:
    rows = [[f"<code>{_e(uri)}</code>"] for uri in body["conformsTo"]]
    return page("Conformance", base, [_home(base), ("Conformance", None)], _table("The conformance classes this API implements", ["Class"], rows), base.url("/conformance", f="json"))


def _extent(extent: dict) -> str:
    west, south, east, north = extent["spatial"]["bbox"][0]
    start, end = extent["temporal"]["interval"][0]
    return f"{west}, {south} to {east}, {north}", f"{(start or '..')[:10]} to {(end or 'ongoing')[:10]}"


def collections(body: dict, base, problem: list[str]) -> str:
    rows = []
    for c in body["collections"]:
        where, when = _extent(c["extent"])
        items = base.url(f"/collections/{c['id']}/items", f="html")
        rows.append(
            [
                f'<a href="{_e(base.url("/collections/" + c["id"], f="html"))}">{_e(c["title"])}</a>',
                _e(c["description"]),
                _e(where),
                _e(when),
                f'<a href="{_e(items)}">Items of {_e(c["title"])}</a>',
            ]
        )
    text = _problem(problem) + _table("The collections", ["Collection", "Description", "Extent (lon, lat)", "Dates", "Features"], rows, row_headers=True)
    return page("Collections", base, [_home(base), ("Collections", None)], text, base.url("/collections", f="json"))


def collection(body: dict, spec, base) -> str:
    where, when = _extent(body["extent"])
    rows = [
        ["Id", f"<code>{_e(body['id'])}</code>"],
        ["Description", _e(body["description"])],
        ["Geometry", _e(spec.geometry)],
        ["Extent (longitude, latitude)", _e(where)],
        ["Dates", _e(when)],
        ["Coordinate reference system", f"<code>{_e(body['crs'][0])}</code>"],
        ["datetime", _e(spec.datetime_help)],
    ]
    items_html = base.url(f"/collections/{spec.id}/items", f="html")
    items_json = base.url(f"/collections/{spec.id}/items", f="json")
    text = _table(f"About {spec.title}", ["Property", "Value"], [[_e(a), b] for a, b in rows], row_headers=True)
    text += f'<p>Its features: <a href="{_e(items_html)}">as a table</a>, or <a href="{_e(items_json)}">as GeoJSON</a>.</p>'
    crumbs = [_home(base), ("Collections", base.url("/collections", f="html")), (spec.title, None)]
    return page(spec.title, base, crumbs, text, base.url(f"/collections/{spec.id}", f="json"))


def _problem(problem: list[str]) -> str:
    if not problem:
        return ""
    return "<h2>The data folder has a problem</h2>\n<p>Answering from the last data that loaded.</p>\n<ul>" + "".join(f"<li>{_e(p)}</li>" for p in problem) + "</ul>\n"


def items(body: dict, spec, query, base, problem: list[str]) -> str:
    link = {ln["rel"]: ln["href"] for ln in body["links"]}
    rows = []
    for feature in body["features"]:
        href = base.url(f"/collections/{spec.id}/items/{feature['id']}", f="html")
        props = feature["properties"]
        rows.append([f'<a href="{_e(href)}">{_e(feature["id"])}</a>', *(_cell(props.get(name)) for name in spec.listed)])
    first = query.offset + 1 if body["numberReturned"] else 0
    shown = f"{first:,}–{query.offset + body['numberReturned']:,} of {body['numberMatched']:,}"
    if spec.instant or query.period is None:
        when = f"as of {query.filters.asof.isoformat()}"
    else:
        start, end = query.period
        when = f"dated {start.isoformat() if start else 'any time'} to {end.isoformat() if end else 'now'}"
    text = _problem(problem) + f"<p>Features {_e(shown)} matching this request ({_e(when)}).</p>\n"
    pages = []
    if "prev" in link:
        pages.append(f'<a href="{_e(_as(link["prev"], "html"))}" rel="prev">Previous page</a>')
    if "next" in link:
        pages.append(f'<a href="{_e(_as(link["next"], "html"))}" rel="next">Next page</a>')

    def nav(where: str) -> str:  # one landmark above the table and one below, each named apart
        return f'<nav aria-label="Pages, {where} the table"><p>{" · ".join(pages)}</p></nav>\n' if pages else ""

    text += nav("above") + _table(f"{spec.title}: features {shown}", ["Id", *(n.replace("_", " ") for n in spec.listed)], rows, row_headers=True) + nav("below")
    crumbs = [_home(base), ("Collections", base.url("/collections", f="html")), (spec.title, base.url(f"/collections/{spec.id}", f="html")), ("Items", None)]
    return page(f"{spec.title}: features", base, crumbs, text, _as(link["self"], "json"), "GeoJSON")


def _where(geometry: dict) -> str:
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"Point at longitude {lon}, latitude {lat}"
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [r for p in geometry["coordinates"] for r in p]
    points = [pt for ring in rings for pt in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return f"{geometry['type']} of {len(points):,} points, from longitude {min(lons)} to {max(lons)}, latitude {min(lats)} to {max(lats)}"


def item(body: dict, spec, query, base) -> str:
    props = body["properties"]
    title = str(props.get("name") or props.get("title") or props.get("site") or body["id"])
    rows = [[_e(name.replace("_", " ")), _cell(value)] for name, value in props.items()]
    rows.append([_e("geometry"), _e(_where(body["geometry"]))])
    text = _table(f"{title}: properties (as of {query.filters.asof.isoformat()})", ["Property", "Value"], rows, row_headers=True)
    crumbs = [
        _home(base),
        ("Collections", base.url("/collections", f="html")),
        (spec.title, base.url(f"/collections/{spec.id}", f="html")),
        ("Items", base.url(f"/collections/{spec.id}/items", f="html")),
        (str(body["id"]), None),
    ]
    return page(title, base, crumbs, text, _as(next(ln["href"] for ln in body["links"] if ln["rel"] == "self"), "json"), "GeoJSON")


def api(document: dict, base) -> str:
    """The API's documentation: every path and its parameters, from the OpenAPI document."""
    parts = [f"<p>{_e(document['info']['description'])}</p>"]
    parameters = document["components"]["parameters"]
    for path, operations in document["paths"].items():
        operation = operations["get"]
        rows = []
        for ref in operation.get("parameters", []):
            p = parameters[ref["$ref"].rsplit("/", 1)[1]] if "$ref" in ref else ref
            rows.append([f"<code>{_e(p['name'])}</code>", _e(p["in"]), _e(p.get("description", ""))])
        parts.append(f"<h2><code>{_e(path)}</code></h2>\n<p>{_e(operation.get('summary', ''))}</p>")
        if rows:
            parts.append(_table(f"Parameters of {path}", ["Name", "In", "Meaning"], rows, row_headers=True))
    crumbs = [_home(base), ("API documentation", None)]
    return page("API documentation", base, crumbs, "\n".join(parts), base.url("/api", f="json"), "OpenAPI 3.0 JSON")
