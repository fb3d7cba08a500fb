"""The URL is the state: parse a query string into :class:`Filters` and write one back.

The parameter names are a public interface and never change:

==========  ==========================================================  ==================
parameter   meaning                                                     example
==========  ==========================================================  ==================
country     ISO3 host countries (repeat or comma-separate)              country=KAZ,KGZ
kind        site kinds                                                  kind=air_base
status      control statuses on the as-of date                          status=russian_lease
operator    who ran the site on the as-of date (grouped)                operator=roscosmos
conf        facts of these confidence grades only                       conf=confirmed,reported
asof        the as-of date (ISO)                                        asof=2013-06-01
vs          compare the as-of date with this date (ISO)                 vs=2024-01-01
from, to    first and last year of the event period                     from=2013&to=2015
q           search text                                                 q=Proton
site        the selected site's id                                      site=baikonur
layers      visible map layers (core/layerset.py: status, labels…)      layers=status,events
lang        names in English (en, the default) or Russian (ru)          lang=ru
map         the map's centre and zoom, when the user moved it (lat,lon,zoom) map=43.1,74.5,7
data        the data version the link was made with (share links)     data=7d4b3242
==========  ==========================================================  ==================

Parameters at their default values are left out: ``map`` only when the user moved the map from
the view fitted to the sites (it opens the link's map at that centre and zoom). Bad input never raises: each bad
parameter yields one warning naming it and the value ignored, and falls back to its
default alone.

An embedded page (``embed=true``) also reads ``h``, the map's height in pixels, a whole number
from 300 to 1200 (default 480; :func:`embed_height`). It is the snippet's, not part of a view:
share links leave it out. Any other value, one outside that range included, is ignored with a
warning, as a bad view parameter is.

While a browser tab holds the user's own points (uploaded from a file; they live in that tab's
session on the server only), the address bar also carries ``points``, how many there are
(``points=120``; :func:`points_held`). It is not part of a view either: share links leave it
out. A session that opens an address with ``points`` but holds no points (the server restarted
under the tab, or the address was copied elsewhere) says that the points are not there and how
to bring them back, rather than showing the map without them in silence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from strategic_sites.data.changelog import is_code
from strategic_sites.view.filters import CHOICES, FIRST_YEAR, LAYERS, Filters, compares
from strategic_sites.view.language import LANGUAGES

# Every parameter of a view, in the order links write them: the filters' (their registry,
# filters.CHOICES), then the dates, the period, the search, the selection and the display.
PARAMS = tuple(choice.param for choice in CHOICES) + ("asof", "vs", "from", "to", "q", "site", "layers", "lang", "map", "data")
MAP_ZOOMS = (2.0, 18.0)  # the zooms map= may name (the map's own limits)
MAX_VALUE_LENGTH = 200
MAX_QUERY_LENGTH = 100
MAX_VALUES = 50
EMBED_HEIGHT = 480  # the map's height in an embed, px, unless the link's h= says otherwise
EMBED_HEIGHTS = (300, 1200)  # the heights h= may ask for, px


@dataclass(frozen=True)
class Known:
    """What a URL may name: the atlas's countries and sites, and the range of dates."""

    countries: frozenset[str]
    sites: frozenset[str]
    first_year: int
    today: date
    version: str = ""  # the data's version (strategic_sites.data.changelog), which share links carry

    @classmethod
    def of(cls, atlas, today: date | None = None) -> Known:
        today = today or date.today()
        countries, sites, first_event = atlas.named
        first = min(FIRST_YEAR, first_event) if first_event is not None else FIRST_YEAR
        version = atlas.data_version.code if atlas.data_version is not None else ""
        return cls(countries, sites, first, today, version)

    def defaults(self) -> Filters:
        return Filters(asof=self.today, year_from=FIRST_YEAR, year_to=self.today.year)


def quoted(value: str) -> str:
    """A value as a warning quotes it: one line, at most 40 characters."""
    value = re.sub(r"[\x00-\x1f\x7f]+", " ", value)
    return value if len(value) <= 40 else value[:37] + "…"


