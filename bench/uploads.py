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

    .venv/bin/python bench/uploads.py [--runs 3] [--quick] [--no-write] [--results PATH]

Writes its section to bench/results.md (bench/run.py keeps it); ``--quick`` (one run, 10,000 rows
and the bomb) to bench/artifacts/results-quick.md. The scaffolding (the command line, the capped
child, medians, where the run was made, writing the section) is bench/common.py's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import common  # bench/common.py: puts src/ on the path too

ROOT = common.ROOT
SECTION = "## Uploads (bench/uploads.py)"
SIZES = (10_000, 100_000)
QUICK_SIZES = (10_000,)
FORMATS = {"CSV": "csv", "GeoJSON": "geojson", "GeoParquet": "parquet"}  # format: file extension
READERS = ("atlas", "floor")
CAP = 6_000_000_000  # bytes of address space a child may map (RLIMIT_AS)
TIMEOUT_S = 900  # a child not done by then counts as failed
WARM_ROWS = 200  # the small file each child reads first
ROW_BYTES = 450  # a CSV row's size the notes are grown to, on average
GEOJSON_CUT = 140  # characters cut from each GeoJSON row's notes: 100,000 features then fit in MAX_BYTES
MB = 1_000_000
PACKAGES = ("pandas", "geopandas", "pyarrow", "pyogrio", "shapely", "numpy")

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

def child(reader: str, fmt: str, path: Path, warm: Path, cap: int = CAP) -> dict:
    """One measurement (see the module's docstring), in this process, capped at ``cap`` bytes."""
    common.cap_memory(cap)
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
    common.release()
    base = common.status("VmRSS")
    reset = common.reset_peak()
    high = common.status("VmHWM")  # without a reset: what the child had peaked at before, the peak can only be above it
    start = time.perf_counter()
    result = read(data)
    took = time.perf_counter() - start
    peak = common.status("VmHWM") - (base if reset else high)
    out = {"reader": reader, "format": fmt, "bytes": len(data), "seconds": took, "peak": peak, "reset": reset}
    if reader == "atlas":
        out |= {"points": len(result.points), "rejects": len(result.rejects), "problems": list(result.problems),
                "notes": list(result.notes)}
        start = time.perf_counter()
        held = (result, keep(result, data))  # as ui/points.uploader keeps it
        out |= {"bundle_seconds": time.perf_counter() - start, "peak_with_bundle": common.status("VmHWM") - (base if reset else high)}
        if held[1] is not None and hasattr(session, "held"):  # what the upload budget counts for the points
            out["estimate"] = session.held(held[1])
    else:
        held = result
        out["points"] = len(result)
    common.release()
    # The atlas lets the file go once read (ui/uploaded.py); a plain app's upload stays in Streamlit's memory.
    out["kept"] = common.status("VmRSS") - base + (0 if reader == "atlas" else len(data))
    out["over_cap"] = any(re.search(common.OUT_OF_MEMORY, problem) for problem in out.get("problems", ()))
    del held
    return out


def run_child(reader: str, fmt: str, path: Path, warm: Path, cap: int = CAP) -> dict:
    """One measurement in a child process, capped; ``over_cap`` when the cap stopped it."""
    return common.run_child([sys.executable, __file__, "--child", reader, fmt, str(path), str(warm), str(cap)], cap, TIMEOUT_S)


# ---------------------------------------------------------------- the parent

def measure(runs: int, sizes: tuple[int, ...] = SIZES) -> dict:
    cells, hostile = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        folder = Path(tmp)
        warm = write(folder / "warm", WARM_ROWS, seed=2)
        files = {count: write(folder, count, seed=1) for count in sizes}
        for count in sizes:
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


def section(found: dict, runs: int, run: common.Run) -> str:
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
        run.said(PACKAGES),
        "",
        "| format | rows | file size | atlas time | floor time | time ratio | atlas peak | floor peak | peak target (4× file + 200 MB) | met | "
        "atlas kept | floor kept | kept target (2× file) | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    notes, bundles, estimates, floors = [], [], [], []
    for cell in found["cells"]:
        atlas, floor = cell["atlas"], cell["floor"]
        size = cell["bytes"]
        a_time, f_time = common.median_of(atlas, "seconds"), common.median_of(floor, "seconds")
        a_peak, f_peak = common.median_of(atlas, "peak"), common.median_of(floor, "peak")
        a_kept, f_kept = common.median_of(atlas, "kept"), common.median_of(floor, "kept")
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
            bundle_s, with_bundle = common.median_of(good, "bundle_seconds"), common.median_of(good, "peak_with_bundle")
            bundles.append(f"{bundle_s:.2f} s ({cell['format']}, {cell['rows']:,})")
            estimate = common.median_of(good, "estimate")
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
        f"| bomb.parquet | {bomb['bytes'] / 1000:.1f} KB | {_seconds(common.median_of(good, 'seconds'))} | {_mb(common.median_of(good, 'peak'))} | "
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


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        reader, fmt, path, warm, cap = sys.argv[2:7]
        print(json.dumps(child(reader, fmt, Path(path), Path(warm), int(cap))), flush=True)
        return
    args = common.parse(common.arguments(__doc__, runs=3))
    run = common.Run("bench/uploads.py", args)
    found = measure(args.runs, QUICK_SIZES if args.quick else SIZES)
    common.finish(section(found, args.runs, run), SECTION, args)


if __name__ == "__main__":
    main()
