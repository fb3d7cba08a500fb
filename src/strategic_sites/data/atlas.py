"""Load the atlas from a folder of plain files, validate it, and return typed frames.

The one entry point is :func:`load_atlas`. One table, :func:`file_specs`, says of every file
what it is read as and within which limits, the schema its cells must meet, the checks across
its rows and across files it must pass, and how it is typed. Loading walks that table:

1. read each file, within its limits (:mod:`strategic_sites.data.reading`, :mod:`strategic_sites.data.csvrecords`);
2. check its cells against its schema (:mod:`strategic_sites.data.schema`, via :mod:`strategic_sites.data.validation`);
3. run its checks on every file that met its schema (:mod:`strategic_sites.data.checks`): ids that
   must resolve, periods that must not overlap, points that must lie in their host country;
4. only when nothing was found, type it (:mod:`strategic_sites.data.typed`) into the :class:`Atlas`.

All problems found are raised together as one :class:`AtlasError` naming file, row and column,
so a contributor can fix them in one pass; nothing is returned from a folder with a problem.

Loading is bounded: a file larger than its byte limit is refused before it is read, and
events.csv is also refused as soon as reading it passes :data:`MAX_EVENTS_ROWS` records. The
checks are vectorised (see :mod:`strategic_sites.data.schema`), so a folder of 100,000 events loads
in a few seconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa

from strategic_sites.data import schema, typed
from strategic_sites.data.changelog import CHANGELOG, DataVersion, version_of
from strategic_sites.data.checks import (
    Check,
    disputes,
    ends_after_starts,
    lies_in,
    no_overlaps,
    placed,
    refs,
    soviet_by_1992,
    two_parties,
    valid_polygons,
)
from strategic_sites.core.gcpause import paused_gc
from strategic_sites.core.problems import MAX_PROBLEMS_PER_FILE, AtlasError, Problem
from strategic_sites.data.reading import CRS, Limit, Raw, read_csv, read_geojson
from strategic_sites.data.typed import EVENT_CATEGORIES, EVENT_SHARED
from strategic_sites.data.grading import distinct_urls, grades
from strategic_sites.data.grading import distinct_urls, grades
from strategic_sites.data.validation import validate_frame

DATA_ENV = "STRATEGIC_SITES_DATA"  # the data folder to serve, when not the shipped geodata/
SHIPPED = Path(__file__).resolve().parents[3] / "geodata"


def data_folder() -> Path:
    """The data folder the server serves: ``$STRATEGIC_SITES_DATA`` when set, else the shipped
    ``geodata/`` (the pages and the data API alike)."""
    return Path(os.environ.get(DATA_ENV) or SHIPPED)


def files_stamp(folder: Path) -> tuple:
    """What changes whenever a data file or the changelog is edited (each one's modification time
    and size), so that an edit reloads the atlas: the pages' cache and the data API's key by it."""
    marks = []
    for name in (*FILES, CHANGELOG):
        try:
            info = (Path(folder) / name).stat()
            marks.append((name, info.st_mtime_ns, info.st_size))
        except OSError:
            marks.append((name, None, None))
    return tuple(marks)

# The loader's public names. Problem, AtlasError, CRS, validate_frame and the event column
# names now live in the modules imported above; they stay importable from here.
__all__ = [
    "CRS",
    "EVENT_CATEGORIES",
    "EVENT_SHARED",
    "FILES",
    "MAX_EVENTS_BYTES",
    "MAX_EVENTS_ROWS",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "Atlas",
    "AtlasError",
    "FileSpec",
    "Problem",
    "file_specs",
    "fingerprint",
    "load_atlas",
    "validate_frame",
]

# Limits on what the atlas reads. A file over its byte limit is refused before it is read
# (its size comes from the file system), and events.csv is refused as soon as reading it
# passes the row limit, so an oversized folder costs neither time nor memory. 100,000 events
# of about 300 bytes (31 MB) load in a few seconds and a few hundred MB; the limits leave
# room for growth and refuse a file (or a mistake, such as a concatenated export) that the
# dashboard could not serve. The messages that refuse a file name these constants.
MAX_EVENTS_BYTES = 40_000_000  # events.csv
MAX_EVENTS_ROWS = 150_000  # records (non-blank rows) of events.csv, header not counted
MAX_FILE_BYTES = 20_000_000  # every other file; countries.geojson, the largest shipped, is 1.3 MB

# The columns of each file a dispute (a disputed row's other value) can concern.
CONTROL_FACTS = ("start", "end", "status", "operator")
LEASE_FACTS = ("lessor", "lessee", "signed", "start", "end", "annual_rent_usd", "area_km2")
EVENT_FACTS = ("date", "site_id", "lat", "lon", "kind", "title", "summary", "countries")

# The counts an atlas carries, in the order `python -m strategic_sites validate` prints them.
COUNTED = ("sites", "control", "leases", "events", "areas", "sources")


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
    data_version: DataVersion | None = field(default=None, compare=False, repr=False)  # version and changelog (strategic_sites.data.changelog)

    @cached_property
    def named(self) -> tuple[frozenset[str], frozenset[str], int | None]:
        """What a link may name in this atlas: its host countries, its site ids, and the year of
        its first event (None without events). Worked out once per atlas: every rerun asks."""
        first = int(self.events["date_first"].dt.year.min()) if len(self.events) else None
        return frozenset(self.sites["country"]), frozenset(self.sites["id"]), first

    @property
    def key(self) -> str:
        """What the atlas's derived products (map data, layers) are cached on: data and language."""
        return f"{self.version}-{self.lang}"

    def site(self, site_id: str) -> pd.Series | None:
        match = self.sites[self.sites["id"] == site_id]
        return None if match.empty else match.iloc[0]


