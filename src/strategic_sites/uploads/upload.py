"""The user's own points ("Add your own points"): an uploaded file's bytes in, an :class:`Upload` out.

Accepted, whatever the file is called (JSON is text that starts with ``{`` or ``[``, anything else CSV):

- **CSV** in UTF-8 (with or without a BOM) or UTF-16 (with a BOM, or without one when every other
  byte of its start is zero, with a note); other bytes are read as Windows-1252 or Windows-1251
  (Cyrillic), whichever charset-normalizer finds them to be, or else Latin-1, and a note says so.
  Records are read by the atlas's one CSV reader (:mod:`strategic_sites.data.csvrecords`). Fields are
  separated by ``,``, ``;`` or a tab, whichever splits the header into coordinate columns (what
  ``csv.Sniffer`` finds tried first); ``42,87`` reads as 42.87. Columns, by name (case and spaces
  ignored): ``lat``/``lon`` (or ``lng``, ``long``), ``latitude``/``longitude`` or ``y``/``x``; optional
  ``date``, ``name`` or ``title``, ``kind``, ``country`` or ``countries``, ``url``, ``source``; others
  are ignored.
- **GeoJSON**: a FeatureCollection, or one Feature, of Points with properties named like the CSV
  columns (so the atlas's own "Download GeoJSON" loads). Other features are rejected one by one.
- **GeoParquet** (a Parquet file with ``geo`` metadata, in any CRS, turned to longitude/latitude):
  Points, with columns named like the CSV's; other geometries are rejected one by one. A plain Parquet
  file with no geometry is refused with a message saying so.

Limits, bounded by what a file holds, not what it says it holds: :data:`MAX_BYTES` (the server's own
``server.maxUploadSize``, 50 MiB), :data:`MAX_ROWS` rows or features, :data:`MAX_COLUMNS`, and
:data:`MAX_DATA` once decoded. CSV and GeoJSON text cannot decode to more than the file; GeoParquet
can (an 8 KB file of repeated text holds GBs), so what it decodes to is counted first, a column and
:data:`_BATCH` rows at a time with its text as dictionaries where the file stores it so, and the file
refused as soon as the count passes :data:`MAX_DATA`, whatever its compression or its footer claims
(the footer's counts are checked first all the same); only then are the columns the points need read.
A GeoJSON FeatureCollection is read one feature at a time, never held whole as Python objects. A file over a limit is refused whole, with one message naming the limit; it is
never silently cut short. A cell over :data:`MAX_CELL` characters rejects its row (the rejects show
its start and length). Time and memory for 10,000 and 100,000 rows of each format, against plain
pandas and geopandas: ``bench/results.md``, "Uploads".

``row`` is the line on which a CSV row starts (the header is line 1), or the feature's number. A row
is rejected, with its reason, for the wrong number of fields (a quote left open is named, with the
lines it swallowed), a cell over :data:`MAX_CELL`, coordinates that are not numbers or out
of range, or a date that is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. Control characters are removed
from text, with a note (tabs and line breaks become spaces). ``country``: an ISO3 or ISO2 code or a
country's name (the first of a list), else, with a note, and when blank, the country the point is in.
``url``: only absolute http(s) links; a ``source`` that is one stands in for a missing ``url``. When no
point is on or near (:data:`COAST`) the atlas's countries and, swapped, every one is in them, latitude
and longitude are swapped back, with a note; ``countries.total_bounds`` cannot tell (Russia spans
-180 to 180). :func:`read_points` never raises: an unexpected error is still a message, naming a bug; a binary file is named by its
first control character's line and place.

Over 300 lines: three readers (CSV, GeoJSON, GeoParquet), then one short function for each rule above.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import charset_normalizer
import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import shapely

from strategic_sites.core.dates import parse_partial
from strategic_sites.core.text import CONTROL, line_and_column, plural, size
from strategic_sites.core.vocab import SHORT_NAMES
from strategic_sites.data import csvrecords
from strategic_sites.data.csvrecords import Record

MIB = 1 << 20
MAX_BYTES = 50 * MIB  # server.maxUploadSize = 50 in .streamlit/config.toml, which Streamlit counts in MiB
MAX_DATA = 50 * MIB  # what a file's data decodes to (decompressed GeoParquet): no more than a CSV could hold
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELL = 10_000  # characters: a row with a longer cell is rejected
_BATCH = 4_096  # GeoParquet rows decoded at a time
COAST = 0.5  # degrees: a point this close to a country counts as on land when looking for swapped lat/lon
COLUMNS = ["row", "lat", "lon", "name", "date", "date_first", "date_last", "kind", "country", "url", "source"]
_DTYPES = dict.fromkeys(COLUMNS, "str") | {"row": "int64", "lat": "float64", "lon": "float64",
                                            "date_first": "datetime64[s]", "date_last": "datetime64[s]"}
ALIASES = {"lat": ("lat", "latitude", "y"), "lon": ("lon", "lng", "long", "longitude", "x"), "name": ("name", "title"),
           "date": ("date",), "kind": ("kind",), "country": ("country", "countries"), "url": ("url",),
           "source": ("source",)}
# Each kind of rejected row: its reason in the rejects, and what the problem that sums them up says.
REASONS = {
    "csv": ("not readable as CSV", "{are} not readable as CSV"),
    "fields": ("wrong number of fields", "{have} the wrong number of fields"),
    "quote": ("a quote is not closed", "{have} a quote that is not closed, so the lines after it were read as part of it"),
    "feature": ("not a GeoJSON Feature", "{are} not {a}GeoJSON Feature{s}"),
    "geometry": ("not a Point", "{are} not {a}Point{s}"),
    "number": ("coordinates are not numbers", "{have} coordinates that are not numbers"),
    "range": ("coordinates out of range",
              "{have} coordinates out of range (latitude -90 to 90, longitude -180 to 180)"),
    "date": ("date is not YYYY, YYYY-MM or YYYY-MM-DD", "{have} a date that is not YYYY, YYYY-MM or YYYY-MM-DD"),
    "long": (f"a cell is longer than {MAX_CELL:,} characters", f"{{have}} a cell longer than {MAX_CELL:,} characters"),
}
SWAPPED = "Latitude and longitude were swapped in every row; they have been swapped back."
_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"%PDF": "a PDF document",
          b"PK\x03\x04": "a ZIP archive (an Excel workbook is one: save it as CSV)", b"\x1f\x8b": "a gzip archive"}
_CONTROL = CONTROL  # all but tab, line feed and carriage return
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# An absolute http(s) URL with a host, and none of the characters that a URL cannot hold unescaped.
_URL = (r'(?i)https?://(?:[^\s"<>`\\/?#@]*@)?(?:[^\s"<>`\\/?#@:\[\]]+|\[[0-9A-Fa-f:.]+\])'  # user@, host or [IPv6]
        r'(?::[0-9]*)?(?:[/?#][^\s"<>`\\]*)?')  # :port, then the path, query and fragment
_CHUNK = 10_000  # CSV rows held as Python lists at a time


@dataclass(frozen=True)
class Upload:
    """What a file gave: the points read (:data:`COLUMNS` and a Point geometry, EPSG:4326), the rows
    not taken (``row``, ``reason`` and the original cells: a CSV's columns, or a GeoJSON ``feature``),
    ``problems`` (the file's one problem, or one for each kind of rejected row) and ``notes`` (what was
    fixed or guessed)."""

    points: gpd.GeoDataFrame
    rejects: pd.DataFrame
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return len(self.points) > 0


class _Refused(Exception):
    """A problem with the whole file: its one message."""


class _Table(NamedTuple):
    """The rows read, as text (``fields``: ``row``, the :data:`ALIASES`, ``start`` and ``end``), the rows
    not read (``row``, ``kind``, ``reason``, ``start``, ``end``), and the original cells of given rows."""

    fields: pd.DataFrame
    rejected: pd.DataFrame
    originals: Callable[[list[int], list[int]], pd.DataFrame]  # (starts, ends) -> the cells of those rows
    unit: str = "row"


def read_points(name: str, data: bytes, countries: gpd.GeoDataFrame, *, max_rows: int = MAX_ROWS,
                max_bytes: int = MAX_BYTES, max_data: int = MAX_DATA) -> Upload:
    """Read an uploaded CSV, GeoJSON or GeoParquet file; never raises. ``name`` is the file's name (the content decides
    the format); ``countries`` (``iso3``, ``name``, ``geometry``) gives the country of a point that has
    none and tells whether latitude and longitude were swapped."""
    try:
        return _read(bytes(data), countries, max_rows, max_bytes, max_data)
    except _Refused as problem:
        return refused(str(problem))
    except MemoryError:
        return refused("The server does not have the memory to read this file now: try a smaller file, or again later.")
    except Exception as error:  # noqa: BLE001 - a bug; the user still gets a message, never a traceback
        return refused(f"The file could not be read: an error in the atlas ({type(error).__name__}); please report it.")


def refused(message: str) -> Upload:
    """A file not read: no points, and the one message saying why."""
    rejects = pd.DataFrame({"row": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str")})
    return Upload(_points({}, gpd.points_from_xy([], [])), rejects, (message,))


def _read(data: bytes, countries: gpd.GeoDataFrame, max_rows: int, max_bytes: int, max_data: int) -> Upload:
    if len(data) > max_bytes:
        raise _Refused(f"The file is {_size(len(data))}; the limit is {_size(max_bytes)}.")
    if data.startswith(b"PAR1"):
        return _finish(_geoparquet(data, max_rows, max_data), countries, [])
    text, notes = _decode(data)
    if not text.strip():
        raise _Refused("The file is empty.")
    table = _geojson(text, max_rows) if text.lstrip()[:1] in ("{", "[") else _csv(text, max_rows)
    return _finish(table, countries, notes)


def _size(n: int) -> str:
    """``62.1 MiB``: the unit of Streamlit's ``server.maxUploadSize`` (:func:`strategic_sites.core.text.size`)."""
    return size(n, binary=True)


