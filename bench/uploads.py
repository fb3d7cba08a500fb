"""Uploads ("Add your own points"): the time, peak memory and memory kept of reading a user's file
of 10,000 or 100,000 points as CSV, GeoJSON and GeoParquet, against reading the same file with plain
pandas/geopandas in the same run; and one hostile file, a GeoParquet "decompression bomb".

Files: synthetic and deterministic (``random.Random``, seed 1), written to a temporary folder. Each
row has ``name`` (10 to 40 characters, a quarter in Cyrillic), ``date`` (mostly YYYY-MM-DD, some YYYY,
some blank), ``kind``, ``country`` (an ISO3 code of the region), ``url``, ``source``, a point in
Central Asia (latitude 36 to 55, longitude 46 to 87) and a free-text ``notes`` column, so that a row is
about 450 bytes of CSV. The same rows are written as CSV (UTF-8), as a GeoJSON FeatureCollection of
Points (UTF-8, the properties named like the CSV's columns) and as GeoParquet (geopandas' default
compression); only the GeoJSON's ``notes`` are cut short, by the same number of characters in every
row, so that its 100,000-row file stays within the upload limit (``uploads.MAX_BYTES``): a file over it
is refused before it is read. The bomb: 90,000 rows of one 6,000-character name, zstd-compressed.

Each measurement is a child process (this script with ``--child``), capped at :data:`CAP` bytes of
address space (``RLIMIT_AS``), so a file that runs away fails there, reported as over the cap, and
never takes the machine down. The child imports everything, loads the shipped atlas and reads a small
file of the same format the same way first (a running server has done its lazy imports and filled its
caches). Then it reads the file's bytes, collects garbage, takes its RSS as the baseline and resets its
high-water mark (``5`` into /proc/self/clear_refs), and reads:

- *atlas*: ``uploads.read_points(name, data, atlas.countries)``, as the sidebar's uploader does;
- *floor*: ``pd.read_csv``, ``gpd.read_file`` (pyogrio) or ``gpd.read_parquet`` of the same bytes.

*Time*: the read alone (``time.perf_counter``). *Peak*: the high-water mark (``VmHWM``) after the read,
less the baseline. *Kept*: what a session holds once the upload is read: for *atlas* the ``Upload`` and
the session's ``Points`` made of it, with the map's bundle of the points as the script's text (made by
``ui/points.py``'s own ``Points``, as the uploader makes it), for *floor* the frame read; measured as
the RSS after dropping every temporary, collecting garbage and handing freed memory back (glibc's
``malloc_trim(0)``, pyarrow's ``release_unused``), less the baseline; for *floor* plus the file's bytes (in the baseline already, and held by a plain
app's session too: Streamlit's uploaded-file manager keeps them while the uploader shows the file; the
atlas lets them go once read, ``ui/uploaded.py``). Each figure is the median of ``--runs`` children.

    .venv/bin/python bench/uploads.py [--runs 3] [--no-write]

Writes its section to bench/results.md (bench/run.py keeps it).
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results.md"
SECTION = "## Uploads (bench/uploads.py)"
SIZES = (10_000, 100_000)
FORMATS = {"CSV": "csv", "GeoJSON": "geojson", "GeoParquet": "parquet"}  # format: file extension
READERS = ("atlas", "floor")
CAP = 6_000_000_000  # bytes of address space a child may map (RLIMIT_AS)
TIMEOUT_S = 900  # a child not done by then counts as failed
WARM_ROWS = 200  # the small file each child reads first
ROW_BYTES = 450  # a CSV row's size the notes are grown to, on average
GEOJSON_CUT = 140  # characters cut from each GeoJSON row's notes: 100,000 features then fit in MAX_BYTES
MB = 1_000_000
# read_points turns every error into a message: these say the cap stopped it (Python's, pyarrow's, C++'s)
OUT_OF_MEMORY = r"MemoryError|alloc\w* of size \d+ failed|[Oo]ut of memory|bad_alloc|Cannot allocate memory"

COUNTRIES = ("KAZ", "KGZ", "TJK", "UZB", "TKM", "RUS")
KINDS = ("military base", "air base", "radar", "test range", "depot", "port", "industrial", "training area")
LATIN = ("North", "South", "Old", "New", "Upper", "Lower", "Depot", "Airfield", "Range", "Station", "Post",
         "Baikonur", "Balkhash", "Kant", "Priozersk", "Sary-Shagan", "Emba", "Karshi", "Termez", "Osh",
         "Khorog", "Kulob", "Nurek", "Aktobe", "Semey", "Orenburg", "Barnaul", "Ayni", "Gissar", "Mary")
CYRILLIC = ("Северный", "Южный", "Старый", "Новый", "полигон", "аэродром", "склад", "станция", "пост",
            "Байконур", "Балхаш", "Кант", "Приозёрск", "Сары-Шаган", "Эмба", "Карши", "Термез", "Ош",
            "Хорог", "Куляб", "Нурек", "Актобе", "Семей", "Оренбург", "Барнаул", "Айни", "Гиссар", "Мары")
WORDS = ("the", "site", "was", "seen", "on", "imagery", "from", "a", "report", "near", "road", "new", "hangars",
         "fence", "built", "after", "visit", "locals", "say", "trucks", "arrive", "at", "night", "per", "week",
         "unconfirmed", "satellite", "shows", "two", "radar", "domes", "and", "runway", "repairs", "since", "spring",
         "source", "quotes", "officials", "lease", "extended", "until", "convoy", "spotted", "heading", "east")
SOURCES = ("Sentinel-2 imagery", "Field notes", "Local press", "Ministry statement", "OSINT channel", "Trip report",
           "Planet Labs scene", "Interview", "Court records", "Procurement notice")
DOMAINS = ("example.org", "news.example.kz", "archive.example.net", "osint.example.com", "press.example.kg")
HEADER = ["name", "date", "kind", "country", "url", "source", "lat", "lon", "notes"]


# ---------------------------------------------------------------- the files

def _name(rng: random.Random) -> str:
    words = CYRILLIC if rng.random() < 0.25 else LATIN
    size = rng.randint(10, 40)
    name = " ".join(rng.choice(words) for _ in range(6)) + f" {rng.randint(1, 999)}"
    return name[:size].strip() if len(name) >= size else name


def _date(rng: random.Random) -> str:
    form = rng.random()
    year = rng.randint(1991, 2025)
    if form < 0.8:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"{year}" if form < 0.9 else ""


def rows(count: int, seed: int) -> list[dict]:
    """``count`` rows, the same for the same seed."""
    rng = random.Random(seed)
    out = []
    for number in range(1, count + 1):
        row = {
            "name": _name(rng),
            "date": _date(rng),
            "kind": rng.choice(KINDS),
            "country": rng.choice(COUNTRIES),
            "url": f"https://{rng.choice(DOMAINS)}/reports/{rng.randint(1995, 2025)}/{rng.randint(1, 99999)}-{number}.html",
            "source": f"{rng.choice(SOURCES)} {rng.randint(1, 500)}",
            "lat": round(rng.uniform(36.0, 55.0), 6),
            "lon": round(rng.uniform(46.0, 87.0), 6),
        }
        used = sum(len(str(v).encode()) for v in row.values()) + len(HEADER)  # the cells, their commas and the line end
        room = max(20, int(rng.gauss(ROW_BYTES - used, 60)))
        notes = []
        while sum(len(w) + 1 for w in notes) < room:
            notes.append(rng.choice(WORDS))
        row["notes"] = (" ".join(notes)[:room].rstrip() + ".").capitalize()
        out.append(row)
    return out


def write(folder: Path, count: int, seed: int) -> dict[str, Path]:
    """The same ``count`` rows as CSV, GeoJSON and GeoParquet in ``folder``: {format: path}."""
    import geopandas as gpd

    folder.mkdir(parents=True, exist_ok=True)
    table = rows(count, seed)
    paths = {fmt: folder / f"points-{count}.{ext}" for fmt, ext in FORMATS.items()}
    with paths["CSV"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    features = [
        {"type": "Feature",
         "properties": {k: (row[k] or None) for k in HEADER if k not in ("lat", "lon", "notes")} | {"notes": row["notes"][:-GEOJSON_CUT] or "."},
         "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}}
        for row in table
    ]  # fmt: skip
    paths["GeoJSON"].write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    frame = gpd.GeoDataFrame(
        {k: [row[k] or None for row in table] for k in HEADER if k not in ("lat", "lon")},
        geometry=gpd.points_from_xy([row["lon"] for row in table], [row["lat"] for row in table]), crs=4326,
    )
    frame.to_parquet(paths["GeoParquet"])
    return paths


def bomb(folder: Path) -> Path:
    """A GeoParquet file of a few KB that holds 540 MB of text."""
    import geopandas as gpd

    path = folder / "bomb.parquet"
    gpd.GeoDataFrame({"name": ["A" * 6000] * 90000}, geometry=gpd.points_from_xy([76] * 90000, [43] * 90000),
                     crs=4326).to_parquet(path, compression="zstd")
    return path


# ---------------------------------------------------------------- the child

def _status(key: str) -> int:
    """A /proc/self/status figure (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def _release() -> None:
    """Collect garbage and hand freed memory back: what is left is what is held."""
    import ctypes

    import pyarrow

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    pyarrow.default_memory_pool().release_unused()


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux); whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return _status("VmHWM") <= _status("VmRSS") + 4 * 1024 * 1024


