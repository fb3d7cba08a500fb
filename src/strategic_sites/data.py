"""Load the atlas from a folder of plain files, validate it, and return typed frames.

The one entry point is :func:`load_atlas`. It reads every file of the folder,
checks each against its pandera schema (:mod:`strategic_sites.schema`) and then
across files (ids that must resolve, periods that must not overlap, points that
must lie in their host country). All problems found are raised together as one
:class:`AtlasError` naming file, row and column, so a contributor can fix them in
one pass; nothing is returned from a folder with a problem.

Loading is bounded: a file larger than its byte limit is refused before it is read,
and events.csv is also refused as soon as reading it passes :data:`MAX_EVENTS_ROWS`
records. The checks are vectorised (see :mod:`strategic_sites.schema`), so a folder of
100,000 events loads in a few seconds.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import itertools
import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa
import shapely
from shapely.geometry import shape

from strategic_sites import schema
from strategic_sites.dates import first_day, parse_partial

FILES = ("sources.csv", "sites.geojson", "control.csv", "leases.csv", "events.csv", "areas.geojson", "countries.geojson")
MAX_PROBLEMS_PER_FILE = 25
CRS = "EPSG:4326"

# Limits on what the atlas reads. A file over its byte limit is refused before it is read
# (its size comes from the file system), and events.csv is refused as soon as reading it
# passes the row limit, so an oversized folder costs neither time nor memory. 100,000 events
# of about 300 bytes (31 MB) load in a few seconds and a few hundred MB; the limits leave
# room for growth and refuse a file (or a mistake, such as a concatenated export) that the
# dashboard could not serve.
MAX_EVENTS_BYTES = 40_000_000  # events.csv
MAX_EVENTS_ROWS = 150_000  # records (non-blank rows) of events.csv, header not counted
MAX_FILE_BYTES = 20_000_000  # every other file; countries.geojson, the largest shipped, is 1.3 MB
# Columns of the typed events held compactly. The closed vocabularies are categorical; the other
# repetitive text columns stay plain strings (other modules compare, map and fill them freely)
# but rows with equal cells share one string object.
EVENT_CATEGORIES = ("kind", "date_precision")
EVENT_SHARED = ("date", "site_id", "countries", "source_id", "concerns")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data: which file, which row, which column, and what."""

    file: str
    row: str = ""  # "line 7" in a CSV, "feature 3 (id 'kant')" in GeoJSON, "" for the whole file
    column: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.row, f"column '{self.column}'" if self.column else "") if p)
        return f"{self.file}{' ' + where if where else ''}: {self.message}"


class AtlasError(Exception):
    """The data folder cannot be loaded; ``problems`` says every reason found."""

    def __init__(self, folder: Path | str, problems: list[Problem]):
        self.folder = Path(folder)
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self, limit: int = MAX_PROBLEMS_PER_FILE) -> str:
        count = len(self.problems)
        lines = [f"The atlas data in '{self.folder.name or self.folder}' has {count} problem{'s' if count != 1 else ''}:"]
        shown: dict[str, int] = {}
        for problem in self.problems:
            shown[problem.file] = shown.get(problem.file, 0) + 1
            if shown[problem.file] <= limit:
                lines.append(f"- {problem}")
        for name, total in shown.items():
            if total > limit:
                lines.append(f"- {name}: … and {total - limit} more problems")
        return "\n".join(lines)


@dataclass(frozen=True)
class Atlas:
    """The whole dataset as typed frames. Treat it as read-only: it is shared between reruns."""

    folder: Path
    sources: pd.DataFrame
    sites: gpd.GeoDataFrame
    control: pd.DataFrame
    leases: pd.DataFrame
    events: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""  # a fingerprint of the files' bytes, fixed at load: the key of every cache
    lang: str = "en"  # the language of the names in ``sites["name"]`` (see language.localise)
    original: Atlas | None = field(default=None, compare=False, repr=False)  # the atlas as loaded

    @property
    def key(self) -> str:
        """What the atlas's derived products (map data, layers) are cached on: data and language."""
        return f"{self.version}-{self.lang}"

    def site(self, site_id: str) -> pd.Series | None:
        match = self.sites[self.sites["id"] == site_id]
        return None if match.empty else match.iloc[0]


