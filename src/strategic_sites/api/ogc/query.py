"""A request to the OGC API, read and checked: its format, ``bbox``, ``datetime``, ``limit`` and
``offset``, and a share link's parameters (``view.urlstate.parse``, the pages' parser), so that
``/ogc/collections/sites/items?country=KGZ&asof=2013-06-01`` is the view that link opens.

Every parameter that cannot be used is named in one 400 (:func:`..problems.bad_parameters`), in
the words of the page's link warnings: ``Ignored bbox=1,2,3: not 4 numbers …``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from strategic_sites.api.ogc.collections import CRS84
from strategic_sites.api.problems import bad_parameters, invalid_param, refused_param
from strategic_sites.view import urlstate
from strategic_sites.view.filters import FIRST_YEAR, LAYERS, Filters
from strategic_sites.view.urlstate import Known, read_day

DEFAULT_LIMIT = 100  # features an items page holds when the request names no limit
MAX_LIMIT = 10_000  # the most one page may hold (limit=)
FORMATS = ("json", "html")
OWN = ("f", "bbox", "datetime", "limit", "offset", "crs", "bbox-crs")  # the OGC parameters of /items, beside a share link's
# crs and bbox-crs (Part 2, which GDAL sends when a collection lists its CRS): CRS84 alone, as a URI or a safe CURIE.
CRS84_NAMES = (CRS84, "[OGC:CRS84]", "OGC:CRS84")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?")
OPEN = ("", "..")


@dataclass(frozen=True)
class Query:
    """What one request asks: its filters (a share link's), and for a list of items the box, the
    period of the events, and the page."""

    fmt: str  # "json" or "html"
    filters: Filters
    known: Known
    bbox: tuple[float, float, float, float] | None = None
    period: tuple[date | None, date | None] | None = None  # events: the days asked for, both ends inclusive
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    made_with: str | None = None  # data=

    @property
    def canonical(self) -> dict[str, list[str]]:
        """The share link's parameters as a link writes them (the map's display left out)."""
        return urlstate.serialise(replace(self.filters, at=None, layers=LAYERS), self.known)


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _one(params: dict[str, list[str]], name: str, invalid: list[dict]) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        invalid.append(refused_param(name, ",".join(values), "given more than once"))
        return None
    return values[0].strip()


def negotiate(params: dict[str, list[str]], accept: str, invalid: list[dict]) -> str:
    """``f=json`` or ``f=html``; without ``f``, HTML when the ``Accept`` header puts text/html
    above JSON (a browser), else JSON (GDAL, OWSLib, curl)."""
    asked = _one(params, "f", invalid)
    if asked is not None:
        value = asked.lower()
        if value in ("json", "geojson", "application/json", "application/geo+json"):
            return "json"
        if value in ("html", "text/html"):
            return "html"
        invalid.append(refused_param("f", asked, f"not a format of this API ({', '.join(FORMATS)})"))
        return "json"
    return "html" if _quality(accept, "text/html") > max(_quality(accept, "application/json"), _quality(accept, "application/geo+json")) else "json"


def _quality(accept: str, media: str) -> float:
    """How much ``Accept`` wants ``media`` (0 to 1): its own entry, else its type's ``x/*``, else ``*/*``."""
    kind = media.split("/")[0] + "/*"
    best: dict[str, float] = {}
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        name, q = pieces[0].lower(), 1.0
        for piece in pieces[1:]:
            if piece.lower().startswith("q="):
                try:
                    q = float(piece[2:])
                except ValueError:
                    q = 0.0
        if name:
            best[name] = max(q, best.get(name, 0.0)) if math.isfinite(q) else 0.0
    for name in (media, kind, "*/*"):
        if name in best:
            return best[name]
    return 0.0