def _values(raw: Sequence[str]) -> list[str]:
    """Split repeated and comma-separated values; drop blanks."""
    return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]


class _Reader:
    """The query parameters of one link, read one at a time; each one ignored leaves a warning.
    ``known`` is what the link may name of the atlas (none for ``h``, which names nothing)."""

    def __init__(self, params: Mapping[str, Sequence[str] | str], known: Known | None = None):
        self.params = {k: ([v] if isinstance(v, str) else list(v)) for k, v in params.items()}
        self.known = known
        self.warnings: list[str] = []
        for name, raw in self.params.items():
            long = next((v for v in raw if len(v) > MAX_VALUE_LENGTH), None) if name in PARAMS else None
            if long is not None:
                self.warn(name, long, f"longer than {MAX_VALUE_LENGTH} characters")
                self.params[name] = []

    def warn(self, name: str, value: str, why: str) -> None:
        self.warnings.append(f"Ignored {name}={quoted(value)}: {why}.")

    def many(self, name: str, allowed, normalise=lambda v: v, label: str = "value") -> tuple[str, ...] | None:
        """The known values of a list parameter (None: absent, or too many values)."""
        raw = self.params.get(name)
        if not raw:
            return None
        values = _values(raw)
        if len(values) > MAX_VALUES:
            self.warn(name, ",".join(values), f"more than {MAX_VALUES} values")
            return None
        good: list[str] = []
        for value in values:
            value_n = normalise(value)
            if value_n not in allowed:
                self.warn(name, value, f"not a known {label}")
            elif value_n not in good:
                good.append(value_n)
        return tuple(good)

    def single(self, name: str) -> str | None:
        """A parameter given once (None: absent, or given twice)."""
        raw = self.params.get(name)
        if not raw:
            return None
        if len(raw) > 1:
            self.warn(name, ",".join(raw), "given more than once")
            return None
        return raw[0].strip()


def _choices(r: _Reader) -> dict:
    """Every registered filter's chosen values, and the layers, in their canonical order."""
    changes: dict = {}
    for choice in CHOICES:
        chosen = r.many(choice.param, set(choice.values(r.known)), choice.normalise, choice.noun)
        if chosen:
            changes[choice.field] = choice.ordered(chosen, r.known)
    if r.params.get("layers") and not _values(r.params["layers"]):
        changes["layers"] = ()  # `layers=`: every layer switched off
    else:
        layers = r.many("layers", LAYERS, str.lower, f"map layer ({', '.join(LAYERS)})")
        if layers:
            changes["layers"] = tuple(layer for layer in LAYERS if layer in layers)
    return changes


def _day(r: _Reader, name: str) -> date | None:
    """A date parameter from FIRST_YEAR to today (None: absent or ignored)."""
    value = r.single(name)
    if value is None:
        return None
    day, why = read_day(value, r.known.today)
    if day is None:
        r.warn(name, value, why)
    return day