# --- reading -----------------------------------------------------------------------------------


def _size(count: int) -> str:
    """A byte count for people: "50.2 MB"."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.1f} kB"
    return f"{count:,} bytes"


def _byte_limit(path: Path) -> tuple[int, str]:
    """The byte limit on a file, and the name of the constant that sets it."""
    if path.name == "events.csv":
        return MAX_EVENTS_BYTES, "MAX_EVENTS_BYTES"
    return MAX_FILE_BYTES, "MAX_FILE_BYTES"


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    if not path.is_file():
        problems.append(Problem(path.name, message="file is missing"))
        return None
    limit, constant = _byte_limit(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(path.name, message=f"cannot be read ({exc.strerror})"))
        return None
    if size > limit:
        problems.append(
            Problem(
                path.name,
                message=f"is {_size(size)} ({size:,} bytes); the atlas reads at most {_size(limit)} "
                f"({constant} = {limit:,} in strategic_sites/data.py), so it was not read. Split the data or raise the limit.",
            )
        )
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path.name, message=f"is not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(path.name, message=f"cannot be read ({exc.strerror})"))
    return None


def _lines(content: str, block: int = 1 << 20):
    """``content.splitlines(keepends=True)``, one line at a time (a block of text is split at once).

    The last piece of each block is carried into the next one, so a line (or a CR LF pair)
    that straddles two blocks comes out whole, exactly as ``splitlines`` would give it.
    """

    def blocks():
        carry = ""
        for start in range(0, len(content), block):
            pieces = (carry + content[start : start + block]).splitlines(keepends=True)
            carry = pieces.pop() if pieces else ""
            yield pieces
        if carry:
            yield [carry]

    return itertools.chain.from_iterable(blocks())


# Characters that str.splitlines() ends a line at, besides \r and \n. A quoted cell holding one
# of them spans two lines without holding a \r or \n, so its record's lines cannot be counted
# from its cells (see _multi_line_starts).
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CHUNK = 20_000  # records parsed at a time by the fast reader


class _NotSimple(Exception):
    """The fast reader cannot be sure of its line numbers (or met broken CSV): read record by record."""


def read_csv(path: Path, problems: list[Problem], max_rows: int | None = None, limit_name: str = "MAX_EVENTS_ROWS") -> pd.DataFrame | None:
    """Read a CSV as text cells; the index is each record's line number in the file.

    With ``max_rows``, reading stops at the first record (non-blank row) past that many,
    and the file is refused with one problem naming the limit (``limit_name``).

    Records are parsed by the csv module many at a time, at C speed, with their line
    numbers worked out per chunk; a file that breaks the CSV rules (or whose quoted cells
    hold unusual line breaks) is read again record by record, which reports the same.
    """
    content = _read_text(path, problems)
    if content is None:
        return None
    found: list[Problem] = []
    try:
        frame = _parse_csv(path.name, content, found, max_rows, limit_name, fast=True)
    except _NotSimple:
        found = []
        frame = _parse_csv(path.name, content, found, max_rows, limit_name, fast=False)
    problems.extend(found)
    return frame


def _parse_csv(name: str, content: str, problems: list[Problem], max_rows: int | None, limit_name: str, fast: bool) -> pd.DataFrame | None:
    reader = csv.reader(_lines(content), strict=True)
    most = sys.maxsize if max_rows is None else max_rows

    def too_many(line: int) -> Problem:
        return Problem(
            name,
            message=f"has more than {most:,} rows (reading stopped at line {line:,}); the atlas reads at most "
            f"{most:,} rows ({limit_name} in strategic_sites/data.py). Split the data or raise the limit.",
        )

    def too_wide(line: int, fields: int) -> Problem:
        return Problem(name, f"line {line}", message=f"has {fields} fields but the header has {len(header)}")

    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            problems.append(Problem(name, "line 1", message="has no header row"))
            return None
        header = [h.strip() for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            problems.append(Problem(name, "line 1", message=f"repeats column(s) {', '.join(dupes)}"))
            return None
        if fast:
            read = _records_in_chunks(reader, content, len(header), most, too_many, too_wide, problems)
        else:
            read = _records_one_by_one(reader, len(header), most, too_many, too_wide, problems)
    except csv.Error as exc:
        if fast:
            raise _NotSimple from exc
        problems.append(Problem(name, f"line {reader.line_num}", message=f"is not valid CSV ({exc})"))
        return None
    if read is None:
        return None
    rows, lines = read
    if not rows:
        problems.append(Problem(name, message="has a header row but no data rows"))
        return None
    cells = np.array(rows, dtype=object).reshape(len(rows), len(header))  # every row has len(header) cells
    return pd.DataFrame(cells, columns=header, index=pd.Index(lines, name="line"), dtype=object, copy=False)


def _records_one_by_one(reader, width: int, most: int, too_many, too_wide, problems: list[Problem]):
    """The records and the line each starts at, looking at one record at a time (the reference reader).

    None, after adding the problems, when a record has the wrong number of fields or there are too many.
    """
    rows, lines, bad, records = [], [], False, 0
    previous_end = reader.line_num
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not record or all(not c.strip() for c in record):
            continue  # a blank row
        records += 1
        if records > most:
            problems.append(too_many(line))
            return None
        if len(record) != width:
            problems.append(too_wide(line, len(record)))
            bad = True
            continue
        rows.append(record)
        lines.append(line)
    return None if bad else (rows, lines)


def _records_in_chunks(reader, content: str, width: int, most: int, too_many, too_wide, problems: list[Problem]):
    """What :func:`_records_one_by_one` returns, parsing many records at a time.

    Raises :class:`_NotSimple` when the line numbers cannot be worked out per chunk.
    """
    rows, lines, bad, records = [], [], False, 0
    simple = None  # whether the text has no line breaks but \r and \n; looked up when first needed
    while True:
        first = reader.line_num + 1
        chunk = list(itertools.islice(reader, _CHUNK))
        if not chunk:
            break
        count, last = len(chunk), reader.line_num
        if last - first + 1 == count:  # every record on one line, the usual case
            starts = np.arange(first, last + 1)
        else:
            if simple is None:
                simple = _OTHER_LINE_BREAKS.search(content) is None
            starts = _multi_line_starts(chunk, first, last) if simple else None
            if starts is None:
                raise _NotSimple
        # Blank rows: no cells, or only blank ones (looked at in full when the first cell is blank).
        keep = np.fromiter((bool(record) and bool(record[0].strip()) for record in chunk), dtype=bool, count=count)
        for position in np.flatnonzero(~keep):
            keep[position] = any(c.strip() for c in chunk[position])
        wrong = keep & (np.fromiter(map(len, chunk), dtype=np.intp, count=count) != width)
        counted = records + np.cumsum(keep)
        over = np.flatnonzero(keep & (counted > most))
        end = over[0] if len(over) else count  # records past the limit are not looked at
        for position in np.flatnonzero(wrong[:end]):
            problems.append(too_wide(int(starts[position]), len(chunk[position])))
            bad = True
        if len(over):
            problems.append(too_many(int(starts[end])))
            return None
        records = int(counted[-1])
        if not bad:
            good = np.flatnonzero(keep & ~wrong)
            if len(good) == count:
                rows.extend(chunk)
                lines.extend(starts.tolist())
            else:
                rows.extend(chunk[position] for position in good)
                lines.extend(starts[good].tolist())
    return None if bad else (rows, lines)


def _multi_line_starts(chunk: list[list[str]], first: int, last: int) -> np.ndarray | None:
    """The line each record starts at when some span several lines (None if that cannot be told).

    Only quoted cells hold line breaks, and a record spans one line more than the breaks in its
    cells (CR LF counting as one) -- when the text breaks lines at CR and LF only.
    """
    spans = np.array([1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in record) for record in chunk])
    starts = first + np.concatenate(([0], np.cumsum(spans)[:-1]))
    return starts if starts[-1] + spans[-1] - 1 == last else None


def read_geojson(path: Path, geometry_types: tuple[str, ...], problems: list[Problem]):
    """Read a FeatureCollection: (properties frame indexed by feature number, geometries)."""
    content = _read_text(path, problems)
    if content is None:
        return None
    name = path.name
    try:
        doc = json.loads(content)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"line {exc.lineno}, char {exc.colno}", message=f"is not valid JSON ({exc.msg})"))
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        problems.append(Problem(name, message="is not a GeoJSON FeatureCollection"))
        return None
    records, geometries, numbers = [], [], []
    for number, feature in enumerate(doc["features"], start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        where = f"feature {number}"
        if isinstance(props, dict) and isinstance(props.get("id", props.get("site_id")), str):
            where += f" ({props.get('id', props.get('site_id'))!r})"
        if not isinstance(props, dict):
            problems.append(Problem(name, where, message="is not a Feature with a properties object"))
            continue
        geometry = feature.get("geometry")
        try:
            geom = shape(geometry)
        except Exception:  # shapely raises several kinds on malformed geometry
            problems.append(Problem(name, where, "geometry", "is missing or not a GeoJSON geometry"))
            continue
        if geom.geom_type not in geometry_types:
            problems.append(Problem(name, where, "geometry", f"is a {geom.geom_type}; expected {' or '.join(geometry_types)}"))
            continue
        if geom.is_empty:
            problems.append(Problem(name, where, "geometry", "is empty"))
            continue
        record = {k: ("" if v is None else v if isinstance(v, str) else json.dumps(v) if isinstance(v, (list, dict)) else str(v)) for k, v in props.items()}
        if geom.geom_type == "Point":
            record["lon"], record["lat"] = str(geom.x), str(geom.y)
        records.append(record)
        geometries.append(geom)
        numbers.append(number)
    frame = pd.DataFrame(records, index=pd.Index(numbers, name="feature"), dtype=object).fillna("")
    return frame, geometries


# --- validation --------------------------------------------------------------------------------


def _where(frame: pd.DataFrame, index) -> str:
    if index is None or (isinstance(index, float) and pd.isna(index)):
        return ""
    if frame.index.name == "line":
        return f"line {index}"
    label = f"feature {index}"
    for key in ("id", "site_id"):
        if key in frame.columns and index in frame.index:
            return f"{label} ({frame.at[index, key]!r})"
    return label


def validate_frame(frame: pd.DataFrame, file_schema: pa.DataFrameSchema, problems: list[Problem]) -> bool:
    """Check one file's frame against its schema; append a Problem per failure. True when valid."""
    name = file_schema.name
    try:
        file_schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.to_dict("records"):
            check = str(case.get("check"))
            column = case.get("column") or ""
            value = case.get("failure_case")
            index = case.get("index")
            if check == "column_in_dataframe":
                problems.append(Problem(name, column=str(value), message="required column is missing"))
            elif check == "field_uniqueness":
                problems.append(Problem(name, _where(frame, index), column, f"{value!r} is used more than once; ids must be unique"))
            elif case.get("schema_context") == "DataFrameSchema" and column in (None, ""):
                problems.append(Problem(name, _where(frame, index), "", check))
            elif check.startswith("dtype("):
                problems.append(Problem(name, column=column, message=f"has the wrong type ({check})"))
            else:
                shown = value if isinstance(value, str) else str(value)
                if len(shown) > 80:
                    shown = shown[:77] + "..."
                problems.append(Problem(name, _where(frame, index), column, f"{shown!r} {check}" if shown else f"is blank: {check}"))
        return False
    return True