def read_bbox(value: str) -> tuple[tuple[float, float, float, float] | None, str]:
    """``minlon,minlat,maxlon,maxlat`` in CRS84 degrees (6 numbers: the heights are ignored); a box
    whose west edge is east of its east edge crosses the antimeridian. None and why, else."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (4, 6) or not all(_NUMBER.fullmatch(p) for p in parts):
        return None, "not 4 numbers (minimum longitude, minimum latitude, maximum longitude, maximum latitude), or 6 with heights"
    numbers = [float(p) for p in parts]
    west, south, east, north = numbers if len(numbers) == 4 else (numbers[0], numbers[1], numbers[3], numbers[4])
    if not all(math.isfinite(v) for v in numbers):
        return None, "not finite numbers"
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        return None, "not in degrees of longitude (-180 to 180) and latitude (-90 to 90)"
    if south > north:
        return None, "its minimum latitude is north of its maximum latitude"
    return (west, south, east, north), ""


def _moment(value: str) -> date | None:
    """The UTC day of an RFC 3339 date (2013-06-01) or date-time (2013-06-01T12:00:00Z); None when it is neither."""
    try:
        if _DAY.fullmatch(value):
            return date.fromisoformat(value)
        if _STAMP.fullmatch(value):
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc).date()
    except (ValueError, OverflowError):
        return None
    return None


def read_period(value: str) -> tuple[tuple[date | None, date | None] | None, str]:
    """An instant (one day) or an interval ``a/b``, ``../b``, ``a/..`` of RFC 3339 dates or date-times."""
    shape = "not an RFC 3339 date or date-time (2013-06-01, 2013-06-01T12:00:00Z) or an interval of them (2013-01-01/2015-12-31, ../2015-12-31, 2013-01-01/..)"
    if "/" not in value:
        day = _moment(value)
        return ((day, day), "") if day is not None else (None, shape)
    ends = value.split("/")
    if len(ends) != 2 or all(e.strip() in OPEN for e in ends):
        return None, shape
    days = [None if e.strip() in OPEN else _moment(e.strip()) for e in ends]
    if any(day is None and e.strip() not in OPEN for day, e in zip(days, ends)):
        return None, shape
    if days[0] is not None and days[1] is not None and days[0] > days[1]:
        return None, "an interval that ends before it starts"
    return (days[0], days[1]), ""


def read(
    pairs: list[tuple[str, str]],
    accept: str,
    known: Known,
    *,
    items: bool = False,
    instant: bool = True,
    share_link: bool = True,
) -> Query:
    """The request's query; a :class:`..problems.Refused` 400 naming every parameter it cannot use.

    ``items``: a list of items (``bbox``, ``limit``, ``offset`` taken); ``instant``: ``datetime``
    is the as-of date (sites, lease areas) rather than the events' interval; ``share_link``: the
    share link's parameters are taken too (items, and one item)."""
    params = _params(pairs)
    invalid: list[dict] = []
    allowed = ["f"]
    if share_link:
        allowed += [*urlstate.PARAMS, "datetime", "crs"]
    if items:
        allowed += ["bbox", "bbox-crs", "limit", "offset"]
    invalid += [
        refused_param(name, ",".join(values), f"not a parameter of this path ({', '.join(allowed)})")
        for name, values in params.items()
        if name not in allowed
    ]
    fmt = negotiate(params, accept, invalid)
    filters, warnings = urlstate.parse({k: v for k, v in params.items() if k in urlstate.PARAMS}, known) if share_link else (known.defaults(), [])
    invalid += [invalid_param(message) for message in warnings]
    query = Query(fmt, filters, known, made_with=urlstate.data_version(params) if share_link else None)
    if not share_link:
        _raise(invalid)
        return query
    for name in ("crs", "bbox-crs"):
        value = _one(params, name, invalid)
        if value is not None and value not in CRS84_NAMES:
            invalid.append(refused_param(name, value, f"not a coordinate reference system of this API (only {CRS84}, longitude and latitude in WGS 84)"))
    value = _one(params, "datetime", invalid)
    if value is not None:
        period, why = read_period(value)
        if period is None:
            invalid.append(refused_param("datetime", value, why))
        elif instant:
            query = _as_of(query, params, value, period, invalid)
        else:
            query = _events_period(query, params, period)
    if items:
        query = _page(query, params, invalid)
        value = _one(params, "bbox", invalid)
        if value is not None:
            box, why = read_bbox(value)
            if box is None:
                invalid.append(refused_param("bbox", value, why))
            query = replace(query, bbox=box)
    _raise(invalid)
    return query


def _raise(invalid: list[dict]) -> None:
    if invalid:
        raise bad_parameters(invalid)


def _as_of(query: Query, params: dict, value: str, period: tuple, invalid: list[dict]) -> Query:
    """``datetime`` of the sites and the lease areas: the as-of date."""
    if period[0] != period[1] or "/" in value:
        invalid.append(refused_param("datetime", value, "an interval; this collection takes one instant, the as-of date (like 2013-06-01)"))
        return query
    if params.get("asof"):
        invalid.append(refused_param("datetime", value, "given with asof, which it replaces; give one of them"))
        return query
    day, why = read_day(period[0].isoformat(), query.known.today)
    if day is None:
        invalid.append(refused_param("datetime", value, why))
        return query
    filters = query.filters
    if filters.vs == day:  # the pages never compare a date with itself
        filters = replace(filters, vs=None)
    return replace(query, filters=replace(filters, asof=day))


def _events_period(query: Query, params: dict, period: tuple) -> Query:
    """``datetime`` of the events: the days asked for; without ``from`` and ``to`` the event
    period spans every year, so that the interval alone decides."""
    filters = query.filters
    if not params.get("from") and not params.get("to"):
        filters = replace(filters, year_from=min(FIRST_YEAR, query.known.first_year), year_to=query.known.today.year)
    return replace(query, filters=filters, period=period)


def _page(query: Query, params: dict, invalid: list[dict]) -> Query:
    """``limit`` (1 to :data:`MAX_LIMIT`) and ``offset`` (0 up)."""
    got = {}
    for name, pattern, low, high in (("limit", r"[0-9]{1,9}", 1, MAX_LIMIT), ("offset", r"[0-9]{1,9}", 0, None)):
        value = _one(params, name, invalid)
        if value is None:
            continue
        if not re.fullmatch(pattern, value) or int(value) < low or (high is not None and int(value) > high):
            limits = f"from {low} to {high}" if high is not None else f"from {low} up"
            invalid.append(refused_param(name, value, f"not a whole number {limits}"))
        else:
            got[name] = int(value)
    return replace(query, limit=got.get("limit", query.limit), offset=got.get("offset", query.offset))