# What a text that is not UTF-8 may be: Western European and Cyrillic Windows code pages (Excel's "CSV"
# on Windows), which charset-normalizer tells apart by the letters they decode to.
_SINGLE_BYTE = {"cp1252": "Windows-1252", "cp1251": "Windows-1251"}


def _decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text, and a note when its encoding was guessed; anything binary is refused,
    naming where its first control character is.

    UTF-8 and UTF-16 are told by their byte order marks, by decoding, or by the project's test for
    UTF-16 without one (:func:`_utf16_without_bom`): charset-normalizer, asked about any encoding,
    reads UTF-8 with a few NUL bytes as UTF-16 (CJK characters) and short Western or Cyrillic text as
    Korean or Central European. It is asked only which of :data:`_SINGLE_BYTE` a text that is not
    UTF-8 is in, which it answers well; what neither decodes is Latin-1."""
    what, text, notes = next((what for magic, what in _MAGIC.items() if data.startswith(magic)), None), "", []
    utf16 = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else _utf16_without_bom(data)
    if what is None and utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            what = "binary data (it starts like UTF-16 text but is not)"
        else:
            if utf16 != "utf-16":
                notes.append("The file is UTF-16 text without a byte order mark; it was read as UTF-16.")
    elif what is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            best = charset_normalizer.from_bytes(data, cp_isolation=list(_SINGLE_BYTE)).best()
            encoding = best.encoding if best is not None and best.encoding in _SINGLE_BYTE else "latin-1"
            text, label = data.decode(encoding), _SINGLE_BYTE.get(encoding, "Latin-1")
            letters = "Cyrillic letters" if encoding == "cp1251" else "accented letters"
            notes.append(f"The file is not UTF-8; it was read as {label}. Check that {letters} look right.")
    if what is None and len(re.findall(_CONTROL, text[:4096])) * 10 > len(text[:4096]):
        what = f"binary data ({_first_control(text)})"
    if what:
        raise _Refused(f"This is not a CSV or GeoJSON file: it looks like {what}.")
    return text, notes


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when the file's start is UTF-16 text with no byte order mark: many of
    every other byte zero (ASCII characters: a CSV has at least its digits and commas), the rest not,
    and the high bytes that are not zero those of the alphabets a CSV of places is written in
    (Latin, Greek, Cyrillic...: below 0x20), not printable ASCII: UTF-8 text with a few NUL bytes
    read as UTF-16 turns into CJK characters."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    for encoding, zero, other in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        high = sum(1 for byte in zero if byte >= 0x20)
        if zero.count(0) * 10 >= pairs * 3 and other.count(0) * 20 < pairs and high * 10 <= pairs:
            return encoding
    return None


def _first_control(text: str) -> str:
    """Where a text's first control character is: "a NUL byte on line 3, character 7"."""
    found = re.search(_CONTROL, text)
    if found is None:
        return "no text"
    char = found.group()
    named = "a NUL byte" if char == "\x00" else f"control character U+{ord(char):04X}"
    line, column = line_and_column(text, found.start())
    return f"{named} on line {line}, character {column}"