def _ids(value: str) -> list[str]:
    return schema.split_list(value)


def _check_refs(frame, name, column, known: set[str], what: str, problems) -> None:
    """Every id listed in ``column`` is in ``known`` (a blank cell lists none); each distinct cell is split once."""
    cells = frame[column].to_numpy(dtype=object)
    for position in np.flatnonzero(schema.failing(cells, lambda value: all(item in known for item in _ids(value)))):
        for item in _ids(cells[position]):
            if item not in known:
                problems.append(Problem(name, _where(frame, frame.index[position]), column, f"{item!r} is not a known {what}"))


def _check_periods(frame: pd.DataFrame, name: str, problems: list[Problem], overlap: bool) -> None:
    starts = frame["start"].map(first_day)
    ends = frame["end"].map(lambda v: first_day(v) if v else None)
    for index in frame.index:
        if ends[index] is not None and ends[index] <= starts[index]:
            problems.append(Problem(name, _where(frame, index), "end", f"{frame.at[index, 'end']!r} is not after start {frame.at[index, 'start']!r}"))
    if not overlap:
        return
    for site_id, group in frame.groupby("site_id", sort=False):
        order = sorted(group.index, key=lambda i: starts[i])
        for before, after in zip(order, order[1:]):
            if ends[before] is None or ends[before] > starts[after]:
                problems.append(
                    Problem(
                        name,
                        _where(frame, after),
                        "start",
                        f"period of {site_id!r} from {frame.at[after, 'start']!r} overlaps the one from "
                        f"{frame.at[before, 'start']!r} ({_where(frame, before)}), which ends "
                        f"{frame.at[before, 'end'] or 'never (blank end)'}",
                    )
                )