def read_day(value: str, today: date) -> tuple[date | None, str]:
    """A day written as ``2013-06-01`` (a link's, or typed in a date field), from
    FIRST_YEAR-01-01 to ``today``; or None and why not."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None, "not a date like 2013-06-01"
    if not date(FIRST_YEAR, 1, 1) <= day <= today:
        return None, f"outside {FIRST_YEAR}-01-01 to today"
    return day, ""


def _dates(r: _Reader) -> dict:
    """The as-of date, and the date it is compared with (never the same date)."""
    changes: dict = {}
    asof, vs = _day(r, "asof"), _day(r, "vs")
    if asof is not None:
        changes["asof"] = asof
    if vs is not None:
        if not compares(Filters(asof=changes.get("asof", r.known.today), vs=vs)):
            r.warn("vs", vs.isoformat(), "the same date as asof; nothing to compare")
        else:
            changes["vs"] = vs
    return changes


def _period(r: _Reader, defaults: Filters) -> dict:
    """The event period, ``from`` and ``to`` (whole years); one that ends before it starts is ignored."""
    known = r.known
    years: dict[str, int] = {}
    for name in ("from", "to"):
        value = r.single(name)
        if value is None:
            continue
        if not re.fullmatch(r"[0-9]{4}", value) or not known.first_year <= int(value) <= known.today.year:
            r.warn(name, value, f"not a year from {known.first_year} to {known.today.year}")
        else:
            years[name] = int(value)
    year_from = years.get("from", defaults.year_from)
    year_to = years.get("to", defaults.year_to)
    if year_from <= year_to:
        return {"year_from": year_from, "year_to": year_to}
    # Name the parameter the link gave (both given: the first).
    if "from" in years:
        r.warn("from", f"{year_from}", f"after to={year_to}; using the whole period")
    else:
        r.warn("to", f"{year_to}", f"before the period's default start, {year_from}; using the whole period")
    return {}


def _texts(r: _Reader) -> dict:
    """The search text, the selected site and the language of names."""
    changes: dict = {}
    q = r.single("q")
    if q is not None:
        if len(q) > MAX_QUERY_LENGTH:
            r.warn("q", q, f"longer than {MAX_QUERY_LENGTH} characters")
        else:
            changes["q"] = q
    site = r.single("site")
    if site is not None:
        if site in r.known.sites:
            changes["site"] = site
        else:
            r.warn("site", site, "no site has this id")
    lang = r.single("lang")
    if lang is not None:
        if lang.lower() in LANGUAGES:
            changes["lang"] = lang.lower()
        else:
            r.warn("lang", lang, f"not a language of the atlas ({', '.join(LANGUAGES)})")
    data = r.single("data")
    if data is not None and not is_code(data):
        r.warn("data", data, "not a data version like 7d4b3242")
    return changes


_NUMBER = r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,8})?"


def _map_frame(r: _Reader) -> dict:
    """Where the map is: ``map=lat,lon,zoom`` (latitude -85 to 85, longitude -180 to 180,
    zoom 2 to 18, decimals with a point)."""
    value = r.single("map")
    if value is None:
        return {}
    at, why = read_map(value)
    if at is None:
        r.warn("map", value, why)
        return {}
    return {"at": at}


def read_map(value: str) -> tuple[tuple[float, float, float] | None, str]:
    """A frame from ``lat,lon,zoom`` (a link's ``map=``, or the map's own report), or None and why not."""
    parts = value.split(",")
    low, high = MAP_ZOOMS
    if len(parts) != 3 or not all(re.fullmatch(_NUMBER, p.strip()) for p in parts):
        return None, "not a centre and zoom like 43.1,74.5,7"
    lat, lon, zoom = (float(p) for p in parts)
    if not (-85 <= lat <= 85 and -180 <= lon <= 180 and low <= zoom <= high):
        return None, f"not a place on the map (latitude -85 to 85, longitude -180 to 180) at a zoom from {low:g} to {high:g}"
    return map_frame(lat, lon, round(zoom * 2) / 2), ""  # the map's zoom steps are halves


def map_frame(lat: float, lon: float, zoom: float) -> tuple[float, float, float]:
    """A map's centre and zoom as links keep them: 4 decimals of a degree (about 10 m), 2 of a zoom."""
    return (round(float(lat), 4), round(float(lon), 4), round(float(zoom), 2))


def map_value(at: tuple[float, float, float]) -> str:
    """``43.1,74.5,7``: a frame as ``map=`` writes it."""
    return ",".join(f"{round(v, d):.{d}f}".rstrip("0").rstrip(".") for v, d in zip(at, (4, 4, 2)))


def embed_height(params: Mapping[str, Sequence[str] | str]) -> tuple[int, list[str]]:
    """The map's height an embedded page's ``h=`` asks for, in pixels (:data:`EMBED_HEIGHT` when
    it names none), and the warning when it cannot be used: only a whole number written in at
    most four ASCII digits, from 300 to 1200, is a height (``h=0480`` is 480; ``h=²``, ``h=-5``
    and ``h=2000`` are ignored)."""
    low, high = EMBED_HEIGHTS
    value, warnings = _whole_number(params, "h", 4, EMBED_HEIGHTS, f"not a height in pixels from {low} to {high}")
    return (EMBED_HEIGHT if value is None else value), warnings


