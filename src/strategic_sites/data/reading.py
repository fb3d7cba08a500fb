"""Read the atlas's files, within bounds, as frames of text cells.

A file larger than its byte :class:`Limit` is refused from its size alone, before it is read;
a CSV file is also refused as soon as reading it passes its row limit, so an oversized folder
costs neither time nor memory. Every cell is read as text (a blank cell is ""), and each row
keeps where it came from (its line in a CSV, its feature number in GeoJSON), so that the
checks can name it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape

from strategic_sites.data import csvrecords
from strategic_sites.core.problems import Problem, where
from strategic_sites.core.text import line_and_column, size

CRS = "EPSG:4326"  # of GeoJSON's coordinates (RFC 7946): longitude and latitude on WGS 84
# Where the limits are set: the messages that refuse a file say so.
LIMITS_MODULE = "strategic_sites/data/atlas.py"


@dataclass(frozen=True)
class Limit:
    """How much of a file the atlas reads: bytes and, if set, records (non-blank rows, the header
    not counted), with the names of the constants that set them in :data:`LIMITS_MODULE`."""

    bytes: int
    bytes_name: str
    rows: int | None = None
    rows_name: str = ""


@dataclass(frozen=True, eq=False)
class Raw:
    """A file as read: its text cells (indexed by line or feature number) and, for GeoJSON, the
    geometries of those features (shapely, in the same order)."""

    name: str
    frame: pd.DataFrame
    geometries: list | None = None
    # The ids of features left out because their geometry could not be read (each reported):
    # other files may still name them without a follow-on problem.
    unread_ids: frozenset[str] = frozenset()

    def where(self, index) -> str:
        """Row ``index`` as a contributor finds it: "line 7", "feature 3 ('kant')"."""
        return where(self.frame, index)

    def repaired(self) -> Raw:
        """The same file with each geometry made valid (``shapely.make_valid``)."""
        return replace(self, geometries=[shapely.make_valid(geom) for geom in self.geometries])


def read_text(path: Path, limit: Limit, problems: list[Problem]) -> str | None:
    """The file's text (UTF-8, with or without a byte order mark), or None after adding why not."""
    if not path.is_file():
        problems.append(Problem(path.name, message="file is missing"))
        return None
    try:
        count = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(path.name, message=f"cannot be read ({exc.strerror})"))
        return None
    if count > limit.bytes:
        problems.append(
            Problem(
                path.name,
                message=f"is {size(count)} ({count:,} bytes); the atlas reads at most {size(limit.bytes)} "
                f"({limit.bytes_name} = {limit.bytes:,} in {LIMITS_MODULE}), so it was not read. Split the data or raise the limit.",
            )
        )
        return None
    try:
        data = path.read_bytes()
        return data.decode("utf-8-sig")
    except OSError as exc:
        problems.append(Problem(path.name, message=f"cannot be read ({exc.strerror})"))
    except UnicodeDecodeError as exc:
        problems.append(_not_utf8(path.name, data, exc.start))
    except MemoryError:
        problems.append(Problem(path.name, message=f"is {size(count)}: more than the server has the memory to read now"))
    return None


def _not_utf8(name: str, data: bytes, start: int) -> Problem:
    """Where a file stops being UTF-8, as a contributor finds it: the line and the character."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Problem(name, message="is UTF-16 text; the atlas reads UTF-8: save it as UTF-8")
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return Problem(
        name,
        f"line {line}",
        message=f"is not UTF-8 text at character {column} (byte 0x{data[start]:02X}); the file may be "
        "Latin-1 or Windows-1252: save it as UTF-8",
    )


def read_csv(path: Path, limit: Limit, problems: list[Problem]) -> Raw | None:
    """Read a CSV as text cells; the index is each record's line number in the file ("line").

    With ``limit.rows``, reading stops at the first record past that many, and the file is
    refused with one problem naming the limit.
    """
    content = read_text(path, limit, problems)
    if content is None:
        return None
    try:
        frame = csvrecords.parse(path.name, content, problems, limit.rows)
    except csvrecords.TooManyRecords as exc:
        most = limit.rows
        problems.append(
            Problem(
                path.name,
                message=f"has more than {most:,} rows (reading stopped at line {exc.line:,}); the atlas reads at most "
                f"{most:,} rows ({limit.rows_name} in {LIMITS_MODULE}). Split the data or raise the limit.",
            )
        )
        return None
    return None if frame is None else Raw(path.name, frame)


def read_geojson(path: Path, limit: Limit, geometry_types: tuple[str, ...], problems: list[Problem]) -> Raw | None:
    """Read a FeatureCollection: its properties as text cells indexed by feature number ("feature"),
    and its geometries, each of one of ``geometry_types``. A Point's coordinates are also its
    properties ``lon`` and ``lat``, so that they are checked like any other cell."""
    content = read_text(path, limit, problems)
    if content is None:
        return None
    name = path.name
    try:
        doc = json.loads(content)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"line {exc.lineno}, char {exc.colno}", message=f"is not valid JSON ({exc.msg})"))
        return None
    except RecursionError:
        problems.append(_too_deep(name, content))
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        problems.append(Problem(name, message="is not a GeoJSON FeatureCollection"))
        return None
    records, geometries, numbers, unread = [], [], [], set()
    for number, feature in enumerate(doc["features"], start=1):
        geom = _geometry(name, number, feature, geometry_types, problems)
        try:
            record = None if geom is None else {k: _text(v) for k, v in feature["properties"].items()}
        except RecursionError:  # a property's value nested deeper than JSON text can be written back
            problems.append(Problem(name, f"feature {number}", "properties", "nests arrays or objects too deeply to read"))
            record = None
        if record is None:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                unread.add(props["id"])
            continue
        if geom.geom_type == "Point":
            record["lon"], record["lat"] = str(geom.x), str(geom.y)
        records.append(record)
        geometries.append(geom)
        numbers.append(number)
    frame = pd.DataFrame(records, index=pd.Index(numbers, name="feature"), dtype=object).fillna("")
    return Raw(name, frame, geometries, frozenset(unread))


def _too_deep(name: str, content: str) -> Problem:
    """A JSON text nested deeper than it can be read: how deep, and where its deepest point is."""
    depth = deepest = at = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', content):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, token.start()
        elif bracket in "]}":
            depth -= 1
    line, char = line_and_column(content, at)
    return Problem(name, f"line {line}, char {char}", message=f"nests arrays or objects {deepest:,} levels deep, too deep to read")


def _text(value) -> str:
    """A property's value as a cell: text as it is, null as blank, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _geometry(name: str, number: int, feature, geometry_types: tuple[str, ...], problems: list[Problem]):
    """The shapely geometry of a feature with a properties object, or None after adding why not."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    label = f"feature {number}"
    if isinstance(props, dict) and isinstance(props.get("id", props.get("site_id")), str):
        label += f" ({props.get('id', props.get('site_id'))!r})"
    if not isinstance(props, dict):
        problems.append(Problem(name, label, message="is not a Feature with a properties object"))
        return None
    try:
        geom = shape(feature.get("geometry"))
    except Exception:  # shapely raises several kinds on malformed geometry
        problems.append(Problem(name, label, "geometry", "is missing or not a GeoJSON geometry"))
        return None
    if geom.geom_type not in geometry_types:
        problems.append(Problem(name, label, "geometry", f"is a {geom.geom_type}; expected {' or '.join(geometry_types)}"))
        return None
    if geom.is_empty:
        problems.append(Problem(name, label, "geometry", "is empty"))
        return None
    return geom