def _check_soviet(frame: pd.DataFrame, name: str, problems: list[Problem]) -> None:
    for index, row in frame[frame["status"] == "soviet"].iterrows():
        if not row["end"] or first_day(row["end"]) > first_day("1992-01-01"):
            problems.append(Problem(name, _where(frame, index), "end", "a 'soviet' period must end by 1992 (the USSR was dissolved in December 1991)"))


def _check_event_places(frame: pd.DataFrame, problems: list[Problem]) -> None:
    no_site = (frame["site_id"] == "").to_numpy()
    no_lat, no_lon = (frame["lat"] == "").to_numpy(), (frame["lon"] == "").to_numpy()
    unplaced = no_site & (no_lat | no_lon)
    half = ~unplaced & (no_lat != no_lon)
    for position in np.flatnonzero(unplaced | half):
        message = "an event with no site_id needs lat and lon" if unplaced[position] else "give both lat and lon, or neither"
        problems.append(Problem("events.csv", _where(frame, frame.index[position]), "lat/lon", message))


def _check_host_countries(sites: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, frame: pd.DataFrame, problems) -> None:
    joined = gpd.sjoin(sites[["id", "country", "geometry"]], countries[["iso3", "geometry"]], how="left", predicate="within")
    inside = joined.groupby("id")["iso3"].agg(lambda codes: set(codes.dropna()))
    for index, row in sites.iterrows():
        found = inside.get(row["id"], set())
        if row["country"] not in found:
            where = ", ".join(sorted(found)) or "no country of countries.geojson"
            problems.append(
                Problem("sites.geojson", _where(frame, index), "country", f"{row['country']!r} but the point lies in {where}")
            )