def _records(text: str, delimiter: str):
    """The records of a user's CSV that are not blank (:func:`strategic_sites.data.csvrecords.records`):
    lenient CSV, lines ending at line feeds (a lone carriage return in a cell that is not quoted makes
    its row not CSV), a row that is not CSV rejected and reading going on at the next line."""
    return csvrecords.records(text, delimiter, strict=False, editor=False, blanks=False)


def _columns(header: list[str]) -> dict[str, int]:
    """Where each of the :data:`ALIASES` is in the header (the first alias found)."""
    names = [cell.strip().strip("\ufeff").casefold() for cell in header]
    found = {}
    for name, aliases in ALIASES.items():
        found.update({name: names.index(alias) for alias in aliases[::-1] if alias in names})
    return found


def _delimiter(text: str) -> str:
    """``,``, ``;`` or a tab: the one that splits the header into coordinate columns
    (:func:`strategic_sites.data.csvrecords.delimiter`)."""
    return csvrecords.delimiter(text, lambda header: {"lat", "lon"} <= _columns(header).keys(), editor=False)


def _csv(text: str, max_rows: int) -> _Table:
    text = text if "\n" in text else text.replace("\r", "\n")  # classic Mac line ends
    delimiter = _delimiter(text)
    header, frames, chunk, rejected = None, [], [], []
    rows, starts, ends = array("q"), array("q"), array("q")
    for record in _records(text, delimiter):
        line, start, end, cells = record.line, record.start, record.end, record.cells
        if header is None:
            header, index = _header(cells, record.error, line)
            pick = itemgetter(*index.values())
        elif len(rows) + len(rejected) >= max_rows:
            raise _Refused(f"The file has more than {max_rows:,} rows; the limit is {max_rows:,}.")
        elif record.error or len(cells) != len(header):
            rejected.append((line, *_misread(text, record, len(header)), start, end))
        elif max(map(len, cells)) > MAX_CELL:
            rejected.append((line, "long", REASONS["long"][0], start, end))
        else:
            chunk.append(pick(cells))
            rows.append(line), starts.append(start), ends.append(end)
            if len(chunk) == _CHUNK:
                frames.append(pd.DataFrame(chunk, columns=list(index), dtype="str"))
                chunk = []
    if header is None or not rows and not rejected:
        raise _Refused("The file has a header but no rows." if header else "The file is empty.")
    frames.append(pd.DataFrame(chunk or None, columns=list(index), dtype="str"))
    fields = pd.concat(frames, ignore_index=True).assign(**{name: "" for name in ALIASES if name not in index})
    fields = fields.assign(row=np.asarray(rows), start=np.asarray(starts), end=np.asarray(ends))
    rejected = pd.DataFrame(rejected, columns=["row", "kind", "reason", "start", "end"])
    return _Table(fields, rejected, lambda starts, ends: _cells(text, delimiter, header, starts, ends))