# --- the files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    """One file of the atlas: how it is read, checked and typed."""

    name: str  # the file in the data folder
    atlas_field: str  # the Atlas field its typed frame becomes
    schema: pa.DataFrameSchema  # what each of its cells must be (strategic_sites.data.schema)
    typer: Callable[[Raw, Mapping[str, pd.DataFrame]], pd.DataFrame]  # its typed frame (strategic_sites.data.typed)
    limit: Limit  # how much of it is read
    geometry_types: tuple[str, ...] = ()  # GeoJSON features of these geometry types; () for a CSV file
    checks: tuple[Check, ...] = ()  # across its rows and across files, once it meets its schema
    repair: bool = False  # make its geometries valid rather than refuse them

    def read(self, folder: Path, problems: list[Problem]) -> Raw | None:
        """The file as read, or None after adding why not. A hostile file never raises from here:
        what the readers do not foresee is one problem naming the file (and logged, as a bug)."""
        path = folder / self.name
        try:
            if self.geometry_types:
                return read_geojson(path, self.limit, self.geometry_types, problems)
            return read_csv(path, self.limit, problems)
        except MemoryError:
            problems.append(Problem(self.name, message="is more than the server has the memory to read now"))
        except Exception as exc:  # noqa: BLE001 - a bug: the contributor still gets one message, and the last good data stays
            LOG.exception("reading %s", path)
            problems.append(Problem(self.name, message=f"could not be read: an error in the atlas ({type(exc).__name__}); please report it"))
        return None


def file_specs() -> tuple[FileSpec, ...]:
    """Every file of the atlas, in the order it is fingerprinted, read, checked and typed (sites
    before events, which take their sites' points). Made at each load, so that the limits are
    read as they are then (the tests lower them)."""
    usual = Limit(MAX_FILE_BYTES, "MAX_FILE_BYTES")
    polygons = ("Polygon", "MultiPolygon")
    to_sources, to_sites = refs("source_id", "sources.csv", "source id"), refs("site_id", "sites.geojson", "site id")
    other_source = refs("dispute_source_id", "sources.csv", "source id")
    return (
        FileSpec("sources.csv", "sources", schema.SOURCES, typed.sources, usual, checks=(distinct_urls,)),
        FileSpec(
            "sites.geojson", "sites", schema.SITES, typed.sites, usual, ("Point",),
            checks=(refs("sources", "sources.csv", "source id"), lies_in("country", "countries.geojson", "iso3", "country")),
        ),
        FileSpec(
            "control.csv", "control", schema.CONTROL, typed.control, usual,
            checks=(to_sources, to_sites, ends_after_starts, no_overlaps, soviet_by_1992, other_source, disputes(CONTROL_FACTS), grades),
        ),
        FileSpec(
            "leases.csv", "leases", schema.LEASES, typed.leases, usual,
            checks=(to_sources, to_sites, ends_after_starts, two_parties, other_source, disputes(LEASE_FACTS), grades),
        ),
        FileSpec(
            "events.csv", "events", schema.EVENTS, typed.events,
            Limit(MAX_EVENTS_BYTES, "MAX_EVENTS_BYTES", MAX_EVENTS_ROWS, "MAX_EVENTS_ROWS"),
            checks=(to_sources, to_sites, refs("concerns", "sites.geojson", "site id"), placed, other_source, disputes(EVENT_FACTS), grades),
        ),
        FileSpec(
            "areas.geojson", "areas", schema.AREAS, typed.areas, usual, polygons,
            checks=(to_sources, to_sites, valid_polygons),
        ),
        # Country outlines come from Natural Earth (make countries), not from contributors: repaired, not refused.
        FileSpec("countries.geojson", "countries", schema.COUNTRIES, typed.countries, usual, polygons, repair=True),
    )  # fmt: skip


FILES = tuple(spec.name for spec in file_specs())
LOG = logging.getLogger(__name__)


# --- loading -----------------------------------------------------------------------------------


def load_atlas(folder: Path | str) -> Atlas:
    """Load and validate every file in ``folder``; raise :class:`AtlasError` listing all problems."""
    with paused_gc():  # millions of objects made, no cycles: a third of the load time went to collections
        return _load(Path(folder))


def _load(folder: Path) -> Atlas:
    if not folder.is_dir():
        raise AtlasError(folder, [Problem(str(folder), message="is not a folder")])
    problems: list[Problem] = []
    specs = file_specs()
    read = [spec.read(folder, problems) for spec in specs]
    valid: dict[str, Raw] = {}  # by file name: the files that met their schema
    for spec, raw in zip(specs, read):
        if raw is not None and validate_frame(raw.frame, spec.schema, problems):
            valid[spec.name] = raw.repaired() if spec.repair else raw
    for spec in specs:
        if spec.name in valid:
            for check in spec.checks:
                problems.extend(check(valid[spec.name], valid))
    if problems:
        raise AtlasError(folder, problems)
    frames: dict[str, pd.DataFrame] = {}  # by Atlas field
    for spec in specs:
        frames[spec.atlas_field] = spec.typer(valid[spec.name], frames)
    counts = {name: len(frames[name]) for name in COUNTED}
    printed = fingerprint(folder)
    return Atlas(folder, **frames, counts=counts, version=printed, data_version=version_of(folder, printed, FILES))


def fingerprint(folder: Path) -> str:
    """A short hash of every data file's name and bytes: equal folders, equal fingerprints."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode("utf-8") + b"\0")
        with (folder / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]