# --- typed frames ------------------------------------------------------------------------------


NAT = np.datetime64("NaT", "s")


def _dates(series: pd.Series | schema.Distinct, last: bool = False) -> pd.Series:
    """The first (or last) day of each partial date (datetime64[s]), NaT for blank; each distinct date is parsed once."""

    def convert(value: str) -> np.datetime64:
        if not value:
            return NAT
        parsed = parse_partial(value)
        return np.datetime64(parsed.last if last else parsed.first, "s")

    column = series if isinstance(series, schema.Distinct) else schema.Distinct(series)
    return column.map(convert, dtype="datetime64[s]")


def _numbers(series: pd.Series) -> pd.Series:
    """The numbers of a validated column (NaN for blank), read as the schema's checks read them."""
    return pd.Series(schema.numbers(series), index=series.index, dtype=float)


def _shared(column: schema.Distinct) -> pd.Series:
    """The same strings, equal cells sharing one object (100,000 rows of a few hundred values cost 8 bytes a row)."""
    return column.map(str)


def _by_date(dates: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The order of rows by date, then id (stable), as positions. Arrow sorts the ids as UTF-8,
    which orders them as Python does (by code point), and faster than pandas sorts Python strings."""
    try:
        import pyarrow
        import pyarrow.compute
    except ImportError:  # pragma: no cover - pandas 3 ships with pyarrow in practice
        return pd.DataFrame({"date": dates, "id": pd.Series(ids, dtype=object)}).sort_values(["date", "id"], kind="stable").index.to_numpy()
    table = pyarrow.table({"date": pyarrow.array(dates), "id": pyarrow.array(ids, type=pyarrow.string())})
    return pyarrow.compute.sort_indices(table, sort_keys=[("date", "ascending"), ("id", "ascending")]).to_numpy()


def _lists(series: pd.Series | schema.Distinct) -> pd.Series:
    """The ids listed in each cell, as lists; rows with equal cells share one list (treat them as read-only)."""
    return (series if isinstance(series, schema.Distinct) else schema.Distinct(series)).map(_ids)


@contextmanager
def _without_gc():
    """Pause the cyclic garbage collector: reading 100,000 events makes millions of objects, and
    each collection would walk all of them (a third of the load time). Reference counting still
    frees everything; the collector resumes (if it ran before) when loading ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_atlas(folder: Path | str) -> Atlas:
    """Load and validate every file in ``folder``; raise :class:`AtlasError` listing all problems."""
    with _without_gc():
        return _load(Path(folder))


def _load(folder: Path) -> Atlas:
    problems: list[Problem] = []
    if not folder.is_dir():
        raise AtlasError(folder, [Problem(str(folder), message="is not a folder")])

    raw = {
        "sources": read_csv(folder / "sources.csv", problems),
        "control": read_csv(folder / "control.csv", problems),
        "leases": read_csv(folder / "leases.csv", problems),
        "events": read_csv(folder / "events.csv", problems, max_rows=MAX_EVENTS_ROWS),
    }
    sites_read = read_geojson(folder / "sites.geojson", ("Point",), problems)
    areas_read = read_geojson(folder / "areas.geojson", ("Polygon", "MultiPolygon"), problems)
    countries_read = read_geojson(folder / "countries.geojson", ("Polygon", "MultiPolygon"), problems)
    raw["sites"] = sites_read[0] if sites_read else None
    raw["areas"] = areas_read[0] if areas_read else None
    raw["countries"] = countries_read[0] if countries_read else None

    schemas = {
        "sources": schema.SOURCES,
        "sites": schema.SITES,
        "control": schema.CONTROL,
        "leases": schema.LEASES,
        "events": schema.EVENTS,
        "areas": schema.AREAS,
        "countries": schema.COUNTRIES,
    }
    valid = {key: frame is not None and validate_frame(frame, schemas[key], problems) for key, frame in raw.items()}

    if valid["sources"]:
        source_ids = set(raw["sources"]["id"])
        for key, column in (("sites", "sources"), ("control", "source_id"), ("leases", "source_id"), ("events", "source_id"), ("areas", "source_id")):
            if valid[key]:
                _check_refs(raw[key], schemas[key].name, column, source_ids, "source id in sources.csv", problems)
    if valid["sites"]:
        site_ids = set(raw["sites"]["id"])
        for key in ("control", "leases", "events", "areas"):
            if valid[key]:
                # A blank site_id (an event away from any site) lists no id, so nothing to resolve.
                _check_refs(raw[key], schemas[key].name, "site_id", site_ids, "site id in sites.geojson", problems)
        if valid["events"] and "concerns" in raw["events"].columns:
            _check_refs(raw["events"], "events.csv", "concerns", site_ids, "site id in sites.geojson", problems)
    if valid["control"]:
        _check_periods(raw["control"], "control.csv", problems, overlap=True)
        _check_soviet(raw["control"], "control.csv", problems)
    if valid["leases"]:
        _check_periods(raw["leases"], "leases.csv", problems, overlap=False)
        leases = raw["leases"]
        for index in leases.index[(leases["lessor"] == leases["lessee"]).to_numpy()]:
            problems.append(Problem("leases.csv", _where(leases, index), "lessee", "lessor and lessee are the same country"))
    if valid["events"]:
        _check_event_places(raw["events"], problems)
    if valid["areas"]:
        for index, geom in zip(raw["areas"].index, areas_read[1]):
            if not geom.is_valid:
                problems.append(Problem("areas.geojson", _where(raw["areas"], index), "geometry", f"is not a valid polygon ({shapely.is_valid_reason(geom)})"))

    countries = sites = None
    if valid["countries"]:
        countries = gpd.GeoDataFrame(raw["countries"].reset_index(drop=True), geometry=[shapely.make_valid(g) for g in countries_read[1]], crs=CRS)
    if valid["sites"]:
        sites = gpd.GeoDataFrame(raw["sites"], geometry=sites_read[1], crs=CRS)
        if countries is not None:
            _check_host_countries(sites, countries, raw["sites"], problems)

    if problems:
        raise AtlasError(folder, problems)
    return _typed(folder, raw, sites, countries, areas_read[1])


def _typed(folder: Path, raw: dict, sites: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, area_geoms) -> Atlas:
    sources = raw["sources"].reset_index(drop=True)
    sources["published_date"] = _dates(sources["published"])

    sites = sites.reset_index(drop=True)
    sites["lat"] = _numbers(sites["lat"])
    sites["lon"] = _numbers(sites["lon"])
    sites["source_ids"] = _lists(sites["sources"])

    control = raw["control"].reset_index(drop=True)
    control["start_date"] = _dates(control["start"])
    control["end_date"] = _dates(control["end"])
    control["source_ids"] = _lists(control["source_id"])
    control = control.sort_values(["site_id", "start_date"], kind="stable").reset_index(drop=True)

    leases = raw["leases"].reset_index(drop=True)
    for column in ("signed", "start", "end"):
        leases[f"{column}_date"] = _dates(leases[column])
    leases["annual_rent_usd"] = _numbers(leases["annual_rent_usd"])
    leases["area_km2"] = _numbers(leases["area_km2"])
    leases["source_ids"] = _lists(leases["source_id"])

    events = _typed_events(raw["events"], sites)

    areas = gpd.GeoDataFrame(raw["areas"].reset_index(drop=True), geometry=list(area_geoms), crs=CRS)
    areas["area_km2"] = _numbers(areas["area_km2"])
    areas["source_ids"] = _lists(areas["source_id"])

    counts = {
        "sites": len(sites),
        "control": len(control),
        "leases": len(leases),
        "events": len(events),
        "areas": len(areas),
        "sources": len(sources),
    }
    return Atlas(folder, sources, sites, control, leases, events, areas, countries, counts, version=fingerprint(folder))


def _typed_events(raw: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The events with their lists, dates and points, in date order; built column by column, then framed once."""
    columns = {name: raw[name].to_numpy(dtype=object) for name in raw.columns}
    if "concerns" not in columns:
        columns["concerns"] = np.full(len(raw), "", dtype=object)
    # Each repetitive column is reduced to its distinct values once, and put in date order by
    # its codes (an integer take), so that every column made from it comes out in order.
    distinct = {name: schema.Distinct(pd.Series(columns[name], dtype=object, copy=False)) for name in EVENT_SHARED + EVENT_CATEGORIES}
    date_first = _dates(distinct["date"]).to_numpy()
    order = _by_date(date_first, columns["id"])
    distinct = {name: column.take(order) for name, column in distinct.items()}
    # An event's point: its own lat/lon, or else its site's point (the site's geometry object itself).
    lat, lon = schema.numbers(raw["lat"])[order], schema.numbers(raw["lon"])[order]
    own = ~np.isnan(lat) & ~np.isnan(lon)
    geometry = np.empty(len(raw), dtype=object)
    geometry[own] = shapely.points(lon[own], lat[own])
    site_points = sites.set_index("id").geometry
    geometry[~own] = distinct["site_id"].map(lambda site: site_points.get(site)).to_numpy()[~own]

    typed = {}
    for name, values in columns.items():  # the file's columns, in the file's order
        if name in EVENT_SHARED:
            typed[name] = _shared(distinct[name])
        elif name in EVENT_CATEGORIES:
            typed[name] = distinct[name].categorical()
        elif name in ("lat", "lon"):
            typed[name] = shapely.get_y(geometry) if name == "lat" else shapely.get_x(geometry)
        else:
            typed[name] = pd.Series(values[order], dtype=object, copy=False)
    typed["concern_ids"] = _lists(distinct["concerns"])
    typed["date_first"] = pd.Series(date_first[order])
    typed["date_last"] = _dates(distinct["date"], last=True)
    typed["country_list"] = _lists(distinct["countries"])
    typed["source_ids"] = _lists(distinct["source_id"])
    return gpd.GeoDataFrame(pd.DataFrame(typed), geometry=geometry, crs=CRS)


def fingerprint(folder: Path) -> str:
    """A short hash of every data file's name and bytes: equal folders, equal fingerprints."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode("utf-8") + b"\0")
        with (folder / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]