def child(reader: str, fmt: str, path: Path, warm: Path, cap: int = CAP) -> dict:
    """One measurement (see the module's docstring), in this process, capped at ``cap`` bytes."""
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import io

    import geopandas as gpd
    import pandas as pd
    import pyarrow.parquet  # noqa: F401 - imported, as a running server has it
    import pyogrio  # noqa: F401

    from strategic_sites import load_atlas
    from strategic_sites.uploads import upload as uploads
    from strategic_sites.ui import points as session  # what the session keeps of an upload (imports Streamlit, as a server has)

    atlas = load_atlas(ROOT / "geodata")
    countries = atlas.countries

    def keep(upload, data: bytes):
        """What the uploader keeps of an upload that gave points: its ``Points``, their map bundle made."""
        if not upload.ok:
            return None
        points = session.Points(path.name, hashlib.sha256(data).hexdigest()[:16], upload)
        points.bundle(atlas)  # the script's text (ScriptJSON), kept in the Points
        return points

    if reader == "atlas":
        def read(data: bytes):
            return uploads.read_points(path.name, data, countries)
    else:
        read = {"CSV": lambda data: pd.read_csv(io.BytesIO(data)),
                "GeoJSON": lambda data: gpd.read_file(io.BytesIO(data), engine="pyogrio"),
                "GeoParquet": lambda data: gpd.read_parquet(io.BytesIO(data))}[fmt]

    first = read(warm.read_bytes())  # a warm-up: lazy imports and caches, as in a running server
    if reader == "atlas":
        keep(first, warm.read_bytes())
    del first
    data = path.read_bytes()
    _release()
    base = _status("VmRSS")
    reset = _reset_peak()
    high = _status("VmHWM")  # without a reset: what the child had peaked at before, the peak can only be above it
    start = time.perf_counter()
    result = read(data)
    took = time.perf_counter() - start
    peak = _status("VmHWM") - (base if reset else high)
    out = {"reader": reader, "format": fmt, "bytes": len(data), "seconds": took, "peak": peak, "reset": reset}
    if reader == "atlas":
        out |= {"points": len(result.points), "rejects": len(result.rejects), "problems": list(result.problems),
                "notes": list(result.notes)}
        start = time.perf_counter()
        held = (result, keep(result, data))  # as ui/points.uploader keeps it
        out |= {"bundle_seconds": time.perf_counter() - start, "peak_with_bundle": _status("VmHWM") - (base if reset else high)}
        if held[1] is not None and hasattr(session, "held"):  # what the upload budget counts for the points
            out["estimate"] = session.held(held[1])
    else:
        held = result
        out["points"] = len(result)
    _release()
    # The atlas lets the file go once read (ui/uploaded.py); a plain app's upload stays in Streamlit's memory.
    out["kept"] = _status("VmRSS") - base + (0 if reader == "atlas" else len(data))
    out["over_cap"] = any(re.search(OUT_OF_MEMORY, problem) for problem in out.get("problems", ()))
    del held
    return out