def _whole_number(params: Mapping[str, Sequence[str] | str], name: str, digits: int, bounds: tuple[int, int], why: str) -> tuple[int | None, list[str]]:
    """The one parameter ``name`` that is not a view's, as a whole number written in at most
    ``digits`` ASCII digits within ``bounds`` (None: absent, or not such a number, with the
    warning saying ``why``)."""
    reader = _Reader({name: params[name]} if name in params else {})
    value = reader.single(name)
    if value is None:
        return None, reader.warnings
    if not re.fullmatch(rf"[0-9]{{1,{digits}}}", value) or not bounds[0] <= int(value) <= bounds[1]:
        reader.warn(name, value, why)
        return None, reader.warnings
    return int(value), reader.warnings


POINTS = "points"  # the number of the user's own points the tab holds (not a view's: :func:`points_held`)


def points_held(params: Mapping[str, Sequence[str] | str]) -> tuple[int | None, list[str]]:
    """How many of the user's own points the address says its tab held (None: it says nothing),
    and the warning when ``points=`` is not a count (a whole number from 1, at most seven digits)."""
    return _whole_number(params, POINTS, 7, (1, 9_999_999), "not a number of points")


def data_version(params: Mapping[str, Sequence[str] | str]) -> str | None:
    """The data version a link was made with (None: it names none, or not as a version)."""
    raw = params.get("data")
    values = [raw] if isinstance(raw, str) else list(raw or [])
    return values[0].strip() if len(values) == 1 and is_code(values[0].strip()) else None


def parse(params: Mapping[str, Sequence[str] | str], known: Known) -> tuple[Filters, list[str]]:
    """Filters from query parameters, and one warning per parameter that was ignored."""
    reader = _Reader(params, known)
    defaults = known.defaults()
    changes = {**_choices(reader), **_dates(reader), **_period(reader, defaults), **_texts(reader), **_map_frame(reader)}
    return replace(defaults, **changes), reader.warnings


def serialise(filters: Filters, known: Known) -> dict[str, list[str]]:
    """Query parameters for ``filters``; parameters at their defaults are left out."""
    defaults = known.defaults()
    params: dict[str, list[str]] = {}
    for choice in CHOICES:
        if choice.chosen(filters):
            params[choice.param] = list(choice.chosen(filters))
    if filters.asof != defaults.asof:
        params["asof"] = [filters.asof.isoformat()]
    if filters.vs is not None:
        params["vs"] = [filters.vs.isoformat()]
    if (filters.year_from, filters.year_to) != (defaults.year_from, defaults.year_to):
        params["from"] = [str(filters.year_from)]
        params["to"] = [str(filters.year_to)]
    if filters.q.strip():
        params["q"] = [filters.q.strip()]
    if filters.site:
        params["site"] = [filters.site]
    if tuple(filters.layers) != LAYERS:
        params["layers"] = list(filters.layers) or [""]
    if filters.lang != defaults.lang:
        params["lang"] = [filters.lang]
    if filters.at is not None:
        params["map"] = [map_value(filters.at)]
    return params


def share_params(filters: Filters, known: Known) -> dict[str, list[str]]:
    """The parameters of a shared link: as in the address bar, but always with the date, so
    that a link made today still opens today's view next year, and with the data's version, so
    that whoever opens it later is told what has changed since."""
    params = serialise(filters, known)
    params.setdefault("asof", [filters.asof.isoformat()])
    if known.version:
        params["data"] = [known.version]
    return {name: params[name] for name in PARAMS if name in params}


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    """``?country=KAZ&country=KGZ&asof=…`` (empty string when there is nothing to say)."""
    pairs = [(name, value) for name in PARAMS for value in params.get(name, [])]
    return "?" + urlencode(pairs) if pairs else ""