def _misread(text: str, record: Record, width: int) -> tuple[str, str]:
    """Why a record is not a row: a quote left open (the lines it swallowed named), a cell over the
    csv module's limit, not CSV, or the wrong number of fields."""
    line, last, cells, error = record.line, record.last, record.cells, record.error
    if '"' in text[record.start:record.end] and last > line and (error or any("\n" in cell for cell in cells)):
        return "quote", f"a quote opened on line {line} is not closed: lines {line} to {last} were read as one row"
    if error and "field larger than field limit" in error:
        return "long", REASONS["long"][0]
    return ("csv", f"not CSV: {error}") if error else ("fields", f"{plural(len(cells), 'field')}; the header has {width}")


def _header(cells: list[str] | None, error: str | None, line: int) -> tuple[list[str], dict[str, int]]:
    if error:
        raise _Refused(f"The header (line {line}) is not CSV: {error}.")
    if len(cells) > MAX_COLUMNS:
        raise _Refused(f"The file has {len(cells):,} columns; the limit is {MAX_COLUMNS:,}.")
    index = _columns(cells)
    if not {"lat", "lon"} <= index.keys():
        named = ", ".join(repr(c.strip()[:40]) for c in cells[:10]) + f", … ({len(cells)} in all)" * (len(cells) > 10)
        raise _Refused(f"No coordinate columns: the file has {named}; "
                       "expected lat and lon (or lat/lng, latitude/longitude, y/x).")
    return cells, index


def _cells(text: str, delimiter: str, header: list[str], starts: list[int], ends: list[int]) -> pd.DataFrame:
    """The original cells of the rows at these places in the text, under the header's names."""
    records = []
    for start, end in zip(starts, ends):
        record = next(csvrecords.records(text[start:end], delimiter, strict=False, editor=False), None)
        records.append([text[start:end].rstrip("\r\n")] if record is None or record.error else record.cells)
    names = _unique(header, {"row", "reason", "(extra fields)"})
    width = len(names)
    frame = pd.DataFrame([cells[:width] + [""] * (width - len(cells)) for cells in records], columns=names, dtype="str")
    extra = [delimiter.join(cells[width:]) for cells in records]
    return frame.assign(**{"(extra fields)": extra}) if any(extra) else frame


def _unique(header: list[str], taken: set[str]) -> list[str]:
    """The header's names, made unique and apart from ``taken``: a column may be called "row", or two alike."""
    names, taken = [], set(taken)
    for name in header:
        n, unique = 1, name
        while unique in taken:
            n, unique = n + 1, f"{name} ({n + 1})"
        taken.add(unique)
        names.append(unique)
    return names


def _geojson(text: str, max_rows: int) -> _Table:
    """A GeoJSON text's points. A FeatureCollection is read one feature at a time (:func:`_members`),
    never held whole as Python objects (that took seven times the file's size); a rejected feature's
    original text is cut from the file's."""
    records, frames, rejected, count = [], [], [], 0

    def take(feature, start: int, end: int) -> None:
        nonlocal count, records
        count += 1
        if count > max_rows:
            return  # counted, for the message, and not read
        problem = _not_a_point(feature)
        if problem:
            rejected.append((count, *problem, start, end))
        elif max(map(len, cells := _properties(feature))) > MAX_CELL:
            rejected.append((count, "long", REASONS["long"][0], start, end))
        else:
            records.append(cells + [count, start, end])
            if len(records) == _CHUNK:
                frames.append(pd.DataFrame(records, columns=[*ALIASES, "row", "start", "end"]).astype(dict.fromkeys(ALIASES, "str")))
                records = []

    try:
        data = _members(text, take)
    except RecursionError:
        raise _Refused("The file looks like JSON but is nested too deeply to read.") from None
    except ValueError as error:
        raise _Refused(f"The file looks like JSON but is not valid JSON: {error}.") from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Feature":
        take(data, 0, len(text))
    elif kind != "FeatureCollection" or not isinstance(data.get("features"), int):
        raise _Refused("The file is JSON but not GeoJSON: expected a FeatureCollection or a Feature.")
    if not count:
        raise _Refused("The GeoJSON has no features.")
    if count > max_rows:
        raise _Refused(f"The file has {count:,} features; the limit is {max_rows:,}.")
    frames.append(pd.DataFrame(records, columns=[*ALIASES, "row", "start", "end"]).astype(dict.fromkeys(ALIASES, "str")))
    fields = pd.concat(frames, ignore_index=True)
    rejected = pd.DataFrame(rejected, columns=["row", "kind", "reason", "start", "end"])

    def originals(starts: list[int], ends: list[int]) -> pd.DataFrame:
        return pd.DataFrame({"feature": [text[start:end] for start, end in zip(starts, ends)]}, dtype="str")

    return _Table(fields, rejected, originals, "feature")