def run_child(reader: str, fmt: str, path: Path, warm: Path, cap: int = CAP) -> dict:
    """One measurement in a child process, capped; ``over_cap`` when the cap stopped it."""
    command = [sys.executable, __file__, "--child", reader, fmt, str(path), str(warm), str(cap)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {"failed": f"not done in {TIMEOUT_S} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    if done.returncode < 0 or re.search(OUT_OF_MEMORY, done.stderr):
        return {"over_cap": True, "failed": f"over the cap ({cap / 1e9:g} GB of address space): "
                + (f"killed by signal {-done.returncode}" if done.returncode < 0 else "MemoryError")}
    tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
    return {"failed": f"exit {done.returncode}: {tail[0][:200]}"}


# ---------------------------------------------------------------- the parent

def _median(results: list[dict], key: str) -> float | None:
    values = [r[key] for r in results if key in r]
    return statistics.median(values) if values else None


def measure(runs: int) -> dict:
    cells, hostile = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        folder = Path(tmp)
        warm = write(folder / "warm", WARM_ROWS, seed=2)
        files = {count: write(folder, count, seed=1) for count in SIZES}
        for count in SIZES:
            for fmt, path in files[count].items():
                cell = {"format": fmt, "rows": count, "bytes": path.stat().st_size}
                for reader in READERS:
                    results = []
                    for _ in range(runs):
                        results.append(run_child(reader, fmt, path, warm[fmt]))
                        print(f"{fmt:>10} {count:>7,} {reader}: {_brief(results[-1])}", flush=True)
                    cell[reader] = results
                cells.append(cell)
        path = bomb(folder)
        results = []
        for _ in range(runs):
            results.append(run_child("atlas", "GeoParquet", path, warm["GeoParquet"]))
            print(f"      bomb atlas: {_brief(results[-1])}", flush=True)
        hostile = {"bytes": path.stat().st_size, "atlas": results}
    return {"cells": cells, "bomb": hostile}


def _brief(result: dict) -> str:
    if "failed" in result:
        return result["failed"]
    said = f"; {result['problems'][0][:80]}" if result.get("problems") else ""
    return (f"{result['seconds']:.2f} s, peak {result['peak'] / MB:.0f} MB, kept {result['kept'] / MB:.0f} MB, "
            f"{result['points']:,} points{said}")


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value / MB:,.0f} MB" if value >= 10 * MB else f"{value / MB:.1f} MB"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _failed(results: list[dict]) -> str:
    reasons = sorted({r["failed"] for r in results if "failed" in r})
    return "; ".join(reasons)


def _environment() -> list[str]:
    versions = []
    for name in ("pandas", "geopandas", "pyarrow", "pyogrio", "shapely", "numpy"):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        commit = f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        commit = "commit unknown (no git)"
    return [f"Python {platform.python_version()}; {', '.join(versions)}", commit]


def section(found: dict, runs: int, load: float, took: float) -> str:
    python, commit = _environment()
    lines = [
        SECTION,
        "",
        f"A user's file of points read as the sidebar's uploader reads it (*atlas*: `uploads.read_points`), against the same bytes "
        f"read with plain pandas/geopandas (*floor*: `pd.read_csv`, `gpd.read_file` with pyogrio, `gpd.read_parquet`); "
        f"median of {runs} run{'s' * (runs != 1)}, each in its own process capped at {CAP / 1e9:g} GB of address space, after a warm-up read of "
        f"a {WARM_ROWS}-row file of the same format. Synthetic rows (seed 1; about {ROW_BYTES} bytes of CSV each, Cyrillic "
        f"names among them), the same rows in each format (the GeoJSON's notes cut short to fit the upload limit). "
        f"*Time*: the read alone. *Peak*: the process's RSS high-water mark during the read, less its RSS before. *Kept*: "
        f"what stays once the read's garbage is freed: the `Upload` and the map's bundle of its points as the script text the session keeps (*atlas*; the composed map the session also keeps holds that text once more, not counted), the frame "
        f"(*floor*) **plus the file's bytes**, which Streamlit holds for a plain app's session while its uploader shows the file "
        f"(the atlas lets them go once read: `ui/uploaded.py`). Targets: peak ≤ 4× the file's size + 200 MB, "
        f"kept ≤ 2× the file's size. MB = 10⁶ bytes.",
        "",
        f"Run with `bench/uploads.py --runs {runs}` in {took / 60:.1f} minutes on {os.cpu_count()} CPUs, load average "
        f"(1 min) {load:.1f} at the start; {python}; {commit}.",
        "",
        "| format | rows | file size | atlas time | floor time | time ratio | atlas peak | floor peak | peak target (4× file + 200 MB) | met | "
        "atlas kept | floor kept | kept target (2× file) | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    notes, bundles, estimates, floors = [], [], [], []
    for cell in found["cells"]:
        atlas, floor = cell["atlas"], cell["floor"]
        size = cell["bytes"]
        a_time, f_time = _median(atlas, "seconds"), _median(floor, "seconds")
        a_peak, f_peak = _median(atlas, "peak"), _median(floor, "peak")
        a_kept, f_kept = _median(atlas, "kept"), _median(floor, "kept")
        peak_target, kept_target = 4 * size + 200 * MB, 2 * size
        ratio = f"{a_time / f_time:.1f}×" if a_time is not None and f_time else "–"
        good = [r for r in atlas if "points" in r and "failed" not in r]
        read = bool(good) and good[0]["points"] == cell["rows"]  # else its figures are not those of reading the file
        peak_met = "–" if a_peak is None or not read else "yes" if a_peak <= peak_target else "**no**"
        kept_met = "–" if a_kept is None or not read else "yes" if a_kept <= kept_target else "**no**"
        lines.append(
            f"| {cell['format']} | {cell['rows']:,} | {_mb(size)} | {_seconds(a_time)}{'' if read else ' †'} | {_seconds(f_time)} | {ratio} | "
            f"{_mb(a_peak)} | {_mb(f_peak)} | {_mb(peak_target)} | {peak_met} | {_mb(a_kept)} | {_mb(f_kept)} | "
            f"{_mb(kept_target)} | {kept_met} |"
        )
        label = f"{cell['format']}, {cell['rows']:,} rows"
        if a_kept is not None and f_kept and read:
            floors.append(f"{a_kept / f_kept:.2f}× ({cell['format']}, {cell['rows']:,}; the floor's {'over' if f_kept > kept_target else 'within'} the target)")
        for reader, results in (("atlas", atlas), ("floor", floor)):
            if _failed(results):
                notes.append(f"{label}, {reader}: {_failed(results)}")
        if good and (not read or good[0]["problems"]):
            notes.append(f"{'† ' if not read else ''}{label}: the atlas read {good[0]['points']:,} of {cell['rows']:,} points: "
                         + "; ".join(good[0]["problems"][:2] or ["no problem reported"]))
        if read:
            bundle_s, with_bundle = _median(good, "bundle_seconds"), _median(good, "peak_with_bundle")
            bundles.append(f"{bundle_s:.2f} s ({cell['format']}, {cell['rows']:,})")
            estimate = _median(good, "estimate")
            if estimate is not None:
                estimates.append(f"{_mb(estimate)} ({cell['format']}, {cell['rows']:,}; kept {_mb(a_kept)})")
            if with_bundle is not None and a_peak is not None and with_bundle > a_peak + 5 * MB:
                notes.append(f"{label}: building the map's bundle then raises the atlas's peak to {_mb(with_bundle)}")
    if any(not r.get("reset", True) for cell in found["cells"] for rs in (cell["atlas"], cell["floor"]) for r in rs):
        notes.append("/proc/self/clear_refs could not reset the high-water mark: peaks are over the child's earlier peak, so may read low")
    bomb = found["bomb"]
    results = bomb["atlas"]
    good = [r for r in results if "failed" not in r]
    if good:
        message = good[0]["problems"][0] if good[0]["problems"] else f"accepted: {good[0]['points']:,} points"
        outcome = "over the cap" if any(r.get("over_cap") for r in results) else "refused" if good[0]["problems"] else "**accepted**"
    else:
        message, outcome = _failed(results), "over the cap" if any(r.get("over_cap") for r in results) else "failed"
    lines += [
        "",
        "The hostile file: a GeoParquet \"decompression bomb\", 90,000 rows of one 6,000-character name (540 MB of text), "
        "zstd-compressed. The atlas should refuse it, with a message, before it costs memory.",
        "",
        "| file | file size | atlas time | atlas peak | outcome | message (first 80 characters) |",
        "|---|---:|---:|---:|---|---|",
        f"| bomb.parquet | {bomb['bytes'] / 1000:.1f} KB | {_seconds(_median(good, 'seconds'))} | {_mb(_median(good, 'peak'))} | "
        f"{outcome} | {message[:80].replace('|', '/')} |",
    ]
    head = []
    if floors:
        head.append("*Atlas kept* against *floor kept* (the least a Streamlit app that reads the same file with plain "
                    "pandas/geopandas keeps; where the floor is over the 2× target itself, the target is beyond such an app "
                    "and the ratio is what is measured): " + ", ".join(floors))
    if bundles:
        head.append("The session's `Points` and their map bundle (`Points.bundle`, made once the file is read; not in "
                    "*atlas time*, in *atlas kept*) take " + ", ".join(bundles))
    if estimates:
        head.append("What the upload budget counts for the points (`ui/points.held`: the frames, the "
                    "geometries and twice the bundle's text), against *atlas kept*: " + ", ".join(estimates))
    notes = head + notes
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    lines.append("")
    return "\n".join(lines)


def split_section(text: str) -> tuple[str, str]:
    """(``text`` without this section, the section), cut as bench/load.py cuts its own."""
    from load import split_section as split

    return split(text, SECTION)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        reader, fmt, path, warm, cap = sys.argv[2:7]
        print(json.dumps(child(reader, fmt, Path(path), Path(warm), int(cap))), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load, start = os.getloadavg()[0], time.perf_counter()
    text = section(measure(args.runs), args.runs, load, time.perf_counter() - start)
    print(text)
    if not args.no_write:
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
        rest, _ = split_section(old)
        RESULTS.write_text(rest.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