_DECODER = json.JSONDecoder(strict=False)
_SPACE = re.compile(r"[ \t\n\r]*")


def _members(text: str, take: Callable[[object, int, int], None]):
    """A JSON text parsed as :func:`json.loads` does (the same errors, at the same places), but an
    object's ``features`` array is not kept: ``take(item, start, end)`` is called on each of its
    items instead, with where it is in the text, and the member holds how many there were."""
    at = _SPACE.match(text).end()
    if text[at:at + 1] != "{":
        return json.loads(text, strict=False)  # not an object: no features to walk
    members, at = {}, _SPACE.match(text, at + 1).end()
    if text[at:at + 1] == "}":
        return _end(text, at + 1, members)
    while True:
        if text[at:at + 1] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
        key, at = _DECODER.raw_decode(text, at)
        at = _SPACE.match(text, at).end()
        if text[at:at + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        at = _SPACE.match(text, at + 1).end()
        if key == "features" and text[at:at + 1] == "[":
            if "features" in members:
                raise json.JSONDecodeError('"features" given twice', text, at)
            members[key], at = _items(text, at, take)
        else:
            members[key], at = _DECODER.raw_decode(text, at)
        at = _SPACE.match(text, at).end()
        if text[at:at + 1] == "}":
            return _end(text, at + 1, members)
        if text[at:at + 1] != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = _SPACE.match(text, at + 1).end()


def _items(text: str, at: int, take) -> tuple[int, int]:
    """The array at ``at``, each item given to ``take``: (how many, where the array ends)."""
    count, at = 0, _SPACE.match(text, at + 1).end()
    if text[at:at + 1] == "]":
        return 0, at + 1
    while True:
        item, end = _DECODER.raw_decode(text, at)
        take(item, at, end)
        count += 1
        at = _SPACE.match(text, end).end()
        if text[at:at + 1] == "]":
            return count, at + 1
        if text[at:at + 1] != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = _SPACE.match(text, at + 1).end()


def _end(text: str, at: int, members: dict) -> dict:
    """The object, once nothing but blanks follows it."""
    at = _SPACE.match(text, at).end()
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return members


def _geoparquet(data: bytes, max_rows: int, max_data: int) -> _Table:
    """A GeoParquet file's points. The footer's counts are checked before any data is read; then what
    the data decodes to is counted (:func:`_measure`), a column and :data:`_BATCH` rows at a time, and
    the file refused as soon as that passes ``max_data``, whatever its compression or its footer says
    (a few KB of repeated text can hold GBs). Only then are the columns the points need read, as Arrow
    text."""
    import pyarrow.parquet as pq

    footer = _footer(data, max_rows, max_data)
    try:
        geo = json.loads(footer.metadata[b"geo"])
        geometry_name = geo.get("primary_column", "geometry") if isinstance(geo, dict) else "geometry"
        file = pq.ParquetFile(io.BytesIO(data))
        names = [name for name in file.schema_arrow.names if name != geometry_name]
        long = _measure(data, footer, max_data, geometry_name)
        pick = _aliased((name, name) for name in names)
        table = file.read(columns=sorted({column for column in pick if column is not None}))
        columns = {name: _texts(None if column is None else table.column(column), footer.num_rows)
                   for name, column in zip(list(ALIASES)[2:], pick)}
        del table
        frame = gpd.read_parquet(io.BytesIO(data), columns=[geometry_name])
        if frame.crs is not None and not frame.crs.equals("EPSG:4326") and not frame.crs.equals("OGC:CRS84"):
            frame = frame.to_crs("EPSG:4326")
    except _Refused:
        raise
    except Exception as error:  # noqa: BLE001 - invalid metadata, WKB or CRS
        raise _Refused(f"The GeoParquet file cannot be read: {_text(str(error))[:200].rstrip('.')}.") from None
    geometry = frame.geometry
    kinds = geometry.geom_type.to_numpy(dtype=object)
    good = (kinds == "Point") & ~long
    shapes = np.asarray(geometry, dtype=object)  # None where a row has no geometry
    columns = {"lat": shapely.get_y(shapes).astype(str), "lon": shapely.get_x(shapes).astype(str)} | columns  # "nan" where not a Point
    rows = np.arange(1, len(frame) + 1)
    fields = pd.DataFrame(columns, dtype="str").assign(row=rows, start=rows - 1, end=0)[good].reset_index(drop=True)
    wrong = np.flatnonzero(~good)
    rejected = pd.DataFrame({"row": wrong + 1, "kind": np.where(long[wrong], "long", "geometry"),
                             "reason": [REASONS["long"][0] if long[i] else
                                        f"{k[:30] if isinstance(k, str) else 'no geometry'}, not a Point" for i, k in zip(wrong, kinds[wrong])],
                             "start": wrong, "end": 0})

    def originals(starts: list[int], _) -> pd.DataFrame:
        """The rows' cells (a cell over :data:`MAX_CELL` shortened) and their geometry as WKT."""
        import pyarrow as pa

        table = file.schema_arrow.empty_table().select(names) if not starts else (  # no rejects: nothing to read
            file.read(columns=names).take(pa.array(starts, type=pa.int64())))  # all of it decodes within max_data: measured
        cells = pd.DataFrame({name: [_shortened(_cell(v)) for v in table.column(name).to_pylist()] for name in names}, dtype="str")
        cells["(geometry)"] = [g.wkt[:200] if g is not None else "" for g in geometry.iloc[starts]]
        cells.columns = _unique([str(c) for c in cells.columns], {"row", "reason"})
        return cells

    return _Table(fields, rejected, originals)


def _measure(data: bytes, footer, max_data: int, geometry_name: str) -> np.ndarray:
    """Count what a GeoParquet file's data decodes to, one column and :data:`_BATCH` rows at a time,
    its text read as dictionaries where the file stores it so (each distinct value once, however often
    used); refuse it as soon as the count passes ``max_data``. Which rows have a text cell over
    :data:`MAX_CELL`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema, groups = footer.schema, range(footer.num_row_groups)
    dictionaries = [schema.column(i).path for i in range(footer.num_columns) if schema.column(i).physical_type == "BYTE_ARRAY"
                    and any(footer.row_group(g).column(i).has_dictionary_page for g in groups)]
    file = pq.ParquetFile(io.BytesIO(data), read_dictionary=dictionaries)
    long, decoded = np.zeros(footer.num_rows, dtype=bool), 0
    for name in file.schema_arrow.names:
        at = 0
        for batch in file.iter_batches(batch_size=_BATCH, columns=[name], use_threads=False):  # threads: twice the memory
            column = batch.column(0)
            decoded += _decoded(column)
            if decoded > max_data:
                raise _Refused(f"The file holds over {_size(max_data)} of data once decompressed; the limit is {_size(max_data)}.")
            if name != geometry_name:
                long[at:at + len(column)] |= _characters(column) > MAX_CELL
            at += len(column)
    pa.default_memory_pool().release_unused()  # the dictionaries built to count: the pool would keep their memory
    return long


def _texts(column, rows: int) -> pd.Series:
    """A GeoParquet column as text cells: text as Arrow text (blank where missing), other values one by one
    (:func:`_cell`); blank cells when the file has no such column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column is None:
        return pd.Series([""] * rows, dtype="str")
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.fill_null(column, "").to_pandas().astype("str")
    return pd.Series([_cell(value) for value in column.to_pylist()], dtype="str")


def _footer(data: bytes, max_rows: int, max_data: int):
    """A GeoParquet file's footer, once its counts are within the limits (nothing else is read)."""
    import pyarrow.parquet as pq

    try:
        footer = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as error:  # noqa: BLE001 - pyarrow's errors for a broken file vary
        raise _Refused(f"The file starts like Parquet but cannot be read: {_text(str(error))[:200].rstrip('.')}.") from None
    if b"geo" not in (footer.metadata or {}):
        raise _Refused("This is a Parquet file with no geometry (no GeoParquet metadata): "
                       "save it as GeoParquet, as CSV with lat and lon columns, or as GeoJSON.")
    if footer.num_rows > max_rows:
        raise _Refused(f"The file has {footer.num_rows:,} rows; the limit is {max_rows:,}.")
    if footer.num_columns > MAX_COLUMNS:
        raise _Refused(f"The file has {footer.num_columns:,} columns; the limit is {MAX_COLUMNS:,}.")
    size = sum(footer.row_group(i).total_byte_size for i in range(footer.num_row_groups))
    if size > max_data:
        raise _Refused(f"The file holds {_size(size)} of data once decompressed; the limit is {_size(max_data)}.")
    if footer.num_rows == 0:
        raise _Refused("The GeoParquet file has no rows.")
    return footer


def _decoded(column) -> int:
    """The bytes a column of a batch decodes to: text and binary values as their bytes (a dictionary's
    values as often as they are used), nested values as their parts', others at their width."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        return int(pc.sum(pc.take(pc.binary_length(column.dictionary), column.indices)).as_py() or 0)
    if pa.types.is_binary(kind) or pa.types.is_string(kind) or pa.types.is_large_binary(kind) or pa.types.is_large_string(kind):
        return int(pc.sum(pc.binary_length(column)).as_py() or 0)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return len(column) * 4 + _decoded(column.flatten())
    if pa.types.is_map(kind):
        return len(column) * 4 + _decoded(column.keys) + _decoded(column.items)
    if pa.types.is_struct(kind):
        return sum(_decoded(child) for child in column.flatten())
    return len(column) * max(1, getattr(kind, "bit_width", 64) // 8)


def _characters(column) -> np.ndarray:
    """The length in characters of each text cell of a batch's column (0 for other columns)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        lengths = pc.take(pc.utf8_length(column.dictionary), column.indices)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        lengths = pc.utf8_length(column)
    else:
        return np.zeros(len(column), dtype="int64")
    return lengths.fill_null(0).to_numpy(zero_copy_only=False).astype("int64")


def _shortened(text: str) -> str:
    """A rejected row's cell as the rejects show it: a cell over :data:`MAX_CELL` as its start and length."""
    return text if len(text) <= MAX_CELL else f"{text[:100]}… ({len(text):,} characters)"


def _cell(value) -> str:
    """A Parquet cell as text: dates as YYYY-MM-DD, lists joined, missing values blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, datetime.date):  # a date, or a datetime
        return value.isoformat()[:10]
    return _text(value)


def _not_a_point(feature) -> tuple[str, str] | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "feature", REASONS["feature"][0]
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    return None if kind == "Point" else ("geometry", f"{_text(kind)[:30] or 'no geometry'}, not a Point")


def _properties(feature: dict) -> list[str]:
    """The feature's lat, lon and properties, as text, in the order of :data:`ALIASES`."""
    xy = feature["geometry"].get("coordinates")
    lon, lat = xy[:2] if isinstance(xy, list) and len(xy) >= 2 else (None, None)
    properties = feature.get("properties")
    values = _aliased(properties.items() if isinstance(properties, dict) else ())
    return [_coordinate(lat), _coordinate(lon)] + [_text(value) for value in values]


def _aliased(items) -> list:
    """For each of the :data:`ALIASES` after lat and lon, the value of the first of the
    (name, value) ``items`` whose name, trimmed and casefolded, is one of its aliases; else None."""
    named = {}
    for key, value in items:
        named.setdefault(str(key).strip().casefold(), value)
    return [next((named[a] for a in aliases if a in named), None) for aliases in list(ALIASES.values())[2:]]


def _coordinate(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return ""
    return str(value) if isinstance(value, int) else _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a list of countries: its items, joined (not recursively: JSON may nest deep)
        text = ", ".join(v if isinstance(v, str) else "" if v is None else _json(v) for v in value)
    else:
        text = value if isinstance(value, str) else _json(value)
    return text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate ("\ud800" in JSON) becomes "?"


def _json(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=True)
    except (ValueError, RecursionError):
        return "(not readable)"


def _finish(table: _Table, countries: gpd.GeoDataFrame, notes: list[str]) -> Upload:
    """The points of the rows that are good, the rejects, and the messages."""
    fields, unit = table.fields, table.unit
    dirty = _clean(fields)
    lat, lon = _number(fields["lat"]), _number(fields["lon"])
    numeric = ~(np.isnan(lat) | np.isnan(lon))
    if _swapped(lat[numeric], lon[numeric], countries):
        lat, lon = lon, lat
        notes.append(SWAPPED)
    first, last, undated = _dates(fields["date"])
    kinds = np.select([~numeric, (np.abs(lat) > 90) | (np.abs(lon) > 180), undated], ["number", "range", "date"], "")
    bad, good = kinds != "", kinds == ""
    found = fields.loc[bad, ["row", "start", "end"]].assign(kind=kinds[bad], reason=[REASONS[k][0] for k in kinds[bad]])
    rejected = pd.concat([table.rejected, found]).sort_values("row", kind="stable", ignore_index=True)
    keep = fields if good.all() else fields[good].reset_index(drop=True)  # every row good: no copy
    geometry = gpd.points_from_xy(lon[good], lat[good], crs="EPSG:4326")
    columns = {name: keep[name].array for name in ("row", "name", "date", "kind", "source")}  # Arrow text stays Arrow
    columns |= {"lat": lat[good], "lon": lon[good], "date_first": first[good], "date_last": last[good]}
    columns |= {"country": _countries(keep, geometry, countries, unit, notes), "url": _links(keep, unit, notes)}
    if dirty.any():
        notes.append(_summary(fields["row"][dirty].tolist(), unit, "{have} control characters; they were removed"))
    originals = table.originals(rejected["start"].tolist(), rejected["end"].tolist())
    rejects = pd.concat([rejected[["row", "reason"]], originals], axis=1)
    problems = [_summary(rejected.loc[rejected["kind"] == kind, "row"].tolist(), unit, say)
                for kind, (_, say) in REASONS.items() if (rejected["kind"] == kind).any()]
    return Upload(_points(columns, geometry), rejects, tuple(problems), tuple(notes))


def _points(columns: dict, geometry) -> gpd.GeoDataFrame:
    frame = {name: pd.Series(columns.get(name, []), dtype=dtype) for name, dtype in _DTYPES.items()}
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")


def _summary(rows: list[int], unit: str, say: str) -> str:
    """``3 rows have …: rows 4, 9, 12`` (the first five)."""
    many = len(rows) != 1
    listed = ", ".join(str(r) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
    said = say.format(have="have" if many else "has", are="are" if many else "is", a="" if many else "a ", s="s" * many)
    return f"{len(rows):,} {unit}{'s' * many} {said}: {unit}{'s' * many} {listed}"


def _clean(fields: pd.DataFrame) -> np.ndarray:
    """Strip the text and remove control characters (tabs and line breaks become spaces); which rows had any."""
    dirty = np.zeros(len(fields), dtype=bool)
    for name in ALIASES:
        column = fields[name].astype("str")
        if column.str.contains(r"[\x00-\x1f\x7f-\x9f]", regex=True).any():
            dirty |= column.str.contains(_CONTROL, regex=True).to_numpy(dtype=bool)
            column = column.str.replace(r"[\t\n\r]+", " ", regex=True).str.replace(_CONTROL, "", regex=True)
        fields[name] = column.str.strip()
    return dirty


def _number(column: pd.Series) -> np.ndarray:
    """Decimal numbers (a decimal comma too); NaN for anything else."""
    column = column.str.replace(r"^([+-]?[0-9]+),([0-9]+)$", r"\1.\2", regex=True)
    numbers = pd.to_numeric(column.where(column.str.fullmatch(_NUMBER), None), errors="coerce")
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _on_land(x: np.ndarray, y: np.ndarray, countries: gpd.GeoDataFrame, distance: float = 0.0) -> np.ndarray:
    """Which points are in a country (or within ``distance`` degrees of one)."""
    tree = shapely.STRtree(shapely.points(x, y))  # the outlines query the points: each is prepared once
    hits = tree.query(countries.geometry.to_numpy(), "dwithin" if distance else "contains", distance=distance or None)
    inside = np.zeros(len(x), dtype=bool)
    inside[hits[1]] = True
    return inside


def _swapped(lat: np.ndarray, lon: np.ndarray, countries: gpd.GeoDataFrame) -> bool:
    """Whether no point is on or near the countries as given, and every one is in them swapped."""
    if not len(lat) or (np.abs(lon) > 90).any() or (np.abs(lat) > 180).any():
        return False
    valid = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    x, y = lon[valid], lat[valid]
    if any(_on_land(x[part], y[part], countries, COAST).any() for part in (slice(0, 1000), slice(1000, None))):
        return False  # most files have a point on land among their first thousand: no need to look further
    return bool(_on_land(lat, lon, countries).all())


def _each(column: pd.Series, convert, dtype=object) -> np.ndarray:
    """``convert`` of each value of a column, worked out once for each distinct value."""
    codes, distinct = pd.factorize(column)
    return np.array([convert(value) for value in distinct.tolist()] or [None], dtype=dtype)[codes]  # [None]: no rows


def _dates(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last days (NaT when blank), and which rows have a date that is not one."""
    def parsed(text: str):
        try:
            return parse_partial(text) if text else None
        except ValueError:
            return False

    first = _each(column, lambda text: getattr(parsed(text), "first", None), "datetime64[s]")
    last = _each(column, lambda text: getattr(parsed(text), "last", None), "datetime64[s]")
    return first, last, _each(column, lambda text: parsed(text) is False, bool)


def _countries(keep: pd.DataFrame, geometry, countries: gpd.GeoDataFrame, unit: str, notes: list[str]) -> np.ndarray:
    """ISO3 codes: as given (by code or name), else the country the point is in (a spatial join)."""
    known = {str(n).casefold(): str(c) for n, c in zip(countries["name"], countries["iso3"])}
    known |= {name.casefold(): code for code, names in SHORT_NAMES.items() for name in names}
    code = _each(keep["country"], lambda text: _country(text, known))
    unknown = (keep["country"] != "").to_numpy(dtype=bool) & (code == "")
    if unknown.any():
        say = "{have} a country that is not a country code or name; it was taken from the map"
        notes.append(_summary(keep["row"][unknown].tolist(), unit, say))
    blank = code == ""
    if blank.any():
        points = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geometry[blank], crs="EPSG:4326"))
        outlines = countries[["iso3", "geometry"]].to_crs("EPSG:4326")
        joined = gpd.sjoin(points, outlines, predicate="within", how="left")
        joined = joined[~joined.index.duplicated()].reindex(points.index)  # on a border: the first
        code[blank] = joined["iso3"].fillna("").astype(str).to_numpy()
    return code.astype(str)


def _country(text: str, known: dict[str, str]) -> str:
    """The ISO3 code of a country given by its code (ISO3 or ISO2) or name; the first of a list."""
    first = re.split(r"[,;|/]", text, maxsplit=1)[0].strip().casefold()
    try:
        return known.get(first) or pycountry.countries.lookup(first).alpha_3
    except LookupError:
        return ""


def _links(keep: pd.DataFrame, unit: str, notes: list[str]) -> pd.api.extensions.ExtensionArray:
    """The ``url`` when it is an absolute http(s) link, else the ``source`` when it is one, else ""."""
    url, source = keep["url"], keep["source"]
    url_ok, source_ok = (column.str.fullmatch(_URL).to_numpy(dtype=bool) for column in (url, source))
    dropped = (url != "").to_numpy(dtype=bool) & ~url_ok
    if dropped.any():
        say = "{have} a url that is not an http(s) link; it was left out"
        notes.append(_summary(keep["row"][dropped].tolist(), unit, say))
    return url.where(url_ok, source.where(source_ok, "")).array  # text columns kept as Arrow text, not Python strings
